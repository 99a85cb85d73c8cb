/**
 * Variable-width columns into Arrow Utf8/Binary: text (invalid UTF-8 replaced exactly as
 * TextDecoder does), bytea (binary, and byteaout's hex and escape text), json/jsonb (jsonb_send's
 * version byte), numeric (numeric_send → numeric_out's text, against a BigInt reference written
 * here from the binary format's definition), and the resumption when the data output fills.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, PgStreamError } from '../../src/errors.js';
import { ColumnKind } from '../../src/wasm/layout.js';
import { Bytes } from '../fixtures/bytes.js';
import { BINARY, TEXT, checkLayout, decodeColumn, decodeDataRows, readColumn, roundTrip } from '../support/columns-helpers.js';

function errorText(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect((err as PgStreamError).code).toBe(ErrorCode.MALFORMED_VALUE);
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const replaced = (b: Uint8Array): string => new TextDecoder('utf-8').decode(b);

describe('text', () => {
  it('keeps UTF-8 as sent, in both formats, empty strings apart from NULLs', () => {
    fc.assert(fc.property(fc.array(fc.option(fc.string({ unit: 'binary', maxLength: 40 }), { freq: 5 }), { maxLength: 40 }), (values) => {
      expect(roundTrip(values, ColumnKind.TEXT, TEXT)).toEqual(values);
      expect(roundTrip(values, ColumnKind.TEXT, BINARY)).toEqual(values);
    }), { numRuns: 60 });
    expect(roundTrip(['', null, 'é', '日本語', '🐘', 'a'.repeat(100)], ColumnKind.TEXT, TEXT)).toEqual(['', null, 'é', '日本語', '🐘', 'a'.repeat(100)]);
  });

  it('replaces invalid UTF-8 as TextDecoder does (RELIABILITY case 7)', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 60 }), { maxLength: 30 }), (values) => {
      expect(roundTrip(values, ColumnKind.TEXT, BINARY)).toEqual(values.map(replaced));
    }), { numRuns: 100 });
    // Sequences near every boundary of the decoder: overlongs, surrogates, > U+10FFFF, cut sequences.
    const tricky = [[0xc0, 0x80], [0xe0, 0x80, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xf0, 0x80, 0x80], [0xe2, 0x82], [0xf0, 0x9f, 0x90], [0xff], [0x80, 0x41],
      [0xe2, 0x82, 0xac, 0xe2], [...Array(20).fill(0x41), 0xc3], [...Array(17).fill(0x41), 0xe2, 0x82, 0xac, ...Array(16).fill(0x42)]].map((b) => Uint8Array.from(b));
    expect(roundTrip(tricky, ColumnKind.TEXT, TEXT)).toEqual(tricky.map(replaced));
  });
});

describe('bytea', () => {
  /** byteaout with bytea_output = escape. */
  const escape = (b: Uint8Array): string => Array.from(b, (x) => (x === 0x5c ? '\\\\' : x >= 0x20 && x <= 0x7e ? String.fromCharCode(x) : `\\${x.toString(8).padStart(3, '0')}`)).join('');
  const hex = (b: Uint8Array): string => `\\x${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')}`;

  it('reads binary bytes and both text outputs', () => {
    fc.assert(fc.property(fc.array(fc.option(fc.uint8Array({ maxLength: 50 }), { freq: 5 }), { maxLength: 30 }), (values) => {
      expect(roundTrip(values, ColumnKind.BYTEA, BINARY)).toEqual(values);
      expect(roundTrip(values.map((v) => (v === null ? null : hex(v))), ColumnKind.BYTEA, TEXT)).toEqual(values);
      expect(roundTrip(values.map((v) => (v === null ? null : hex(v).toUpperCase().replace('\\X', '\\x'))), ColumnKind.BYTEA, TEXT)).toEqual(values);
      expect(roundTrip(values.map((v) => (v === null ? null : escape(v))), ColumnKind.BYTEA, TEXT)).toEqual(values);
    }), { numRuns: 60 });
  });

  it('refuses text byteaout cannot print', () => {
    for (const bad of ['\\x0', '\\x0g', '\\x 00', '\\', '\\4', '\\400', '\\08', 'a\\b']) {
      expect([bad, errorText(() => decodeColumn([bad], ColumnKind.BYTEA, TEXT))]).toEqual([bad, expect.stringMatching(/bytea, text format/)]);
    }
  });
});

describe('json and jsonb', () => {
  const doc = '{"a": [1, 2.5, "é"], "b": null}';
  it('reads json in either format and jsonb text as sent, jsonb binary without its version byte', () => {
    expect(roundTrip([doc, null, '[]'], ColumnKind.TEXT, TEXT)).toEqual([doc, null, '[]']);
    expect(roundTrip([doc, '"x"'], ColumnKind.JSONB, TEXT)).toEqual([doc, '"x"']);
    expect(roundTrip([new Uint8Array([1, ...utf8(doc)]), null, Uint8Array.of(1)], ColumnKind.JSONB, BINARY)).toEqual([doc, null, '']);
  });

  it('refuses another jsonb version or an empty binary field', () => {
    expect(errorText(() => decodeColumn([new Uint8Array([2, ...utf8('{}')])], ColumnKind.JSONB, BINARY))).toMatch(/cannot have/);
    expect(errorText(() => decodeColumn([new Uint8Array(0)], ColumnKind.JSONB, BINARY))).toMatch(/length/);
  });
});

/** A numeric as numeric_send writes it. */
interface NumericValue {
  weight: number;
  sign: number;
  dscale: number;
  digits: number[];
}
const NUMERIC_NEG = 0x4000;
const NUMERIC_NAN = 0xc000;
const NUMERIC_PINF = 0xd000;
const NUMERIC_NINF = 0xf000;

function numericSend(v: NumericValue): Uint8Array {
  const b = new Bytes().i16(v.digits.length).i16(v.weight).i16(v.sign).i16(v.dscale);
  for (const d of v.digits) b.i16(d);
  return b.body();
}

/** numeric_out's text of a value, from its definition: Σ digit[i] · 10000^(weight − i), dscale fraction digits. */
function numericText(v: NumericValue): string {
  if (v.sign === NUMERIC_NAN) return 'NaN';
  if (v.sign === NUMERIC_PINF) return 'Infinity';
  if (v.sign === NUMERIC_NINF) return '-Infinity';
  let n = 0n;
  for (const d of v.digits) n = n * 10000n + BigInt(d);
  // value = n · 10^exp10
  const exp10 = 4 * (v.weight - v.digits.length + 1);
  let all = n.toString();
  let point = all.length + exp10;
  if (point <= 0) {
    all = '0'.repeat(1 - point) + all;
    point = 1;
  }
  if (point > all.length) all += '0'.repeat(point - all.length);
  const integer = all.slice(0, point).replace(/^0+(?=\d)/, '');
  const fraction = all.slice(point).padEnd(v.dscale, '0').slice(0, v.dscale);
  return `${v.sign === NUMERIC_NEG ? '-' : ''}${integer}${v.dscale > 0 ? `.${fraction}` : ''}`;
}

/** Normalised values, as the server sends them: no leading or trailing zero base-10000 digit, zero of weight 0. */
const numericArb: fc.Arbitrary<NumericValue> = fc.record({
  digits: fc.array(fc.integer({ min: 0, max: 9999 }), { maxLength: 12 }).map((d) => {
    while (d.length > 0 && d[0] === 0) d.shift();
    while (d.length > 0 && d[d.length - 1] === 0) d.pop();
    return d;
  }),
  weight: fc.integer({ min: -8, max: 8 }),
  sign: fc.constantFrom(0, NUMERIC_NEG, 0, NUMERIC_NEG, NUMERIC_NAN, NUMERIC_PINF, NUMERIC_NINF),
  dscale: fc.integer({ min: 0, max: 40 }),
}).map((v) => (v.sign >= NUMERIC_NAN ? { ...v, digits: [], weight: 0, dscale: 0 } : v.digits.length === 0 ? { ...v, weight: 0 } : v));

describe('numeric', () => {
  it('prints binary numerics exactly as numeric_out', () => {
    fc.assert(fc.property(fc.array(fc.option(numericArb, { freq: 6 }), { maxLength: 30 }), (values) => {
      expect(roundTrip(values.map((v) => (v === null ? null : numericSend(v))), ColumnKind.NUMERIC, BINARY)).toEqual(values.map((v) => (v === null ? null : numericText(v))));
    }), { numRuns: 100 });
    const cases: [NumericValue, string][] = [
      [{ weight: 0, sign: 0, dscale: 0, digits: [] }, '0'],
      [{ weight: 0, sign: 0, dscale: 2, digits: [] }, '0.00'],
      [{ weight: -1, sign: NUMERIC_NEG, dscale: 3, digits: [5000] }, '-0.500'],
      [{ weight: 1, sign: 0, dscale: 0, digits: [12, 3400] }, '123400'],
      [{ weight: -2, sign: 0, dscale: 8, digits: [1] }, '0.00000001'],
      [{ weight: 0, sign: 0, dscale: 1, digits: [1, 5000] }, '1.5'],
      [{ weight: 0, sign: NUMERIC_NAN, dscale: 0, digits: [] }, 'NaN'],
      // Not normalised (the server never sends it): get_str_from_var prints every group up to the weight.
      [{ weight: 1, sign: 0, dscale: 0, digits: [] }, '00000'],
    ];
    expect(roundTrip(cases.map(([v]) => numericSend(v)), ColumnKind.NUMERIC, BINARY)).toEqual(cases.map(([, t]) => t));
  });

  it('prints a 1000-digit numeric and the largest weights', () => {
    const big = { weight: 249, sign: 0, dscale: 4, digits: Array.from({ length: 251 }, (_, i) => (i * 7919 + 1) % 10000) };
    const widest = { weight: 0x7fff, sign: NUMERIC_NEG, dscale: 0x3fff, digits: [9999, 1] };
    const values = [big, widest, { weight: -0x8000, sign: 0, dscale: 0x3fff, digits: [1] }];
    expect(roundTrip(values.map(numericSend), ColumnKind.NUMERIC, BINARY)).toEqual(values.map(numericText));
  });

  it('copies numeric_out text and refuses anything else', () => {
    const texts = ['0', '-1.50', '123456789012345678901234567890.000', 'NaN', 'Infinity', '-Infinity', null];
    expect(roundTrip(texts, ColumnKind.NUMERIC, TEXT)).toEqual(texts);
    for (const bad of ['', '-', '1.', '.5', '1e5', '+1', 'nan', '- 1', '1.2.3', '-NaN']) expect([bad, errorText(() => decodeColumn([bad], ColumnKind.NUMERIC, TEXT))]).toEqual([bad, expect.stringMatching(/numeric/)]);
  });

  it('refuses what numeric_recv refuses', () => {
    const bad = [
      new Bytes().i16(1).i16(0).i16(0).i16(0).body(), // a digit promised, none sent
      new Bytes().i16(0).i16(0).i16(0x1000).i16(0).body(), // unknown sign
      new Bytes().i16(0).i16(0).i16(0).i16(0x4000).body(), // dscale past NUMERIC_DSCALE_MASK
      new Bytes().i16(1).i16(0).i16(0).i16(0).i16(10000).body(), // a digit of NBASE
      new Uint8Array(6),
    ];
    for (const b of bad) expect(errorText(() => decodeColumn([b], ColumnKind.NUMERIC, BINARY))).toMatch(/numeric, binary format/);
  });
});

describe('a full data output', () => {
  it('continues after the row that did not fit, and refuses one value that never fits', () => {
    // 60 KiB and 300 KiB of invalid bytes grow threefold: together past the 1 MiB output, apart within it.
    const small = new Uint8Array(60 * 1024).fill(0xff);
    const large = new Uint8Array(300 * 1024).fill(0xfe);
    const batches = decodeDataRows([[small], [large], ['ok']], [{ kind: ColumnKind.TEXT, format: BINARY }]);
    expect(batches).toHaveLength(1);
    const column = batches[0]![0]!;
    checkLayout(column);
    expect(readColumn(column)).toEqual([replaced(small), replaced(large), 'ok']);
    expect(errorText(() => decodeColumn([new Uint8Array(400 * 1024).fill(0xff)], ColumnKind.TEXT, BINARY))).toMatch(/needs more than/);
  });
});
