/**
 * Correctly rounded decimal → binary conversion of float4/float8 text (float4out/float8out: the
 * shortest text that reads back exactly, or `NaN`, `Infinity`, `-Infinity`; also accepted: any
 * `[-]digits[.digits][e[±]digits]`). Three paths, each exact:
 * - Clinger's fast path: an exact significand times an exact power of ten, one IEEE operation;
 * - Eisel-Lemire (Lemire, "Number Parsing at a Gigabyte per Second", 2021) on the first 19
 *   significant digits with the 128-bit powers of five of pow5-table.ts; always exact when no
 *   non-zero digit was dropped (Mushtak and Lemire, "Fast Number Parsing Without Fallback", 2023);
 * - otherwise the value is rounded for the truncated significand and for it plus one: if both
 *   agree that is the answer, else decimal-fallback.ts decides with every digit.
 * Results are IEEE bit patterns (u64 for float8, u32 in a u64 for float4), never a trap.
 */
import { POW5_MIN_EXPONENT, POW5_TABLE } from './pow5-table';
import { decimalToBits, setDecimal } from './decimal-fallback';

/** ASCII characters. */
const ZERO: u32 = 0x30;
const MINUS: u32 = 0x2d;
const PLUS: u32 = 0x2b;
const DOT: u32 = 0x2e;
const LOWER_E: u32 = 0x65;
const CASE_BIT: u32 = 0x20;
/** "NaN" and "Infinity" packed little-endian. */
const NAN_WORD: u64 = 0x4e614e;
const NAN_LENGTH: i32 = 3;
const INFINITY_WORD: u64 = 0x7974_696e_6966_6e49;
const INFINITY_LENGTH: i32 = 8;
/** Significant digits that always fit a u64. */
const MAX_DIGITS: i32 = 19;
/** Exponents past this are clamped: far beyond any finite or non-zero result. */
const EXPONENT_CLAMP: i32 = 100000;

/** IEEE binary64 and binary32 parameters. */
const F64_MANTISSA_BITS: i32 = 52;
const F64_MIN_EXPONENT: i32 = -1023;
const F64_INFINITE_POWER: i32 = 0x7ff;
const F64_SMALLEST_POWER: i32 = -342;
const F64_LARGEST_POWER: i32 = 308;
const F64_MIN_ROUND_TO_EVEN: i32 = -4;
const F64_MAX_ROUND_TO_EVEN: i32 = 23;
const F64_EXACT_POWER: i32 = 22;
const F64_EXACT_SIGNIFICAND: u64 = 1 << 53;
const F64_NAN: u64 = 0x7ff8_0000_0000_0000;
const F32_MANTISSA_BITS: i32 = 23;
const F32_MIN_EXPONENT: i32 = -127;
const F32_INFINITE_POWER: i32 = 0xff;
const F32_SMALLEST_POWER: i32 = -65;
const F32_LARGEST_POWER: i32 = 38;
const F32_MIN_ROUND_TO_EVEN: i32 = -17;
const F32_MAX_ROUND_TO_EVEN: i32 = 10;
const F32_EXACT_POWER: i32 = 10;
const F32_EXACT_SIGNIFICAND: u64 = 1 << 24;
const F32_NAN: u64 = 0x7fc0_0000;

/** Exact powers of ten as doubles (10^0..10^22) and as floats (10^0..10^10). */
const F64_POWERS: usize = memory.data<f64>([
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
]);
const F32_POWERS: usize = memory.data<f32>([1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10]);

/** False when the last parse met text that is not a number. */
export let floatTextOk: bool = true;

/** High and low words of the last `multiply`. */
let high: u64 = 0;
let low: u64 = 0;

/** The full 128-bit product a · b into `high`, `low`. */
@inline function multiply(a: u64, b: u64): void {
  const a0 = a & 0xffff_ffff;
  const a1 = a >> 32;
  const b0 = b & 0xffff_ffff;
  const b1 = b >> 32;
  const p00 = a0 * b0;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const middle = p10 + (p00 >> 32) + (p01 & 0xffff_ffff);
  high = a1 * b1 + (middle >> 32) + (p01 >> 32);
  low = (middle << 32) | (p00 & 0xffff_ffff);
}

/** Biased binary exponent and mantissa of the last `eiselLemire`. */
let power2: i32 = 0;
let mantissa: u64 = 0;

/**
 * Rounds w · 10^q (w > 0, q in the table's range) to the nearest float with `bits` explicit mantissa
 * bits into `power2`/`mantissa` (biased exponent, mantissa without its hidden bit).
 */
function eiselLemire(q: i32, w: u64, bits: i32, minExponent: i32, infinitePower: i32, minEven: i32, maxEven: i32): void {
  const lz = <i32>clz(w);
  w <<= <u64>lz;
  const index = <usize>((q - POW5_MIN_EXPONENT) << 1);
  multiply(w, load<u64>(POW5_TABLE + (index << 3)));
  const precisionMask: u64 = 0xffff_ffff_ffff_ffff >> <u64>(bits + 3);
  if ((high & precisionMask) == precisionMask) {
    // The low bits may carry into the kept ones: add the next 64 bits of the product.
    const firstHigh = high;
    const firstLow = low;
    multiply(w, load<u64>(POW5_TABLE + ((index + 1) << 3)));
    const sum = firstLow + high;
    high = firstHigh + <u64>(sum < firstLow);
    low = sum;
  }
  const upper = <i32>(high >> 63);
  const shift = upper + 64 - bits - 3;
  let m = high >> <u64>shift;
  // floor(log2(10^q)) + 63, as ((152170 + 65536) · q) >> 16 + 63 (exact over the table's range).
  let p = (((152170 + 65536) * q) >> 16) + 63 + upper - lz - minExponent;
  if (p <= 0) {
    // Subnormal (or zero): no round-to-even ambiguity this far from 10^0.
    if (-p + 1 >= 64) {
      power2 = 0;
      mantissa = 0;
      return;
    }
    m >>= <u64>(-p + 1);
    m += m & 1;
    m >>= 1;
    power2 = m < (<u64>1 << <u64>bits) ? 0 : 1;
    mantissa = m & ~(<u64>1 << <u64>bits);
    return;
  }
  // Exactly halfway between two floats only when the product dropped nothing but zeros: round to even.
  if (low <= 1 && q >= minEven && q <= maxEven && (m & 3) == 1 && (m << <u64>shift) == high) m &= ~(<u64>1);
  m += m & 1;
  m >>= 1;
  if (m >= (<u64>2 << <u64>bits)) {
    m = <u64>1 << <u64>bits;
    p++;
  }
  m &= ~(<u64>1 << <u64>bits);
  if (p >= infinitePower) {
    p = infinitePower;
    m = 0;
  }
  power2 = p;
  mantissa = m;
}

/** True when the `n` bytes at `p` are the packed word `word` of length `length`. */
@inline function isWord(p: usize, n: i32, word: u64, length: i32): bool {
  if (n != length) return false;
  for (let k = 0; k < length; k++) {
    if (<u64>load<u8>(p + k) != ((word >> (<u64>k << 3)) & 0xff)) return false;
  }
  return true;
}

/**
 * Parses float text at `p` (`n` bytes) into IEEE bits: binary64 unless `single` (then binary32 in
 * the low 32 bits). Sets `floatTextOk` to false for text that is not a number.
 */
export function parseFloatText(p: usize, n: i32, single: bool): u64 {
  floatTextOk = true;
  const bits = single ? F32_MANTISSA_BITS : F64_MANTISSA_BITS;
  const signBit: u64 = single ? <u64>1 << 31 : <u64>1 << 63;
  if (isWord(p, n, NAN_WORD, NAN_LENGTH)) return single ? F32_NAN : F64_NAN;
  let i = 0;
  let negative = false;
  if (n > 0 && <u32>load<u8>(p) == MINUS) {
    negative = true;
    i = 1;
  }
  const sign: u64 = negative ? signBit : 0;
  const infinitePower = single ? F32_INFINITE_POWER : F64_INFINITE_POWER;
  if (isWord(p + i, n - i, INFINITY_WORD, INFINITY_LENGTH)) return sign | (<u64>infinitePower << <u64>bits);
  const digitsStart = i;
  let w: u64 = 0;
  let taken = 0;
  let exponent = 0;
  let truncated = false;
  let any = false;
  // Integer digits: leading zeros are skipped, digits past the 19th only scale the value.
  while (i < n) {
    const d = <u32>load<u8>(p + i) - ZERO;
    if (d > 9) break;
    any = true;
    if (taken < MAX_DIGITS) {
      if (taken > 0 || d != 0) {
        w = w * 10 + d;
        taken++;
      }
    } else {
      exponent++;
      if (d != 0) truncated = true;
    }
    i++;
  }
  if (i < n && <u32>load<u8>(p + i) == DOT) {
    i++;
    while (i < n) {
      const d = <u32>load<u8>(p + i) - ZERO;
      if (d > 9) break;
      any = true;
      if (taken < MAX_DIGITS) {
        if (taken > 0 || d != 0) {
          w = w * 10 + d;
          taken++;
        }
        exponent--;
      } else if (d != 0) {
        truncated = true;
      }
      i++;
    }
  }
  const mantissaEnd = i;
  let explicit = 0;
  if (i < n && (<u32>load<u8>(p + i) | CASE_BIT) == LOWER_E) {
    i++;
    let e = 0;
    let eNegative = false;
    if (i < n && <u32>load<u8>(p + i) == MINUS) {
      eNegative = true;
      i++;
    } else if (i < n && <u32>load<u8>(p + i) == PLUS) {
      i++;
    }
    const eStart = i;
    while (i < n) {
      const d = <u32>load<u8>(p + i) - ZERO;
      if (d > 9) break;
      if (e < EXPONENT_CLAMP) e = e * 10 + <i32>d;
      i++;
    }
    if (i == eStart) any = false;
    explicit = eNegative ? -e : e;
    exponent += explicit;
  }
  if (!any || i != n) {
    floatTextOk = false;
    return 0;
  }
  if (w == 0) return sign;
  if (!truncated) {
    if (single) {
      if (exponent >= -F32_EXACT_POWER && exponent <= F32_EXACT_POWER && w <= F32_EXACT_SIGNIFICAND) {
        let f = <f32>w;
        f = exponent < 0 ? f / load<f32>(F32_POWERS + (<usize>-exponent << 2)) : f * load<f32>(F32_POWERS + (<usize>exponent << 2));
        return sign | <u64>reinterpret<u32>(f);
      }
    } else if (exponent >= -F64_EXACT_POWER && exponent <= F64_EXACT_POWER && w <= F64_EXACT_SIGNIFICAND) {
      let f = <f64>w;
      f = exponent < 0 ? f / load<f64>(F64_POWERS + (<usize>-exponent << 3)) : f * load<f64>(F64_POWERS + (<usize>exponent << 3));
      return sign | reinterpret<u64>(f);
    }
  }
  const smallest = single ? F32_SMALLEST_POWER : F64_SMALLEST_POWER;
  const largest = single ? F32_LARGEST_POWER : F64_LARGEST_POWER;
  if (exponent < smallest) return sign;
  if (exponent > largest) return sign | (<u64>infinitePower << <u64>bits);
  const minExponent = single ? F32_MIN_EXPONENT : F64_MIN_EXPONENT;
  const minEven = single ? F32_MIN_ROUND_TO_EVEN : F64_MIN_ROUND_TO_EVEN;
  const maxEven = single ? F32_MAX_ROUND_TO_EVEN : F64_MAX_ROUND_TO_EVEN;
  eiselLemire(exponent, w, bits, minExponent, infinitePower, minEven, maxEven);
  if (truncated) {
    const p2 = power2;
    const m2 = mantissa;
    eiselLemire(exponent, w + 1, bits, minExponent, infinitePower, minEven, maxEven);
    if (p2 != power2 || m2 != mantissa) {
      setDecimal(p + digitsStart, mantissaEnd - digitsStart, explicit);
      return sign | decimalToBits(single);
    }
  }
  return sign | (<u64>power2 << <u64>bits) | mantissa;
}
