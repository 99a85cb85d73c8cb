/**
 * `bytea` (src/backend/utils/adt/varlena.c, byteaout/byteain; encode.c for hex). JS `Uint8Array`.
 *
 * Text: the server writes `\x` and two lowercase hex digits per byte (bytea_output = hex, the
 * default) or, with bytea_output = escape, printable ASCII as itself, `\` as `\\` and every other
 * byte as `\ooo` (three octal digits); both are read. Written as `\x` hex.
 * Binary: the bytes themselves; decoding copies them out of the row (the row's memory is reused).
 */
import type { MessageWriter } from '../../protocol/writer.js';
import { oid } from '../oids.js';
import type { BinaryTypeCodec } from '../type-codec.js';
import { cannotEncode, describe, invalidText } from '../value-errors.js';

const BACKSLASH = 0x5c;
const CHAR_X = 0x78;
const CHAR_0 = 0x30;
const CHAR_3 = 0x33;
const CHAR_7 = 0x37;
const HEX_PREFIX = '\\x';
const OCTAL_ESCAPE_LENGTH = 4;
const ESCAPE_LENGTH = 2;
const ASCII_MAX = 0x7f;
const HEX = '0123456789abcdef';
const NO_DIGIT = 0xff;
const CHAR_LOWER_A = 0x61;
const CHAR_UPPER_A = 0x41;
const TEN = 10;
const HEX_LETTERS = 6;
const DECIMAL_DIGITS = 10;
/** Value of each hex digit character, NO_DIGIT for any other. */
const HEX_VALUE = (() => {
  const t = new Uint8Array(128).fill(NO_DIGIT);
  for (let i = 0; i < DECIMAL_DIGITS; i++) t[CHAR_0 + i] = i;
  for (let i = 0; i < HEX_LETTERS; i++) {
    t[CHAR_LOWER_A + i] = TEN + i;
    t[CHAR_UPPER_A + i] = TEN + i;
  }
  return t;
})();
/** Two hex digits per byte value. */
const BYTE_HEX = Array.from({ length: 256 }, (_, b) => HEX[b >> 4]! + HEX[b & 0xf]!);

function hexValue(c: number): number {
  return c < HEX_VALUE.length ? HEX_VALUE[c]! : NO_DIGIT;
}

function decodeHex(text: string): Uint8Array {
  const n = text.length - HEX_PREFIX.length;
  if (n % 2 !== 0) throw invalidText('bytea', text);
  const out = new Uint8Array(n / 2);
  for (let i = 0, p = HEX_PREFIX.length; i < out.length; i++, p += 2) {
    const hi = hexValue(text.charCodeAt(p));
    const lo = hexValue(text.charCodeAt(p + 1));
    if (hi === NO_DIGIT || lo === NO_DIGIT) throw invalidText('bytea', text);
    out[i] = (hi << 4) | lo;
  }
  return out;
}

function isOctal(c: number, max: number): boolean {
  return c >= CHAR_0 && c <= max;
}

/** byteain's escape format: `\\`, `\ooo`, and ASCII characters as themselves. */
function decodeEscape(text: string): Uint8Array {
  const n = text.length;
  const out = new Uint8Array(n);
  let q = 0;
  for (let p = 0; p < n; ) {
    const c = text.charCodeAt(p);
    if (c !== BACKSLASH) {
      if (c > ASCII_MAX) throw invalidText('bytea', text);
      out[q++] = c;
      p++;
    } else if (text.charCodeAt(p + 1) === BACKSLASH) {
      out[q++] = BACKSLASH;
      p += ESCAPE_LENGTH;
    } else if (
      p + OCTAL_ESCAPE_LENGTH <= n &&
      isOctal(text.charCodeAt(p + 1), CHAR_3) &&
      isOctal(text.charCodeAt(p + 2), CHAR_7) &&
      isOctal(text.charCodeAt(p + 3), CHAR_7)
    ) {
      out[q++] = ((text.charCodeAt(p + 1) - CHAR_0) << 6) | ((text.charCodeAt(p + 2) - CHAR_0) << 3) | (text.charCodeAt(p + 3) - CHAR_0);
      p += OCTAL_ESCAPE_LENGTH;
    } else {
      throw invalidText('bytea', text);
    }
  }
  return out.slice(0, q);
}

/** Decodes byteaout's text, hex or escape format. */
export function decodeByteaText(text: string): Uint8Array {
  if (text.charCodeAt(0) === BACKSLASH && text.charCodeAt(1) === CHAR_X) return decodeHex(text);
  return decodeEscape(text);
}

function checkBytes(v: unknown): Uint8Array {
  if (!(v instanceof Uint8Array)) throw cannotEncode('bytea', `needs a Uint8Array, got ${describe(v)}`);
  return v;
}

/** The `\x` hex text of `bytes`. */
export function encodeByteaHex(bytes: Uint8Array): string {
  let s = HEX_PREFIX;
  for (let i = 0; i < bytes.length; i++) s += BYTE_HEX[bytes[i]!]!;
  return s;
}

/** The `bytea` codec: JS `Uint8Array` (a copy, safe to keep). */
export const byteaCodec: BinaryTypeCodec<Uint8Array> = {
  oid: oid.BYTEA,
  name: 'bytea',
  arrayOid: oid.BYTEA_ARRAY,
  binary: true,
  decodeText: decodeByteaText,
  encodeText: (value) => encodeByteaHex(checkBytes(value)),
  // A plain Uint8Array copy (a Node Buffer's slice() would be a view, and a species copy a Buffer).
  decodeBinary: (bytes, start, length) => new Uint8Array(bytes.subarray(start, start + length)),
  encodeBinary(w: MessageWriter, value: Uint8Array) {
    w.bytes(checkBytes(value));
  },
};
