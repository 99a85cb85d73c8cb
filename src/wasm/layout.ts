/**
 * The JS mirror of assembly/layout.ts, assembly/status.ts and assembly/columns/kinds.ts: the one
 * file on this side that knows where things live in the core's linear memory. Keys are the names of
 * the WASM exported globals (status codes without their `STATUS_` prefix, column kinds without
 * `KIND_`); `checkLayout` in core.ts verifies every one of them against the loaded module, so a stale
 * build or a foreign module is refused instead of misread.
 *
 * Memory budget (86 pages, 5.4 MiB per instance, reserved up front and never grown; pages are only
 * resident once touched, and the column and COPY regions only by columnar decoding): 1 MiB input,
 * 256 KiB message table, 1 MiB field table, 128 KiB ASCII flags, 144 KiB for `decodeIntColumn`,
 * 256 KiB COPY tuple table, 1 MiB COPY carry, 128 KiB gathered fields, and the Arrow output of one
 * decoding: 4 KiB validity, 256 KiB values, 1 MiB data.
 */

/** Region offsets and sizes in bytes, table capacities and entry shapes (assembly/layout.ts). */
export const Layout = {
  PAGE_SIZE: 0x1_0000,
  MEMORY_PAGES: 86,
  LAYOUT_START: 0x1_0000,
  FORMATS: 0x1_0000,
  FORMATS_SIZE: 0x1_0000,
  RESULT: 0x2_0000,
  RESULT_SIZE: 0x100,
  RESULT_STOP: 0,
  RESULT_MESSAGES: 1,
  RESULT_FIELDS: 2,
  RESULT_LENGTH: 3,
  RESULT_TYPE: 4,
  RESULT_DETAIL: 5,
  RESULT_NULLS: 6,
  RESULT_ASCII: 7,
  RESULT_ROWS: 8,
  RESULT_DATA: 9,
  INPUT: 0x3_0000,
  INPUT_SIZE: 0x10_0000,
  INPUT_SLACK: 0x100,
  MESSAGES: 0x13_0100,
  MAX_MESSAGES: 0x4000,
  MESSAGE_WORDS: 4,
  MESSAGE_TYPE: 0,
  MESSAGE_BODY: 1,
  MESSAGE_LENGTH: 2,
  MESSAGE_FIRST_FIELD: 3,
  FIELDS: 0x17_0100,
  MAX_FIELDS: 0x2_0000,
  FIELD_WORDS: 2,
  ASCII: 0x27_0100,
  COLUMN: 0x29_0100,
  COLUMN_NULLS: 0x2b_0100,
  TUPLES: 0x2b_4100,
  MAX_TUPLES: 0x4000,
  CARRY: 0x2f_4100,
  CARRY_SIZE: 0x10_0000,
  CARRY_SLACK: 0x100,
  MAX_ROWS: 0x4000,
  GATHER: 0x3f_4200,
  OUT_VALIDITY: 0x41_4200,
  OUT_VALIDITY_SIZE: 0x1000,
  OUT_VALUES: 0x41_5200,
  OUT_VALUES_SIZE: 0x4_0000,
  OUT_DATA: 0x45_5200,
  OUT_DATA_SIZE: 0x10_0000,
  OUT_DATA_SLACK: 0x100,
  SOURCE_MESSAGES: 0,
  SOURCE_TUPLES: 1,
  LAYOUT_END: 0x55_5300,
} as const;

/** Status codes of the core (assembly/status.ts): positive = normal stop, negative = error. */
export const Status = {
  NEED_MORE: 1,
  BUDGET: 2,
  TABLE_FULL: 3,
  TOO_BIG: 4,
  OUTPUT_FULL: 5,
  COPY_END: 6,
  LENGTH_TOO_SHORT: -1,
  LENGTH_MISMATCH: -2,
  TOO_LARGE: -3,
  UNKNOWN_TYPE: -4,
  FIELD_COUNT: -5,
  FIELD_LENGTH: -6,
  FIELD_OVERRUN: -7,
  TRAILING_BYTES: -8,
  BAD_ARGUMENT: -9,
  NOT_AN_INTEGER: -10,
  OUT_OF_RANGE: -11,
  NO_SUCH_COLUMN: -12,
  BAD_LENGTH: -13,
  BAD_VALUE: -14,
  BAD_TEXT: -15,
  COPY_HEADER: -16,
  COPY_FLAGS: -17,
  COPY_FIELD_COUNT: -18,
  TUPLE_TOO_BIG: -19,
} as const;

/** One of the core's status codes. */
export type Status = (typeof Status)[keyof typeof Status];

/** Column kinds of `decodeColumn` (assembly/columns/kinds.ts): how a column's fields are read and laid out. */
export const ColumnKind = {
  BOOL: 1,
  INT16: 2,
  INT32: 3,
  INT64: 4,
  FLOAT32: 5,
  FLOAT64: 6,
  DATE: 7,
  TIMESTAMP: 8,
  TIMESTAMPTZ: 9,
  TIME: 10,
  UUID: 11,
  TEXT: 12,
  BYTEA: 13,
  JSONB: 14,
  NUMERIC: 15,
} as const;

/** One of the column kinds. */
export type ColumnKind = (typeof ColumnKind)[keyof typeof ColumnKind];
