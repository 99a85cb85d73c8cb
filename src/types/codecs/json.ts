/**
 * `json` and `jsonb` (src/backend/utils/adt/json.c, jsonb.c). Decoded with `JSON.parse`, encoded
 * with `JSON.stringify`. Binary: json_send writes the text; jsonb_send writes a version byte (1)
 * then the text, and jsonb_recv refuses any other version.
 *
 * `JSON.parse` reads numbers as float64: integers beyond 2^53 in a document lose precision (decode
 * the column as text, or register a custom codec, where that matters). Keys such as `__proto__`
 * become own properties (JSON.parse never touches prototypes).
 */
import type { MessageWriter } from '../../protocol/writer.js';
import { decodeUtf8 } from '../../protocol/text.js';
import { oid } from '../oids.js';
import type { BinaryTypeCodec } from '../type-codec.js';
import { cannotEncode, describe, excerpt, invalidValue } from '../value-errors.js';

/** jsonb's binary format version (jsonb.c). */
const JSONB_VERSION = 1;

function parseJson(type: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalidValue(type, `not JSON: ${excerpt(text)}`);
  }
}

/** `JSON.stringify(value)`, refusing values with no JSON form (undefined, functions, cycles, bigints). */
export function stringifyJson(type: string, value: unknown): string {
  let s: string | undefined;
  try {
    s = JSON.stringify(value);
  } catch (cause) {
    throw cannotEncode(type, `value cannot be serialised (${cause instanceof Error ? cause.message : String(cause)})`);
  }
  if (s === undefined) throw cannotEncode(type, `${describe(value)} has no JSON form`);
  return s;
}

/** The `json` codec: any JSON value. */
export const jsonCodec: BinaryTypeCodec<unknown> = {
  oid: oid.JSON,
  name: 'json',
  arrayOid: oid.JSON_ARRAY,
  binary: true,
  decodeText: (text) => parseJson('json', text),
  encodeText: (value) => stringifyJson('json', value),
  decodeBinary: (bytes, start, length) => parseJson('json', decodeUtf8(bytes, start, start + length)),
  encodeBinary(w: MessageWriter, value: unknown) {
    w.utf8(stringifyJson('json', value));
  },
};

/** The `jsonb` codec: any JSON value. */
export const jsonbCodec: BinaryTypeCodec<unknown> = {
  oid: oid.JSONB,
  name: 'jsonb',
  arrayOid: oid.JSONB_ARRAY,
  binary: true,
  decodeText: (text) => parseJson('jsonb', text),
  encodeText: (value) => stringifyJson('jsonb', value),
  decodeBinary(bytes, start, length) {
    if (length < 1) throw invalidValue('jsonb', 'empty binary value (no version byte)');
    if (bytes[start] !== JSONB_VERSION) throw invalidValue('jsonb', `unsupported binary version ${bytes[start]}`);
    return parseJson('jsonb', decodeUtf8(bytes, start + 1, start + length));
  },
  encodeBinary(w: MessageWriter, value: unknown) {
    const s = stringifyJson('jsonb', value);
    w.u8(JSONB_VERSION);
    w.utf8(s);
  },
};
