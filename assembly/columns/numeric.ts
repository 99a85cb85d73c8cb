/**
 * numeric as decimal text, exactly as the server prints it (numeric_out → get_str_from_var in
 * utils/adt/numeric.c). Binary (numeric_send): UInt16 ndigits, Int16 weight, UInt16 sign, UInt16
 * dscale, then ndigits base-10000 digits; the value is Σ digit[i] · 10000^(weight − i). The text has
 * a `-` for NUMERIC_NEG, the integer part without leading zeros (`0` when weight < 0), and exactly
 * dscale fraction digits (trailing zeros kept); NaN, Infinity and -Infinity are words.
 * numeric_recv's checks are made (sign one of the five, dscale within NUMERIC_DSCALE_MASK, digits
 * below NBASE); text is checked to be numeric_out's shape before it is copied.
 */

/** NBASE and its decimal digits. */
const NBASE: u32 = 10000;
const DEC_DIGITS: i32 = 4;
/** Sign words (numeric.c). */
const NUMERIC_POS: u32 = 0x0000;
const NUMERIC_NEG: u32 = 0x4000;
const NUMERIC_NAN: u32 = 0xc000;
const NUMERIC_PINF: u32 = 0xd000;
const NUMERIC_NINF: u32 = 0xf000;
/** Largest display scale (NUMERIC_DSCALE_MASK). */
const NUMERIC_DSCALE_MASK: u32 = 0x3fff;
/** Bytes of the four header words (the shortest binary numeric). */
export const NUMERIC_HEADER_SIZE: i32 = 8;
const HEADER_SIZE = NUMERIC_HEADER_SIZE;
/** ASCII characters. */
const ZERO: u32 = 0x30;
const MINUS: u32 = 0x2d;
const DOT: u32 = 0x2e;
/** The special values' words, packed little-endian, and their lengths. */
const NAN_WORD: u64 = 0x4e614e; // "NaN"
const NAN_LENGTH: i32 = 3;
const INFINITY_WORD: u64 = 0x7974_696e_6966_6e49; // "Infinity"
const INFINITY_LENGTH: i32 = 8;

/** Writes the `n` (≤ 8) bytes of a packed word at `out`. */
@inline function putWord(out: usize, word: u64, n: i32): void {
  for (let k = 0; k < n; k++) store<u8>(out + k, <u8>(word >> (<u64>k << 3)));
}

/** True when the `n` bytes at `p` are the packed word `word` of length `length`. */
@inline function isWord(p: usize, n: i32, word: u64, length: i32): bool {
  if (n != length) return false;
  for (let k = 0; k < length; k++) {
    if (<u64>load<u8>(p + k) != ((word >> (<u64>k << 3)) & 0xff)) return false;
  }
  return true;
}

@inline function be16(p: usize): u32 {
  return <u32>bswap<u16>(load<u16>(p));
}

/**
 * Checks a binary numeric of `n` bytes at `p`: the largest text it can print (an upper bound for the
 * output room), or -1 when numeric_recv would refuse it.
 */
export function numericTextBound(p: usize, n: i32): i32 {
  if (n < HEADER_SIZE) return -1;
  const ndigits = <i32>be16(p);
  const weight = <i32><i16>be16(p + 2);
  const sign = be16(p + 4);
  const dscale = be16(p + 6);
  if (n != HEADER_SIZE + (ndigits << 1)) return -1;
  if (sign != NUMERIC_POS && sign != NUMERIC_NEG && sign != NUMERIC_NAN && sign != NUMERIC_PINF && sign != NUMERIC_NINF) return -1;
  if ((dscale & NUMERIC_DSCALE_MASK) != dscale) return -1;
  for (let i = 0; i < ndigits; i++) {
    if (be16(p + HEADER_SIZE + (i << 1)) >= NBASE) return -1;
  }
  if (sign != NUMERIC_POS && sign != NUMERIC_NEG) return INFINITY_LENGTH + 1;
  const integer = weight < 0 ? 1 : (weight + 1) * DEC_DIGITS;
  return 1 + integer + 1 + <i32>dscale;
}

/** Writes the four decimal digits of `d` (< NBASE) at `out`. */
@inline function putGroup(out: usize, d: u32): void {
  store<u8>(out, <u8>(ZERO + d / 1000));
  store<u8>(out, <u8>(ZERO + (d / 100) % 10), 1);
  store<u8>(out, <u8>(ZERO + (d / 10) % 10), 2);
  store<u8>(out, <u8>(ZERO + d % 10), 3);
}

/**
 * Writes the text of the binary numeric at `p` (checked by `numericTextBound`) at `out`; returns its
 * length. Follows get_str_from_var digit for digit.
 */
export function writeNumericText(p: usize, out: usize): i32 {
  const ndigits = <i32>be16(p);
  const weight = <i32><i16>be16(p + 2);
  const sign = be16(p + 4);
  const dscale = <i32>be16(p + 6);
  const digits = p + HEADER_SIZE;
  if (sign == NUMERIC_NAN) {
    putWord(out, NAN_WORD, NAN_LENGTH);
    return NAN_LENGTH;
  }
  let o: usize = out;
  if (sign == NUMERIC_NINF || sign == NUMERIC_NEG) store<u8>(o++, <u8>MINUS);
  if (sign == NUMERIC_PINF || sign == NUMERIC_NINF) {
    putWord(o, INFINITY_WORD, INFINITY_LENGTH);
    return <i32>(o - out) + INFINITY_LENGTH;
  }
  let d: i32;
  if (weight < 0) {
    d = weight + 1;
    store<u8>(o++, <u8>ZERO);
  } else {
    // The first group without its leading zeros (at least one digit), then four digits a group.
    const firstDigit: u32 = ndigits > 0 ? be16(digits) : 0;
    let scale: u32 = 1000;
    while (scale > 1 && firstDigit < scale) scale /= 10;
    for (; scale > 0; scale /= 10) store<u8>(o++, <u8>(ZERO + (firstDigit / scale) % 10));
    for (d = 1; d <= weight; d++) {
      putGroup(o, d < ndigits ? be16(digits + (d << 1)) : 0);
      o += DEC_DIGITS;
    }
  }
  if (dscale > 0) {
    store<u8>(o++, <u8>DOT);
    const fraction = o;
    // Whole groups are written, then the text is cut at dscale digits (the slack after OUT_DATA
    // takes the up to three digits written past it).
    for (let i = 0; i < dscale; i += DEC_DIGITS, d++) {
      putGroup(o, d >= 0 && d < ndigits ? be16(digits + (d << 1)) : 0);
      o += DEC_DIGITS;
    }
    o = fraction + dscale;
  }
  return <i32>(o - out);
}

/** True when the `n` bytes at `p` have numeric_out's shape: `-?digits(.digits)?`, NaN, ±Infinity. */
export function isNumericText(p: usize, n: i32): bool {
  if (isWord(p, n, NAN_WORD, NAN_LENGTH)) return true;
  let i = 0;
  if (n > 0 && <u32>load<u8>(p) == MINUS) i = 1;
  if (isWord(p + i, n - i, INFINITY_WORD, INFINITY_LENGTH)) return true;
  const integerStart = i;
  while (i < n && <u32>load<u8>(p + i) - ZERO <= 9) i++;
  if (i == integerStart) return false;
  if (i == n) return true;
  if (<u32>load<u8>(p + i) != DOT) return false;
  const fractionStart = ++i;
  while (i < n && <u32>load<u8>(p + i) - ZERO <= 9) i++;
  return i == n && i > fractionStart;
}
