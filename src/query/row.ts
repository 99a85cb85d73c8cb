/**
 * Row: one row of `conn.stream()`, a zero-copy view over the DataRow in the receive buffer with
 * typed access — `get(i)` decodes the value by its column's type, `text(i)` and `bytes(i)` give the
 * field as the server sent it, `isNull(i)`. Valid until the stream moves on (the next iteration);
 * `values()` or `copy()` keep what is needed.
 */
import type { DataRowView } from '../protocol/messages.js';
import type { Field, ResultColumns } from './columns.js';

/** A streamed row (valid until the stream's next row). */
export class Row {
  #row: DataRowView | null = null;

  constructor(private readonly columns: ResultColumns) {}

  /** Points this row at the current DataRow (the stream calls this; no allocation per row). */
  point(row: DataRowView): this {
    this.#row = row;
    return this;
  }

  #view(): DataRowView {
    const row = this.#row;
    if (row === null) throw new TypeError('this row is no longer valid: the stream has moved on');
    return row;
  }

  /** The result's columns. */
  get fields(): readonly Field[] {
    return this.columns.fields;
  }

  /** The number of fields. */
  get length(): number {
    return this.#view().fieldCount;
  }

  /** Field `i` decoded by its column's type (null for NULL). */
  get(i: number): unknown {
    const reader = this.columns.readers[i];
    if (reader === undefined) return this.#view().text(i);
    return reader(this.#view(), i);
  }

  /** Field `i` as the server's text (binary fields: decoded as UTF-8), or null. */
  text(i: number): string | null {
    return this.#view().text(i);
  }

  /** Field `i` as a view of its bytes (valid like the row), or null. */
  bytes(i: number): Uint8Array | null {
    return this.#view().bytes(i);
  }

  /** True when field `i` is NULL. */
  isNull(i: number): boolean {
    return this.#view().isNull(i);
  }

  /** Every field decoded, as an array (stays valid). */
  values(): unknown[] {
    return this.columns.values(this.#view());
  }

  /** A detached copy of the raw row that stays valid (decode it with `get` on a Row over it). */
  copy(): DataRowView {
    return this.#view().copy();
  }

  /** The stream moved on: the view is no longer valid. */
  invalidate(): void {
    this.#row = null;
  }
}
