/**
 * Arrays: golden vectors of array_send's header (ndim, flags, element OID, dims and lower bounds)
 * and elements; array_out's text (quoting, NULL, empty, `[lb:ub]=` decoration); multi-dimensional
 * arrays with NULL elements and lower bounds round-tripping in both formats; malformed input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { ArrayCodec } from '../../src/types/codecs/array/array.js';
import type { PgArray } from '../../src/types/codecs/array/array-shape.js';
import { byteaCodec } from '../../src/types/codecs/bytea.js';
import { int4Codec, int8Codec } from '../../src/types/codecs/integers.js';
import { jsonbCodec } from '../../src/types/codecs/json.js';
import { numericCodec } from '../../src/types/codecs/numeric.js';
import { textCodec } from '../../src/types/codecs/text.js';
import { timestamptzCodec } from '../../src/types/codecs/temporal/timestamp.js';
import { Bytes, hex } from '../fixtures/bytes.js';
import { decodeBin, encodeBin, expectCode, onlyTyped } from '../support/types-helpers.js';

const INVALID = ErrorCode.INVALID_VALUE;
const ARG = ErrorCode.INVALID_ARGUMENT;
const int4s = new ArrayCodec(1007, int4Codec);
const texts = new ArrayCodec(1009, textCodec);
const int8s = new ArrayCodec(1016, int8Codec());
const INT4 = 23;

/** array_send bytes of int4 elements (null for NULL), written here apart from src/. */
function int4Array(dims: [number, number][], elements: (number | null)[]): Uint8Array {
  const b = new Bytes().i32(dims.length).i32(elements.includes(null) ? 1 : 0).i32(INT4);
  for (const [d, lb] of dims) b.i32(d).i32(lb);
  for (const e of elements) {
    if (e === null) b.i32(-1);
    else b.i32(4).i32(e);
  }
  return b.body();
}

function withBounds(value: unknown[], lowerBounds: number[]): unknown[] {
  Object.defineProperty(value, 'lowerBounds', { value: lowerBounds, enumerable: false });
  return value;
}

describe('array golden vectors', () => {
  it.each([
    ['{1,2}', [1, 2], int4Array([[2, 1]], [1, 2])],
    ['{}', [], hex('00 00 00 00 00 00 00 00 00 00 00 17')],
    ['{1,NULL}', [1, null], int4Array([[2, 1]], [1, null])],
    ['{{1,2},{3,4}}', [[1, 2], [3, 4]], int4Array([[2, 1], [2, 1]], [1, 2, 3, 4])],
    ['{{{1},{NULL}}}', [[[1], [null]]], int4Array([[1, 1], [2, 1], [1, 1]], [1, null])],
    ['{-2147483648,2147483647}', [-2147483648, 2147483647], int4Array([[2, 1]], [-2147483648, 2147483647])],
  ])('int4[] %s', (text, value, bytes) => {
    expect(int4s.decodeText(text)).toEqual(value);
    expect(decodeBin(int4s, bytes)).toEqual(value);
    expect(int4s.encodeText(value as PgArray)).toBe(text);
    expect(encodeBin(int4s, value as PgArray)).toEqual(bytes);
  });

  it('lower bounds: `[0:1]={…}` text, lbound in binary, kept on the decoded array', () => {
    const bytes = int4Array([[2, 0]], [7, 8]);
    for (const v of [int4s.decodeText('[0:1]={7,8}'), decodeBin(int4s, bytes)]) {
      expect(v).toEqual([7, 8]);
      expect(v.lowerBounds).toEqual([0]);
      expect(Object.keys(v)).toEqual(['0', '1']);
      expect(int4s.encodeText(v)).toBe('[0:1]={7,8}');
      expect(encodeBin(int4s, v)).toEqual(bytes);
    }
    const two = int4s.decodeText('[-3:-2][5:7]={{1,2,3},{4,5,NULL}}');
    expect(two).toEqual([[1, 2, 3], [4, 5, null]]);
    expect(two.lowerBounds).toEqual([-3, 5]);
    expect(decodeBin(int4s, int4Array([[2, -3], [3, 5]], [1, 2, 3, 4, 5, null]))).toEqual(two);
    expect(int4s.encodeText(two)).toBe('[-3:-2][5:7]={{1,2,3},{4,5,NULL}}');
    expect(int4s.decodeText('{1,2}').lowerBounds).toBeUndefined();
    expect(int4s.decodeText('[1:2]={1,2}').lowerBounds).toBeUndefined();
    expect(int4s.decodeText('[2]={1,2}')).toEqual([1, 2]);
  });

  it('text elements: quoting of empty, NULL-looking, special and white-space values', () => {
    const value = ['a b', null, '', 'NULL', 'null', 'x"y', 'back\\slash', '{}', 'a,b', 'plain', 'tab\there', 'é'];
    const text = '{"a b",NULL,"","NULL","null","x\\"y","back\\\\slash","{}","a,b",plain,"tab\there",é}';
    expect(texts.encodeText(value)).toBe(text);
    expect(texts.decodeText(text)).toEqual(value);
    const b = new Bytes().i32(1).i32(1).i32(25).i32(value.length).i32(1);
    for (const e of value) {
      if (e === null) b.i32(-1);
      else b.i32(new TextEncoder().encode(e).length).str(e);
    }
    expect(encodeBin(texts, value)).toEqual(b.body());
    expect(decodeBin(texts, b.body())).toEqual(value);
  });

  it('array_in forms the server does not write are read too: spaces, unquoted escapes, NULL case', () => {
    expect(texts.decodeText(' { a , "b" ,\tnull } ')).toEqual(['a', 'b', null]);
    expect(texts.decodeText('{a\\,b,\\NULL,"\\q"}')).toEqual(['a,b', 'NULL', 'q']);
    expect(texts.decodeText('{a\\ }')).toEqual(['a ']);
  });

  it('elements of other types: bytea, numeric, int8, timestamptz, jsonb', () => {
    expect(new ArrayCodec(1001, byteaCodec).decodeText('{"\\\\x0102",NULL}')).toEqual([Uint8Array.of(1, 2), null]);
    expect(new ArrayCodec(1001, byteaCodec).encodeText([Uint8Array.of(1, 2)])).toBe('{"\\\\x0102"}');
    expect(new ArrayCodec(1231, numericCodec).decodeText('{1.50,NaN,-Infinity}')).toEqual(['1.50', 'NaN', '-Infinity']);
    expect(int8s.decodeText('{9223372036854775807}')).toEqual([9223372036854775807n]);
    const tstz = new ArrayCodec(1185, timestamptzCodec('micros'));
    expect(tstz.decodeText('{"2000-01-01 00:00:00+00",infinity}')).toEqual([946_684_800_000_000n, Infinity]);
    const jsonbs = new ArrayCodec(3807, jsonbCodec);
    expect(jsonbs.decodeText('{"{\\"a\\": [1, 2]}",null}')).toEqual([{ a: [1, 2] }, null]);
  });
});

const elementArb = fc.option(fc.integer({ min: -2147483648, max: 2147483647 }), { nil: null });
/** A rectangular array of 1..4 dimensions (each 1..4 long) with optional lower bounds. */
const arrayArb = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 })
  .chain((dims) =>
    fc.tuple(
      fc.constant(dims),
      fc.array(elementArb, { minLength: dims.reduce((a, b) => a * b, 1), maxLength: dims.reduce((a, b) => a * b, 1) }),
      fc.option(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: dims.length, maxLength: dims.length }), { nil: undefined }),
    ),
  )
  .map(([dims, flat, lbs]) => {
    let level: unknown[] = flat;
    for (let d = dims.length - 1; d > 0; d--) {
      const size = dims[d]!;
      level = Array.from({ length: level.length / size }, (_, i) => level.slice(i * size, (i + 1) * size));
    }
    const bytes = int4Array(dims.map((d, i) => [d, lbs?.[i] ?? 1]), flat);
    return { value: lbs === undefined ? level : withBounds(level, lbs), bytes, lbs };
  });

describe('array round trips', () => {
  it('multi-dimensional arrays with NULLs and lower bounds, both formats, against independently built bytes', () => {
    fc.assert(
      fc.property(arrayArb, ({ value, bytes, lbs }) => {
        const lowerBounds = lbs !== undefined && lbs.some((lb) => lb !== 1) ? lbs : undefined;
        const fromBin = decodeBin(int4s, bytes);
        expect(fromBin).toEqual(value);
        expect(fromBin.lowerBounds).toEqual(lowerBounds);
        expect(encodeBin(int4s, value as PgArray)).toEqual(bytes);
        const fromText = int4s.decodeText(int4s.encodeText(value as PgArray));
        expect(fromText).toEqual(value);
        expect(fromText.lowerBounds).toEqual(lowerBounds);
      }),
    );
  });

  it('text arrays of arbitrary strings round-trip through the text form', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ unit: 'grapheme', maxLength: 12 }), { nil: null }), { maxLength: 8 }), (value) => {
        expect(texts.decodeText(texts.encodeText(value))).toEqual(value);
        expect(decodeBin(texts, encodeBin(texts, value))).toEqual(value);
      }),
    );
  });
});

describe('array malformed input', () => {
  it('refuses malformed literals', () => {
    for (const t of ['', '{', '}', '{1,2', '{1,,2}', '{1 2}', '{{1,2},{3}}', '{{1,2},3}', '{1,{2}}', '{{}}', '{{1},{}}', '{"a}', '{"a"b}', '{a"b}',
      '[0:1]{1,2}', '[0:2]={1,2}', '[1:2]={{1,2},{3,4}}', '[x]={1}', '{1}x', '{1,2}}', '{{{{{{{1}}}}}}}', '[2147483647:2147483648]={1,2}', '{abc}']) {
      expectCode(() => int4s.decodeText(t), INVALID);
    }
  });

  it('refuses bad headers, element types, counts and lengths (mutations of valid values)', () => {
    const valid = int4Array([[2, 1], [2, 1]], [1, 2, 3, null]);
    const set = (at: number, v: number): Uint8Array => {
      const b = valid.slice();
      new DataView(b.buffer).setInt32(at, v);
      return b;
    };
    expect(decodeBin(int4s, valid)).toEqual([[1, 2], [3, null]]);
    for (const bad of [set(0, -1), set(0, 7), set(4, 2), set(8, 20), set(12, -1), set(12, 3), set(16, 0x7fffffff), set(28, 5), set(28, -2), set(28, 3),
      valid.subarray(0, 11), valid.subarray(0, valid.length - 1), Uint8Array.of(...valid, 0), set(0, 1)]) {
      expectCode(() => decodeBin(int4s, bad), INVALID);
    }
    expectCode(() => decodeBin(int4s, int4Array([[1 << 30, 1], [1 << 30, 1]], [])), INVALID);
    expectCode(() => decodeBin(int4s, hex('00 00 00 00 00 00 00 00 00 00 00 17 00')), INVALID);
  });

  it('random bytes after a valid header decode or fail with a typed error', () => {
    const seen = { ok: 0, error: 0 };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 }), fc.uint8Array({ maxLength: 40 }), (ndim, tail) => {
        const b = Uint8Array.of(...new Bytes().i32(ndim).i32(0).i32(INT4).body(), ...tail);
        seen[onlyTyped(() => decodeBin(int4s, b), [INVALID])]++;
      }),
    );
    fc.assert(
      fc.property(fc.array(elementArb, { minLength: 1, maxLength: 5 }), (flat) => {
        seen[onlyTyped(() => decodeBin(int4s, int4Array([[flat.length, 1]], flat)), [INVALID])]++;
      }),
    );
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.error).toBeGreaterThan(0);
  });

  it('refuses values it cannot encode: ragged, mixed, too deep, bad bounds, bad elements', () => {
    for (const v of [[[1, 2], [3]], [[1], 2], [1, [2]], [[[[[[[1]]]]]]], 'abc', [1.5], ['1']]) {
      expectCode(() => encodeBin(int4s, v as PgArray), ARG);
      expectCode(() => int4s.encodeText(v as PgArray), ARG);
    }
    expectCode(() => encodeBin(int4s, withBounds([1, 2], [2147483647]) as PgArray), ARG);
    expectCode(() => encodeBin(int4s, withBounds([1, 2], [1, 1]) as PgArray), ARG);
    expect(encodeBin(int4s, [[], []])).toEqual(hex('00 00 00 00 00 00 00 00 00 00 00 17'));
  });
});
