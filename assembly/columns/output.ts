/**
 * What every column decoder shares: reporting through the RESULT block (rows written, NULLs among
 * them, data bytes, the failing row).
 */
import { RESULT, RESULT_DATA, RESULT_DETAIL, RESULT_NULLS, RESULT_ROWS } from '../layout';
import { STATUS_OUTPUT_FULL } from '../status';

@inline function result(slot: i32, value: i32): void {
  store<i32>(RESULT + (slot << 2), value);
}

/** Reports `rows` rows written with `nulls` NULLs and `data` bytes of OUT_DATA; returns 0. */
export function finish(rows: i32, nulls: i32, data: i32): i32 {
  result(RESULT_ROWS, rows);
  result(RESULT_NULLS, nulls);
  result(RESULT_DATA, data);
  return 0;
}

/** Reports a stop at row `rows` because OUT_DATA cannot take its value; the rows before it are written. */
export function outputFull(rows: i32, nulls: i32, data: i32): i32 {
  finish(rows, nulls, data);
  result(RESULT_DETAIL, rows);
  return STATUS_OUTPUT_FULL;
}

/** Fails at row `row` with `status` (nothing of the call is usable). */
export function failAt(status: i32, row: i32): i32 {
  result(RESULT_DETAIL, row);
  result(RESULT_ROWS, 0);
  return status;
}
