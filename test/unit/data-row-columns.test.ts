import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientError, ErrorCode } from '../../src/errors.js';
import { FormatCode } from '../../src/protocol/codes.js';
import { BackendReader } from '../../src/protocol/backend-reader.js';
import type { RowBlock } from '../../src/protocol/row-block.js';
import { Bytes, concat } from '../fixtures/bytes.js';
import { dataRow } from '../fixtures/backend-bytes.js';

const rfq = new Bytes().u8('I'.charCodeAt(0)).frame('Z');

/** Runs `use` on every block of `stream` (chunked), returning what `use` returned per block. */
function blocks<T>(stream: Uint8Array, use: (b: RowBlock) => T, chunk = stream.length): { results: T[]; others: string[] } {
  const reader = new BackendReader();
  const results: T[] = [];
  const others: string[] = [];
  for (let off = 0; off < stream.length; ) {
    off += reader.push(stream.subarray(off, off + chunk));
    for (;;) {
      const b = reader.nextRows();
      if (b !== null) {
        results.push(use(b));
        continue;
      }
      const m = reader.next();
      if (m === null) break;
      others.push(m.type);
    }
  }
  return { results, others };
}

/** The one block of a stream of rows, decoded by `use`. */
function one<T>(rows: (string | Uint8Array | null)[][], use: (b: RowBlock) => T): T {
  const { results } = blocks(concat(...rows.map(dataRow)), use);
  expect(results).toHaveLength(1);
  return results[0]!;
}

describe('nextRows()', () => {
  it('takes runs of DataRows and leaves other messages to next(), in any chunking', () => {
    const stream = concat(rfq, dataRow(['1']), dataRow(['2']), rfq, dataRow(['3']), rfq);
    for (const chunk of [1, 3, 8, stream.length]) {
      const { results, others } = blocks(stream, (b) => {
        const out: (string | null)[] = [];
        b.text(0, out);
        return out;
      }, chunk);
      expect(results.flat()).toEqual(['1', '2', '3']);
      expect(others).toEqual(['ReadyForQuery', 'ReadyForQuery', 'ReadyForQuery']);
    }
  });

  it('covers every row of a long result exactly once, across batches', () => {
    const n = 50_000;
    const stream = concat(...Array.from({ length: n }, (_, i) => dataRow([String(i), i % 3 === 0 ? null : `v${i}`])), rfq);
    const ids = new Int32Array(n);
    const texts: (string | null)[] = [];
    let at = 0;
    const { results } = blocks(stream, (b) => {
      b.int32(0, ids, at);
      b.text(1, texts, at);
      at += b.rowCount;
      return b.rowCount;
    }, 65536);
    expect(results.length).toBeGreaterThan(1);
    expect(at).toBe(n);
    expect(ids.every((v, i) => v === i)).toBe(true);
    expect(texts.every((t, i) => t === (i % 3 === 0 ? null : `v${i}`))).toBe(true);
  });

  it('gives each row through the DataRow view', () => {
    one([['a', null], ['b', 'c']], (b) => {
      expect(b.rowCount).toBe(2);
      expect(b.row(1).text(1)).toBe('c');
      expect(b.row(0).isNull(1)).toBe(true);
      expect(() => b.row(2)).toThrow(ClientError);
    });
  });
});

describe('RowBlock.int32 / int64', () => {
  it('parses every int4 in text format', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -0x8000_0000, max: 0x7fff_ffff }), { minLength: 1, maxLength: 50 }), (values) => {
        const got = one(values.map((v) => [String(v)]), (b) => {
          const out = new Int32Array(values.length);
          b.int32(0, out);
          return Array.from(out);
        });
        expect(got).toEqual(values);
      }),
      { numRuns: 300 },
    );
  });

  it('parses every int8 in text format into a BigInt64Array, and exact ones into a Float64Array', () => {
    const edges = [0n, 1n, -1n, 9n, 10n, 99999999n, 100000000n, 9999999999999999n, 10000000000000000n, 2n ** 53n - 1n, -(2n ** 53n - 1n), 2n ** 63n - 1n, -(2n ** 63n)];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.constantFrom(...edges)), { minLength: 1, maxLength: 40 }), (values) => {
        const rows = values.map((v) => [String(v)]);
        expect(one(rows, (b) => {
          const out = new BigInt64Array(values.length);
          b.int64(0, out);
          return Array.from(out);
        })).toEqual(values);
        const exact = values.every((v) => v <= 2n ** 53n - 1n && v >= -(2n ** 53n - 1n));
        const toDouble = (): number[] => one(rows, (b) => {
          const out = new Float64Array(values.length);
          b.int64(0, out);
          return Array.from(out);
        });
        if (exact) expect(toDouble()).toEqual(values.map(Number));
        else expect(toDouble).toThrow(ClientError);
      }),
      { numRuns: 300 },
    );
  });

  it('accepts every digit count up to 19, with and without sign and leading zeros', () => {
    for (let d = 1; d <= 19; d++) {
      const digits = '1234567890123456789'.slice(0, d);
      for (const s of [digits, `-${digits}`, `0${digits}`.slice(0, Math.max(d, 1))]) {
        expect(one([[s]], (b) => {
          const out = new BigInt64Array(1);
          b.int64(0, out);
          return out[0];
        })).toBe(BigInt(s));
      }
    }
  });

  it('refuses what is not an integer or does not fit', () => {
    const notInts = ['', '-', '+1', ' 1', '1 ', '1a', 'a1', '1.0', '1e3', '١', '0x10', '--1', '12345678901234567a', `${'9'.repeat(15)}:`];
    for (const s of notInts) {
      expect(() => one([['7'], [s]], (b) => b.int64(0, new BigInt64Array(2)))).toThrow(/row 1 is not an integer/);
    }
    for (const s of ['9223372036854775808', '-9223372036854775809', '99999999999999999999', '100000000000000000000000']) {
      expect(() => one([[s]], (b) => b.int64(0, new BigInt64Array(1)))).toThrow(/does not fit/);
    }
    for (const s of ['2147483648', '-2147483649', '9007199254740993']) {
      expect(() => one([[s]], (b) => b.int32(0, new Int32Array(1)))).toThrow(/does not fit/);
    }
    expect(one([['2147483647'], ['-2147483648']], (b) => {
      const out = new Int32Array(2);
      b.int32(0, out);
      return Array.from(out);
    })).toEqual([2147483647, -2147483648]);
  });

  it('reads binary integers of 2, 4 and 8 bytes', () => {
    const rows = [[new Bytes().i16(-2).body()], [new Bytes().i32(-70000).body()], [new Bytes().i64(-(2n ** 40n)).body()]];
    expect(one(rows, (b) => {
      const out = new BigInt64Array(3);
      b.int64(0, out, 0, FormatCode.Binary);
      return Array.from(out);
    })).toEqual([-2n, -70000n, -(2n ** 40n)]);
    expect(() => one([[new Uint8Array(3)]], (b) => b.int64(0, new BigInt64Array(1), 0, FormatCode.Binary))).toThrow(/not an integer in binary/);
    expect(() => one(rows, (b) => b.int32(0, new Int32Array(3), 0, FormatCode.Binary))).toThrow(/row 2 does not fit/);
  });

  it('flags NULLs, or refuses them when no nulls array is given', () => {
    const rows = [['1'], [null], ['3']];
    expect(one(rows, (b) => {
      const out = new Int32Array(3);
      const nulls = new Uint8Array(3);
      b.int32(0, out, 0, FormatCode.Text, nulls);
      return [Array.from(out), Array.from(nulls)];
    })).toEqual([[1, 0, 3], [0, 1, 0]]);
    expect(() => one(rows, (b) => b.int32(0, new Int32Array(3)))).toThrow(/has NULLs/);
  });

  it('checks columns, output sizes and offsets', () => {
    one([['1', '2'], ['3']], (b) => {
      expect(() => b.int32(1, new Int32Array(2))).toThrow(/row 1 of the block has no column 1/);
      expect(() => b.text(1, [])).toThrow(/row 1 of the block has no column 1/);
      for (const call of [
        () => b.int32(0, new Int32Array(1)),
        () => b.int32(0, new Int32Array(2), 1),
        () => b.int32(-1, new Int32Array(2)),
        () => b.int32(0.5, new Int32Array(2)),
        () => b.int32(0, new Int32Array(2), -1),
        () => b.int32(0, new Int32Array(2), 0, 2 as FormatCode),
        () => b.int32(0, new Int32Array(2), 0, FormatCode.Text, new Uint8Array(1)),
      ]) {
        expect(call).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
      }
      const out = new Int32Array(4);
      b.int32(0, out, 2);
      expect(Array.from(out)).toEqual([0, 0, 1, 3]);
    });
  });
});
