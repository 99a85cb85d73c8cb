/**
 * numeric: golden vectors (numeric_send's Int16 ndigits, weight, sign, dscale, base-10000 digits),
 * the server's normalisation of odd binary input (numeric_recv's truncation to dscale and
 * make_result's stripping), exact round trips of long and special values, the decimal forms the
 * encoder reads (checked against a decimal shift computed here with strings), and malformed input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { numericCodec } from '../../src/types/codecs/numeric.js';
import { Bytes, hex } from '../fixtures/bytes.js';
import { decodeBin, encodeBin, expectCode, onlyTyped } from '../support/types-helpers.js';

const INVALID = ErrorCode.INVALID_VALUE;

/** numeric_send bytes from their fields. */
function num(ndigits: number, weight: number, sign: number, dscale: number, digits: number[]): Uint8Array {
  const b = new Bytes().i16(ndigits).i16(weight).i16(sign).i16(dscale);
  for (const d of digits) b.i16(d);
  return b.body();
}

/** The canonical text (numeric_out's) of sign, integer digits and fraction digits. */
function canonical(negative: boolean, int: string, frac: string): string {
  const i = int.replace(/^0+(?=.)/, '') || '0';
  const zero = /^0*$/.test(i + frac);
  return `${negative && !zero ? '-' : ''}${i}${frac === '' ? '' : `.${frac}`}`;
}

/** What numeric_in makes of digits int.frac × 10^exp: the point moved, dscale = max(0, |frac| − exp). */
function shifted(negative: boolean, int: string, frac: string, exp: number): string {
  const digits = int + frac;
  const point = int.length + exp;
  const dscale = Math.max(0, frac.length - exp);
  const padded = point < 0 ? '0'.repeat(-point) + digits : digits;
  const p = Math.max(point, 0);
  const whole = padded.slice(0, p).padEnd(p, '0');
  const fraction = padded.slice(p).padEnd(dscale, '0').slice(0, dscale);
  return canonical(negative, whole, fraction);
}

const decimal = fc.record({
  negative: fc.boolean(),
  int: fc.stringMatching(/^[0-9]{1,40}$/),
  frac: fc.stringMatching(/^[0-9]{0,40}$/),
});

describe('numeric golden vectors', () => {
  it.each([
    ['0', num(0, 0, 0x0000, 0, [])],
    ['0.00', num(0, 0, 0x0000, 2, [])],
    ['1.500', num(2, 0, 0x0000, 3, [1, 5000])],
    ['-12345.678', hex('00 03 00 01 40 00 00 03 00 01 09 29 1a 7c')],
    ['0.0001', hex('00 01 ff ff 00 00 00 04 00 01')],
    ['10000', hex('00 01 00 01 00 00 00 00 00 01')],
    ['123456789012345678901234567890', num(8, 7, 0, 0, [12, 3456, 7890, 1234, 5678, 9012, 3456, 7890])],
    ['0.000000001', num(1, -3, 0, 9, [1000])],
    ['NaN', hex('00 00 00 00 c0 00 00 00')],
    ['Infinity', hex('00 00 00 00 d0 00 00 00')],
    ['-Infinity', hex('00 00 00 00 f0 00 00 00')],
  ])('%s', (text, bytes) => {
    expect(decodeBin(numericCodec, bytes)).toBe(text);
    expect(encodeBin(numericCodec, text)).toEqual(bytes);
    expect(numericCodec.decodeText(text)).toBe(text);
  });

  it('reads binary input as numeric_recv then numeric_out would: truncated to dscale, stripped, never -0', () => {
    expect(decodeBin(numericCodec, num(2, 1, 0, 0, [0, 5]))).toBe('5');
    expect(decodeBin(numericCodec, num(1, -1, 0, 2, [1234]))).toBe('0.12');
    expect(decodeBin(numericCodec, num(1, -1, 0x4000, 2, [10]))).toBe('0.00');
    expect(decodeBin(numericCodec, num(2, 0, 0x4000, 1, [7, 9999]))).toBe('-7.9');
    expect(decodeBin(numericCodec, num(1, 2, 0, 0, [3]))).toBe('300000000');
    expect(decodeBin(numericCodec, num(1, -2, 0, 3, [5]))).toBe('0.000');
    // Special values ignore digits and dscale, as make_result does.
    expect(decodeBin(numericCodec, num(1, 0, 0xc000, 5, [1]))).toBe('NaN');
  });

  it('encodes numbers, bigints, exponents and the spellings of the special values', () => {
    expect(encodeBin(numericCodec, 1.5 as unknown as string)).toEqual(num(2, 0, 0, 1, [1, 5000]));
    expect(encodeBin(numericCodec, 12n as unknown as string)).toEqual(num(1, 0, 0, 0, [12]));
    expect(encodeBin(numericCodec, 1e21 as unknown as string)).toEqual(num(1, 5, 0, 0, [10]));
    expect(encodeBin(numericCodec, NaN as unknown as string)).toEqual(hex('00 00 00 00 c0 00 00 00'));
    expect(encodeBin(numericCodec, -Infinity as unknown as string)).toEqual(hex('00 00 00 00 f0 00 00 00'));
    expect(encodeBin(numericCodec, '1.50E-3')).toEqual(num(1, -1, 0, 5, [15]));
    expect(encodeBin(numericCodec, '-0.000')).toEqual(num(0, 0, 0, 3, []));
    expect(encodeBin(numericCodec, ' +.5 ')).toEqual(num(1, -1, 0, 1, [5000]));
    expect(encodeBin(numericCodec, 'inf')).toEqual(hex('00 00 00 00 d0 00 00 00'));
    expect(encodeBin(numericCodec, '-INFINITY')).toEqual(hex('00 00 00 00 f0 00 00 00'));
    expect(encodeBin(numericCodec, 'nan')).toEqual(hex('00 00 00 00 c0 00 00 00'));
    expect(numericCodec.encodeText(' 1.5e3 ')).toBe('1.5e3');
    expect(numericCodec.encodeText(-Infinity as unknown as string)).toBe('-Infinity');
  });
});

describe('numeric round trips', () => {
  it('canonical decimals (up to 80 digits) survive binary, and their text is read unchanged', () => {
    fc.assert(
      fc.property(decimal, ({ negative, int, frac }) => {
        const text = canonical(negative, int, frac);
        expect(decodeBin(numericCodec, encodeBin(numericCodec, text))).toBe(text);
        expect(numericCodec.decodeText(text)).toBe(text);
        expect(numericCodec.decodeText(numericCodec.encodeText(text))).toBe(text);
      }),
    );
  });

  it('values of 1,000 and more digits, with long scales', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9][0-9]{999,1100}$/), fc.stringMatching(/^[0-9]{0,1200}$/), fc.boolean(), (int, frac, neg) => {
        const text = canonical(neg, int, frac);
        expect(decodeBin(numericCodec, encodeBin(numericCodec, text))).toBe(text);
      }),
      { numRuns: 30 },
    );
    const huge = `9${'0'.repeat(131071)}.${'9'.repeat(16383)}`;
    expect(decodeBin(numericCodec, encodeBin(numericCodec, huge))).toBe(huge);
  });

  it('exponent forms land where numeric_in puts the point', () => {
    fc.assert(
      fc.property(decimal, fc.integer({ min: -60, max: 60 }), ({ negative, int, frac }, exp) => {
        const input = `${negative ? '-' : ''}${int}${frac === '' ? '' : `.${frac}`}e${exp}`;
        expect(decodeBin(numericCodec, encodeBin(numericCodec, input))).toBe(shifted(negative, int, frac, exp));
      }),
    );
  });
});

describe('numeric malformed input', () => {
  it('refuses text that is not numeric_out output', () => {
    for (const t of ['', '1.', '.5', '+1', '1e5', 'nan', 'inf', ' 1', '1 ', '--1', '0x1F', '1_000', '-NaN']) {
      expectCode(() => numericCodec.decodeText(t), INVALID);
    }
  });

  it('refuses bad signs, digits, scales and lengths (mutations of valid values)', () => {
    const valid = fc.tuple(decimal).map(([d]) => encodeBin(numericCodec, canonical(d.negative, d.int, d.frac)));
    fc.assert(
      fc.property(valid, fc.integer({ min: 0, max: 0xffff }), (bytes, noise) => {
        const sign = bytes.slice();
        const s = [0x0000, 0x4000, 0xc000, 0xd000, 0xf000].includes(noise) ? 0x8000 : noise;
        sign[4] = s >> 8;
        sign[5] = s & 0xff;
        expectCode(() => decodeBin(numericCodec, sign), INVALID);
        expectCode(() => decodeBin(numericCodec, bytes.subarray(0, bytes.length - 1 - (noise % bytes.length))), INVALID);
        const scale = bytes.slice();
        scale[6] |= 0x40 | (noise & 0x80);
        expectCode(() => decodeBin(numericCodec, scale), INVALID);
        if (bytes.length > 8) {
          const digit = bytes.slice();
          const d = 10000 + (noise % 22768);
          digit[8] = d >> 8;
          digit[9] = d & 0xff;
          expectCode(() => decodeBin(numericCodec, digit), INVALID);
        }
        const longer = new Uint8Array(bytes.length + 2);
        longer.set(bytes);
        expectCode(() => decodeBin(numericCodec, longer), INVALID);
      }),
    );
  });

  it('random bytes decode to a numeric string or a typed error', () => {
    const seen = { ok: 0, error: 0 };
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 24 }), fc.uint8Array({ minLength: 2, maxLength: 2 }).map((n) => Uint8Array.of(0, n[0]! & 3, n[1]! & 0x40, 0, 0, 0, 0, 2, 0, 9, 0, 1, 0, 3))), (b) => {
        const outcome = onlyTyped(() => decodeBin(numericCodec, b), [INVALID]);
        seen[outcome]++;
        if (outcome === 'ok') expect(numericCodec.decodeText(decodeBin(numericCodec, b))).toBe(decodeBin(numericCodec, b));
      }),
    );
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.error).toBeGreaterThan(0);
  });

  it('refuses values it cannot encode', () => {
    for (const v of ['', '.', 'abc', '1e', '1.2.3', '0x10', '1_000', '-nan', 'Infinityx', '1e999999', null, {}, true]) {
      expectCode(() => encodeBin(numericCodec, v as string), ErrorCode.INVALID_ARGUMENT);
    }
    expectCode(() => encodeBin(numericCodec, `1e-${16384}`), ErrorCode.INVALID_ARGUMENT);
    expectCode(() => encodeBin(numericCodec, `1e${131072}`), ErrorCode.INVALID_ARGUMENT);
  });
});
