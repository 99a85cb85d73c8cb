/**
 * Fixed-width columns (int2/4/8, float4/8 in binary, bool, uuid) decoded in WASM into Arrow
 * buffers, in text and binary format, against values encoded here from the PostgreSQL formats
 * (int2send… are big-endian two's complement, float8send the IEEE bits, boolsend one byte, uuid_send
 * the 16 bytes; the text forms are int4out's digits, boolout's t/f, uuid_out's 8-4-4-4-12 hex).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, PgStreamError } from '../../src/errors.js';
import { ColumnKind } from '../../src/wasm/layout.js';
import { BINARY, TEXT, beInt, decodeColumn, roundTrip, type Field } from '../support/columns-helpers.js';

/** The code of the error `fn` throws. */
function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PgStreamError);
    return (err as PgStreamError).code;
  }
  throw new Error('expected an error');
}

const INT_CASES = [
  { kind: ColumnKind.INT16, width: 2 as const, min: -(2n ** 15n), max: 2n ** 15n - 1n },
  { kind: ColumnKind.INT32, width: 4 as const, min: -(2n ** 31n), max: 2n ** 31n - 1n },
  { kind: ColumnKind.INT64, width: 8 as const, min: -(2n ** 63n), max: 2n ** 63n - 1n },
];

/** The JS value an Arrow integer column holds for `v`. */
const asStored = (v: bigint, width: number): number | bigint => (width === 8 ? v : Number(v));

describe('integers', () => {
  for (const { kind, width, min, max } of INT_CASES) {
    const edges = [min, min + 1n, -1n, 0n, 1n, max - 1n, max, 10n ** BigInt(Math.min(18, width * 2)) - 1n];
    it(`int${width} edge values in both formats, NULLs kept apart`, () => {
      const values = [...edges, null];
      const expected = values.map((v) => (v === null ? null : asStored(v, width)));
      expect(roundTrip(values.map((v) => (v === null ? null : beInt(v, width))), kind, BINARY)).toEqual(expected);
      expect(roundTrip(values.map((v) => (v === null ? null : String(v))), kind, TEXT)).toEqual(expected);
    });

    it(`int${width} random values in both formats`, () => {
      fc.assert(fc.property(fc.array(fc.option(fc.bigInt({ min, max }), { freq: 5 }), { maxLength: 40 }), (values) => {
        const expected = values.map((v) => (v === null ? null : asStored(v, width)));
        expect(roundTrip(values.map((v) => (v === null ? null : beInt(v, width))), kind, BINARY)).toEqual(expected);
        expect(roundTrip(values.map((v) => (v === null ? null : String(v))), kind, TEXT)).toEqual(expected);
      }), { numRuns: 60 });
    });

    it(`int${width} refuses out-of-range text, bad text and other binary widths`, () => {
      for (const bad of [String(max + 1n), String(min - 1n), '99999999999999999999', '', '-', '1a', ' 1', '+1', '1.0']) {
        expect([bad, errorCode(() => decodeColumn([bad], kind, TEXT))]).toEqual([bad, ErrorCode.MALFORMED_VALUE]);
      }
      for (const n of [0, 1, 3, 5, 16]) {
        if (n === width) continue;
        expect(errorCode(() => decodeColumn([new Uint8Array(n)], kind, BINARY))).toBe(ErrorCode.MALFORMED_VALUE);
      }
    });
  }

  it('names the row and column of a bad value', () => {
    const rows: Field[] = ['1', '2', 'x', '4'];
    expect(() => decodeColumn(rows, ColumnKind.INT32, TEXT)).toThrow(/column 0 of row 2 \(int4, text format\)/);
  });
});

describe('floats (binary)', () => {
  const f64 = (v: number): Uint8Array => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v);
    return b;
  };
  const f32 = (v: number): Uint8Array => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v);
    return b;
  };

  it('float8 keeps every bit pattern, NaN payloads and -0 included', () => {
    fc.assert(fc.property(fc.array(fc.option(fc.double(), { freq: 6 }), { maxLength: 30 }), (values) => {
      const column = decodeColumn(values.map((v) => (v === null ? null : f64(v))), ColumnKind.FLOAT64, BINARY);
      const stored = column.values as Float64Array;
      values.forEach((v, i) => {
        if (v === null) expect(stored[i]).toBe(0);
        else expect(Object.is(stored[i], v)).toBe(true);
      });
    }), { numRuns: 60 });
    const nan = Uint8Array.of(0x7f, 0xf0, 0, 0, 0, 0, 0, 0x2a);
    const column = decodeColumn([nan], ColumnKind.FLOAT64, BINARY);
    expect(new Uint8Array((column.values as Float64Array).buffer, 0, 8).reverse()).toEqual(nan);
  });

  it('float4 keeps every value', () => {
    fc.assert(fc.property(fc.array(fc.option(fc.float(), { freq: 6 }), { maxLength: 30 }), (values) => {
      const column = decodeColumn(values.map((v) => (v === null ? null : f32(v))), ColumnKind.FLOAT32, BINARY);
      const stored = column.values as Float32Array;
      values.forEach((v, i) => expect(Object.is(stored[i], v === null ? 0 : Math.fround(v))).toBe(true));
    }), { numRuns: 60 });
  });

  it('refuses other widths', () => {
    expect(errorCode(() => decodeColumn([new Uint8Array(4)], ColumnKind.FLOAT64, BINARY))).toBe(ErrorCode.MALFORMED_VALUE);
    expect(errorCode(() => decodeColumn([new Uint8Array(8)], ColumnKind.FLOAT32, BINARY))).toBe(ErrorCode.MALFORMED_VALUE);
  });
});

describe('bool', () => {
  it('reads t/f and binary bytes (any non-zero byte is true, as boolrecv)', () => {
    expect(roundTrip(['t', 'f', null, 't'], ColumnKind.BOOL, TEXT)).toEqual([true, false, null, true]);
    expect(roundTrip([Uint8Array.of(1), Uint8Array.of(0), null, Uint8Array.of(7)], ColumnKind.BOOL, BINARY)).toEqual([true, false, null, true]);
  });

  it('packs any number of values at any position', () => {
    fc.assert(fc.property(fc.array(fc.option(fc.boolean(), { freq: 4 }), { maxLength: 100 }), (values) => {
      expect(roundTrip(values.map((v) => (v === null ? null : v ? 't' : 'f')), ColumnKind.BOOL, TEXT)).toEqual(values);
      expect(roundTrip(values.map((v) => (v === null ? null : Uint8Array.of(v ? 1 : 0))), ColumnKind.BOOL, BINARY)).toEqual(values);
    }), { numRuns: 60 });
  });

  it('refuses anything boolout cannot print', () => {
    for (const bad of ['true', 'T', '1', '', 'tf']) expect(errorCode(() => decodeColumn([bad], ColumnKind.BOOL, TEXT))).toBe(ErrorCode.MALFORMED_VALUE);
    for (const n of [0, 2]) expect(errorCode(() => decodeColumn([new Uint8Array(n)], ColumnKind.BOOL, BINARY))).toBe(ErrorCode.MALFORMED_VALUE);
  });
});

describe('uuid', () => {
  const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  const text = (b: Uint8Array): string => {
    const h = hex(b);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  };

  it('reads uuid_out text (either case) and the 16 binary bytes', () => {
    fc.assert(fc.property(fc.array(fc.option(fc.uint8Array({ minLength: 16, maxLength: 16 }), { freq: 5 }), { maxLength: 30 }), (values) => {
      expect(roundTrip(values.map((v) => (v === null ? null : text(v))), ColumnKind.UUID, TEXT)).toEqual(values);
      expect(roundTrip(values.map((v) => (v === null ? null : text(v).toUpperCase())), ColumnKind.UUID, TEXT)).toEqual(values);
      expect(roundTrip(values, ColumnKind.UUID, BINARY)).toEqual(values);
    }), { numRuns: 60 });
  });

  it('refuses malformed text and other lengths', () => {
    const good = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
    for (const bad of [good.slice(1), `${good}0`, good.replace('-', 'x'), good.replace('a', 'g'), good.replaceAll('-', ''), `{${good.slice(2)}}`]) {
      expect([bad, errorCode(() => decodeColumn([bad], ColumnKind.UUID, TEXT))]).toEqual([bad, ErrorCode.MALFORMED_VALUE]);
    }
    expect(errorCode(() => decodeColumn([new Uint8Array(15)], ColumnKind.UUID, BINARY))).toBe(ErrorCode.MALFORMED_VALUE);
  });
});
