/**
 * Integer columns: int2, int4, int8 into Arrow Int16/Int32/Int64 values, and the older
 * `decodeIntColumn` (COLUMN / COLUMN_NULLS, one byte per NULL flag) that RowBlock uses.
 * Text format: PostgreSQL's integer output (an optional `-` and decimal digits, int2out/int4out/
 * int8out). Binary format: a big-endian integer of exactly the type's width (int2send…).
 * Never traps: a bad field is a status, with the row in RESULT_DETAIL.
 */
import {
  COLUMN, COLUMN_NULLS, FIELDS, INPUT, INPUT_SIZE, MAX_MESSAGES, MESSAGES, MESSAGE_WORDS, OUT_VALUES, RESULT, RESULT_DETAIL, RESULT_NULLS,
} from '../layout';
import {
  STATUS_BAD_ARGUMENT, STATUS_BAD_LENGTH, STATUS_BAD_TEXT, STATUS_NOT_AN_INTEGER, STATUS_NO_SUCH_COLUMN, STATUS_OUT_OF_RANGE,
} from '../status';
import { DATA_ROW, NULL_LENGTH } from '../message-codes';
import { fieldAt, fieldBase, fieldStride, gatheredNulls } from './gather';
import { failAt, finish } from './output';

/** ASCII '-' and '0'. */
const MINUS: u32 = 0x2d;
const ZERO: u32 = 0x30;
/** Decimal digits that always fit below 2^63 once multiplied by 10 and added to. */
const SAFE_BEFORE_DIGIT: u64 = 922337203685477580;
/** 2^63: the magnitude of the most negative int8. */
const INT64_MIN_MAGNITUDE: u64 = 0x8000_0000_0000_0000;
/** 2^53 - 1: larger magnitudes are not exact as JS numbers. */
const MAX_SAFE_INTEGER: i64 = 0x1f_ffff_ffff_ffff;

/** Status of the last parse (0 = fine). */
let parseStatus: i32 = 0;

/** Most digits the word-at-a-time path takes (two words of eight). */
const SIMD_DIGITS: i32 = 16;
/** Digits in a 64-bit word of ASCII. */
const WORD_DIGITS: i32 = 8;
/** '0' in every byte; a byte that is a digit minus '0' stays below 10 (adding 0x76 keeps its top bit clear). */
const ZEROS: u64 = 0x3030_3030_3030_3030;
const DIGIT_TEST: u64 = 0x7676_7676_7676_7676;
const TOP_BITS: u64 = 0x8080_8080_8080_8080;
/** Pair, quad and octet combining: each step multiplies the higher half by 10, 100, 10000. */
const LOW_BYTES: u64 = 0x00ff_00ff_00ff_00ff;
const LOW_PAIRS: u64 = 0x0000_ffff_0000_ffff;
const LOW_QUADS: u64 = 0x0000_0000_ffff_ffff;

/**
 * The value of the `n` (1..8) ASCII digits at `p`, a word at a time: subtract '0' from every byte,
 * check the `n` bytes are digits, move them to the top of the word (the bytes below read as leading
 * zeros), then combine neighbours into pairs, quads and the octet. Reads 8 bytes (the regions have
 * slack after them). Sets parseStatus on a non-digit.
 */
@inline function parseWord(p: usize, n: i32): u64 {
  const digits = load<u64>(p) - ZEROS;
  const keep: u64 = n == WORD_DIGITS ? <u64>-1 : (<u64>1 << (<u64>n << 3)) - 1;
  if ((((digits + DIGIT_TEST) | digits) & TOP_BITS & keep) != 0) {
    parseStatus = STATUS_NOT_AN_INTEGER;
    return 0;
  }
  // Little-endian: the first digit is the lowest byte; shift the n digits up to the top bytes.
  let v = (digits & keep) << (<u64>(WORD_DIGITS - n) << 3);
  v = ((v & LOW_BYTES) * 10 + ((v >> 8) & LOW_BYTES));
  v = ((v & LOW_PAIRS) * 100 + ((v >> 16) & LOW_PAIRS));
  return (v & LOW_QUADS) * 10000 + (v >> 32);
}

/** The value of the `n` (1..16) ASCII digits at `p`; sets parseStatus on a non-digit. */
@inline function parseDigits16(p: usize, n: i32): i64 {
  if (n <= WORD_DIGITS) return <i64>parseWord(p, n);
  const high = parseWord(p, n - WORD_DIGITS);
  const low = parseWord(p + <usize>(n - WORD_DIGITS), WORD_DIGITS);
  return <i64>(high * 1_0000_0000 + low);
}

/** Parses PostgreSQL's text output of an integer; sets parseStatus on failure. */
@inline export function parseIntText(p: usize, n: i32): i64 {
  parseStatus = 0;
  let i = 0;
  let negative = false;
  if (n > 0 && <u32>load<u8>(p) == MINUS) {
    negative = true;
    i = 1;
  }
  if (i >= n) {
    parseStatus = STATUS_NOT_AN_INTEGER;
    return 0;
  }
  if (n - i <= SIMD_DIGITS) {
    const v = parseDigits16(p + i, n - i);
    return negative ? -v : v;
  }
  let v: u64 = 0;
  let overflow = false;
  for (; i < n; i++) {
    const d = <u32>load<u8>(p + i) - ZERO;
    if (d > 9) {
      parseStatus = STATUS_NOT_AN_INTEGER;
      return 0;
    }
    if (v > SAFE_BEFORE_DIGIT) overflow = true;
    else v = v * 10 + d;
  }
  if (overflow || v > (negative ? INT64_MIN_MAGNITUDE : INT64_MIN_MAGNITUDE - 1)) {
    parseStatus = STATUS_OUT_OF_RANGE;
    return 0;
  }
  return negative ? -(<i64>v) : <i64>v;
}

/** Reads a 2-, 4- or 8-byte big-endian integer; sets parseStatus for any other length. */
function parseBinary(p: usize, n: i32): i64 {
  parseStatus = 0;
  if (n == 8) return bswap<i64>(load<i64>(p));
  if (n == 4) return <i64>bswap<i32>(load<i32>(p));
  if (n == 2) return <i64>bswap<i16>(load<i16>(p));
  parseStatus = STATUS_NOT_AN_INTEGER;
  return 0;
}

/** Fails `decodeIntColumn` at row `row` with `status`. */
function fail(status: i32, row: i32): i32 {
  store<i32>(RESULT + (RESULT_DETAIL << 2), row);
  return status;
}

/**
 * Decodes column `col` of the DataRows at message-table entries [first, first + rows) into
 * COLUMN / COLUMN_NULLS. `kind`: 0 = i32, 1 = i64, 2 = f64 holding an exact integer (|v| < 2^53).
 * 0 (with the NULL count in RESULT_NULLS), or a status with the offending row in RESULT_DETAIL.
 * Any of the three binary widths is accepted whatever `kind` asks for (RowBlock's contract).
 */
export function decodeIntColumn(first: i32, rows: i32, col: i32, binary: bool, kind: i32): i32 {
  if (first < 0 || rows < 0 || rows > MAX_MESSAGES - first || col < 0 || kind < 0 || kind > 2) {
    return fail(STATUS_BAD_ARGUMENT, 0);
  }
  let nulls = 0;
  let entry = <usize>MESSAGES + <usize>first * <usize>(MESSAGE_WORDS << 2);
  for (let r = 0; r < rows; r++) {
    if (load<i32>(entry) != DATA_ROW) return fail(STATUS_BAD_ARGUMENT, r);
    const body = load<i32>(entry, 4);
    if (<u32>(body - INPUT) > <u32>(INPUT_SIZE - 2)) return fail(STATUS_BAD_ARGUMENT, r);
    const count = (<i32>load<u8>(body) << 8) | <i32>load<u8>(body, 1);
    if (col >= count) return fail(STATUS_NO_SUCH_COLUMN, r);
    const field = <usize>FIELDS + (<usize>(load<i32>(entry, 12) + col) << 3);
    const offset = load<i32>(field);
    const length = load<i32>(field, 4);
    let value: i64 = 0;
    let isNull: u8 = 0;
    if (length == NULL_LENGTH) {
      isNull = 1;
      nulls++;
    } else {
      if (<u32>(offset - INPUT) > <u32>INPUT_SIZE || <u32>length > <u32>(INPUT + INPUT_SIZE - offset)) return fail(STATUS_BAD_ARGUMENT, r);
      value = binary ? parseBinary(offset, length) : parseIntText(offset, length);
      if (parseStatus != 0) return fail(parseStatus, r);
    }
    const out = <usize>COLUMN + (<usize>r << (kind == 0 ? 2 : 3));
    if (kind == 0) {
      if (value != <i64><i32>value) return fail(STATUS_OUT_OF_RANGE, r);
      store<i32>(out, <i32>value);
    } else if (kind == 1) {
      store<i64>(out, value);
    } else {
      if (value > MAX_SAFE_INTEGER || value < -MAX_SAFE_INTEGER) return fail(STATUS_OUT_OF_RANGE, r);
      store<f64>(out, <f64>value);
    }
    store<u8>(<usize>COLUMN_NULLS + <usize>r, isNull);
    entry += MESSAGE_WORDS << 2;
  }
  store<i32>(RESULT + (RESULT_NULLS << 2), nulls);
  return 0;
}

/**
 * Arrow Int16/Int32/Int64 values (T = i16, i32, i64) of the `rows` gathered fields into OUT_VALUES;
 * NULLs are 0. Binary fields must be exactly sizeof<T>() bytes; text must fit T.
 */
export function decodeIntegers<T>(rows: i32, binary: bool): i32 {
  const width = <i32>sizeof<T>();
  let out: usize = OUT_VALUES;
  let f = fieldBase;
  const stride = fieldStride;
  for (let r = 0; r < rows; r++, out += width, f += stride) {
    const length = load<i32>(f, 4);
    if (length == NULL_LENGTH) {
      store<T>(out, 0);
      continue;
    }
    const p = fieldAt(f, length);
    if (p == 0) return failAt(STATUS_BAD_ARGUMENT, r);
    if (binary) {
      if (length != width) return failAt(STATUS_BAD_LENGTH, r);
      store<T>(out, bswap<T>(load<T>(p)));
      continue;
    }
    const value = parseIntText(p, length);
    if (parseStatus != 0) return failAt(parseStatus == STATUS_OUT_OF_RANGE ? STATUS_OUT_OF_RANGE : STATUS_BAD_TEXT, r);
    if (value != <i64><T>value) return failAt(STATUS_OUT_OF_RANGE, r);
    store<T>(out, <T>value);
  }
  return finish(rows, gatheredNulls, 0);
}
