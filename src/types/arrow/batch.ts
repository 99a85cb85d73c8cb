/**
 * `ColumnBatch`: rows of a result as columns in Apache Arrow's memory layout — per column a validity
 * bitmap and either a values typed array or offsets + bytes (column-buffers.ts) — with the fields
 * that say what each column is in PostgreSQL and in Arrow. `toIPC()` serialises it as an Arrow IPC
 * stream that any Arrow implementation reads; arrow-js.ts and flechette.ts hand the same buffers to
 * those libraries without copying them.
 */
import { ClientError, ErrorCode } from '../../errors.js';
import { sameArrowType } from './arrow-type.js';
import { checkColumn, checkField } from './check-column.js';
import type { ColumnBuffers } from './column-buffers.js';
import type { ColumnField } from './field.js';
import { encodeIpcFile, encodeIpcStream } from './ipc-writer.js';

/** A batch of rows stored column by column as Arrow buffers. */
export class ColumnBatch {
  /** Number of rows (every column's length). */
  readonly numRows: number;
  /** One field per column, in column order. */
  readonly fields: readonly ColumnField[];
  readonly #columns: readonly ColumnBuffers[];

  /**
   * A batch over these columns (the buffers are kept, not copied). Every column is checked against
   * its field and the row count (check-column.ts); `numRows` is needed only when there is no column.
   */
  constructor(fields: readonly ColumnField[], columns: readonly ColumnBuffers[], numRows?: number) {
    if (!Array.isArray(fields) || !Array.isArray(columns)) {
      throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'ColumnBatch needs an array of fields and an array of columns');
    }
    if (fields.length !== columns.length) {
      throw new ClientError(ErrorCode.INVALID_ARGUMENT, `${fields.length} fields but ${columns.length} columns`);
    }
    const rows: unknown = numRows ?? (columns.length > 0 ? (columns[0] as Partial<ColumnBuffers> | null)?.length : 0);
    if (typeof rows !== 'number' || !Number.isSafeInteger(rows) || rows < 0) {
      throw new ClientError(ErrorCode.INVALID_ARGUMENT, `numRows must be a non-negative integer, got ${String(rows)}`);
    }
    const frozenFields: ColumnField[] = [];
    const frozenColumns: ColumnBuffers[] = [];
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      const where = `column ${i}`;
      checkField(f, where);
      checkColumn(f, columns[i]!, rows, `${where} (${JSON.stringify(f.name)})`);
      frozenFields.push(Object.freeze({ ...f }));
      frozenColumns.push(Object.freeze({ ...columns[i]! }));
    }
    this.numRows = rows;
    this.fields = Object.freeze(frozenFields);
    this.#columns = Object.freeze(frozenColumns);
  }

  /** Number of columns. */
  get numColumns(): number {
    return this.#columns.length;
  }

  /** Column `i`'s Arrow buffers (the batch's own typed arrays, not copies). */
  column(i: number): ColumnBuffers {
    const c = Number.isInteger(i) ? this.#columns[i] : undefined;
    if (c === undefined) {
      throw new ClientError(ErrorCode.INVALID_ARGUMENT, `no column ${String(i)}: the batch has ${this.#columns.length}`);
    }
    return c;
  }

  /** The batch as an Arrow IPC stream: Schema, one RecordBatch, end-of-stream marker. */
  toIPC(): Uint8Array {
    return encodeIpcStream(this.fields, [this]);
  }

  /** The batch as an Arrow IPC file (`.arrow`, Feather v2). */
  toIPCFile(): Uint8Array {
    return encodeIpcFile(this.fields, [this]);
  }

  /**
   * Batches sharing one schema as one Arrow IPC stream (a RecordBatch message each). `fields` gives
   * the schema of a stream with no batch; otherwise it is the first batch's.
   */
  static toIPCStream(batches: Iterable<ColumnBatch>, fields?: readonly ColumnField[]): Uint8Array {
    const [schema, list] = commonSchema(batches, fields);
    return encodeIpcStream(schema, list);
  }

  /** Batches sharing one schema as one Arrow IPC file (`.arrow`); `fields` as for `toIPCStream`. */
  static toIPCFile(batches: Iterable<ColumnBatch>, fields?: readonly ColumnField[]): Uint8Array {
    const [schema, list] = commonSchema(batches, fields);
    return encodeIpcFile(schema, list);
  }
}

/** True when two field lists describe the same schema (names, OIDs, modifiers, Arrow types, nullability). */
export function sameFields(a: readonly ColumnField[], b: readonly ColumnField[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (
      x.name !== y.name ||
      x.typeOid !== y.typeOid ||
      x.nullable !== y.nullable ||
      (x.typeModifier ?? -1) !== (y.typeModifier ?? -1) ||
      !sameArrowType(x.arrowType, y.arrowType)
    ) {
      return false;
    }
  }
  return true;
}

/** The batches as an array and the schema they all have; throws when one differs or none gives it. */
export function commonSchema(
  batches: Iterable<ColumnBatch>,
  fields?: readonly ColumnField[],
): [readonly ColumnField[], ColumnBatch[]] {
  const list = [...batches];
  if (fields !== undefined) fields.forEach((f, i) => checkField(f, `field ${i}`));
  const schema = fields ?? list[0]?.fields;
  if (schema === undefined) {
    throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'an Arrow stream of no batch needs its fields');
  }
  list.forEach((batch, i) => {
    if (!(batch instanceof ColumnBatch)) throw new ClientError(ErrorCode.INVALID_ARGUMENT, `batch ${i} is not a ColumnBatch`);
    if (!sameFields(schema, batch.fields)) {
      throw new ClientError(ErrorCode.INVALID_ARGUMENT, `batch ${i}'s fields differ from the stream's schema`);
    }
  });
  return [schema, list];
}
