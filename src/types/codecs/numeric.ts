/**
 * `numeric` (src/backend/utils/adt/numeric.c). Always a JS `string`, exactly the server's text
 * output: every digit, the trailing zeros of the scale, `NaN`, `Infinity` and `-Infinity`.
 *
 * Binary (numeric_send/numeric_recv): Int16 ndigits, Int16 weight, UInt16 sign, UInt16 dscale,
 * then ndigits base-10000 digits (Int16, 0..9999). The value is Σ digit[i] · 10000^(weight − i);
 * dscale is the number of decimal digits after the point. Sign codes: NUMERIC_POS 0x0000,
 * NUMERIC_NEG 0x4000, NUMERIC_NAN 0xC000, NUMERIC_PINF 0xD000, NUMERIC_NINF 0xF000.
 * Decoding follows numeric_recv then numeric_out: digits hidden by dscale are truncated, zero
 * digits at either end are stripped (make_result), a zero is never negative, and the text is
 * get_str_from_var's: so binary and text give the same string.
 */
import type { MessageWriter } from '../../protocol/writer.js';
import { oid } from '../oids.js';
import type { BinaryTypeCodec } from '../type-codec.js';
import { cannotEncode, describe, invalidText, invalidValue } from '../value-errors.js';
import { readInt16, readUint16 } from './bytes.js';

const NUMERIC_POS = 0x0000;
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;
/** dscale occupies the low 14 bits (NUMERIC_DSCALE_MASK). */
const NUMERIC_DSCALE_MASK = 0x3fff;
const NBASE = 10000;
const DEC_DIGITS = 4;
const HEADER_BYTES = 8;
const DIGIT_BYTES = 2;
/** The weight is an Int16 on the wire. */
const WEIGHT_MAX = 0x7fff;
const WEIGHT_MIN = -0x8000;
const NAN_TEXT = 'NaN';
const INFINITY_TEXT = 'Infinity';
const MINUS_INFINITY_TEXT = '-Infinity';
/** numeric_out's form: what the server sends. */
const OUTPUT_PATTERN = /^-?[0-9]+(?:\.[0-9]+)?$/;
/** What this encoder reads: numeric_in's decimal forms (optional sign, point, exponent, ASCII blanks around). */
const INPUT_PATTERN = /^[ \t\n\r\v\f]*([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?[ \t\n\r\v\f]*$/;
const SPECIAL_PATTERN = /^[ \t\n\r\v\f]*([+-]?)(nan|infinity|inf)[ \t\n\r\v\f]*$/i;
const POW10 = [1, 10, 100, 1000];
const CHAR_0 = 0x30;

/** The decimal value as numeric_recv reads it (after truncation and stripping). */
interface NumericVar {
  sign: number;
  weight: number;
  dscale: number;
  digits: number[];
}

/** The 4-character forms of 0..9999 ('0000'…'9999'), made on first use. */
let padded: string[] | null = null;
function pad4(digit: number): string {
  padded ??= Array.from({ length: NBASE }, (_, i) => String(i).padStart(DEC_DIGITS, '0'));
  return padded[digit]!;
}

/** get_str_from_var: the integer part without leading zeros, then exactly dscale fraction digits. */
function formatVar(v: NumericVar): string {
  const { digits, weight, dscale } = v;
  const n = digits.length;
  let out = v.sign === NUMERIC_NEG ? '-' : '';
  let d = 0;
  if (weight < 0) {
    out += '0';
    d = weight + 1;
  } else {
    for (; d <= weight; d++) {
      const dig = d < n ? digits[d]! : 0;
      out += d === 0 ? String(dig) : pad4(dig);
    }
  }
  if (dscale > 0) {
    let frac = '';
    for (let i = 0; i < dscale; d++, i += DEC_DIGITS) {
      const dig = d >= 0 && d < n ? digits[d]! : 0;
      frac += pad4(dig);
    }
    out += `.${frac.slice(0, dscale)}`;
  }
  return out;
}

/** Drops digits hidden by dscale (trunc_var), then zero digits at both ends (make_result). */
function normalize(v: NumericVar): NumericVar {
  let { digits, weight } = v;
  const keep = weight + 1 + Math.ceil(v.dscale / DEC_DIGITS);
  if (digits.length >= keep) {
    digits = keep > 0 ? digits.slice(0, keep) : [];
    const partial = v.dscale % DEC_DIGITS;
    if (digits.length === keep && keep > 0 && partial !== 0) {
      const unit = POW10[DEC_DIGITS - partial]!;
      digits[keep - 1] = digits[keep - 1]! - (digits[keep - 1]! % unit);
    }
  }
  let first = 0;
  let end = digits.length;
  while (first < end && digits[first] === 0) first++;
  while (end > first && digits[end - 1] === 0) end--;
  if (first === end) return { sign: NUMERIC_POS, weight: 0, dscale: v.dscale, digits: [] };
  return { sign: v.sign, weight: weight - first, dscale: v.dscale, digits: digits.slice(first, end) };
}

/** Decodes numeric_send's bytes into numeric_out's text. */
export function decodeNumericBinary(bytes: Uint8Array, start: number, length: number): string {
  if (length < HEADER_BYTES) throw invalidValue('numeric', `binary value of ${length} bytes is shorter than its header`);
  const ndigits = readUint16(bytes, start);
  if (length !== HEADER_BYTES + ndigits * DIGIT_BYTES) {
    throw invalidValue('numeric', `binary value of ${length} bytes does not hold its ${ndigits} digits`);
  }
  const weight = readInt16(bytes, start + 2);
  const sign = readUint16(bytes, start + 4);
  const dscale = readUint16(bytes, start + 6);
  if (sign === NUMERIC_NAN) return NAN_TEXT;
  if (sign === NUMERIC_PINF) return INFINITY_TEXT;
  if (sign === NUMERIC_NINF) return MINUS_INFINITY_TEXT;
  if (sign !== NUMERIC_POS && sign !== NUMERIC_NEG) throw invalidValue('numeric', `invalid sign 0x${sign.toString(16)}`);
  if ((dscale & NUMERIC_DSCALE_MASK) !== dscale) throw invalidValue('numeric', `invalid scale ${dscale}`);
  const digits = new Array<number>(ndigits);
  for (let i = 0, p = start + HEADER_BYTES; i < ndigits; i++, p += DIGIT_BYTES) {
    const dig = readInt16(bytes, p);
    if (dig < 0 || dig >= NBASE) throw invalidValue('numeric', `invalid digit ${dig}`);
    digits[i] = dig;
  }
  const v = { sign, weight, dscale, digits };
  // numeric_send writes what make_result left (no zero digit at either end, none hidden by the
  // scale): then there is nothing to normalize.
  return formatVar(isNormal(v) ? v : normalize(v));
}

/** True when `normalize(v)` would give `v` back unchanged. */
function isNormal(v: NumericVar): boolean {
  const { digits } = v;
  const n = digits.length;
  if (n === 0 || digits[0] === 0 || digits[n - 1] === 0) return false;
  const keep = v.weight + 1 + Math.ceil(v.dscale / DEC_DIGITS);
  if (n > keep) return false;
  const partial = v.dscale % DEC_DIGITS;
  return n < keep || partial === 0 || digits[n - 1]! % POW10[DEC_DIGITS - partial]! === 0;
}

/** Decodes numeric_out's text: checked, returned as it is. */
export function decodeNumericText(text: string): string {
  if (OUTPUT_PATTERN.test(text) || text === NAN_TEXT || text === INFINITY_TEXT || text === MINUS_INFINITY_TEXT) return text;
  throw invalidText('numeric', text);
}

/** A special value's sign code, or undefined for a finite decimal. */
type Parsed = { special: number } | { special: undefined; negative: boolean; digits: string; point: number; dscale: number };

/** Reads a JS value as a decimal: a string in numeric_in's decimal forms, a number, or a bigint. */
function parseNumeric(value: unknown): Parsed {
  let s: string;
  if (typeof value === 'string') s = value;
  else if (typeof value === 'bigint') s = value.toString();
  else if (typeof value === 'number') {
    if (Number.isNaN(value)) return { special: NUMERIC_NAN };
    if (!Number.isFinite(value)) return { special: value > 0 ? NUMERIC_PINF : NUMERIC_NINF };
    s = String(value);
  } else {
    throw cannotEncode('numeric', `needs a decimal string, a number or a bigint, got ${describe(value)}`);
  }
  const m = INPUT_PATTERN.exec(s);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) {
    const sp = SPECIAL_PATTERN.exec(s);
    if (sp === null) throw cannotEncode('numeric', `${describe(s)} is not a decimal number`);
    if (sp[2]!.toLowerCase() === 'nan') {
      if (sp[1] !== '') throw cannotEncode('numeric', `${describe(s)} is not a decimal number`);
      return { special: NUMERIC_NAN };
    }
    return { special: sp[1] === '-' ? NUMERIC_NINF : NUMERIC_PINF };
  }
  const intPart = m[2]!;
  const fracPart = m[3] ?? '';
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  // The exponent moves the decimal point; bound it before any string or array is sized by it.
  const limit = (WEIGHT_MAX + 1) * DEC_DIGITS + NUMERIC_DSCALE_MASK;
  if (!(Math.abs(exponent) <= limit)) throw cannotEncode('numeric', `exponent of ${describe(s)} is out of range`);
  return {
    special: undefined,
    negative: m[1] === '-',
    digits: intPart + fracPart,
    point: intPart.length + exponent,
    dscale: Math.max(0, fracPart.length - exponent),
  };
}

/** Groups decimal digits (the point after `point` of them) into base-10000 digits, stripped. */
function toVar(p: Extract<Parsed, { special: undefined }>): NumericVar {
  const { digits, point } = p;
  let lead = 0;
  while (lead < digits.length && digits.charCodeAt(lead) === CHAR_0) lead++;
  let end = digits.length;
  while (end > lead && digits.charCodeAt(end - 1) === CHAR_0) end--;
  if (lead === end) return { sign: NUMERIC_POS, weight: 0, dscale: p.dscale, digits: [] };
  // Digit k stands for 10^(point - 1 - k); its base-10000 digit has weight floor(that / 4).
  const top = Math.floor((point - 1 - lead) / DEC_DIGITS);
  const bottom = Math.floor((point - end) / DEC_DIGITS);
  const out = new Array<number>(top - bottom + 1).fill(0);
  for (let k = lead; k < end; k++) {
    const e = point - 1 - k;
    const g = Math.floor(e / DEC_DIGITS);
    out[top - g] += (digits.charCodeAt(k) - CHAR_0) * POW10[e - g * DEC_DIGITS]!;
  }
  return { sign: p.negative ? NUMERIC_NEG : NUMERIC_POS, weight: top, dscale: p.dscale, digits: out };
}

function encodeNumericBinary(w: MessageWriter, value: unknown): void {
  const p = parseNumeric(value);
  if (p.special !== undefined) {
    w.u16(0);
    w.i16(0);
    w.u16(p.special);
    w.u16(0);
    return;
  }
  if (p.dscale > NUMERIC_DSCALE_MASK) throw cannotEncode('numeric', `scale ${p.dscale} exceeds ${NUMERIC_DSCALE_MASK}`);
  const v = toVar(p);
  if (v.weight > WEIGHT_MAX || v.weight < WEIGHT_MIN) throw cannotEncode('numeric', 'value overflows the numeric format');
  w.u16(v.digits.length);
  w.i16(v.weight);
  w.u16(v.sign);
  w.u16(v.dscale);
  for (const d of v.digits) w.i16(d);
}

function encodeNumericText(value: unknown): string {
  const p = parseNumeric(value);
  if (p.special === NUMERIC_NAN) return NAN_TEXT;
  if (p.special === NUMERIC_PINF) return INFINITY_TEXT;
  if (p.special === NUMERIC_NINF) return MINUS_INFINITY_TEXT;
  return typeof value === 'string' ? value.trim() : String(value);
}

/** The `numeric` codec: JS `string` (the exact decimal); encodes strings, numbers and bigints. */
export const numericCodec: BinaryTypeCodec<string> = {
  oid: oid.NUMERIC,
  name: 'numeric',
  arrayOid: oid.NUMERIC_ARRAY,
  binary: true,
  decodeText: decodeNumericText,
  encodeText: encodeNumericText,
  decodeBinary: decodeNumericBinary,
  encodeBinary: encodeNumericBinary,
};
