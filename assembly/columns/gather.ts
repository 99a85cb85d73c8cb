/**
 * The first passes of every column decoding: find the column's field in each row, and write the
 * Arrow validity bitmap. Rows come from the message table (DataRows framed by `scan`) or from the
 * COPY tuple table (tuples indexed by copy-binary.ts): both have the same entry shape and a
 * DataRow-shaped body (Int16 field count, then length-prefixed fields).
 *
 * Both writers put a row's field entries right after the previous row's, so a run of rows with F
 * fields each has its column `col` at one stride (F entries) through the field table: `locate`
 * checks that once per call (every entry of the right type, each row's first field F after the
 * previous one's, the last row's count F) and the decoders then walk the field table directly.
 * Anything else (rows of different widths) is gathered entry by entry into GATHER, stride 1.
 * Either way the decoders check that each field lies inside the input or carry region before
 * reading it, so a wrong table never makes them read elsewhere.
 */
import {
  CARRY, CARRY_SIZE, FIELDS, FIELD_WORDS, GATHER, INPUT, INPUT_SIZE, MAX_FIELDS, MAX_MESSAGES, MAX_ROWS, MAX_TUPLES, MESSAGES,
  MESSAGE_WORDS, OUT_VALIDITY, TUPLES,
} from '../layout';
import { STATUS_BAD_ARGUMENT, STATUS_NO_SUCH_COLUMN } from '../status';
import { DATA_ROW, NULL_LENGTH } from '../message-codes';
import { failAt } from './output';

/** Row source: DataRows in the message table. */
export const SOURCE_MESSAGES: i32 = 0;
/** Row source: tuples in the COPY tuple table. */
export const SOURCE_TUPLES: i32 = 1;

/** Bytes of a DataRow's (or COPY tuple's) field count, and of a field-table entry. */
const COUNT_SIZE: i32 = 2;
const ENTRY_SIZE: usize = FIELD_WORDS << 2;
/** Largest column index a row can have (the field count is 16 bits). */
const MAX_COLUMN: i32 = 0xffff;
/** Bit offsets run 0..7: the position of the first row in the caller's partial validity byte. */
const MAX_BIT_OFFSET: i32 = 7;

/** The decoded column's field entries: the first row's, and the bytes from one row's to the next. */
export let fieldBase: usize = GATHER;
export let fieldStride: usize = ENTRY_SIZE;
/** NULLs among the rows located by the last `locate`. */
export let gatheredNulls: i32 = 0;

/**
 * Bumped by every scan that rewrites the tables (`scan`, `copyScan`, `copyScanMessages`), so that the
 * uniform layout found for one run of rows is reused for its next columns, and for nothing else.
 */
let generation: u32 = 0;
let checkedGeneration: u32 = 0xffff_ffff;
let checkedEntry: usize = 0;
let checkedRows: i32 = -1;
let checkedStart: i32 = 0;
let checkedCount: i32 = 0;

/** Marks the message, tuple and field tables as rewritten. */
export function tablesChanged(): void {
  generation++;
}

/** True when [offset, offset + length) lies inside the input or the carry region. */
@inline export function readable(offset: i32, length: i32): bool {
  if (<u32>(offset - INPUT) <= <u32>INPUT_SIZE) return <u32>length <= <u32>(INPUT + INPUT_SIZE - offset);
  return <u32>(offset - CARRY) <= <u32>CARRY_SIZE && <u32>length <= <u32>(CARRY + CARRY_SIZE - offset);
}

/**
 * The bytes of the field whose entry is at `f` (of length `length` >= 0), or 0 when they do not lie
 * inside the input or carry region.
 */
@inline export function fieldAt(f: usize, length: i32): usize {
  const offset = load<i32>(f);
  return readable(offset, length) ? <usize>offset : 0;
}

/** The field count of the row whose entry is at `entry`, or -1 when its body lies outside the regions. */
@inline function countAt(entry: usize): i32 {
  const body = load<i32>(entry, 4);
  if (!readable(body, COUNT_SIZE)) return -1;
  return (<i32>load<u8>(body) << 8) | <i32>load<u8>(body, 1);
}

/**
 * True when rows [0, rows) from `entry` are all DataRow-shaped, with `count` fields each, laid out
 * one after another in the field table from a valid first entry; sets `fieldBase`/`fieldStride`.
 */
function uniform(entry: usize, rows: i32, col: i32): bool {
  if (generation == checkedGeneration && entry == checkedEntry && rows == checkedRows) {
    if (col >= checkedCount) return false;
    fieldBase = <usize>FIELDS + (<usize>(checkedStart + col) << 3);
    fieldStride = <usize>checkedCount << 3;
    return true;
  }
  if (load<i32>(entry) != DATA_ROW) return false;
  const count = countAt(entry);
  const start = load<i32>(entry, 12);
  if (count <= col || start < 0 || <i64>start + <i64>rows * <i64>count > <i64>MAX_FIELDS) return false;
  let e = entry + (MESSAGE_WORDS << 2);
  let expected = start + count;
  for (let r = 1; r < rows; r++) {
    if (load<i32>(e) != DATA_ROW || load<i32>(e, 12) != expected) return false;
    expected += count;
    e += MESSAGE_WORDS << 2;
  }
  if (rows > 1 && countAt(e - (MESSAGE_WORDS << 2)) != count) return false;
  checkedGeneration = generation;
  checkedEntry = entry;
  checkedRows = rows;
  checkedStart = start;
  checkedCount = count;
  fieldBase = <usize>FIELDS + (<usize>(start + col) << 3);
  fieldStride = <usize>count << 3;
  return true;
}

/** Copies the field entries of column `col` row by row into GATHER; 0 or a status with the row. */
function gatherRows(entry: usize, rows: i32, col: i32): i32 {
  let out: usize = GATHER;
  for (let r = 0; r < rows; r++) {
    if (load<i32>(entry) != DATA_ROW) return failAt(STATUS_BAD_ARGUMENT, r);
    const count = countAt(entry);
    if (count < 0) return failAt(STATUS_BAD_ARGUMENT, r);
    if (col >= count) return failAt(STATUS_NO_SUCH_COLUMN, r);
    const index = load<i32>(entry, 12);
    if (index < 0 || index > MAX_FIELDS - 1 - col) return failAt(STATUS_BAD_ARGUMENT, r);
    const field = <usize>FIELDS + (<usize>(index + col) << 3);
    store<i64>(out, load<i64>(field));
    out += ENTRY_SIZE;
    entry += MESSAGE_WORDS << 2;
  }
  fieldBase = GATHER;
  fieldStride = ENTRY_SIZE;
  return 0;
}

/**
 * Locates column `col` of rows [first, first + rows) of `source` (sets `fieldBase`/`fieldStride`)
 * and writes their validity bits to OUT_VALIDITY from bit `bitOffset`, counting NULLs.
 * 0, or a status with the row in RESULT_DETAIL.
 */
export function locate(source: i32, first: i32, rows: i32, col: i32, bitOffset: i32): i32 {
  const capacity = source == SOURCE_MESSAGES ? MAX_MESSAGES : MAX_TUPLES;
  if (
    (source != SOURCE_MESSAGES && source != SOURCE_TUPLES) || first < 0 || rows < 0 || rows > MAX_ROWS
    || rows > capacity - first || <u32>col > <u32>MAX_COLUMN || <u32>bitOffset > <u32>MAX_BIT_OFFSET
  ) {
    return failAt(STATUS_BAD_ARGUMENT, 0);
  }
  const entry = <usize>(source == SOURCE_MESSAGES ? MESSAGES : TUPLES) + <usize>first * <usize>(MESSAGE_WORDS << 2);
  if (rows > 0 && !uniform(entry, rows, col)) {
    const status = gatherRows(entry, rows, col);
    if (status != 0) return status;
  }
  // The validity bitmap, 32 bits at a time.
  let f = fieldBase;
  const stride = fieldStride;
  let bits: u32 = 0;
  let used = <u32>bitOffset;
  let word: usize = OUT_VALIDITY;
  let nulls = 0;
  for (let r = 0; r < rows; r++, f += stride) {
    const isNull = load<i32>(f, 4) == NULL_LENGTH;
    nulls += <i32>isNull;
    bits |= <u32>!isNull << used;
    if (++used == 32) {
      store<u32>(word, bits);
      word += 4;
      bits = 0;
      used = 0;
    }
  }
  store<u32>(word, bits);
  gatheredNulls = nulls;
  return 0;
}
