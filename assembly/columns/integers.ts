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
import { gatheredNulls } from './gather';
import { failAt, fieldAt, finish, lengthAt } from './output';

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

/** Lane indices 0..15, to right-align digits with one swizzle. */
const IOTA = i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
/** Most digits the SIMD path takes (any 16-digit number fits an i64). */
const SIMD_DIGITS: i32 = 16;

/**
 * The value of the `n` (1..16) ASCII digits at `p`, without branching on the digits: subtract '0',
 * check every lane, right-align with a swizzle, then combine pairs, quads and the four quads.
 * Reads 16 bytes (the layout leaves slack after the input and carry regions). Sets parseStatus on a
 * non-digit.
 */
@inline function parseDigits16(p: usize, n: i32): i64 {
  const digits = i8x16.sub(v128.load(p), i8x16.splat(<i8>ZERO));
  if ((i8x16.bitmask(i8x16.gt_u(digits, i8x16.splat(9))) & ((1 << n) - 1)) != 0) {
    parseStatus = STATUS_NOT_AN_INTEGER;
    return 0;
  }
  // Lane j takes digit j - (16 - n); lanes before the first digit get an index >= 16, hence 0.
  const aligned = i8x16.swizzle(digits, i8x16.add(IOTA, i8x16.splat(<i8>(n - SIMD_DIGITS))));
  const pairs = i16x8.add(i16x8.mul(v128.and(aligned, i16x8.splat(0xff)), i16x8.splat(10)), i16x8.shr_u(aligned, 8));
  const quads = i32x4.dot_i16x8_s(pairs, i32x4.splat(0x0001_0064)); // (100, 1) per pair of pairs
  const high = i32x4.extract_lane(quads, 0) * 10000 + i32x4.extract_lane(quads, 1);
  const low = i32x4.extract_lane(quads, 2) * 10000 + i32x4.extract_lane(quads, 3);
  return <i64>high * 1_0000_0000 + <i64>low;
}

/** Parses PostgreSQL's text output of an integer; sets parseStatus on failure. */
export function parseIntText(p: usize, n: i32): i64 {
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
  for (let r = 0; r < rows; r++, out += width) {
    const length = lengthAt(r);
    if (length == NULL_LENGTH) {
      store<T>(out, 0);
      continue;
    }
    const p = fieldAt(r);
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
