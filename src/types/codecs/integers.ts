/**
 * `smallint`, `integer`, `bigint` and `oid` (src/backend/utils/adt/int.c, int8.c, oid.c).
 * Text: the server writes an optional `-` and decimal digits (oid: unsigned). Binary: 2, 4 or 8
 * bytes big-endian two's complement (oid: 4 bytes unsigned).
 *
 * int8 decodes to `bigint` by default (lossless). With `int8: 'number'` it decodes to a `number`
 * and refuses, with `PGS_VALUE_OUT_OF_RANGE`, any value beyond ±(2^53 − 1) instead of rounding it.
 */
import type { MessageWriter } from '../../protocol/writer.js';
import { oid } from '../oids.js';
import type { BinaryTypeCodec } from '../type-codec.js';
import { cannotEncode, describe, invalidText, valueOutOfRange } from '../value-errors.js';
import { checkLength, readBigInt64, readInt16, readInt32, readUint32 } from './bytes.js';

const INT2_MIN = -0x8000;
const INT2_MAX = 0x7fff;
const INT4_MIN = -0x8000_0000;
const INT4_MAX = 0x7fff_ffff;
const OID_MAX = 0xffff_ffff;
/** Int8 bounds (int8.c): checked before writing, since setBigInt64 would wrap silently. */
export const INT8_MIN = -(1n << 63n);
/** Largest int8. */
export const INT8_MAX = (1n << 63n) - 1n;
const INT2_BYTES = 2;
const INT4_BYTES = 4;
const INT8_BYTES = 8;
const CHAR_0 = 0x30;
const CHAR_9 = 0x39;
const CHAR_MINUS = 0x2d;
/** A decimal string of at most this many digits is below 2^53, so Number() reads it exactly. */
const EXACT_DIGITS = 15;
/** 2^32: the weight of the high word of an int8. */
const TWO_POW_32 = 0x1_0000_0000;
/** High words of int8 values whose magnitude is at most 2^53 (so hi * 2^32 + lo is exact). */
const SAFE_HIGH_MIN = -0x20_0000;
const SAFE_HIGH_MAX = 0x1f_ffff;
const INT8_PATTERN = /^-?[0-9]+$/;

/** How int8 values are returned: `bigint` (default, lossless) or `number` (refusing unsafe values). */
export type Int8Mode = 'bigint' | 'number';

/** Parses `-?[0-9]+` of at most `maxDigits` digits into a number; NaN when the text is not that. */
function parseSmallInt(text: string, maxDigits: number): number {
  const n = text.length;
  let i = 0;
  let negative = false;
  if (n > 0 && text.charCodeAt(0) === CHAR_MINUS) {
    negative = true;
    i = 1;
  }
  if (i === n || n - i > maxDigits) return NaN;
  let v = 0;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < CHAR_0 || c > CHAR_9) return NaN;
    v = v * 10 + (c - CHAR_0);
  }
  return negative ? 0 - v : v;
}

function decodeIntText(type: string, text: string, min: number, max: number): number {
  const v = parseSmallInt(text, EXACT_DIGITS);
  if (!(v >= min && v <= max)) throw invalidText(type, text);
  return v;
}

/** Accepts an integral number or bigint in [min, max]; returns it as a number. */
function checkInt(type: string, v: unknown, min: number, max: number): number {
  const n = typeof v === 'bigint' && v >= BigInt(min) && v <= BigInt(max) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw cannotEncode(type, `needs an integer from ${min} to ${max}, got ${describe(v)}`);
  }
  return n;
}

/** Accepts a bigint in the int8 range or a safe integer number; returns a bigint. */
export function checkInt8Value(v: unknown): bigint {
  if (typeof v === 'bigint') {
    if (v >= INT8_MIN && v <= INT8_MAX) return v;
  } else if (typeof v === 'number' && Number.isSafeInteger(v)) {
    return BigInt(v);
  }
  throw cannotEncode('int8', `needs a bigint in the int8 range or a safe integer, got ${describe(v)}`);
}

function intCodec(type: string, typeOid: number, arrayOid: number, min: number, max: number, width: number): BinaryTypeCodec<number> {
  const read = width === INT2_BYTES ? readInt16 : readInt32;
  return {
    oid: typeOid,
    name: type,
    arrayOid,
    binary: true,
    decodeText: (text) => decodeIntText(type, text, min, max),
    encodeText: (value) => String(checkInt(type, value, min, max)),
    decodeBinary(bytes, start, length) {
      checkLength(type, length, width);
      return read(bytes, start);
    },
    encodeBinary(w: MessageWriter, value: number) {
      const v = checkInt(type, value, min, max);
      if (width === INT2_BYTES) w.i16(v);
      else w.i32(v);
    },
  };
}

/** The `int2` codec: JS `number`. */
export const int2Codec = intCodec('int2', oid.INT2, oid.INT2_ARRAY, INT2_MIN, INT2_MAX, INT2_BYTES);

/** The `int4` codec: JS `number`. */
export const int4Codec = intCodec('int4', oid.INT4, oid.INT4_ARRAY, INT4_MIN, INT4_MAX, INT4_BYTES);

/** The `oid` codec: JS `number` in 0..2^32-1. */
export const oidCodec: BinaryTypeCodec<number> = {
  oid: oid.OID,
  name: 'oid',
  arrayOid: oid.OID_ARRAY,
  binary: true,
  decodeText: (text) => decodeIntText('oid', text, 0, OID_MAX),
  encodeText: (value) => String(checkInt('oid', value, 0, OID_MAX)),
  decodeBinary(bytes, start, length) {
    checkLength('oid', length, INT4_BYTES);
    return readUint32(bytes, start);
  },
  encodeBinary(w, value) {
    w.u32(checkInt('oid', value, 0, OID_MAX));
  },
};

function decodeInt8Text(text: string): bigint {
  if (!INT8_PATTERN.test(text)) throw invalidText('int8', text);
  const v = BigInt(text);
  if (v < INT8_MIN || v > INT8_MAX) throw invalidText('int8', text);
  return v;
}

function decodeInt8TextNumber(text: string): number {
  const v = parseSmallInt(text, EXACT_DIGITS);
  if (!Number.isNaN(v)) return v;
  const big = decodeInt8Text(text);
  if (big < BigInt(Number.MIN_SAFE_INTEGER) || big > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw valueOutOfRange('int8', `${text} is beyond ±(2^53 - 1); decode int8 as bigint to read it exactly`);
  }
  return Number(big);
}

function decodeInt8BinaryNumber(bytes: Uint8Array, start: number, length: number): number {
  checkLength('int8', length, INT8_BYTES);
  const hi = readInt32(bytes, start);
  const lo = readUint32(bytes, start + INT4_BYTES);
  const v = hi * TWO_POW_32 + lo;
  if (hi < SAFE_HIGH_MIN || hi > SAFE_HIGH_MAX || !Number.isSafeInteger(v)) {
    throw valueOutOfRange('int8', `${readBigInt64(bytes, start)} is beyond ±(2^53 - 1); decode int8 as bigint to read it exactly`);
  }
  return v;
}

/** The `int8` codec: JS `bigint` (default) or `number` (refusing values beyond ±(2^53 − 1)). */
export function int8Codec(mode: Int8Mode = 'bigint'): BinaryTypeCodec<bigint | number> {
  const asNumber = mode === 'number';
  return {
    oid: oid.INT8,
    name: 'int8',
    arrayOid: oid.INT8_ARRAY,
    binary: true,
    decodeText: asNumber ? decodeInt8TextNumber : decodeInt8Text,
    encodeText: (value) => String(checkInt8Value(value)),
    decodeBinary: asNumber
      ? decodeInt8BinaryNumber
      : (bytes, start, length) => {
          checkLength('int8', length, INT8_BYTES);
          return readBigInt64(bytes, start);
        },
    encodeBinary(w, value) {
      w.i64(checkInt8Value(value));
    },
  };
}
