/**
 * toArrowJS and toFlechette hand the batch's own buffers to the libraries: the tables' column data
 * views the SAME ArrayBuffers (and a write into the batch's typed array is seen by the table), and
 * the values, types, names and metadata are those the batch holds.
 */
import * as arrow from 'apache-arrow';
import * as flechette from '@uwdata/flechette';
import { describe, expect, it } from 'vitest';
import { toArrowJS } from '../../src/types/arrow/arrow-js.js';
import { ColumnBatch } from '../../src/types/arrow/batch.js';
import { toFlechette } from '../../src/types/arrow/flechette.js';
import { oid } from '../../src/types/oids.js';
import { arrowJsCells, arrowJsTypeName, buildColumn, comparable, flechetteCells, flechetteTypeShape } from '../fixtures/arrow-columns.js';
import { SAMPLES, sampleBatch, sampleType, sliceSamples } from './arrow-samples.js';

describe('toArrowJS', () => {
  it('builds an arrow-js Table over the same ArrayBuffers as the batch (values, offsets, data, validity)', () => {
    const batch = sampleBatch(SAMPLES);
    const table = toArrowJS(batch, arrow);
    expect(table).toBeInstanceOf(arrow.Table);
    expect(table.numRows).toBe(5);
    SAMPLES.forEach((s, i) => {
      const c = batch.column(i);
      const data = table.getChildAt(i)!.data[0]!;
      if (c.offsets !== undefined) {
        expect(data.valueOffsets.buffer).toBe(c.offsets.buffer);
        expect(data.values.buffer).toBe(c.data!.buffer);
      } else {
        expect(data.values.buffer).toBe(c.values!.buffer);
      }
      expect(c.validity).not.toBeNull();
      expect(data.nullBitmap!.buffer).toBe(c.validity!.buffer);
      expect(data.nullCount).toBe(c.nullCount);
      expect(String(data.type)).toBe(arrowJsTypeName(sampleType(s)));
      expect(comparable(arrowJsCells(table.getChildAt(i)!, sampleType(s)))).toEqual(comparable(s.values));
    });
  });

  it('shares memory: a write into the batch is seen through the table', () => {
    const values = new Int32Array([1, 2, 3]);
    const batch = new ColumnBatch(
      [{ name: 'n', typeOid: oid.INT4, arrowType: { typeId: 'Int', bitWidth: 32, signed: true }, nullable: false }],
      [{ type: { typeId: 'Int', bitWidth: 32, signed: true }, length: 3, nullCount: 0, validity: null, values }],
    );
    const table = toArrowJS(batch, arrow);
    values[1] = 42;
    expect(table.getChild('n')!.toArray()).toEqual(new Int32Array([1, 42, 3]));
  });

  it('fields keep names, nullability and the pg.* metadata; the schema equals the one read from toIPC()', () => {
    const batch = sampleBatch(SAMPLES);
    const direct = toArrowJS(batch, arrow);
    const viaIpc = arrow.tableFromIPC(batch.toIPC());
    expect(direct.schema.fields.map((f) => [f.name, String(f.type), f.nullable, [...f.metadata]])).toEqual(
      viaIpc.schema.fields.map((f) => [f.name, String(f.type), f.nullable, [...f.metadata]]),
    );
    expect(direct.schema.fields[3]!.metadata.get('pg.type_name')).toBe('int8');
  });

  it('several batches become one Table of several RecordBatches, each over its batch`s memory', () => {
    const parts = [sampleBatch(sliceSamples(SAMPLES, 0, 2)), sampleBatch(sliceSamples(SAMPLES, 2, 5))];
    const table = toArrowJS(parts, arrow);
    expect(table.batches.map((b) => b.numRows)).toEqual([2, 3]);
    expect(table.getChildAt(1)!.data[1]!.values.buffer).toBe(parts[1]!.column(1).values!.buffer);
    SAMPLES.forEach((s, i) => expect(comparable(arrowJsCells(table.getChildAt(i)!, sampleType(s)))).toEqual(comparable(s.values)));
    // Round trip: arrow-js writes the zero-copy table as IPC, read back equal.
    const again = arrow.tableFromIPC(arrow.tableToIPC(table));
    SAMPLES.forEach((s, i) => expect(comparable(arrowJsCells(again.getChildAt(i)!, sampleType(s)))).toEqual(comparable(s.values)));
  });

  it('same-named fields: identical ones are kept, different ones refused (arrow-js merges fields by name)', () => {
    const int4 = sampleType(SAMPLES[2]!);
    const same = new ColumnBatch(
      [0, 1].map(() => ({ name: 'id', typeOid: oid.INT4, arrowType: int4, nullable: true })),
      [buildColumn(int4, [1, 2]), buildColumn(int4, [3, null])],
    );
    const table = toArrowJS(same, arrow);
    expect(table.getChildAt(0)!.toArray()).toEqual(new Int32Array([1, 2]));
    expect(table.getChildAt(1)!.toJSON()).toEqual([3, null]);
    for (const other of [
      { typeOid: oid.INT8, arrowType: sampleType(SAMPLES[3]!), nullable: true },
      { typeOid: oid.INT4, arrowType: int4, nullable: false },
      { typeOid: oid.OID, arrowType: sampleType(SAMPLES[3]!), nullable: true },
    ]) {
      const values = other.arrowType === int4 ? [5, 6] : [5n, 6n];
      const differing = new ColumnBatch(
        [{ name: 'id', typeOid: oid.INT4, arrowType: int4, nullable: true }, { name: 'id', ...other }],
        [buildColumn(int4, [1, 2]), buildColumn(other.arrowType, values)],
      );
      expect(() => toArrowJS(differing, arrow)).toThrow(expect.objectContaining({ code: 'PGS_INVALID_ARGUMENT' }));
    }
  });

  it('a batch without columns keeps its row count; an empty list of batches is refused', () => {
    expect(toArrowJS(new ColumnBatch([], [], 4), arrow).numRows).toBe(4);
    expect(() => toArrowJS([], arrow)).toThrow(expect.objectContaining({ code: 'PGS_INVALID_ARGUMENT' }));
  });
});

describe('toFlechette', () => {
  it('builds a flechette Table over the same ArrayBuffers as the batch', () => {
    const batch = sampleBatch(SAMPLES);
    const table = toFlechette(batch, flechette, { useBigInt: true, useBigIntTimestamp: true });
    expect(table).toBeInstanceOf(flechette.Table);
    expect(table.numRows).toBe(5);
    SAMPLES.forEach((s, i) => {
      const c = batch.column(i);
      const column = table.getChildAt(i);
      const data = column.data[0]! as unknown as { values: ArrayBufferView; offsets?: Int32Array; validity?: Uint8Array };
      if (c.offsets !== undefined) {
        expect(data.offsets!.buffer).toBe(c.offsets.buffer);
        expect(data.values.buffer).toBe(c.data!.buffer);
      } else {
        expect(data.values.buffer).toBe(c.values!.buffer);
      }
      expect(data.validity!.buffer).toBe(c.validity!.buffer);
      expect(column.type).toMatchObject(flechetteTypeShape(sampleType(s)));
      expect(comparable(flechetteCells(column, sampleType(s)))).toEqual(comparable(s.values));
    });
    expect(table.schema.fields[0]!.metadata).toEqual(new Map([['pg.type_oid', '16'], ['pg.type_name', 'bool']]));
  });

  it('shares memory: a write into the batch is seen through the table', () => {
    const t = sampleType(SAMPLES[12]!);
    const column = buildColumn(t, ['abc', 'de']);
    const batch = new ColumnBatch([{ name: 's', typeOid: oid.TEXT, arrowType: t, nullable: true }], [column]);
    const table = toFlechette(batch, flechette);
    column.data![0] = 'x'.charCodeAt(0);
    expect(table.getChild('s').toArray()).toEqual(['xbc', 'de']);
  });

  it('several batches become columns of several flechette batches; default options convert as flechette does', () => {
    const parts = [sampleBatch(sliceSamples(SAMPLES, 0, 2)), sampleBatch(sliceSamples(SAMPLES, 2, 5))];
    const table = toFlechette(parts, flechette, { useBigInt: true, useBigIntTimestamp: true });
    expect(table.numRows).toBe(5);
    expect(table.getChildAt(0).data).toHaveLength(2);
    SAMPLES.forEach((s, i) => expect(comparable(flechetteCells(table.getChildAt(i), sampleType(s)))).toEqual(comparable(s.values)));
    // Default extraction: int8 as numbers (as flechette's own tableFromIPC gives them).
    const small = sampleBatch([{ name: 'i', typeOid: oid.INT8, typeName: 'int8', values: [1n, null, -3n] }]);
    expect(toFlechette(small, flechette).getChild('i').toArray()).toEqual(flechette.tableFromIPC(small.toIPC()).getChild('i').toArray());
  });
});
