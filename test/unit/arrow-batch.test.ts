/**
 * The PostgreSQL → Arrow type mapping, ColumnField construction, and ColumnBatch's checks: every
 * inconsistent field or column is refused with PGS_INVALID_ARGUMENT before anything reads it.
 */
import { describe, expect, it } from 'vitest';
import {
  arrowTypeForOid,
  describeArrowType,
  mappedTypeOids,
  pgTypeName,
  sameArrowType,
} from '../../src/types/arrow/arrow-type.js';
import { ColumnBatch } from '../../src/types/arrow/batch.js';
import type { ArrowType, ColumnBuffers } from '../../src/types/arrow/column-buffers.js';
import { columnField, fieldMetadata } from '../../src/types/arrow/field.js';
import type { ColumnField } from '../../src/types/arrow/field.js';
import { oid } from '../../src/types/oids.js';
import { buildColumn } from '../fixtures/arrow-columns.js';

const INT4: ArrowType = { typeId: 'Int', bitWidth: 32, signed: true };
const UTF8: ArrowType = { typeId: 'Utf8' };
const invalid = expect.objectContaining({ code: 'PGS_INVALID_ARGUMENT', name: 'ClientError' });

describe('arrowTypeForOid', () => {
  it('maps every listed built-in type', () => {
    const expected: Array<[number, string, ArrowType]> = [
      [oid.INT2, 'int2', { typeId: 'Int', bitWidth: 16, signed: true }],
      [oid.INT4, 'int4', INT4],
      [oid.INT8, 'int8', { typeId: 'Int', bitWidth: 64, signed: true }],
      [oid.OID, 'oid', { typeId: 'Int', bitWidth: 64, signed: true }],
      [oid.FLOAT4, 'float4', { typeId: 'FloatingPoint', precision: 'SINGLE' }],
      [oid.FLOAT8, 'float8', { typeId: 'FloatingPoint', precision: 'DOUBLE' }],
      [oid.BOOL, 'bool', { typeId: 'Bool' }],
      [oid.DATE, 'date', { typeId: 'Date', unit: 'DAY' }],
      [oid.TIMESTAMP, 'timestamp', { typeId: 'Timestamp', unit: 'MICROSECOND', timezone: null }],
      [oid.TIMESTAMPTZ, 'timestamptz', { typeId: 'Timestamp', unit: 'MICROSECOND', timezone: 'UTC' }],
      [oid.TIME, 'time', { typeId: 'Time', unit: 'MICROSECOND', bitWidth: 64 }],
      [oid.UUID, 'uuid', { typeId: 'FixedSizeBinary', byteWidth: 16 }],
      [oid.TEXT, 'text', UTF8],
      [oid.VARCHAR, 'varchar', UTF8],
      [oid.BPCHAR, 'bpchar', UTF8],
      [oid.NAME, 'name', UTF8],
      [oid.JSON, 'json', UTF8],
      [oid.JSONB, 'jsonb', UTF8],
      [oid.NUMERIC, 'numeric', UTF8],
      [oid.BYTEA, 'bytea', { typeId: 'Binary' }],
    ];
    for (const [typeOid, name, type] of expected) {
      expect(arrowTypeForOid(typeOid)).toEqual(type);
      expect(pgTypeName(typeOid)).toBe(name);
    }
    expect(mappedTypeOids().sort()).toEqual(expected.map((e) => e[0]).sort());
  });

  it('has no mapping for other types (interval, timetz, arrays, user types)', () => {
    for (const typeOid of [oid.INTERVAL, oid.TIMETZ, oid.INT4_ARRAY, oid.MONEY, 16_385, 0]) {
      expect(arrowTypeForOid(typeOid)).toBeUndefined();
      expect(pgTypeName(typeOid)).toBeUndefined();
    }
  });

  it('sameArrowType and describeArrowType tell the parameters apart', () => {
    const all = mappedTypeOids().map((o) => arrowTypeForOid(o)!);
    const distinct = new Map(all.map((t) => [describeArrowType(t), t]));
    expect([...distinct.keys()].sort()).toEqual(
      ['Binary', 'Bool', 'Date32', 'FixedSizeBinary(16)', 'Float32', 'Float64', 'Int16', 'Int32', 'Int64', 'Time64[us]', 'Timestamp[us, UTC]', 'Timestamp[us]', 'Utf8'].sort(),
    );
    for (const a of distinct.values()) for (const b of distinct.values()) expect(sameArrowType(a, b)).toBe(a === b);
  });
});

describe('columnField and fieldMetadata', () => {
  it('takes the mapped Arrow type, nullable by default; metadata has the OID, name and modifier', () => {
    const f = columnField('n', oid.NUMERIC, { typeModifier: 655366 });
    expect(f).toEqual({ name: 'n', typeOid: oid.NUMERIC, arrowType: UTF8, nullable: true, typeModifier: 655366 });
    expect(fieldMetadata(f)).toEqual([['pg.type_oid', '1700'], ['pg.type_name', 'numeric'], ['pg.type_mod', '655366']]);
    expect(fieldMetadata(columnField('x', oid.INT4, { nullable: false, typeModifier: -1 }))).toEqual([['pg.type_oid', '23'], ['pg.type_name', 'int4']]);
  });

  it('refuses an unmapped OID unless an Arrow type is given', () => {
    expect(() => columnField('i', oid.INTERVAL)).toThrow(invalid);
    const f = columnField('e', 16_385, { arrowType: UTF8 });
    expect(fieldMetadata(f)).toEqual([['pg.type_oid', '16385']]);
  });
});

/** A one-column batch of field `f` over column `c`. */
function make(c: object | null, f: Partial<ColumnField> = {}, numRows?: number): ColumnBatch {
  const field = { name: 'c', typeOid: oid.INT4, arrowType: INT4, nullable: true, ...f } as ColumnField;
  return new ColumnBatch([field], [c as unknown as ColumnBuffers], numRows);
}

const good = (): ColumnBuffers => buildColumn(INT4, [1, null, 3]);
const goodText = (): ColumnBuffers => buildColumn(UTF8, ['ab', null, 'c']);

describe('ColumnBatch checks', () => {
  it('accepts consistent columns and exposes them', () => {
    const b = make({ ...good() });
    expect(b.numRows).toBe(3);
    expect(b.numColumns).toBe(1);
    expect(b.column(0).nullCount).toBe(1);
    expect(b.fields[0]!.name).toBe('c');
    expect(Object.isFrozen(b.fields)).toBe(true);
    expect(() => b.column(1)).toThrow(invalid);
    expect(() => b.column(-1)).toThrow(invalid);
    expect(() => b.column(0.5)).toThrow(invalid);
  });

  it('keeps the caller`s typed arrays (no copy)', () => {
    const c = good();
    expect(make({ ...c }).column(0).values).toBe(c.values);
  });

  const cases: Array<[string, () => unknown]> = [
    ['fields and columns of different counts', () => new ColumnBatch([], [good()])],
    ['not arrays', () => new ColumnBatch(null as unknown as ColumnField[], [])],
    ['negative numRows', () => new ColumnBatch([], [], -1)],
    ['fractional numRows', () => new ColumnBatch([], [], 1.5)],
    ['numRows other than the columns` length', () => make(good(), {}, 4)],
    ['a column that is not an object', () => make(null as unknown as ColumnBuffers)],
    ['a field name that is not a string', () => make(good(), { name: 5 as unknown as string })],
    ['a type OID out of range', () => make(good(), { typeOid: 2 ** 32 })],
    ['a fractional typeModifier', () => make(good(), { typeModifier: 0.5 })],
    ['nullable not a boolean', () => make(good(), { nullable: 'yes' as unknown as boolean })],
    ['an unknown Arrow type on the field', () => make(good(), { arrowType: { typeId: 'Decimal' } as unknown as ArrowType })],
    ['an Int of 8 bits', () => make({ ...good(), type: { typeId: 'Int', bitWidth: 8, signed: true } as unknown as ArrowType })],
    ['a FixedSizeBinary of width 0', () => make({ ...good() }, { arrowType: { typeId: 'FixedSizeBinary', byteWidth: 0 } })],
    ['a column type other than the field`s', () => make({ ...good(), type: { typeId: 'Int', bitWidth: 64, signed: true } })],
    ['a negative nullCount', () => make({ ...good(), nullCount: -1 })],
    ['a nullCount above the length', () => make({ ...good(), nullCount: 4 })],
    ['a nullCount the bitmap does not have', () => make({ ...good(), nullCount: 2 })],
    ['NULLs without a bitmap', () => make({ ...good(), validity: null })],
    ['a bitmap too short', () => make({ ...buildColumn(INT4, new Array(9).fill(null)), validity: new Uint8Array(1) })],
    ['a bitmap that is not a Uint8Array', () => make({ ...good(), validity: [0b101] as unknown as Uint8Array })],
    ['NULLs in a non-nullable field', () => make(good(), { nullable: false })],
    ['values of the wrong typed array', () => make({ ...good(), values: new Float64Array(3) })],
    ['values too short', () => make({ ...good(), values: new Int32Array(2) })],
    ['no values', () => make({ ...good(), values: undefined })],
    ['Bool values too short', () => make({ ...buildColumn({ typeId: 'Bool' }, new Array(9).fill(true)), values: new Uint8Array(1) }, { arrowType: { typeId: 'Bool' } })],
    ['uuid bytes too short', () => make({ ...buildColumn({ typeId: 'FixedSizeBinary', byteWidth: 16 }, [new Uint8Array(16)]), values: new Uint8Array(15) }, { arrowType: { typeId: 'FixedSizeBinary', byteWidth: 16 } })],
    ['Utf8 without offsets', () => make({ ...goodText(), offsets: undefined }, { arrowType: UTF8 })],
    ['Utf8 offsets too short', () => make({ ...goodText(), offsets: new Int32Array([0, 2, 2]) }, { arrowType: UTF8 })],
    ['Utf8 offsets of the wrong typed array', () => make({ ...goodText(), offsets: new Uint32Array([0, 2, 2, 3]) as unknown as Int32Array }, { arrowType: UTF8 })],
    ['Utf8 offsets not starting at 0', () => make({ ...goodText(), offsets: new Int32Array([1, 2, 2, 3]) }, { arrowType: UTF8 })],
    ['Utf8 offsets decreasing', () => make({ ...goodText(), offsets: new Int32Array([0, 2, 1, 3]) }, { arrowType: UTF8 })],
    ['Utf8 offsets past the data', () => make({ ...goodText(), offsets: new Int32Array([0, 2, 2, 4]) }, { arrowType: UTF8 })],
    ['Utf8 without data', () => make({ ...goodText(), data: undefined }, { arrowType: UTF8 })],
  ];
  for (const [what, build] of cases) {
    it(`refuses ${what}`, () => {
      expect(build).toThrow(invalid);
    });
  }

  it('time values must lie in [0, 24:00:00]: PostgreSQL`s 24:00:00 is kept, as the row decoder keeps it', () => {
    const TIME: ArrowType = { typeId: 'Time', unit: 'MICROSECOND', bitWidth: 64 };
    const day = 86_400_000_000n;
    const timeBatch = (values: Array<bigint | null>): ColumnBatch => make(buildColumn(TIME, values), { typeOid: oid.TIME, arrowType: TIME });
    expect(timeBatch([0n, day - 1n, day, null]).numRows).toBe(4);
    for (const bad of [day + 1n, -1n, day + 2n ** 32n, 2n ** 62n, -(2n ** 63n)]) {
      expect(() => timeBatch([0n, bad])).toThrow(expect.objectContaining({ code: 'PGS_INVALID_ARGUMENT', message: expect.stringContaining('row 1') }));
    }
    // A NULL slot's value is not looked at.
    const c = buildColumn(TIME, [1n, null]);
    (c.values as BigInt64Array)[1] = day + 1n;
    expect(make(c, { typeOid: oid.TIME, arrowType: TIME }).column(0).nullCount).toBe(1);
  });

  it('accepts a bitmap without NULLs and ignores bits past the length', () => {
    const c = buildColumn(INT4, [1, 2, 3]);
    expect(make({ ...c, validity: new Uint8Array([0b1111_0111]) }).column(0).nullCount).toBe(0);
    expect(make({ ...c, validity: new Uint8Array([0b0000_0111, 0]) }).numRows).toBe(3);
  });

  it('the frozen copy does not follow later changes to the caller`s column object', () => {
    const c = { ...good() } as { length: number };
    const b = make(c as unknown as ColumnBuffers);
    c.length = 100;
    expect(b.column(0).length).toBe(3);
  });
});
