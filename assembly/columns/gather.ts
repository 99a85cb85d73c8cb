/**
 * The first pass of every column decoding: find the column's field in each row and write the Arrow
 * validity bitmap. Rows come from the message table (DataRows framed by `scan`) or from the COPY
 * tuple table (tuples indexed by copy-binary.ts): both have the same entry shape and a DataRow-shaped
 * body (Int16 field count, then length-prefixed fields), so one pass serves both. Everything a
 * caller or the tables could get wrong is checked here, once, so the type decoders only read bytes
 * that lie inside the input or carry region.
 */
import {
  CARRY, CARRY_SIZE, FIELDS, GATHER, INPUT, INPUT_SIZE, MAX_FIELDS, MAX_MESSAGES, MAX_ROWS, MAX_TUPLES, MESSAGES, MESSAGE_WORDS,
  OUT_VALIDITY, TUPLES,
} from '../layout';
import { STATUS_BAD_ARGUMENT, STATUS_NO_SUCH_COLUMN } from '../status';
import { DATA_ROW, NULL_LENGTH } from '../message-codes';
import { failAt } from './output';

/** Row source: DataRows in the message table. */
export const SOURCE_MESSAGES: i32 = 0;
/** Row source: tuples in the COPY tuple table. */
export const SOURCE_TUPLES: i32 = 1;

/** Bytes of a DataRow's (or COPY tuple's) field count. */
const COUNT_SIZE: i32 = 2;
/** Largest column index a row can have (the field count is 16 bits). */
const MAX_COLUMN: i32 = 0xffff;
/** Bit offsets run 0..7: the position of the first row in the caller's partial validity byte. */
const MAX_BIT_OFFSET: i32 = 7;

/** NULLs met by the last `gather`. */
export let gatheredNulls: i32 = 0;

/** 1 when [offset, offset + length) lies inside the input or the carry region. */
@inline export function readable(offset: i32, length: i32): bool {
  if (<u32>(offset - INPUT) <= <u32>INPUT_SIZE) return <u32>length <= <u32>(INPUT + INPUT_SIZE - offset);
  return <u32>(offset - CARRY) <= <u32>CARRY_SIZE && <u32>length <= <u32>(CARRY + CARRY_SIZE - offset);
}

/**
 * Gathers column `col` of rows [first, first + rows) of `source` into GATHER and writes their
 * validity bits to OUT_VALIDITY from bit `bitOffset`. 0, or a status with the row in RESULT_DETAIL.
 */
export function gather(source: i32, first: i32, rows: i32, col: i32, bitOffset: i32): i32 {
  const capacity = source == SOURCE_MESSAGES ? MAX_MESSAGES : MAX_TUPLES;
  if (
    (source != SOURCE_MESSAGES && source != SOURCE_TUPLES) || first < 0 || rows < 0 || rows > MAX_ROWS
    || rows > capacity - first || <u32>col > <u32>MAX_COLUMN || <u32>bitOffset > <u32>MAX_BIT_OFFSET
  ) {
    return failAt(STATUS_BAD_ARGUMENT, 0);
  }
  let entry = <usize>(source == SOURCE_MESSAGES ? MESSAGES : TUPLES) + <usize>first * <usize>(MESSAGE_WORDS << 2);
  let out: usize = GATHER;
  let bits: u32 = 0;
  let used = bitOffset;
  let word: usize = OUT_VALIDITY;
  let nulls = 0;
  for (let r = 0; r < rows; r++) {
    if (load<i32>(entry) != DATA_ROW) return failAt(STATUS_BAD_ARGUMENT, r);
    const body = load<i32>(entry, 4);
    if (!readable(body, COUNT_SIZE)) return failAt(STATUS_BAD_ARGUMENT, r);
    const count = (<i32>load<u8>(body) << 8) | <i32>load<u8>(body, 1);
    if (col >= count) return failAt(STATUS_NO_SUCH_COLUMN, r);
    const index = load<i32>(entry, 12);
    if (index < 0 || index > MAX_FIELDS - 1 - col) return failAt(STATUS_BAD_ARGUMENT, r);
    const field = <usize>FIELDS + (<usize>(index + col) << 3);
    const offset = load<i32>(field);
    const length = load<i32>(field, 4);
    let valid: u32 = 1;
    if (length == NULL_LENGTH) {
      valid = 0;
      nulls++;
    } else if (!readable(offset, length)) {
      return failAt(STATUS_BAD_ARGUMENT, r);
    }
    store<i32>(out, offset);
    store<i32>(out, length, 4);
    out += 8;
    bits |= valid << <u32>used;
    if (++used == 32) {
      store<u32>(word, bits);
      word += 4;
      bits = 0;
      used = 0;
    }
    entry += MESSAGE_WORDS << 2;
  }
  store<u32>(word, bits);
  gatheredNulls = nulls;
  return 0;
}
