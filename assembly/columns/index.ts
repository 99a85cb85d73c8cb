/**
 * Columnar decoding into Arrow buffers: one call decodes one column of a run of rows (DataRows of
 * the message table or COPY tuples of the tuple table) into the OUT_* regions, for the caller to
 * append to its own buffers with one copy per buffer:
 * - OUT_VALIDITY: the validity bitmap, LSB first, 1 = valid, starting at bit `bitOffset` (the
 *   caller's column length mod 8, so that its partial last byte takes the first byte by OR);
 * - OUT_VALUES: fixed-width values packed from 0 (NULL = zeros), the bool bitmap from bit
 *   `bitOffset`, or, for variable-width kinds, each row's end offset plus `base`;
 * - OUT_DATA: the bytes of variable-width kinds.
 * RESULT_ROWS, RESULT_NULLS and RESULT_DATA say what was written; 0 when every row was,
 * STATUS_OUTPUT_FULL when OUT_DATA filled first (continue from row RESULT_ROWS), else a negative
 * status with the row in RESULT_DETAIL. Never traps, never allocates.
 */
import { STATUS_BAD_ARGUMENT } from '../status';
import { locate } from './gather';
import { failAt } from './output';
import {
  KIND_BOOL, KIND_BYTEA, KIND_DATE, KIND_FLOAT32, KIND_FLOAT64, KIND_INT16, KIND_INT32, KIND_INT64, KIND_JSONB, KIND_NUMERIC,
  KIND_TEXT, KIND_TIME, KIND_TIMESTAMP, KIND_TIMESTAMPTZ, KIND_UUID,
} from './kinds';
import { decodeIntegers } from './integers';
import { decodeBools } from './bool';
import { decodeFloat32s, decodeFloat64s } from './floats';
import { decodeDates, decodeTimes, decodeTimestamps } from './temporal';
import { decodeUuids } from './uuid';
import { decodeVarlena } from './varlena';

/**
 * Decodes column `col` of rows [first, first + rows) of `source` (SOURCE_MESSAGES or SOURCE_TUPLES)
 * as `kind` (KIND_*), the fields being in binary format when `binary` is 1, else text.
 */
export function decodeColumn(source: i32, first: i32, rows: i32, col: i32, kind: i32, binary: i32, bitOffset: i32, base: i32): i32 {
  if (<u32>binary > 1) return failAt(STATUS_BAD_ARGUMENT, 0);
  const status = locate(source, first, rows, col, bitOffset);
  if (status != 0) return status;
  const b = binary == 1;
  switch (kind) {
    case KIND_BOOL: return decodeBools(rows, b, bitOffset);
    case KIND_INT16: return decodeIntegers<i16>(rows, b);
    case KIND_INT32: return decodeIntegers<i32>(rows, b);
    case KIND_INT64: return decodeIntegers<i64>(rows, b);
    case KIND_FLOAT32: return decodeFloat32s(rows, b);
    case KIND_FLOAT64: return decodeFloat64s(rows, b);
    case KIND_DATE: return decodeDates(rows, b);
    case KIND_TIMESTAMP: return decodeTimestamps(rows, b, false);
    case KIND_TIMESTAMPTZ: return decodeTimestamps(rows, b, true);
    case KIND_TIME: return decodeTimes(rows, b);
    case KIND_UUID: return decodeUuids(rows, b);
    case KIND_TEXT:
    case KIND_BYTEA:
    case KIND_JSONB:
    case KIND_NUMERIC: return decodeVarlena(rows, b, kind, base);
  }
  return failAt(STATUS_BAD_ARGUMENT, 0);
}
