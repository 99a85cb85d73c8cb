/**
 * `real` and `double precision` (src/backend/utils/adt/float.c). Text: since PostgreSQL 12 the
 * server writes the shortest text that reads back to the same value (extra_float_digits ≥ 1, the
 * default), plus `NaN`, `Infinity`, `-Infinity` and `-0`. Binary: IEEE 754, 4 or 8 bytes
 * big-endian. float4 values decode to the JS number equal to the float4 (`Math.fround`), so text
 * and binary give the same number.
 */
import { oid } from '../oids.js';
import type { BinaryTypeCodec } from '../type-codec.js';
import { cannotEncode, describe, invalidText } from '../value-errors.js';
import { checkLength, viewOf } from './bytes.js';

const FLOAT4_BYTES = 4;
const FLOAT8_BYTES = 8;
const FLOAT_PATTERN = /^-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$/;
const NAN_TEXT = 'NaN';
const INFINITY_TEXT = 'Infinity';
const MINUS_INFINITY_TEXT = '-Infinity';
const MINUS_ZERO_TEXT = '-0';

/** Reads float8out's text; NaN and the infinities by name. */
function parseFloatText(type: string, text: string): number {
  if (FLOAT_PATTERN.test(text)) return Number(text);
  if (text === NAN_TEXT) return NaN;
  if (text === INFINITY_TEXT) return Infinity;
  if (text === MINUS_INFINITY_TEXT) return -Infinity;
  throw invalidText(type, text);
}

/** Text that float8in/float4in read back to `n` exactly (String() loses the sign of -0). */
function formatFloat(n: number): string {
  return Object.is(n, -0) ? MINUS_ZERO_TEXT : String(n);
}

function checkFloat8(v: unknown): number {
  if (typeof v !== 'number') throw cannotEncode('float8', `needs a number, got ${describe(v)}`);
  return v;
}

/** Refuses a finite number beyond the float4 range (float4in refuses it too); NaN and ±Infinity pass. */
function checkFloat4(v: unknown): number {
  if (typeof v !== 'number' || (Number.isFinite(v) && !Number.isFinite(Math.fround(v)))) {
    throw cannotEncode('float4', `needs a number within the float4 range, got ${describe(v)}`);
  }
  return v;
}

/** The `float4` codec: JS `number` (the exact float4 value). */
export const float4Codec: BinaryTypeCodec<number> = {
  oid: oid.FLOAT4,
  name: 'float4',
  arrayOid: oid.FLOAT4_ARRAY,
  binary: true,
  decodeText: (text) => Math.fround(parseFloatText('float4', text)),
  encodeText: (value) => formatFloat(Math.fround(checkFloat4(value))),
  decodeBinary(bytes, start, length) {
    checkLength('float4', length, FLOAT4_BYTES);
    return viewOf(bytes).getFloat32(bytes.byteOffset + start);
  },
  encodeBinary(w, value) {
    w.f32(checkFloat4(value));
  },
};

/** The `float8` codec: JS `number`. */
export const float8Codec: BinaryTypeCodec<number> = {
  oid: oid.FLOAT8,
  name: 'float8',
  arrayOid: oid.FLOAT8_ARRAY,
  binary: true,
  decodeText: (text) => parseFloatText('float8', text),
  encodeText: (value) => formatFloat(checkFloat8(value)),
  decodeBinary(bytes, start, length) {
    checkLength('float8', length, FLOAT8_BYTES);
    return viewOf(bytes).getFloat64(bytes.byteOffset + start);
  },
  encodeBinary(w, value) {
    w.f64(checkFloat8(value));
  },
};
