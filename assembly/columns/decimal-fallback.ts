/**
 * The slow, always exact decimal → binary conversion for float text whose 19-digit approximations
 * disagree (only text with more than 19 significant digits, which float4out/float8out never print).
 * The "simple decimal conversion" (as in Nigel Tao's description for Wuffs, and Go's strconv): the
 * number is held as up to MAX_DIGITS decimal digits with a decimal point position, and scaled by
 * powers of two, digit by digit, into [0.5, 1); then the mantissa bits are shifted out and rounded
 * half to even (a dropped non-zero digit beyond MAX_DIGITS breaks a tie upwards). MAX_DIGITS covers
 * every digit that can decide a tie between two doubles (at most 767 significant digits).
 */

/** Digits kept; more only set `truncated`. */
const MAX_DIGITS: i32 = 800;
/** Room for the digits a left shift adds before they are moved back (60 bits add at most 19). */
const SHIFT_ROOM: i32 = 20;
/** Largest shift per step: a digit times 2^60 plus a carry stays below 2^64. */
const MAX_SHIFT: i32 = 60;
/** Bits to shift for a decimal point position of 0..8 (after that, 27 bits a step). */
const POWERS: usize = memory.data<u8>([1, 3, 6, 9, 13, 16, 19, 23, 26]);
const POWERS_LENGTH: i32 = 9;
const BIG_STEP: i32 = 27;
/** Positions past which the value is certainly infinite, certainly zero. */
const OVERFLOW_POSITION: i32 = 310;
const UNDERFLOW_POSITION: i32 = -330;
/** IEEE binary32 and binary64: explicit mantissa bits, exponent bits, exponent bias. */
const F32_MANTISSA_BITS: i32 = 23;
const F32_EXPONENT_BITS: i32 = 8;
const F32_BIAS: i32 = -127;
const F64_MANTISSA_BITS: i32 = 52;
const F64_EXPONENT_BITS: i32 = 11;
const F64_BIAS: i32 = -1023;
/** ASCII '0', '.' and the digit at which rounding goes up. */
const ZERO: u32 = 0x30;
const DOT: u32 = 0x2e;
const HALF_DIGIT: u8 = 5;
/** Largest decimal point position for which the rounded integer fits a u64. */
const MAX_INTEGER_DIGITS: i32 = 20;

/** The digits (values 0..9, not ASCII), their count, the decimal point position, and truncation. */
const DIGITS: usize = memory.data(MAX_DIGITS + SHIFT_ROOM);
let count: i32 = 0;
let point: i32 = 0;
let truncated = false;

/**
 * Loads the mantissa text at `p` (`n` bytes of digits with at most one '.') and the explicit
 * exponent: the value is 0.d1d2d3… · 10^point.
 */
export function setDecimal(p: usize, n: i32, exponent: i32): void {
  count = 0;
  point = 0;
  truncated = false;
  let fraction = false;
  for (let i = 0; i < n; i++) {
    const c = <u32>load<u8>(p + i);
    if (c == DOT) {
      fraction = true;
      continue;
    }
    const d = c - ZERO;
    if (count == 0 && d == 0) {
      if (fraction) point--;
      continue;
    }
    if (count < MAX_DIGITS) store<u8>(DIGITS + count++, <u8>d);
    else if (d != 0) truncated = true;
    if (!fraction) point++;
  }
  point += exponent;
  trim();
}

/** Drops trailing zero digits. */
function trim(): void {
  while (count > 0 && load<u8>(DIGITS + count - 1) == 0) count--;
  if (count == 0) point = 0;
}

/** Multiplies by 2^k (k ≤ MAX_SHIFT). */
function leftShift(k: i32): void {
  // Digits are written from the right, SHIFT_ROOM places further on, then moved back.
  let r = count - 1;
  let w = count + SHIFT_ROOM;
  let n: u64 = 0;
  for (; r >= 0; r--) {
    n += <u64>load<u8>(DIGITS + r) << <u64>k;
    const quotient = n / 10;
    store<u8>(DIGITS + --w, <u8>(n - quotient * 10));
    n = quotient;
  }
  while (n > 0) {
    const quotient = n / 10;
    store<u8>(DIGITS + --w, <u8>(n - quotient * 10));
    n = quotient;
  }
  const total = count + SHIFT_ROOM - w;
  point += total - count;
  memory.copy(DIGITS, DIGITS + w, total);
  count = total;
  if (count > MAX_DIGITS) {
    for (let i = MAX_DIGITS; i < count; i++) if (load<u8>(DIGITS + i) != 0) truncated = true;
    count = MAX_DIGITS;
  }
  trim();
}

/** Divides by 2^k (k ≤ MAX_SHIFT). */
function rightShift(k: i32): void {
  let r = 0;
  let w = 0;
  let n: u64 = 0;
  // Take enough leading digits to shift out k bits.
  while ((n >> <u64>k) == 0) {
    if (r >= count) {
      if (n == 0) {
        count = 0;
        point = 0;
        return;
      }
      while ((n >> <u64>k) == 0) {
        n *= 10;
        r++;
      }
      break;
    }
    n = n * 10 + <u64>load<u8>(DIGITS + r++);
  }
  point -= r - 1;
  const mask: u64 = (<u64>1 << <u64>k) - 1;
  for (; r < count; r++) {
    const c = <u64>load<u8>(DIGITS + r);
    store<u8>(DIGITS + w++, <u8>(n >> <u64>k));
    n = (n & mask) * 10 + c;
  }
  while (n > 0) {
    const d = n >> <u64>k;
    n &= mask;
    if (w < MAX_DIGITS) store<u8>(DIGITS + w++, <u8>d);
    else if (d > 0) truncated = true;
    n *= 10;
  }
  count = w;
  trim();
}

/** Multiplies by 2^k, k of either sign. */
function shift(k: i32): void {
  if (count == 0) return;
  if (k > 0) {
    for (; k > MAX_SHIFT; k -= MAX_SHIFT) leftShift(MAX_SHIFT);
    leftShift(k);
  } else if (k < 0) {
    for (; k < -MAX_SHIFT; k += MAX_SHIFT) rightShift(MAX_SHIFT);
    rightShift(-k);
  }
}

/** Whether the integer part, cut after `at` digits, rounds up (half to even; truncation breaks ties up). */
function roundsUp(at: i32): bool {
  if (at < 0 || at >= count) return false;
  const d = load<u8>(DIGITS + at);
  if (d == HALF_DIGIT && at + 1 == count) {
    if (truncated) return true;
    return at > 0 && (load<u8>(DIGITS + at - 1) & 1) == 1;
  }
  return d >= HALF_DIGIT;
}

/** The integer part, rounded. */
function roundedInteger(): u64 {
  if (point > MAX_INTEGER_DIGITS) return 0xffff_ffff_ffff_ffff;
  let n: u64 = 0;
  let i = 0;
  for (; i < point && i < count; i++) n = n * 10 + <u64>load<u8>(DIGITS + i);
  for (; i < point; i++) n *= 10;
  if (roundsUp(point)) n++;
  return n;
}

/** Step in bits for a decimal point `position` places from 0. */
@inline function step(position: i32): i32 {
  return position >= POWERS_LENGTH ? BIG_STEP : <i32>load<u8>(POWERS + position);
}

/** The loaded decimal rounded to binary64 (or binary32 when `single`) bits, without a sign. */
export function decimalToBits(single: bool): u64 {
  const mantissaBits = single ? F32_MANTISSA_BITS : F64_MANTISSA_BITS;
  const exponentBits = single ? F32_EXPONENT_BITS : F64_EXPONENT_BITS;
  const bias = single ? F32_BIAS : F64_BIAS;
  const infinite: u64 = ((<u64>1 << <u64>exponentBits) - 1) << <u64>mantissaBits;
  if (count == 0 || point < UNDERFLOW_POSITION) return 0;
  if (point > OVERFLOW_POSITION) return infinite;
  let exponent = 0;
  while (point > 0) {
    const n = step(point);
    shift(-n);
    exponent += n;
  }
  while (point < 0 || (point == 0 && load<u8>(DIGITS) < HALF_DIGIT)) {
    const n = step(-point);
    shift(n);
    exponent -= n;
  }
  // [0.5, 1) to the [1, 2) of a float.
  exponent--;
  if (exponent < bias + 1) {
    const n = bias + 1 - exponent;
    shift(-n);
    exponent += n;
  }
  if (exponent - bias >= (1 << exponentBits) - 1) return infinite;
  shift(1 + mantissaBits);
  let m = roundedInteger();
  if (m == <u64>2 << <u64>mantissaBits) {
    m >>= 1;
    exponent++;
    if (exponent - bias >= (1 << exponentBits) - 1) return infinite;
  }
  if ((m & (<u64>1 << <u64>mantissaBits)) == 0) exponent = bias;
  return (m & ((<u64>1 << <u64>mantissaBits) - 1)) | (<u64>((exponent - bias) & ((1 << exponentBits) - 1)) << <u64>mantissaBits);
}
