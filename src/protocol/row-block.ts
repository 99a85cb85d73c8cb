/**
 * RowBlock: a run of consecutive DataRows of one scan batch, decoded a column at a time
 * (`BackendReader.nextRows()`). Integer columns are parsed by the WASM core straight into typed
 * arrays (one call per column per block, no string per field); text columns reuse the batch
 * Latin-1 string of the DataRow view. Valid until the reader's next `next()` or `nextRows()`.
 */
import { ClientError, ErrorCode } from '../errors.js';
import { IntColumnKind, type WasmCore } from '../wasm/core.js';
import { Layout, Status } from '../wasm/layout.js';
import type { CoreTables } from '../wasm/tables.js';
import type { WasmDataRow } from './backend/data-row.js';
import { FormatCode } from './codes.js';
import type { DataRowView } from './messages.js';

/** What `fieldCount()` says of rows whose field counts differ. */
export const MIXED_FIELD_COUNTS = 0x1_0000;

const kindNames = ['a 32-bit integer', 'a 64-bit integer', 'an exact JS number'];

function invalid(what: string): ClientError {
  return new ClientError(ErrorCode.INVALID_ARGUMENT, what);
}

/** A run of DataRows, column by column. */
export class RowBlock {
  /** Number of rows in the block. */
  rowCount = 0;
  /** Message-table index of the first row. */
  private first = 0;

  constructor(
    private readonly tables: CoreTables,
    private readonly view: WasmDataRow,
  ) {}

  /** Message-table index of the block's first row (for column decoders that read the tables). */
  get firstMessage(): number {
    return this.first;
  }

  /** The WASM core whose message and field tables hold the block. */
  get wasm(): WasmCore {
    return this.tables.core;
  }

  /** Points the block at `rows` DataRows from message-table entry `first` (the reader calls this). */
  point(first: number, rows: number): this {
    this.first = first;
    this.rowCount = rows;
    return this;
  }

  /** Absolute offset of message `r`'s body in the core's memory (for a block of CopyData messages). */
  bodyAt(r: number): number {
    return this.tables.messageBody(this.first + r);
  }

  /** Body length of message `r`. */
  lengthAt(r: number): number {
    return this.tables.messageLength(this.first + r);
  }

  /** The field count every row of the block has, or 0x10000 (more than any row can have) when they differ. */
  fieldCount(): number {
    const t = this.tables;
    if (t.detached) t.refresh();
    const end = this.first + this.rowCount;
    const n = t.fieldCountAt(t.messageBody(this.first));
    for (let k = this.first + 1; k < end; k++) if (t.fieldCountAt(t.messageBody(k)) !== n) return MIXED_FIELD_COUNTS;
    return n;
  }

  /** Row `r` through the reader's one DataRow view (re-pointed, valid like a row from `next()`). */
  row(r: number): DataRowView {
    const k = this.entry(r);
    const t = this.tables;
    if (t.detached) t.refresh();
    const body = t.messageBody(k);
    return this.view.point(t.messageFirstField(k), t.fieldCountAt(body), body, t.messageLength(k));
  }

  /**
   * Column `col` of every row as text (null for NULL) into `out[offset …]` (the array grows as
   * needed). A row without that column is a ClientError.
   */
  text(col: number, out: (string | null)[], offset = 0): void {
    this.check(col, Math.max(out.length, offset + this.rowCount), offset);
    const t = this.tables;
    t.refresh();
    for (let r = 0, k = this.first; r < this.rowCount; r++, k++) {
      if (col >= t.fieldCountAt(t.messageBody(k))) throw invalid(`row ${r} of the block has no column ${col}`);
      out[offset + r] = this.view.textOf(t.messageFirstField(k) + col);
    }
  }

  /**
   * Column `col` as 32-bit integers into `out[offset …]` (int2, int4, oid…). NULLs are flagged in
   * `nulls` (1 = NULL, value 0); without `nulls`, a NULL is a ClientError rather than a silent 0.
   */
  int32(col: number, out: Int32Array, offset = 0, format: FormatCode = FormatCode.Text, nulls?: Uint8Array): void {
    this.decode(col, IntColumnKind.INT32, format, out.length, offset, nulls);
    out.set(this.tables.int32Column(this.rowCount), offset);
  }

  /**
   * Column `col` as 64-bit integers (int8) into `out[offset …]`: a BigInt64Array takes every value,
   * a Float64Array only exact ones (|v| < 2^53, else a ClientError). NULLs as for `int32`.
   */
  int64(col: number, out: BigInt64Array | Float64Array, offset = 0, format: FormatCode = FormatCode.Text, nulls?: Uint8Array): void {
    const double = out instanceof Float64Array;
    this.decode(col, double ? IntColumnKind.FLOAT64 : IntColumnKind.INT64, format, out.length, offset, nulls);
    if (double) out.set(this.tables.float64Column(this.rowCount), offset);
    else out.set(this.tables.int64Column(this.rowCount), offset);
  }

  private decode(col: number, kind: IntColumnKind, format: FormatCode, length: number, offset: number, nulls: Uint8Array | undefined): void {
    this.check(col, length, offset);
    if (nulls !== undefined && nulls.length < offset + this.rowCount) throw invalid(`the nulls array is shorter than ${offset + this.rowCount}`);
    if (format !== FormatCode.Text && format !== FormatCode.Binary) throw invalid(`format must be 0 (text) or 1 (binary), got ${format}`);
    const t = this.tables;
    const status = t.core.decodeIntColumn(this.first, this.rowCount, col, format === FormatCode.Binary, kind);
    t.refresh();
    if (status !== 0) {
      const r = t.result(Layout.RESULT_DETAIL);
      switch (status) {
        case Status.NO_SUCH_COLUMN:
          throw invalid(`row ${r} of the block has no column ${col}`);
        case Status.NOT_AN_INTEGER:
          throw invalid(`column ${col} of row ${r} is not an integer in ${format === FormatCode.Binary ? 'binary' : 'text'} format`);
        case Status.OUT_OF_RANGE:
          throw invalid(`column ${col} of row ${r} does not fit ${kindNames[kind]}`);
      }
      throw invalid('the row block is no longer valid (the reader has moved on)');
    }
    if (nulls !== undefined) {
      nulls.set(t.columnNulls(this.rowCount), offset);
    } else if (t.result(Layout.RESULT_NULLS) > 0) {
      throw invalid(`column ${col} has NULLs: pass a nulls array to tell them from zeros`);
    }
  }

  private check(col: number, length: number, offset: number): void {
    if (col >>> 0 !== col || col > 0xffff) throw invalid(`column ${col} is not a column index`);
    if (offset >>> 0 !== offset || length < offset + this.rowCount) {
      throw invalid(`an output of ${length} cannot hold ${this.rowCount} values from offset ${offset}`);
    }
  }

  private entry(r: number): number {
    if (r >>> 0 !== r || r >= this.rowCount) throw invalid(`row ${r} is outside 0..${this.rowCount - 1} of the block`);
    return this.first + r;
  }
}
