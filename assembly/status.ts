/**
 * Status codes returned by the exported functions: the core never traps on bad input, it reports.
 * Positive codes are normal stops of a scan; negative codes are protocol violations (fatal) or a
 * caller bug. src/wasm/layout.ts mirrors these numbers; a test checks that both agree.
 */

/** Stopped at an incomplete message (or at the end of the input): more bytes are needed. */
export const STATUS_NEED_MORE: i32 = 1;
/** Stopped because the byte budget was used up; complete messages may follow. */
export const STATUS_BUDGET: i32 = 2;
/** Stopped because the message or field table is full; complete messages may follow. */
export const STATUS_TABLE_FULL: i32 = 3;
/** The message at the stop position is larger than the input region (its length is reported). */
export const STATUS_TOO_BIG: i32 = 4;
/** Column decoding stopped at a row boundary because OUT_DATA is full (rows done in RESULT_ROWS). */
export const STATUS_OUTPUT_FULL: i32 = 5;
/** COPY BINARY: the trailer (field count -1) was read; no byte may follow it. */
export const STATUS_COPY_END: i32 = 6;

/** A declared message length below 4 or below the minimum of its type. */
export const STATUS_LENGTH_TOO_SHORT: i32 = -1;
/** A fixed-size message (ReadyForQuery, ParseComplete, …) with another length. */
export const STATUS_LENGTH_MISMATCH: i32 = -2;
/** A declared length above the cap of its type or the configured maximum. */
export const STATUS_TOO_LARGE: i32 = -3;
/** A type byte that no backend message has. */
export const STATUS_UNKNOWN_TYPE: i32 = -4;
/** A DataRow whose field count promises more length words than its body holds. */
export const STATUS_FIELD_COUNT: i32 = -5;
/** A DataRow field length that is negative but not -1 (NULL). */
export const STATUS_FIELD_LENGTH: i32 = -6;
/** A DataRow field that runs past the end of its message. */
export const STATUS_FIELD_OVERRUN: i32 = -7;
/** A DataRow with bytes left over after its last field. */
export const STATUS_TRAILING_BYTES: i32 = -8;
/** A caller passed an argument outside the layout (a bug on the JS side, never the peer's). */
export const STATUS_BAD_ARGUMENT: i32 = -9;
/** Typed column decoding: a field is not an integer in the requested format. */
export const STATUS_NOT_AN_INTEGER: i32 = -10;
/** Typed column decoding: an integer does not fit the requested type. */
export const STATUS_OUT_OF_RANGE: i32 = -11;
/** Typed column decoding: a row has no field at the requested column. */
export const STATUS_NO_SUCH_COLUMN: i32 = -12;
/** Column decoding: a binary field whose length does not fit its type (a 3-byte int4). */
export const STATUS_BAD_LENGTH: i32 = -13;
/** Column decoding: a binary field of the right length holding a value its type cannot have. */
export const STATUS_BAD_VALUE: i32 = -14;
/** Column decoding: a text field that is not the server's output of its type. */
export const STATUS_BAD_TEXT: i32 = -15;
/** COPY BINARY: the stream does not start with the signature, or its header extension length is negative. */
export const STATUS_COPY_HEADER: i32 = -16;
/** COPY BINARY: the header sets OIDs (bit 16) or another critical flag this reader does not know. */
export const STATUS_COPY_FLAGS: i32 = -17;
/** COPY BINARY: a tuple's field count is negative (not the trailer) or differs from the stream's. */
export const STATUS_COPY_FIELD_COUNT: i32 = -18;
/** COPY BINARY: a tuple split across CopyData messages or chunks is larger than the carry region. */
export const STATUS_TUPLE_TOO_BIG: i32 = -19;
