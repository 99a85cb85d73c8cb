/**
 * The shape of one column in Apache Arrow's memory layout, as the WASM column decoders fill it and
 * `ColumnBatch` consumes it: a validity bitmap plus either one fixed-width values buffer or an
 * offsets + bytes pair (the "Physical Memory Layout" of Arrow's columnar format).
 */

/** The Arrow logical types a PostgreSQL column maps to (the subset pg-stream produces). */
export type ArrowType =
  | { typeId: 'Bool' }
  | { typeId: 'Int'; bitWidth: 16 | 32 | 64; signed: true }
  | { typeId: 'FloatingPoint'; precision: 'SINGLE' | 'DOUBLE' }
  | { typeId: 'Utf8' } | { typeId: 'Binary' }
  | { typeId: 'FixedSizeBinary'; byteWidth: number }
  | { typeId: 'Date'; unit: 'DAY' }
  | { typeId: 'Timestamp'; unit: 'MICROSECOND'; timezone: string | null }
  | { typeId: 'Time'; unit: 'MICROSECOND'; bitWidth: 64 };

/** One column's Arrow buffers: the type, the row and NULL counts, and the buffers that type uses. */
export interface ColumnBuffers {
  /** The column's Arrow type; decides which of `values` or `offsets` + `data` is present. */
  readonly type: ArrowType;
  /** Number of rows (slots) in the column. */
  readonly length: number;
  /** Number of NULL slots. */
  readonly nullCount: number;
  /** LSB bit order, 1 = valid; null when nullCount = 0 */
  readonly validity: Uint8Array | null;      // LSB bit order, 1 = valid; null when nullCount = 0
  /** Fixed width values; Bool: bit-packed Uint8Array; FixedSizeBinary: Uint8Array of length*byteWidth. */
  readonly values?: Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array | Uint8Array; // fixed width; Bool: bit-packed Uint8Array; FixedSizeBinary: Uint8Array of length*byteWidth
  /** Variable width: length+1 entries starting at 0. */
  readonly offsets?: Int32Array;             // variable width: length+1 entries starting at 0
  /** Variable width bytes (UTF-8 for Utf8). */
  readonly data?: Uint8Array;                // variable width bytes
}

/** What the IPC writer reads of a batch (a `ColumnBatch` is one): its rows, fields and columns. */
export interface RecordBatchLike {
  readonly numRows: number;
  readonly fields: readonly { readonly name: string }[];
  column(i: number): ColumnBuffers;
}
