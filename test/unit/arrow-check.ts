/**
 * Reads an Arrow IPC stream or file with apache-arrow and with flechette and checks every column —
 * name, type, nullability, pg.* metadata, NULL count and values — against what was put in.
 */
import * as arrow from 'apache-arrow';
import * as flechette from '@uwdata/flechette';
import { expect } from 'vitest';
import type { ArrowType } from '../../src/types/arrow/column-buffers.js';
import { arrowJsCells, arrowJsTypeName, comparable, flechetteCells, flechetteTypeShape } from '../fixtures/arrow-columns.js';
import type { Cell } from '../fixtures/arrow-columns.js';
import { sampleType } from './arrow-samples.js';
import type { Sample } from './arrow-samples.js';

/** flechette options that give int64 and timestamps exactly (as bigint). */
export const FLECHETTE_EXACT = { useBigInt: true, useBigIntTimestamp: true } as const;

/** Expected column: name, type, nullability, type OID/name metadata and canonical values. */
export interface Expected {
  name: string;
  type: ArrowType;
  nullable: boolean;
  typeOid: number;
  typeName?: string;
  typeMod?: number;
  values: readonly Cell[];
}

/** The expected columns of samples (nullable fields). */
export function expectedOf(samples: readonly Sample[]): Expected[] {
  return samples.map((s) => ({ name: s.name, type: sampleType(s), nullable: true, typeOid: s.typeOid, typeName: s.typeName, values: s.values }));
}

/** The pg.* metadata an expected column's field must carry. */
export function metadataOf(e: Expected): Map<string, string> {
  const m = new Map([['pg.type_oid', String(e.typeOid)]]);
  if (e.typeName !== undefined) m.set('pg.type_name', e.typeName);
  if (e.typeMod !== undefined) m.set('pg.type_mod', String(e.typeMod));
  return m;
}

/** Reads `ipc` with arrow-js and checks every column against `expected`. */
export function checkArrowJs(ipc: Uint8Array, expected: readonly Expected[], numRows: number): arrow.Table {
  const table = arrow.tableFromIPC(ipc);
  expect(table.numRows).toBe(numRows);
  expect(table.schema.fields.map((f) => f.name)).toEqual(expected.map((e) => e.name));
  expected.forEach((e, i) => {
    const f = table.schema.fields[i]!;
    expect(String(f.type)).toBe(arrowJsTypeName(e.type));
    expect(f.nullable).toBe(e.nullable);
    expect(f.metadata).toEqual(metadataOf(e));
    const column = table.getChildAt(i)!;
    expect(column.nullCount).toBe(e.values.filter((v) => v === null).length);
    expect(comparable(arrowJsCells(column, e.type))).toEqual(comparable(e.values));
  });
  return table;
}

/** Reads `ipc` with flechette and checks every column against `expected`. */
export function checkFlechette(ipc: Uint8Array, expected: readonly Expected[], numRows: number): void {
  const table = flechette.tableFromIPC(ipc, FLECHETTE_EXACT);
  // flechette counts a table's rows by its columns: a table without one has 0 rows.
  expect(table.numRows).toBe(expected.length > 0 ? numRows : 0);
  expect(table.schema.fields.map((f) => f.name)).toEqual(expected.map((e) => e.name));
  expected.forEach((e, i) => {
    const f = table.schema.fields[i]!;
    expect(f.type).toMatchObject(flechetteTypeShape(e.type));
    expect(f.nullable).toBe(e.nullable);
    expect(f.metadata).toEqual(metadataOf(e));
    const column = table.getChildAt(i);
    expect(column.nullCount).toBe(e.values.filter((v) => v === null).length);
    expect(comparable(flechetteCells(column, e.type))).toEqual(comparable(e.values));
  });
}

/** Reads `ipc` with both libraries and checks both. */
export function checkBoth(ipc: Uint8Array, expected: readonly Expected[], numRows: number): void {
  checkArrowJs(ipc, expected, numRows);
  checkFlechette(ipc, expected, numRows);
}

