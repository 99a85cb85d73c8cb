/**
 * Shared by the columnar decoding tests: DataRow and COPY BINARY streams built with the independent
 * fixture encoder, run through BackendReader + ColumnBatchBuilder, and Arrow buffers read back into
 * plain JS values by a reader written from the Arrow columnar format spec (not from src/), with the
 * layout invariants every column must keep.
 */
import { expect } from 'vitest';
import { FormatCode } from '../../src/protocol/codes.js';
import { BackendReader } from '../../src/protocol/backend-reader.js';
import { ColumnBatchBuilder, type ColumnSpec } from '../../src/types/arrow/column-builder.js';
import type { ColumnBuffers } from '../../src/types/arrow/column-buffers.js';
import type { ColumnKind } from '../../src/wasm/layout.js';
import { Bytes, concat } from '../fixtures/bytes.js';
import { dataRow, readyForQuery } from '../fixtures/backend-bytes.js';

/** A field as sent: bytes, a string (sent as UTF-8), or NULL. */
export type Field = Uint8Array | string | null;

/** Options of the stream drivers. */
export interface DriveOptions {
  batchRows?: number;
  /** Bytes pushed into the reader (or the builder) at a time; default all at once. */
  chunk?: number;
}

/** The batches `rows` (DataRows) decode to, through BackendReader.nextRows() and the builder. */
export function decodeDataRows(rows: readonly (readonly Field[])[], specs: ColumnSpec[], options: DriveOptions = {}): ColumnBuffers[][] {
  const stream = concat(...rows.map((r) => dataRow(r)), readyForQuery('I'));
  const reader = new BackendReader();
  const builder = new ColumnBatchBuilder(specs, { batchRows: options.batchRows });
  const chunk = options.chunk ?? stream.length;
  let others = 0;
  for (let off = 0; off < stream.length; ) {
    off += reader.push(stream.subarray(off, off + chunk));
    for (;;) {
      const block = reader.nextRows();
      if (block !== null) {
        builder.appendRows(block);
        continue;
      }
      if (reader.next() === null) break;
      others++;
    }
  }
  expect(others).toBe(1);
  builder.finish();
  return drain(builder);
}

/** Every ready batch of `builder`. */
export function drain(builder: ColumnBatchBuilder): ColumnBuffers[][] {
  const batches: ColumnBuffers[][] = [];
  for (let b; (b = builder.takeBatch()) !== null; ) batches.push(b);
  return batches;
}

/** One column of values decoded as `kind` in `format`, in one batch. */
export function decodeColumn(values: readonly Field[], kind: ColumnKind, format: FormatCode): ColumnBuffers {
  const batches = decodeDataRows(values.map((v) => [v]), [{ kind, format }]);
  if (values.length === 0) {
    expect(batches).toEqual([]);
    return { type: { typeId: 'Null' } as never, length: 0, nullCount: 0, validity: null };
  }
  expect(batches).toHaveLength(1);
  return batches[0]![0]!;
}

/** Decodes one column and returns it read back into JS values (see `readColumn`). */
export function roundTrip(values: readonly Field[], kind: ColumnKind, format: FormatCode): unknown[] {
  const column = decodeColumn(values, kind, format);
  if (values.length === 0) return [];
  checkLayout(column);
  return readColumn(column);
}

/** Bit `i` of an LSB-first bitmap. */
export const bit = (bitmap: Uint8Array, i: number): boolean => ((bitmap[i >> 3]! >> (i & 7)) & 1) === 1;

/**
 * The column's values as JS values, null where the validity bit is 0: numbers or bigints for
 * numeric types, booleans for Bool, byte arrays for Binary and FixedSizeBinary, strings for Utf8.
 */
export function readColumn(column: ColumnBuffers): unknown[] {
  const out: unknown[] = [];
  const { type } = column;
  for (let i = 0; i < column.length; i++) {
    if (column.validity !== null && !bit(column.validity, i)) {
      out.push(null);
      continue;
    }
    if (type.typeId === 'Utf8' || type.typeId === 'Binary') {
      const bytes = column.data!.subarray(column.offsets![i]!, column.offsets![i + 1]!);
      out.push(type.typeId === 'Utf8' ? new TextDecoder('utf-8', { fatal: true }).decode(bytes) : bytes.slice());
    } else if (type.typeId === 'Bool') {
      out.push(bit(column.values as Uint8Array, i));
    } else if (type.typeId === 'FixedSizeBinary') {
      out.push((column.values as Uint8Array).slice(i * type.byteWidth, (i + 1) * type.byteWidth));
    } else {
      out.push((column.values as ArrayLike<number | bigint>)[i]);
    }
  }
  return out;
}

/** Asserts Arrow's layout rules (Columnar.html) and this library's NULL conventions on a column. */
export function checkLayout(column: ColumnBuffers): void {
  const { length, validity } = column;
  const problems: string[] = [];
  const check = (ok: boolean, what: string): void => {
    if (!ok && problems.length < 5) problems.push(what);
  };
  for (const b of [validity, column.values, column.offsets, column.data]) if (b !== null && b !== undefined) check(b.byteOffset % 8 === 0, 'a buffer is not 8-byte aligned');
  let nulls = 0;
  if (validity !== null) {
    check(validity.length === Math.ceil(length / 8), 'validity length');
    for (let i = 0; i < length; i++) if (!bit(validity, i)) nulls++;
    for (let i = length; i < validity.length * 8; i++) check(!bit(validity, i), `validity bit ${i} past the end is set`);
  }
  check(column.nullCount === nulls, `nullCount ${column.nullCount} but ${nulls} NULLs in the bitmap`);
  const isNull = (i: number): boolean => validity !== null && !bit(validity, i);
  if (column.offsets !== undefined) {
    const offsets = column.offsets;
    check(offsets.length === length + 1 && offsets[0] === 0, 'offsets length or first offset');
    for (let i = 0; i < length; i++) {
      check(offsets[i + 1]! >= offsets[i]!, `offset ${i + 1} goes back`);
      if (isNull(i)) check(offsets[i + 1] === offsets[i], `NULL row ${i} has bytes`);
    }
    check(offsets[length] === column.data!.length, 'last offset is not the data length');
  } else if (column.type.typeId === 'Bool') {
    const bits = column.values as Uint8Array;
    check(bits.length === Math.ceil(length / 8), 'bool bitmap length');
    for (let i = 0; i < length; i++) if (isNull(i)) check(!bit(bits, i), `NULL row ${i} is true`);
    for (let i = length; i < bits.length * 8; i++) check(!bit(bits, i), `bool bit ${i} past the end is set`);
  } else {
    const values = column.values as ArrayLike<number | bigint>;
    const width = column.type.typeId === 'FixedSizeBinary' ? column.type.byteWidth : 1;
    check(values.length === length * width, 'values length');
    for (let i = 0; i < length; i++) {
      if (!isNull(i)) continue;
      for (let k = 0; k < width; k++) check(Number(values[i * width + k]) === 0, `NULL row ${i} is not zeroed`);
    }
  }
  expect(problems).toEqual([]);
}

/** Big-endian bytes of a signed integer of `width` bytes. */
export function beInt(value: bigint | number, width: 2 | 4 | 8): Uint8Array {
  const out = new Uint8Array(width);
  const view = new DataView(out.buffer);
  if (width === 2) view.setInt16(0, Number(value));
  else if (width === 4) view.setInt32(0, Number(value));
  else view.setBigInt64(0, BigInt(value));
  return out;
}

/** The 19-byte COPY BINARY header (signature, flags, extension length) followed by the extension. */
export function copyHeader(flags = 0, extension: Uint8Array = new Uint8Array(0)): Uint8Array {
  return new Bytes().raw([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]).i32(flags).i32(extension.length).raw(extension).body();
}

/** One COPY BINARY tuple: Int16 field count, then Int32 length (-1 = NULL) and bytes per field. */
export function copyTuple(fields: readonly Field[]): Uint8Array {
  const b = new Bytes().i16(fields.length);
  for (const f of fields) {
    if (f === null) b.i32(-1);
    else {
      const bytes = typeof f === 'string' ? new TextEncoder().encode(f) : f;
      b.i32(bytes.length).raw(bytes);
    }
  }
  return b.body();
}

/** The COPY BINARY trailer: a field count of -1. */
export const copyTrailer = (): Uint8Array => new Bytes().i16(-1).body();

/** A whole COPY BINARY stream of `tuples`. */
export function copyStream(tuples: readonly (readonly Field[])[], flags = 0, extension?: Uint8Array): Uint8Array {
  return concat(copyHeader(flags, extension), ...tuples.map((t) => copyTuple(t)), copyTrailer());
}

/** The batches a COPY BINARY `stream` decodes to, fed to the builder `chunk` bytes at a time. */
export function decodeCopy(stream: Uint8Array, specs: ColumnSpec[], options: DriveOptions = {}): ColumnBuffers[][] {
  const builder = new ColumnBatchBuilder(specs, { batchRows: options.batchRows });
  const chunk = options.chunk ?? stream.length;
  for (let off = 0; off < stream.length; off += chunk) builder.appendCopyData(stream.subarray(off, off + chunk));
  builder.finishCopy();
  builder.finish();
  return drain(builder);
}

/** Binary-format shorthand. */
export const BINARY = FormatCode.Binary;
/** Text-format shorthand. */
export const TEXT = FormatCode.Text;
