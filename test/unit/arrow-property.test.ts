/**
 * Property: any schema (any field names, every mapped type plus FixedSizeBinary of any width under
 * an unmapped OID, nullable or not, with or without a type modifier) and any values (NULLs, NaN,
 * -0, the int64 extremes, any Unicode text), cut into any number of batches, round-trips through
 * the IPC stream and the IPC file read by apache-arrow and flechette, and through the zero-copy
 * toArrowJS and toFlechette.
 */
import * as arrow from 'apache-arrow';
import * as flechette from '@uwdata/flechette';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toArrowJS } from '../../src/types/arrow/arrow-js.js';
import { arrowTypeForOid, mappedTypeOids, pgTypeName } from '../../src/types/arrow/arrow-type.js';
import { ColumnBatch } from '../../src/types/arrow/batch.js';
import type { ArrowType } from '../../src/types/arrow/column-buffers.js';
import type { ColumnField } from '../../src/types/arrow/field.js';
import { toFlechette } from '../../src/types/arrow/flechette.js';
import { arrowJsCells, buildColumn, comparable, flechetteCells } from '../fixtures/arrow-columns.js';
import type { Cell } from '../fixtures/arrow-columns.js';
import { checkBoth, FLECHETTE_EXACT } from './arrow-check.js';
import type { Expected } from './arrow-check.js';

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
/** arrow-js reads a Date32 as milliseconds in a number: exact up to 2^53 ms, about ±1.04e8 days. */
const DATE_DAYS = 100_000_000;
const MICROS_PER_DAY = 86_400_000_000n;
const UNMAPPED_OID = 16_385;

interface ColumnSpec {
  name: string;
  typeOid: number;
  type: ArrowType;
  nullable: boolean;
  typeMod: number | undefined;
}

const typeArb: fc.Arbitrary<{ typeOid: number; type: ArrowType }> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...mappedTypeOids()).map((typeOid) => ({ typeOid, type: arrowTypeForOid(typeOid)! })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 40 }).map((byteWidth) => ({ typeOid: UNMAPPED_OID, type: { typeId: 'FixedSizeBinary', byteWidth } as ArrowType })) },
);

const nameArb = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', '', 'toString'));

const specArb: fc.Arbitrary<ColumnSpec> = fc.record({
  name: nameArb,
  t: typeArb,
  nullable: fc.boolean(),
  typeMod: fc.option(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { nil: undefined }),
}).map(({ name, t, nullable, typeMod }) => ({ name, typeOid: t.typeOid, type: t.type, nullable, typeMod }));

function valueArb(t: ArrowType): fc.Arbitrary<Cell> {
  switch (t.typeId) {
    case 'Bool':
      return fc.boolean();
    case 'Int':
      if (t.bitWidth === 16) return fc.integer({ min: -32768, max: 32767 });
      if (t.bitWidth === 32) return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
      return fc.bigInt({ min: I64_MIN, max: I64_MAX });
    case 'FloatingPoint':
      return t.precision === 'SINGLE' ? fc.float() : fc.double();
    case 'Utf8':
      return fc.string({ unit: 'binary', maxLength: 20 });
    case 'Binary':
      return fc.uint8Array({ maxLength: 20 });
    case 'FixedSizeBinary':
      return fc.uint8Array({ minLength: t.byteWidth, maxLength: t.byteWidth });
    case 'Date':
      return fc.integer({ min: -DATE_DAYS, max: DATE_DAYS });
    case 'Timestamp':
      return fc.bigInt({ min: I64_MIN, max: I64_MAX });
    case 'Time':
      return fc.bigInt({ min: 0n, max: MICROS_PER_DAY - 1n });
  }
}

/** A schema, its columns' values (rows × fields) and the cut points into batches. */
const caseArb = fc
  // Distinct names: apache-arrow merges same-named fields (arrow-js.ts); duplicates have their own tests.
  .record({ specs: fc.uniqueArray(specArb, { maxLength: 6, selector: (s) => s.name }), rows: fc.integer({ min: 0, max: 40 }) })
  .chain(({ specs, rows }) =>
    fc.record({
      specs: fc.constant(specs),
      columns: fc.tuple(
        ...specs.map((s) => {
          const cell = s.nullable ? fc.option(valueArb(s.type), { nil: null, freq: 3 }) : valueArb(s.type);
          return fc.array(cell, { minLength: rows, maxLength: rows });
        }),
      ),
      rows: fc.constant(rows),
      cuts: fc.uniqueArray(fc.integer({ min: 0, max: rows }), { maxLength: 3 }).map((c) => c.sort((a, b) => a - b)),
    }),
  );

function fieldOf(s: ColumnSpec): ColumnField {
  const f: ColumnField = { name: s.name, typeOid: s.typeOid, arrowType: s.type, nullable: s.nullable };
  return s.typeMod === undefined ? f : { ...f, typeModifier: s.typeMod };
}

function batchesOf(specs: ColumnSpec[], columns: Cell[][], rows: number, cuts: number[]): ColumnBatch[] {
  const bounds = [0, ...cuts, rows];
  const out: ColumnBatch[] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const [from, to] = [bounds[i]!, bounds[i + 1]!];
    out.push(new ColumnBatch(specs.map(fieldOf), specs.map((s, j) => buildColumn(s.type, columns[j]!.slice(from, to))), to - from));
  }
  return out;
}

describe('Arrow round trip of random schemas and values', () => {
  it('IPC stream and file (apache-arrow, flechette), toArrowJS and toFlechette give back what was put in', () => {
    fc.assert(
      fc.property(caseArb, ({ specs, columns, rows, cuts }) => {
        const batches = batchesOf(specs, columns as Cell[][], rows, cuts);
        const expected: Expected[] = specs.map((s, j) => ({
          name: s.name,
          type: s.type,
          nullable: s.nullable,
          typeOid: s.typeOid,
          ...(pgTypeName(s.typeOid) === undefined ? {} : { typeName: pgTypeName(s.typeOid)! }),
          ...(s.typeMod === undefined ? {} : { typeMod: s.typeMod }),
          values: (columns as Cell[][])[j]!,
        }));
        checkBoth(ColumnBatch.toIPCStream(batches), expected, rows);
        checkBoth(ColumnBatch.toIPCFile(batches), expected, rows);

        const a = toArrowJS(batches, arrow);
        expect(a.numRows).toBe(rows);
        expect(a.batches).toHaveLength(batches.length);
        specs.forEach((s, j) => {
          expect(comparable(arrowJsCells(a.getChildAt(j)!, s.type))).toEqual(comparable(expected[j]!.values));
          expect(a.schema.fields[j]!.name).toBe(s.name);
        });
        const f = toFlechette(batches, flechette, FLECHETTE_EXACT);
        specs.forEach((s, j) => {
          expect(comparable(flechetteCells(f.getChildAt(j), s.type))).toEqual(comparable(expected[j]!.values));
          expect(f.schema.fields[j]!.nullable).toBe(s.nullable);
        });
      }),
      { numRuns: 150 },
    );
  });
});
