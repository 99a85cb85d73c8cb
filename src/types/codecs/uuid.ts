/**
 * `uuid` (src/backend/utils/adt/uuid.c). JS `string` in uuid_out's form: 32 lowercase hex digits
 * grouped 8-4-4-4-12. Binary: the 16 bytes. Encoding also reads uppercase, unhyphenated and
 * braced forms, as uuid_in does.
 */
import { oid } from '../oids.js';
import type { BinaryTypeCodec } from '../type-codec.js';
import { cannotEncode, describe, invalidText } from '../value-errors.js';
import { checkLength } from './bytes.js';

const UUID_BYTES = 16;
const HEX_RADIX = 16;
const OUTPUT_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const INPUT_PATTERN = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;
const BYTE_HEX = Array.from({ length: 256 }, (_, b) => b.toString(HEX_RADIX).padStart(2, '0'));

/** The 32 hex digits of a UUID in any form uuid_in reads, lowercase; throws PGS_INVALID_ARGUMENT. */
export function uuidDigits(v: unknown): string {
  const m = typeof v === 'string' ? INPUT_PATTERN.exec(v) : null;
  if (m === null) throw cannotEncode('uuid', `needs 32 hex digits (8-4-4-4-12), got ${describe(v)}`);
  return m.slice(1).join('').toLowerCase();
}

/** The 16 bytes of a UUID string. */
export function uuidBytes(v: unknown): Uint8Array {
  const digits = uuidDigits(v);
  const out = new Uint8Array(UUID_BYTES);
  for (let i = 0; i < UUID_BYTES; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), HEX_RADIX);
  return out;
}

function formatUuid(digits: string): string {
  return `${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20)}`;
}

/** The `uuid` codec: JS `string`, lowercase 8-4-4-4-12. */
export const uuidCodec: BinaryTypeCodec<string> = {
  oid: oid.UUID,
  name: 'uuid',
  arrayOid: oid.UUID_ARRAY,
  binary: true,
  decodeText(text) {
    if (!OUTPUT_PATTERN.test(text)) throw invalidText('uuid', text);
    return text;
  },
  encodeText: (value) => formatUuid(uuidDigits(value)),
  decodeBinary(bytes, start, length) {
    checkLength('uuid', length, UUID_BYTES);
    // Unrolled, with uuid_out's hyphens after bytes 4, 6, 8 and 10 (a loop with a lookup per byte
    // cost twice as much).
    const h = BYTE_HEX;
    const b = bytes;
    const o = start;
    return h[b[o]!]! + h[b[o + 1]!]! + h[b[o + 2]!]! + h[b[o + 3]!]! + '-' + h[b[o + 4]!]! + h[b[o + 5]!]! + '-' +
      h[b[o + 6]!]! + h[b[o + 7]!]! + '-' + h[b[o + 8]!]! + h[b[o + 9]!]! + '-' + h[b[o + 10]!]! + h[b[o + 11]!]! +
      h[b[o + 12]!]! + h[b[o + 13]!]! + h[b[o + 14]!]! + h[b[o + 15]!]!;
  },
  encodeBinary(w, value) {
    w.bytes(uuidBytes(value));
  },
};
