/**
 * ColumnBatchBuilder over DataRow blocks: batches of exactly `batchRows` rows across many scan
 * batches (the reader's 64 KiB budget) and any chunking, NULLs at every position (validity and
 * bool bitmaps continued at every bit offset), all-NULL and empty columns, buffers that stay valid
 * after later batches, the Arrow type of each column, and typed errors that poison the builder.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientError, ErrorCode, PgStreamError, ProtocolError } from '../../src/errors.js';
import { BackendReader } from '../../src/protocol/backend-reader.js';
import { ColumnBatchBuilder, type ColumnSpec } from '../../src/types/arrow/column-builder.js';
import { arrowTypeOf, columnKindOf } from '../../src/types/arrow/column-kinds.js';
import { oid } from '../../src/types/oids.js';
import { ColumnKind } from '../../src/wasm/layout.js';
import { concat } from '../fixtures/bytes.js';
import { dataRow } from '../fixtures/backend-bytes.js';
import { BINARY, TEXT, beInt, checkLayout, decodeDataRows, readColumn, type Field } from '../support/columns-helpers.js';

/** A kind with a generator of (wire field, expected value) pairs. */
interface Generated {
  spec: ColumnSpec;
  value: fc.Arbitrary<[Field, unknown]>;
}

const generators: Generated[] = [
  { spec: { kind: ColumnKind.INT32, format: TEXT }, value: fc.integer().map((v) => [String(v), v]) },
  { spec: { kind: ColumnKind.INT32, format: BINARY }, value: fc.integer().map((v) => [beInt(v, 4), v]) },
  { spec: { kind: ColumnKind.INT64, format: BINARY }, value: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => [beInt(v, 8), v]) },
  { spec: { kind: ColumnKind.INT16, format: TEXT }, value: fc.integer({ min: -32768, max: 32767 }).map((v) => [String(v), v]) },
  { spec: { kind: ColumnKind.BOOL, format: TEXT }, value: fc.boolean().map((v) => [v ? 't' : 'f', v]) },
  { spec: { kind: ColumnKind.TEXT, format: TEXT }, value: fc.string({ maxLength: 30 }).map((v) => [v, v]) },
  { spec: { kind: ColumnKind.BYTEA, format: BINARY }, value: fc.uint8Array({ maxLength: 20 }).map((v) => [v, v]) },
  { spec: { kind: ColumnKind.UUID, format: BINARY }, value: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((v) => [v, v]) },
  { spec: { kind: ColumnKind.DATE, format: BINARY }, value: fc.integer({ min: -100000, max: 100000 }).map((v) => [beInt(v, 4), v + 10957]) },
];

/** Flattens the batches of one column into its values, checking each batch's layout and length. */
function columnValues(batches: ReturnType<typeof decodeDataRows>, col: number, batchRows: number): unknown[] {
  const out: unknown[] = [];
  batches.forEach((batch, i) => {
    const column = batch[col]!;
    checkLayout(column);
    if (i < batches.length - 1) expect(column.length).toBe(batchRows);
    else expect(column.length).toBeLessThanOrEqual(batchRows);
    out.push(...readColumn(column));
  });
  return out;
}

describe('batches', () => {
  it('hold exactly batchRows rows of every column, for random rows, chunkings and batch sizes', () => {
    const table = fc.uniqueArray(fc.integer({ min: 0, max: generators.length - 1 }), { minLength: 1, maxLength: 5 }).chain((cols) =>
      fc.tuple(
        fc.constant(cols),
        fc.array(fc.tuple(...cols.map((c) => fc.option(generators[c]!.value, { freq: 4 }))), { maxLength: 120 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 4000 }),
      ));
    fc.assert(fc.property(table, ([cols, rows, batchRows, chunk]) => {
      const specs = cols.map((c) => generators[c]!.spec);
      const batches = decodeDataRows(rows.map((r) => r.map((f) => (f === null ? null : f[0]))), specs, { batchRows, chunk });
      expect(batches).toHaveLength(Math.ceil(rows.length / batchRows));
      cols.forEach((_, col) => {
        expect(columnValues(batches, col, batchRows)).toEqual(rows.map((r) => (r[col] === null ? null : r[col]![1])));
      });
    }), { numRuns: 80 });
  });

  it('span many scan batches of the reader (its 64 KiB budget) and any chunking', () => {
    const n = 50_000;
    const rows = Array.from({ length: n }, (_, i) => [beInt(BigInt(i) * 1_000_003n, 8), i % 7 === 0 ? null : `row ${i} ${'x'.repeat(i % 13)}`, i % 3 === 0 ? 't' : 'f']);
    const specs: ColumnSpec[] = [{ kind: ColumnKind.INT64, format: BINARY }, { kind: ColumnKind.TEXT, format: TEXT }, { kind: ColumnKind.BOOL, format: TEXT }];
    for (const [batchRows, chunk] of [[10_000, 65536], [7, 100_000], [65536, 1500]] as const) {
      const batches = decodeDataRows(rows, specs, { batchRows, chunk });
      expect(batches).toHaveLength(Math.ceil(n / batchRows));
      expect(columnValues(batches, 0, batchRows)).toEqual(rows.map((_, i) => BigInt(i) * 1_000_003n));
      expect(columnValues(batches, 1, batchRows)).toEqual(rows.map((r) => r[1]));
      expect(columnValues(batches, 2, batchRows)).toEqual(rows.map((_, i) => i % 3 === 0));
    }
  });

  it('keep their buffers when later batches are built', () => {
    const builder = new ColumnBatchBuilder([{ kind: ColumnKind.TEXT, format: TEXT }, { kind: ColumnKind.INT32, format: TEXT }], { batchRows: 3 });
    const reader = new BackendReader();
    reader.push(concat(...Array.from({ length: 10 }, (_, i) => dataRow([`v${i}`, String(i)]))));
    for (let b; (b = reader.nextRows()) !== null; ) builder.appendRows(b);
    builder.finish();
    const batches: ReturnType<typeof decodeDataRows> = [];
    for (let b; (b = builder.takeBatch()) !== null; ) batches.push(b);
    expect(batches.map((b) => readColumn(b[0]!))).toEqual([['v0', 'v1', 'v2'], ['v3', 'v4', 'v5'], ['v6', 'v7', 'v8'], ['v9']]);
    expect(batches.map((b) => Array.from(b[1]!.values as Int32Array))).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]);
    expect(builder.takeBatch()).toBeNull();
  });

  it('reuse recycled buffers without leaking what they held', () => {
    const specs: ColumnSpec[] = [{ kind: ColumnKind.BOOL, format: TEXT }, { kind: ColumnKind.TEXT, format: TEXT }, { kind: ColumnKind.INT64, format: TEXT }];
    const rows = Array.from({ length: 103 }, (_, i) => [i % 3 === 0 ? null : i % 2 ? 't' : 'f', i % 4 === 0 ? null : 'x'.repeat(i % 9), i % 5 === 0 ? null : String(i)]);
    const builder = new ColumnBatchBuilder(specs, { batchRows: 10 });
    const reader = new BackendReader();
    const seen: unknown[][] = [[], [], []];
    const buffers = new Set<ArrayBufferLike>();
    const collect = (): void => {
      for (let b; (b = builder.takeBatch()) !== null; ) {
        b.forEach((column, c) => {
          checkLayout(column);
          seen[c]!.push(...readColumn(column));
          for (const view of [column.validity, column.values, column.offsets, column.data]) if (view) buffers.add(view.buffer);
        });
        builder.recycle(b);
      }
    };
    // Seven rows at a time, so that a batch is taken (and recycled) before the next ones are sealed.
    for (let i = 0; i < rows.length; i += 7) {
      reader.push(concat(...rows.slice(i, i + 7).map((r) => dataRow(r))));
      for (let b; (b = reader.nextRows()) !== null; ) {
        builder.appendRows(b);
        collect();
      }
    }
    builder.finish();
    collect();
    expect(seen).toEqual([rows.map((r) => (r[0] === null ? null : r[0] === 't')), rows.map((r) => r[1]), rows.map((r) => (r[2] === null ? null : BigInt(r[2])))]);
    // Eleven batches of three columns, from a handful of buffers.
    expect(buffers.size).toBeLessThan(20);
    expect(() => builder.recycle([])).toThrow(ClientError);
  });

  it('read rows of different widths one by one', () => {
    const [batch] = decodeDataRows([['1', 'a'], ['2'], ['3', 'c', 'extra']], [{ kind: ColumnKind.INT32, format: TEXT }]);
    expect(readColumn(batch![0]!)).toEqual([1, 2, 3]);
  });

  it('are not made of no rows', () => {
    expect(decodeDataRows([], [{ kind: ColumnKind.INT32, format: TEXT }])).toEqual([]);
  });
});

describe('NULLs', () => {
  const kinds: [ColumnSpec, Field, unknown][] = [
    [{ kind: ColumnKind.INT64, format: TEXT }, '42', 42n],
    [{ kind: ColumnKind.BOOL, format: TEXT }, 't', true],
    [{ kind: ColumnKind.TEXT, format: TEXT }, 'abc', 'abc'],
    [{ kind: ColumnKind.UUID, format: BINARY }, new Uint8Array(16).fill(7), new Uint8Array(16).fill(7)],
  ];

  it('at every position of columns of 1..20 rows, in one batch and across batches', () => {
    for (const [spec, field, value] of kinds) {
      for (let n = 1; n <= 20; n++) {
        for (let at = 0; at < n; at++) {
          const rows = Array.from({ length: n }, (_, i) => [i === at ? null : field]);
          for (const batchRows of [64, 3]) {
            const batches = decodeDataRows(rows, [spec], { batchRows });
            const values = columnValues(batches, 0, batchRows);
            expect(values).toEqual(rows.map((r) => (r[0] === null ? null : value)));
            expect(batches.reduce((k, b) => k + b[0]!.nullCount, 0)).toBe(1);
          }
        }
      }
    }
  });

  it('fill an all-NULL column; a column without one has no validity bitmap', () => {
    for (const [spec, field] of kinds) {
      const [nulls] = decodeDataRows(Array.from({ length: 13 }, () => [null]), [spec]);
      checkLayout(nulls![0]!);
      expect(nulls![0]!.nullCount).toBe(13);
      expect(Array.from(nulls![0]!.validity!)).toEqual([0, 0]);
      const [full] = decodeDataRows(Array.from({ length: 13 }, () => [field]), [spec]);
      expect(full![0]!.validity).toBeNull();
      expect(full![0]!.nullCount).toBe(0);
    }
  });
});

describe('errors', () => {
  it('a bad value is a typed error, rethrown by every later call', () => {
    const builder = new ColumnBatchBuilder([{ kind: ColumnKind.INT32, format: TEXT }]);
    const reader = new BackendReader();
    reader.push(concat(dataRow(['1']), dataRow(['x']), dataRow(['3'])));
    const block = reader.nextRows()!;
    let first: unknown;
    try {
      builder.appendRows(block);
    } catch (err) {
      first = err;
    }
    expect(first).toBeInstanceOf(ProtocolError);
    expect((first as PgStreamError).code).toBe(ErrorCode.MALFORMED_VALUE);
    expect(() => builder.finish()).toThrow(first as Error);
    expect(() => builder.appendRows(block)).toThrow(first as Error);
  });

  it('a row without the column is a ClientError', () => {
    expect(() => decodeDataRows([['1']], [{ kind: ColumnKind.INT32, format: TEXT }, { kind: ColumnKind.TEXT, format: TEXT }])).toThrow(ClientError);
  });

  it('bad specs and options are refused up front', () => {
    expect(() => new ColumnBatchBuilder([{ kind: 99 as ColumnKind, format: TEXT }])).toThrow(ClientError);
    expect(() => new ColumnBatchBuilder([{ kind: ColumnKind.TEXT, format: 2 as never }])).toThrow(ClientError);
    for (const batchRows of [0, -1, 1.5, Number.NaN]) expect(() => new ColumnBatchBuilder([], { batchRows })).toThrow(ClientError);
  });
});

describe('Arrow types', () => {
  it('maps the built-in types to their kinds and Arrow types', () => {
    const expected: [number, ColumnKind, unknown][] = [
      [oid.BOOL, ColumnKind.BOOL, { typeId: 'Bool' }],
      [oid.INT2, ColumnKind.INT16, { typeId: 'Int', bitWidth: 16, signed: true }],
      [oid.INT4, ColumnKind.INT32, { typeId: 'Int', bitWidth: 32, signed: true }],
      [oid.INT8, ColumnKind.INT64, { typeId: 'Int', bitWidth: 64, signed: true }],
      [oid.FLOAT4, ColumnKind.FLOAT32, { typeId: 'FloatingPoint', precision: 'SINGLE' }],
      [oid.FLOAT8, ColumnKind.FLOAT64, { typeId: 'FloatingPoint', precision: 'DOUBLE' }],
      [oid.DATE, ColumnKind.DATE, { typeId: 'Date', unit: 'DAY' }],
      [oid.TIMESTAMP, ColumnKind.TIMESTAMP, { typeId: 'Timestamp', unit: 'MICROSECOND', timezone: null }],
      [oid.TIMESTAMPTZ, ColumnKind.TIMESTAMPTZ, { typeId: 'Timestamp', unit: 'MICROSECOND', timezone: 'UTC' }],
      [oid.TIME, ColumnKind.TIME, { typeId: 'Time', unit: 'MICROSECOND', bitWidth: 64 }],
      [oid.UUID, ColumnKind.UUID, { typeId: 'FixedSizeBinary', byteWidth: 16 }],
      [oid.TEXT, ColumnKind.TEXT, { typeId: 'Utf8' }],
      [oid.VARCHAR, ColumnKind.TEXT, { typeId: 'Utf8' }],
      [oid.BPCHAR, ColumnKind.TEXT, { typeId: 'Utf8' }],
      [oid.NAME, ColumnKind.TEXT, { typeId: 'Utf8' }],
      [oid.JSON, ColumnKind.TEXT, { typeId: 'Utf8' }],
      [oid.BYTEA, ColumnKind.BYTEA, { typeId: 'Binary' }],
      [oid.JSONB, ColumnKind.JSONB, { typeId: 'Utf8' }],
      [oid.NUMERIC, ColumnKind.NUMERIC, { typeId: 'Utf8' }],
    ];
    for (const [typeOid, kind, type] of expected) {
      expect(columnKindOf(typeOid)).toBe(kind);
      expect(arrowTypeOf(kind)).toEqual(type);
    }
    expect(columnKindOf(oid.INTERVAL)).toBeUndefined();
  });

  it('reports each column with its type, or the one the spec gives', () => {
    const [batch] = decodeDataRows([[beInt(1, 8), '2']], [{ kind: ColumnKind.TIMESTAMPTZ, format: BINARY }, { kind: ColumnKind.TEXT, format: TEXT, type: { typeId: 'Utf8' } }]);
    expect(batch!.map((c) => c.type)).toEqual([{ typeId: 'Timestamp', unit: 'MICROSECOND', timezone: 'UTC' }, { typeId: 'Utf8' }]);
    expect(batch![0]!.values).toBeInstanceOf(BigInt64Array);
  });
});
