/**
 * One column of a batch in Apache Arrow's memory layout
 * (https://arrow.apache.org/docs/format/Columnar.html): the buffers as Arrow lays them out, and
 * the Arrow type they hold. What `ColumnBatchBuilder` hands out and the IPC writer reads.
 */

/** The Arrow data types pg-stream produces, discriminated on `typeId` (the names of Arrow's Schema.fbs `Type` union). */
export type ArrowType =
  | { readonly typeId: 'Bool' }
  | { readonly typeId: 'Int'; readonly bitWidth: 16 | 32 | 64; readonly signed: true }
  | { readonly typeId: 'FloatingPoint'; readonly precision: 'SINGLE' | 'DOUBLE' }
  | { readonly typeId: 'Utf8' }
  | { readonly typeId: 'Binary' }
  | { readonly typeId: 'FixedSizeBinary'; readonly byteWidth: number }
  | { readonly typeId: 'Date'; readonly unit: 'DAY' }
  | { readonly typeId: 'Timestamp'; readonly unit: 'MICROSECOND'; readonly timezone: string | null }
  | { readonly typeId: 'Time'; readonly unit: 'MICROSECOND'; readonly bitWidth: 64 };

/** The values buffer of a fixed-width column, typed by its Arrow type. */
export type ArrowValues = Int8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array | Uint8Array;

/**
 * A column's Arrow buffers. Each starts on an 8-byte boundary (a view at offset 0 of its own
 * ArrayBuffer). `validity` is the LSB-first bitmap (1 = valid), null when there is no NULL.
 * Fixed-width types have `values` (Bool: a bit-packed Uint8Array; FixedSizeBinary: `byteWidth` bytes
 * per row; NULL slots are zero); Utf8 and Binary have `offsets` (length + 1 int32, from 0; a NULL
 * repeats its predecessor) and `data`.
 */
export interface ColumnBuffers {
  readonly type: ArrowType;
  readonly length: number;
  readonly nullCount: number;
  readonly validity: Uint8Array | null;
  readonly values?: ArrowValues;
  readonly offsets?: Int32Array;
  readonly data?: Uint8Array;
}

/** What the IPC writer reads of a batch (a `ColumnBatch` is one): its rows, fields and columns. */
export interface RecordBatchLike {
  readonly numRows: number;
  readonly fields: readonly { readonly name: string }[];
  column(i: number): ColumnBuffers;
}
