/**
 * Fixed regions of linear memory. The memory is reserved up front (initialMemory = maximumMemory in
 * asconfig.json) and never grows, so no region ever moves and nothing is allocated in the hot path.
 * Everything below LAYOUT_START belongs to the compiler's static data (checked by `heapBase()`).
 * src/wasm/layout.ts mirrors these numbers; a test checks that both agree.
 */

/** WebAssembly page size. */
export const PAGE_SIZE: i32 = 0x1_0000;
/** Pages of linear memory (fixed: initial = maximum). */
export const MEMORY_PAGES: i32 = 86;
/** First byte owned by the layout; the compiler's static data must end below it. */
export const LAYOUT_START: i32 = 0x1_0000;

/** Format-code scratch for Bind and FunctionCall: one byte per parameter, at most 65535 + 1. */
export const FORMATS: i32 = LAYOUT_START;
/** Size of the format-code scratch. */
export const FORMATS_SIZE: i32 = 0x1_0000;

/** Scan results, one i32 per RESULT_* slot (numbers only cross the boundary). */
export const RESULT: i32 = FORMATS + FORMATS_SIZE;
/** Size of the result block. */
export const RESULT_SIZE: i32 = 0x100;
/** Result slot: position of the first byte not scanned (for a TOO_BIG or error stop: that message). */
export const RESULT_STOP: i32 = 0;
/** Result slot: messages written to the message table. */
export const RESULT_MESSAGES: i32 = 1;
/** Result slot: entries written to the field table. */
export const RESULT_FIELDS: i32 = 2;
/** Result slot: the declared length of the message at RESULT_STOP (TOO_BIG and errors). */
export const RESULT_LENGTH: i32 = 3;
/** Result slot: the type byte of the message at RESULT_STOP (errors). */
export const RESULT_TYPE: i32 = 4;
/** Result slot: error detail (DataRow: the field index; length errors: the bound that was broken). */
export const RESULT_DETAIL: i32 = 5;
/** Result slot: NULLs met by the last typed column decoding. */
export const RESULT_NULLS: i32 = 6;
/** Result slot: 1 when every DataRow field the last scan framed is ASCII (no per-field flag needed). */
export const RESULT_ASCII: i32 = 7;
/** Result slot: rows written by the last column decoding, or tuples indexed by the last COPY scan. */
export const RESULT_ROWS: i32 = 8;
/** Result slot: bytes written to OUT_DATA by the last column decoding (variable-width kinds). */
export const RESULT_DATA: i32 = 9;

/** Input region: the backend byte stream is written here (by push/commit) and framed in place. */
export const INPUT: i32 = 0x3_0000;
/** Size of the input region; a message needing more (1 + length > INPUT_SIZE) takes the JS slow path. */
export const INPUT_SIZE: i32 = 0x10_0000;
/** Slack after the input region: SIMD reads up to 15 bytes past a field's end, never past memory. */
export const INPUT_SLACK: i32 = 0x100;

/** Message table: MESSAGE_WORDS i32 per framed message. */
export const MESSAGES: i32 = INPUT + INPUT_SIZE + INPUT_SLACK;
/** Capacity of the message table. */
export const MAX_MESSAGES: i32 = 0x4000;
/** i32 words per message entry: type, body offset, body length, first field index. */
export const MESSAGE_WORDS: i32 = 4;
/** Message entry word: the type byte. */
export const MESSAGE_TYPE: i32 = 0;
/** Message entry word: absolute offset of the body (after the 5-byte header). */
export const MESSAGE_BODY: i32 = 1;
/** Message entry word: body length (the declared length minus 4). */
export const MESSAGE_LENGTH: i32 = 2;
/** Message entry word: index of the message's first entry in the field table (DataRow only). */
export const MESSAGE_FIRST_FIELD: i32 = 3;

/** Field table: FIELD_WORDS i32 per DataRow field: absolute offset, length (-1 = NULL). */
export const FIELDS: i32 = MESSAGES + MAX_MESSAGES * MESSAGE_WORDS * 4;
/** Capacity of the field table: one widest row (65535 fields) plus a full 64 KiB batch of fields. */
export const MAX_FIELDS: i32 = 0x2_0000;
/** i32 words per field entry. */
export const FIELD_WORDS: i32 = 2;

/** ASCII flags: one byte per field-table entry, 1 when every byte of the field is below 0x80. */
export const ASCII: i32 = FIELDS + MAX_FIELDS * FIELD_WORDS * 4;

/** Typed column output: an i32, i64 or f64 per row of a run of DataRows, packed. */
export const COLUMN: i32 = ASCII + MAX_FIELDS;
/** NULL flags of the typed column output: one byte per row, 1 for NULL. */
export const COLUMN_NULLS: i32 = COLUMN + MAX_MESSAGES * 8;


/**
 * COPY tuple table: the COPY BINARY scanner's tuples, in the message table's shape (type DataRow,
 * tuple offset, tuple length, first field), so the column decoders read tuples and DataRows alike.
 */
export const TUPLES: i32 = COLUMN_NULLS + MAX_MESSAGES;
/** Capacity of the tuple table. */
export const MAX_TUPLES: i32 = 0x4000;

/**
 * COPY carry: tuples split across CopyData messages or input chunks are assembled here; the ones
 * completed by one scan stay until the next. Also the largest tuple a split can carry.
 */
export const CARRY: i32 = TUPLES + MAX_TUPLES * MESSAGE_WORDS * 4;
/** Size of the carry region. */
export const CARRY_SIZE: i32 = 0x10_0000;
/** Slack after the carry region, for the same 16-byte SIMD reads as after the input region. */
export const CARRY_SLACK: i32 = 0x100;

/** Rows one column decoding takes at most (the tables hold no more rows than this). */
export const MAX_ROWS: i32 = 0x4000;
/** Gathered fields: (offset, length) of the decoded column's field in each row, FIELD_WORDS i32 each. */
export const GATHER: i32 = CARRY + CARRY_SIZE + CARRY_SLACK;

/** Arrow validity bitmap of one decoding: bit (bit offset + row), LSB first, 1 = valid. */
export const OUT_VALIDITY: i32 = GATHER + MAX_ROWS * FIELD_WORDS * 4;
/** Size of the validity output: MAX_ROWS bits after a bit offset of up to 7, rounded up. */
export const OUT_VALIDITY_SIZE: i32 = 0x1000;
/**
 * Arrow values of one decoding: packed fixed-width values (up to 16 bytes a row), the bool bitmap
 * (from the same bit offset as the validity), or the end offset of each row of a variable-width kind.
 */
export const OUT_VALUES: i32 = OUT_VALIDITY + OUT_VALIDITY_SIZE;
/** Size of the values output: MAX_ROWS values of 16 bytes (uuid). */
export const OUT_VALUES_SIZE: i32 = MAX_ROWS * 16;
/** Arrow data bytes of a variable-width kind; a decoding that fills it stops at a row boundary. */
export const OUT_DATA: i32 = OUT_VALUES + OUT_VALUES_SIZE;
/** Size of the data output: at least any one value read from the input or carry region. */
export const OUT_DATA_SIZE: i32 = 0x10_0000;
/** Slack after the data output, for 16-byte SIMD stores at its end. */
export const OUT_DATA_SLACK: i32 = 0x100;

/** End of the layout; must not exceed MEMORY_PAGES * PAGE_SIZE. */
export const LAYOUT_END: i32 = OUT_DATA + OUT_DATA_SIZE + OUT_DATA_SLACK;
