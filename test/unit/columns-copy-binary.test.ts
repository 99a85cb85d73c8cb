/**
 * COPY BINARY (assembly/copy-binary.ts) written here from the format's documentation (sql-copy.html,
 * "Binary Format"): the same stream decoded whole, split at every byte, in random pieces, and as
 * CopyData messages framed in the core (tuples spanning messages and several per message), including
 * the stops for full tables and a full carry region; every malformed header, count, length and
 * ending is a typed error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientError, ErrorCode, PgStreamError } from '../../src/errors.js';
import { ColumnBatchBuilder, type ColumnSpec } from '../../src/types/arrow/column-builder.js';
import { ColumnDecoder, CopyScanner, CopyStop, RowSource } from '../../src/wasm/columns.js';
import { createCore } from '../../src/wasm/core.js';
import { ColumnKind, Layout } from '../../src/wasm/layout.js';
import { concat } from '../fixtures/bytes.js';
import { copyData } from '../fixtures/backend-bytes.js';
import {
  BINARY, beInt, bit, checkLayout, copyHeader, copyStream, copyTrailer, copyTuple, decodeCopy, readColumn, type Field,
} from '../support/columns-helpers.js';

const specs: ColumnSpec[] = [
  { kind: ColumnKind.INT32, format: BINARY },
  { kind: ColumnKind.TEXT, format: BINARY },
  { kind: ColumnKind.BYTEA, format: BINARY },
];

/** Rows of the three columns above, as fields and as the values expected back. */
const rowArb = fc.tuple(fc.option(fc.integer(), { freq: 4 }), fc.option(fc.string({ maxLength: 20 }), { freq: 4 }), fc.option(fc.uint8Array({ maxLength: 30 }), { freq: 4 }));
type Row = [number | null, string | null, Uint8Array | null];
const fieldsOf = (r: Row): Field[] => [r[0] === null ? null : beInt(r[0], 4), r[1], r[2]];

/** All values of each column over every batch. */
function columns(batches: ReturnType<typeof decodeCopy>): unknown[][] {
  return [0, 1, 2].map((c) => batches.flatMap((b) => {
    checkLayout(b[c]!);
    return readColumn(b[c]!);
  }));
}

/** Feeds `stream` to a builder in the given pieces. */
function decodePieces(stream: Uint8Array, cuts: number[], batchRows?: number): ReturnType<typeof decodeCopy> {
  const builder = new ColumnBatchBuilder(specs, { batchRows });
  let from = 0;
  for (const cut of [...cuts, stream.length]) {
    builder.appendCopyData(stream.subarray(from, cut));
    from = cut;
  }
  builder.finishCopy();
  builder.finish();
  const out: ReturnType<typeof decodeCopy> = [];
  for (let b; (b = builder.takeBatch()) !== null; ) out.push(b);
  return out;
}

function failure(fn: () => unknown): PgStreamError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PgStreamError);
    return err as PgStreamError;
  }
  throw new Error('expected an error');
}

describe('COPY BINARY streams', () => {
  const rows: Row[] = [[1, 'one', Uint8Array.of(1)], [null, null, null], [-7, '', new Uint8Array(0)], [2 ** 31 - 1, 'é🐘', Uint8Array.of(0, 255)]];
  const expected = [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2])];

  it('decode the same split at every byte position, with or without a header extension', () => {
    for (const stream of [copyStream(rows.map(fieldsOf)), copyStream(rows.map(fieldsOf), 0x0000_ffff, Uint8Array.of(9, 8, 7))]) {
      expect(columns(decodeCopy(stream, specs))).toEqual(expected);
      for (let k = 0; k <= stream.length; k++) expect(columns(decodePieces(stream, [k]))).toEqual(expected);
    }
  });

  it('decode the same byte by byte and in random pieces, for random rows', () => {
    fc.assert(fc.property(fc.array(rowArb, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 30 }), (random, cutSeeds, batchRows) => {
      const stream = copyStream(random.map(fieldsOf));
      const cuts = [...new Set(cutSeeds.map((s) => s % (stream.length + 1)))].sort((a, b) => a - b);
      const want = [random.map((r) => r[0]), random.map((r) => r[1]), random.map((r) => r[2])];
      expect(columns(decodePieces(stream, cuts, batchRows))).toEqual(want);
      expect(columns(decodeCopy(stream, specs, { chunk: 1, batchRows }))).toEqual(want);
    }), { numRuns: 60 });
  });

  it('fill the tuple table and the field table, and go on', () => {
    // One 1-MiB piece is staged whole: 170k one-field tuples, then 25k ten-field ones.
    const one = Array.from({ length: 170_000 }, (_, i) => [i % 5 === 0 ? null : beInt(i, 4)]);
    const many = Array.from({ length: 25_000 }, (_, i) => Array.from({ length: 10 }, (_, k) => (k === i % 10 ? beInt(i, 4) : null)));
    for (const [tuples, width] of [[one, 1], [many, 10]] as const) {
      const builder = new ColumnBatchBuilder(Array.from({ length: width }, () => ({ kind: ColumnKind.INT32, format: BINARY })), { batchRows: 1 << 20 });
      const parts = [copyHeader(), ...tuples.map((t) => copyTuple(t)), copyTrailer()];
      const stream = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (stream.set(p, at), at + p.length), 0);
      builder.appendCopyData(stream);
      builder.finishCopy();
      builder.finish();
      const batch = builder.takeBatch()!;
      expect(batch[0]!.length).toBe(tuples.length);
      const first = batch[0]!;
      const ints = first.values as Int32Array;
      if (width === 1) expect(tuples.filter((t, i) => (t[0] === null ? bit(first.validity!, i) : ints[i] !== i)).length).toBe(0);
      if (width === 10) expect(batch.map((c) => c.nullCount)).toEqual(Array.from({ length: 10 }, () => 25_000 - 2_500));
    }
  });

  it('carry a tuple larger than the staging budget, and refuse one larger than the carry region', () => {
    const big = 'x'.repeat(300_000);
    const stream = copyStream([[beInt(1, 4), big, null], [beInt(2, 4), 'small', null]]);
    expect(columns(decodePieces(stream, [100, 70_000, 140_000, 250_000]))).toEqual([[1, 2], [big, 'small'], [null, null]]);
    const huge = copyStream([[beInt(1, 4), 'y'.repeat(Layout.CARRY_SIZE), null]]);
    const err = failure(() => decodePieces(huge, [1000]));
    expect(err.code).toBe(ErrorCode.FRAME_TOO_LARGE);
  });
});

describe('malformed COPY BINARY', () => {
  const good = copyTuple([beInt(1, 4), 'a', null]);
  const cases: [string, Uint8Array, RegExp][] = [
    ['a wrong signature', concat(Uint8Array.of(0x50, 0x47, 0x43, 0x4f, 0x50, 0x58), copyHeader().subarray(6), good, copyTrailer()), /signature/],
    ['the OIDs flag', concat(copyHeader(1 << 16), good, copyTrailer()), /OIDs/],
    ['an unknown critical flag', concat(copyHeader(1 << 31), good, copyTrailer()), /critical/],
    ['a negative extension length', concat(copyHeader().subarray(0, 15), Uint8Array.of(0xff, 0xff, 0xff, 0xfe), good, copyTrailer()), /header/],
    ['a tuple with another field count', concat(copyHeader(), good, copyTuple([beInt(1, 4), 'a']), copyTrailer()), /2 fields/],
    ['a negative field count', concat(copyHeader(), good, Uint8Array.of(0xff, 0xfe), copyTrailer()), /fields/],
    ['a field length of -2', concat(copyHeader(), Uint8Array.of(0, 3, 0xff, 0xff, 0xff, 0xfe), copyTrailer()), /negative length/],
    ['bytes after the trailer', concat(copyHeader(), good, copyTrailer(), Uint8Array.of(0)), /after its trailer/],
    ['no trailer', concat(copyHeader(), good), /before its trailer/],
    ['a stream cut inside a tuple', concat(copyHeader(), good.subarray(0, 9)), /before its trailer/],
    ['a cut header', copyHeader().subarray(0, 12), /before its trailer/],
  ];

  it('is a typed error wherever the stream is cut', () => {
    for (const [what, stream, message] of cases) {
      for (const cuts of [[], [1], [stream.length >> 1], [stream.length - 1], Array.from({ length: stream.length }, (_, i) => i)]) {
        const err = failure(() => decodePieces(stream, cuts));
        expect([what, err.code, err.message]).toEqual([what, ErrorCode.MALFORMED_MESSAGE, expect.stringMatching(message)]);
      }
    }
  });

  it('gives a typed error or the right rows for random corruptions, never a trap', () => {
    const stream = copyStream([[beInt(5, 4), 'five', Uint8Array.of(5)], [null, 'x', null]]);
    fc.assert(fc.property(fc.nat(stream.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(stream.length), (at, value, cut) => {
      const bad = stream.slice();
      bad[at] = value;
      try {
        decodePieces(bad, [cut]);
      } catch (err) {
        expect(err).toBeInstanceOf(PgStreamError);
        expect(err).not.toBeInstanceOf(ClientError);
        expect((err as PgStreamError).code).not.toBe(ErrorCode.WASM_FAULT);
      }
    }), { numRuns: 300 });
  });
});

describe('COPY BINARY in CopyData messages framed by the core', () => {
  const { MESSAGES, MESSAGE_WORDS, MESSAGE_BODY, INPUT } = Layout;

  /** Frames `pieces` as CopyData messages in a core and scans them; returns the tuples' first column. */
  function scanFramed(pieces: Uint8Array[], fieldCount: number): { values: (number | null)[]; stops: number[] } {
    const core = createCore();
    const frames = concat(...pieces.map(copyData));
    core.bytes.set(frames, INPUT);
    expect(core.scan(INPUT, INPUT + frames.length, frames.length)).toBe(1);
    const messages = core.result(Layout.RESULT_MESSAGES);
    expect(messages).toBe(pieces.length);
    const scanner = new CopyScanner(core);
    const decoder = new ColumnDecoder(core);
    scanner.reset(fieldCount);
    const values: (number | null)[] = [];
    const stops: number[] = [];
    let first = 0;
    let offset = 0;
    for (;;) {
      const stop = scanner.scanMessages(first, messages - first, offset);
      stops.push(stop);
      expect(decoder.decode(RowSource.TUPLES, 0, scanner.tuples, 0, ColumnKind.INT32, true, 0, 0)).toBe(true);
      const valid = decoder.validity(Math.ceil(scanner.tuples / 8)).slice();
      const ints = new Int32Array(decoder.values(scanner.tuples * 4).slice().buffer);
      for (let i = 0; i < scanner.tuples; i++) values.push(bit(valid, i) ? ints[i]! : null);
      if (stop !== CopyStop.TABLE_FULL) break;
      first = scanner.message;
      offset = scanner.stop - core.words[(MESSAGES >> 2) + first * MESSAGE_WORDS + MESSAGE_BODY]!;
    }
    return { values, stops };
  }

  it('indexes tuples spanning messages and several tuples per message, in place and carried', () => {
    fc.assert(fc.property(fc.array(fc.option(fc.integer(), { freq: 4 }), { maxLength: 60 }), fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 10 }), (ints, sizes) => {
      const stream = copyStream(ints.map((v) => [v === null ? null : beInt(v, 4), 'pad']));
      const pieces: Uint8Array[] = [];
      for (let off = 0, k = 0; off < stream.length; k++) {
        const n = sizes[k % sizes.length]!;
        pieces.push(stream.subarray(off, off + n));
        off += n;
      }
      const { values, stops } = scanFramed(pieces, 2);
      expect(values).toEqual(ints);
      expect(stops.at(-1)).toBe(CopyStop.END);
    }), { numRuns: 80 });
  });

  it('stops when the carry region fills with completed tuples, and resumes', () => {
    // A 950 KB tuple is carried from the first piece; the second completes it (in the carry region),
    // then holds small tuples and the start of a 300 KB one that no longer fits beside it.
    const big = copyTuple([beInt(1, 4), 'a'.repeat(950_000)]);
    const smalls = Array.from({ length: 100 }, (_, i) => copyTuple([beInt(100 + i, 4), 's']));
    const last = copyTuple([beInt(2, 4), 'b'.repeat(300_000)]);
    const stream = concat(copyHeader(), big, ...smalls, last, copyTrailer());
    const cut1 = 900_000;
    const cut2 = 19 + big.length + smalls.reduce((n, t) => n + t.length, 0) + 200_000;
    const core = createCore();
    const scanner = new CopyScanner(core);
    const decoder = new ColumnDecoder(core);
    scanner.reset(2);
    const seen: number[] = [];
    const scan = (piece: Uint8Array): CopyStop[] => {
      core.bytes.set(piece, INPUT);
      const stops: CopyStop[] = [];
      for (let start: number = INPUT; ;) {
        const stop = scanner.scan(start, INPUT + piece.length);
        stops.push(stop);
        expect(decoder.decode(RowSource.TUPLES, 0, scanner.tuples, 0, ColumnKind.INT32, true, 0, 0)).toBe(true);
        seen.push(...new Int32Array(decoder.values(scanner.tuples * 4).slice().buffer));
        if (stop !== CopyStop.TABLE_FULL) return stops;
        start = scanner.stop;
      }
    };
    expect(scan(stream.subarray(0, cut1))).toEqual([CopyStop.NEED_MORE]);
    expect(scan(stream.subarray(cut1, cut2))).toEqual([CopyStop.TABLE_FULL, CopyStop.NEED_MORE]);
    expect(scan(stream.subarray(cut2))).toEqual([CopyStop.END]);
    expect(seen).toEqual([1, ...smalls.map((_, i) => 100 + i), 2]);
  });

  it('refuses arguments outside the tables', () => {
    const core = createCore();
    const scanner = new CopyScanner(core);
    scanner.reset(-1);
    expect(() => scanner.scanMessages(-1, 1)).toThrow(ClientError);
    expect(() => scanner.scanMessages(0, Layout.MAX_MESSAGES + 1)).toThrow(ClientError);
    expect(() => scanner.scan(0, 10)).toThrow(ClientError);
    expect(() => scanner.reset(-2)).toThrow(ClientError);
    const decoder = new ColumnDecoder(core);
    expect(() => decoder.decode(RowSource.TUPLES, 0, Layout.MAX_ROWS + 1, 0, ColumnKind.INT32, true, 0, 0)).toThrow(ClientError);
    expect(() => decoder.decode(RowSource.MESSAGES, 0, 1, 0, ColumnKind.INT32, true, 8, 0)).toThrow(ClientError);
  });
});
