/**
 * How result columns become Arrow columns for `conn.batches` and `copyTo().batches`: the column
 * decoder of each PostgreSQL type (src/types/arrow/column-kinds.ts) and the `ColumnField` a batch
 * reports. A type without a columnar decoder is still read, as what its format gives without
 * interpretation: its text as Utf8 (text format), or its binary form as Binary (binary format; the
 * field's `pg.type_oid` says what the bytes are). `ColumnBatchQueue` turns what a builder sealed
 * into `ColumnBatch`es.
 */
import { FormatCode } from '../protocol/codes.js';
import { arrowTypeOf, columnKindOf } from '../types/arrow/column-kinds.js';
import type { ColumnBatchBuilder, ColumnSpec } from '../types/arrow/column-builder.js';
import { ColumnBatch } from '../types/arrow/batch.js';
import { columnField } from '../types/arrow/field.js';
import type { ColumnField } from '../types/arrow/field.js';
import { ColumnKind } from '../wasm/layout.js';

/** What a column is: its name, PostgreSQL type and the format its values arrive in. */
export interface ColumnSource {
  readonly name: string;
  readonly typeOid: number;
  readonly typeModifier?: number;
  readonly format: FormatCode;
}

/** The builder specs and batch fields of a result's columns. */
export interface BatchColumns {
  readonly specs: readonly ColumnSpec[];
  readonly fields: readonly ColumnField[];
}

/** The specs and fields for `columns` (see the module comment). */
export function batchColumns(columns: readonly ColumnSource[]): BatchColumns {
  const specs: ColumnSpec[] = [];
  const fields: ColumnField[] = [];
  for (const c of columns) {
    const binary = c.format === FormatCode.Binary;
    const kind = columnKindOf(c.typeOid) ?? (binary ? ColumnKind.BYTEA : ColumnKind.TEXT);
    const type = arrowTypeOf(kind);
    specs.push({ kind, format: binary ? FormatCode.Binary : FormatCode.Text, type });
    const mod = c.typeModifier;
    fields.push(columnField(c.name, c.typeOid, mod !== undefined && mod >= 0 ? { arrowType: type, typeModifier: mod } : { arrowType: type }));
  }
  return { specs, fields };
}

/** Moves every batch `builder` has sealed into `out` as a ColumnBatch of `fields`. */
export function takeBatches(builder: ColumnBatchBuilder, fields: readonly ColumnField[], out: ColumnBatch[]): void {
  for (let b = builder.takeBatch(); b !== null; b = builder.takeBatch()) out.push(new ColumnBatch(fields, b));
}
