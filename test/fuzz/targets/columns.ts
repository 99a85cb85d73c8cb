/**
 * The columnar decoders in WASM (ColumnBatchBuilder over BackendReader row blocks, text and binary
 * DataRows, every column kind) and the COPY BINARY scanner (appendCopyData in random pieces):
 * mutated streams give batches whose buffers keep Arrow's layout rules, or a typed error; never a
 * trap, never a batch with a broken offset table.
 */
import fc from 'fast-check';
import { FormatCode } from '../../../src/protocol/codes.js';
import { BackendReader } from '../../../src/protocol/backend-reader.js';
import { ColumnBatchBuilder, type ColumnSpec } from '../../../src/types/arrow/column-builder.js';
import type { ColumnBuffers } from '../../../src/types/arrow/column-buffers.js';
import { ColumnKind } from '../../../src/wasm/layout.js';
import { Bytes, concat } from '../../fixtures/bytes.js';
import { dataRow, readyForQuery } from '../../fixtures/backend-bytes.js';
import { chunking, mutatedBytes, pieces, type Sample } from '../mutate.js';
import { check, target, typedCode } from '../target.js';
import { frameFields } from '../wire.js';

type Field = Uint8Array | string | null;

const be = (width: 2 | 4 | 8, v: number | bigint): Uint8Array => {
  const b = new Uint8Array(width);
  const d = new DataView(b.buffer);
  if (width === 2) d.setInt16(0, Number(v));
  else if (width === 4) d.setInt32(0, Number(v));
  else d.setBigInt64(0, BigInt(v));
  return b;
};
const f32 = (v: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, v);
  return b;
};
const f64 = (v: number): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v);
  return b;
};
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const UUID = Uint8Array.from({ length: 16 }, (_, i) => i * 17);

/** Every column kind with two valid values in text and in binary. */
const KINDS: [ColumnKind, [string, string], [Uint8Array, Uint8Array]][] = [
  [ColumnKind.BOOL, ['t', 'f'], [Uint8Array.of(1), Uint8Array.of(0)]],
  [ColumnKind.INT16, ['-32768', '7'], [be(2, -32768), be(2, 7)]],
  [ColumnKind.INT32, ['2147483647', '-5'], [be(4, 2147483647), be(4, -5)]],
  [ColumnKind.INT64, ['-9223372036854775808', '12345678901'], [be(8, -(1n << 63n)), be(8, 12345678901n)]],
  [ColumnKind.FLOAT32, ['1.5', '-Infinity'], [f32(1.5), f32(-Infinity)]],
  [ColumnKind.FLOAT64, ['-2.5e-300', 'NaN'], [f64(-2.5e-300), f64(NaN)]],
  [ColumnKind.DATE, ['2024-01-02', '0044-03-15 BC'], [be(4, 8767), be(4, -740_000)]],
  [ColumnKind.TIMESTAMP, ['2024-01-02 03:04:05.678901', 'infinity'], [be(8, 757_480_000_000_000n), be(8, (1n << 63n) - 1n)]],
  [ColumnKind.TIMESTAMPTZ, ['2024-01-02 03:04:05.678+02', '1999-12-31 23:59:59+05:30'], [be(8, 1n), be(8, -1n)]],
  [ColumnKind.TIME, ['12:34:56.789', '24:00:00'], [be(8, 45_296_789_000n), be(8, 0n)]],
  [ColumnKind.UUID, ['000102030405060708090a0b0c0d0e0f'.replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'), 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'], [UUID, UUID.slice().reverse()]],
  [ColumnKind.TEXT, ['héllo', ''], [utf8('héllo'), utf8('🐘')]],
  [ColumnKind.BYTEA, ['\\x00ff', '\\001abc'], [Uint8Array.of(0, 255), new Uint8Array(0)]],
  [ColumnKind.JSONB, ['{"a": 1}', '[]'], [concat(Uint8Array.of(1), utf8('{"a": 1}')), concat(Uint8Array.of(1), utf8('null'))]],
  // -12345.678 and 0: ndigits, weight, sign, dscale, base-10000 digits.
  [ColumnKind.NUMERIC, ['-12345.678', 'NaN'], [new Bytes().i16(3).i16(1).i16(0x4000).i16(3).i16(1).i16(2345).i16(6780).body(), new Bytes().i16(0).i16(0).i16(0).i16(0).body()]],
];

/** Rows over every kind: first values, second values, all NULL, mixed. */
function rows(binary: boolean): Field[][] {
  const v = (k: number, which: 0 | 1): Field => (binary ? KINDS[k]![2][which] : KINDS[k]![1][which]);
  return [
    KINDS.map((_, k) => v(k, 0)),
    KINDS.map((_, k) => v(k, 1)),
    KINDS.map(() => null),
    KINDS.map((_, k) => (k % 2 === 0 ? v(k, 1) : null)),
  ];
}

/** One row of values every column kind must refuse (wrong width, bad text, bad version or sign). */
function badRow(binary: boolean): Field[] {
  if (!binary) return ['x', '99999', '9999999999', '99999999999999999999', '1.5.5', '--', '2024-13-45', 'nope', '2024-01-01 00:00:00+99', '25:00:61', 'not-a-uuid', Uint8Array.of(0xc3), '\\xZZ', Uint8Array.of(0xff), '1e'];
  return [Uint8Array.of(1, 0), be(4, 1), be(2, 1), be(4, 1), f64(1), f32(1), be(8, 1n), be(4, 1), be(4, 1), be(4, 1), UUID.subarray(0, 15), Uint8Array.of(0xc3, 0x28), be(2, 1), concat(Uint8Array.of(2), utf8('{}')), new Bytes().i16(1).i16(0).i16(0x1234).i16(0).i16(10000).body()];
}

const specsOf = (format: FormatCode): ColumnSpec[] => KINDS.map(([kind]) => ({ kind, format }));
const SPECS = [specsOf(FormatCode.Text), specsOf(FormatCode.Binary)];

/** Checks the Arrow layout of one column: sizes, offsets monotonic and within the data, null count. */
function checkColumn(c: ColumnBuffers, rowCount: number): void {
  check(c.length === rowCount, `a column of ${c.length} rows in a batch of ${rowCount}`);
  if (c.validity !== null) check(c.validity.length >= Math.ceil(c.length / 8), 'validity bitmap too short');
  let nulls = 0;
  for (let i = 0; i < c.length; i++) if (c.validity !== null && ((c.validity[i >> 3]! >> (i & 7)) & 1) === 0) nulls++;
  check(nulls === c.nullCount, `nullCount ${c.nullCount} but ${nulls} NULLs`);
  if (c.offsets !== undefined) {
    check(c.offsets.length >= c.length + 1, 'offsets too short');
    check(c.offsets[0] === 0, 'offsets do not start at 0');
    for (let i = 0; i < c.length; i++) check(c.offsets[i]! <= c.offsets[i + 1]!, `offsets decrease at ${i}`);
    check(c.offsets[c.length]! <= (c.data?.length ?? 0), 'offsets run past the data');
  }
}

/** Takes every batch, checks it, returns the rows seen. */
function drain(builder: ColumnBatchBuilder, columns: number): number {
  let total = 0;
  for (let b; (b = builder.takeBatch()) !== null;) {
    check(b.length === columns, `a batch of ${b.length} columns for ${columns}`);
    const n = b[0]!.length;
    for (const c of b) checkColumn(c, n);
    total += n;
  }
  return total;
}

// ------------------------------------------------------------------ DataRows

const dataRowSamples = (binary: boolean): Sample[] => {
  const r = rows(binary);
  return [
    frameFields(concat(...r.map((x) => dataRow(x)), readyForQuery('I'))),
    frameFields(concat(...Array.from({ length: 30 }, (_, i) => dataRow(r[i % r.length]!)), readyForQuery('I'))),
    // One column of a row made invalid at a time (the others valid).
    ...KINDS.map((_, k) => ({ ...frameFields(concat(dataRow(r[0]!), dataRow(r[0]!.map((v, i) => (i === k ? badRow(binary)[k]! : v))), readyForQuery('I'))), weight: 1 })),
  ];
};
const DATA_ROW_SAMPLES = [dataRowSamples(false), dataRowSamples(true)];

export const columnsDataRows = target({
  name: 'columns-datarows',
  about: 'ColumnBatchBuilder.appendRows on BackendReader row blocks: mutated DataRows of every column kind, text and binary, random chunkings and batch sizes',
  arbitrary: fc.nat(1).chain((format) => fc.record({
    format: fc.constant(format),
    stream: mutatedBytes(DATA_ROW_SAMPLES[format]!, 120),
    cuts: chunking(),
    batchRows: fc.constantFrom(1, 3, 7, 1000),
  })),
  run: ({ format, stream, cuts, batchRows }) => {
    const specs = SPECS[format]!;
    const reader = new BackendReader();
    const builder = new ColumnBatchBuilder(specs, { batchRows });
    let appended = 0;
    let taken = 0;
    try {
      for (const part of pieces(stream, cuts(stream.length).slice(0, 400))) {
        for (let off = 0; off < part.length;) {
          off += reader.push(part.subarray(off));
          for (;;) {
            const block = reader.nextRows();
            if (block !== null) {
              builder.appendRows(block);
              appended += block.rowCount;
              taken += drain(builder, specs.length);
              continue;
            }
            if (reader.next() === null) break;
          }
        }
      }
      builder.finish();
      taken += drain(builder, specs.length);
      check(taken === appended, `${appended} rows appended but ${taken} in the batches`);
      return `${format === 0 ? 'text' : 'binary'}/ok`;
    } catch (err) {
      return `${format === 0 ? 'text' : 'binary'}/${typedCode(err)}`;
    }
  },
  testRuns: 900,
  reaches: ['text/ok', 'binary/ok', 'text/PGS_MALFORMED_VALUE', 'binary/PGS_MALFORMED_VALUE', /\/PGS_MALFORMED_MESSAGE$/],
  minCodes: 3,
});

// ------------------------------------------------------------------ COPY BINARY

const COPY_SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00];

/** A COPY BINARY stream and the offsets of its header fields, tuple field counts and field lengths. */
function copySample(tuples: readonly Field[][], extension = new Uint8Array(0)): Sample {
  const b = new Bytes().raw(COPY_SIGNATURE).i32(0).i32(extension.length).raw(extension);
  const int32s = [11, 15];
  const int16s: number[] = [];
  let at = 19 + extension.length;
  for (const t of tuples) {
    b.i16(t.length);
    int16s.push(at);
    at += 2;
    for (const f of t) {
      int32s.push(at);
      if (f === null) {
        b.i32(-1);
        at += 4;
      } else {
        const bytes = typeof f === 'string' ? utf8(f) : f;
        b.i32(bytes.length).raw(bytes);
        at += 4 + bytes.length;
      }
    }
  }
  b.i16(-1);
  int16s.push(at);
  return { bytes: b.body(), int32s, int16s };
}

const COPY_SAMPLES: Sample[] = [
  copySample(rows(true)),
  copySample(Array.from({ length: 40 }, (_, i) => rows(true)[i % 4]!), Uint8Array.of(9, 8, 7)),
  copySample([]),
  ...KINDS.map((_, k) => ({ ...copySample([rows(true)[0]!, rows(true)[0]!.map((v, i) => (i === k ? badRow(true)[k]! : v))]), weight: 1 })),
];

export const copyBinary = target({
  name: 'copy-binary',
  about: 'ColumnBatchBuilder.appendCopyData (the WASM COPY BINARY scanner): mutated streams (signature, flags, extension length, tuple field counts, field lengths, trailer) in random pieces',
  arbitrary: fc.record({ stream: mutatedBytes(COPY_SAMPLES, 120), cuts: chunking(), batchRows: fc.constantFrom(1, 5, 1000) }),
  run: ({ stream, cuts, batchRows }) => {
    const specs = SPECS[1]!;
    const builder = new ColumnBatchBuilder(specs, { batchRows });
    try {
      let taken = 0;
      for (const part of pieces(stream, cuts(stream.length).slice(0, 400))) {
        builder.appendCopyData(part);
        taken += drain(builder, specs.length);
      }
      builder.finishCopy();
      builder.finish();
      taken += drain(builder, specs.length);
      return 'ok';
    } catch (err) {
      return typedCode(err);
    }
  },
  testRuns: 1_200,
  reaches: ['ok', 'PGS_MALFORMED_MESSAGE', 'PGS_MALFORMED_VALUE'],
  minCodes: 2,
});
