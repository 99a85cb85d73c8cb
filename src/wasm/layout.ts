/**
 * The JS mirror of assembly/layout.ts and assembly/status.ts: the one file on this side that knows
 * where things live in the core's linear memory. Keys are the names of the WASM exported globals
 * (status codes without their `STATUS_` prefix); `checkLayout` in core.ts verifies every one of them
 * against the loaded module, so a stale build or a foreign module is refused instead of misread.
 */

/** Region offsets and sizes in bytes, table capacities and entry shapes (assembly/layout.ts). */
export const Layout = {
  PAGE_SIZE: 0x1_0000,
  MEMORY_PAGES: 48,
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
  LAYOUT_END: 0x2b_4100,
} as const;

/** Status codes of the core (assembly/status.ts): positive = normal stop, negative = error. */
export const Status = {
  NEED_MORE: 1,
  BUDGET: 2,
  TABLE_FULL: 3,
  TOO_BIG: 4,
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
} as const;

/** One of the core's status codes. */
export type Status = (typeof Status)[keyof typeof Status];
