/**
 * `boolean` (OID 16). Text: boolout writes `t` or `f`. Binary: one byte; boolrecv reads any
 * nonzero byte as true, boolsend writes 1 or 0 (src/backend/utils/adt/bool.c).
 */
import type { MessageWriter } from '../../protocol/writer.js';
import { oid } from '../oids.js';
import type { BinaryTypeCodec } from '../type-codec.js';
import { cannotEncode, describe, invalidText } from '../value-errors.js';
import { checkLength } from './bytes.js';

const TRUE_TEXT = 't';
const FALSE_TEXT = 'f';
const BOOL_BYTES = 1;
const TRUE_BYTE = 1;
const FALSE_BYTE = 0;

function checkBool(v: unknown): boolean {
  if (typeof v !== 'boolean') throw cannotEncode('bool', `needs a boolean, got ${describe(v)}`);
  return v;
}

/** The `bool` codec: JS `boolean`. */
export const boolCodec: BinaryTypeCodec<boolean> = {
  oid: oid.BOOL,
  name: 'bool',
  arrayOid: oid.BOOL_ARRAY,
  binary: true,
  decodeText(text: string): boolean {
    if (text === TRUE_TEXT) return true;
    if (text === FALSE_TEXT) return false;
    throw invalidText('bool', text);
  },
  encodeText(value: boolean): string {
    return checkBool(value) ? TRUE_TEXT : FALSE_TEXT;
  },
  decodeBinary(bytes: Uint8Array, start: number, length: number): boolean {
    checkLength('bool', length, BOOL_BYTES);
    return bytes[start] !== FALSE_BYTE;
  },
  encodeBinary(w: MessageWriter, value: boolean): void {
    w.u8(checkBool(value) ? TRUE_BYTE : FALSE_BYTE);
  },
};
