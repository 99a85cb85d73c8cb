/**
 * Column kinds: what `decodeColumn` turns a column's fields into, each with its Arrow layout.
 * The kind says how to read a value (with the field's format, text or binary); src/wasm/layout.ts
 * mirrors these numbers as `ColumnKind` and the loader checks them.
 */

/** bool → Arrow Bool: bit-packed values. Binary: 1 byte (non-zero = true); text: `t` / `f`. */
export const KIND_BOOL: i32 = 1;
/** int2 → Int16. */
export const KIND_INT16: i32 = 2;
/** int4 → Int32. */
export const KIND_INT32: i32 = 3;
/** int8 → Int64. */
export const KIND_INT64: i32 = 4;
/** float4 → Float32 (SINGLE). */
export const KIND_FLOAT32: i32 = 5;
/** float8 → Float64 (DOUBLE). */
export const KIND_FLOAT64: i32 = 6;
/** date → Date32: days since 1970-01-01; ±infinity as int32 max/min (PostgreSQL's DATEVAL_NOEND/NOBEGIN). */
export const KIND_DATE: i32 = 7;
/** timestamp → Timestamp[us] without a time zone; ±infinity as int64 max/min (DT_NOEND/DT_NOBEGIN). */
export const KIND_TIMESTAMP: i32 = 8;
/** timestamptz → Timestamp[us] in UTC (text output carries the session's offset, which is removed). */
export const KIND_TIMESTAMPTZ: i32 = 9;
/** time → Time64[us]: microseconds since midnight (24:00:00 included, as PostgreSQL allows). */
export const KIND_TIME: i32 = 10;
/** uuid → FixedSizeBinary(16). */
export const KIND_UUID: i32 = 11;
/** text, varchar, bpchar, name, json (either format) → Utf8, bytes as sent (invalid UTF-8 → U+FFFD). */
export const KIND_TEXT: i32 = 12;
/** bytea → Binary. Binary: the bytes; text: the hex (`\x…`) or escape output decoded. */
export const KIND_BYTEA: i32 = 13;
/** jsonb → Utf8. Binary: the version byte (1) is removed; text: as sent. */
export const KIND_JSONB: i32 = 14;
/** numeric → Utf8 holding exactly the server's text output (binary is converted in WASM). */
export const KIND_NUMERIC: i32 = 15;
