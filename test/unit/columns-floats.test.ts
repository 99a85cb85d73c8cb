/**
 * float4/float8 text parsed in WASM (assembly/columns/float-text.ts) must round exactly as a
 * correct decimal → binary conversion: float8 against JS `parseFloat` (exact by the ECMAScript
 * spec), float4 against an exact BigInt reference written here (`Math.fround(parseFloat(s))` rounds
 * twice and is not one). Covered: shortest round-trip text of random values in the forms float8out
 * and JS print, long significands that reach the slow path, exact halfway points between adjacent
 * doubles, subnormals, overflow, and the specials.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, PgStreamError } from '../../src/errors.js';
import { ColumnKind } from '../../src/wasm/layout.js';
import { TEXT, decodeColumn } from '../support/columns-helpers.js';

/** The float8 column `texts` decode to. */
function parse64(texts: string[]): Float64Array {
  return decodeColumn(texts, ColumnKind.FLOAT64, TEXT).values as Float64Array;
}

/** The float4 column `texts` decode to. */
function parse32(texts: string[]): Float32Array {
  return decodeColumn(texts, ColumnKind.FLOAT32, TEXT).values as Float32Array;
}

/** Checks every text against its expected value, bit for bit (Object.is tells -0 and NaN apart). */
function expectParsed(texts: string[], parsed: ArrayLike<number>, expected: (s: string) => number): void {
  const wrong = texts.filter((s, i) => !Object.is(parsed[i], expected(s)));
  expect(wrong.map((s) => [s, expected(s)])).toEqual([]);
}

/** PostgreSQL's float8out layout of a shortest-digits value: %e form with a two-digit exponent outside [-4, 15). */
function pgText(v: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  const exp = v.toExponential();
  const [mantissa, e] = exp.split('e') as [string, string];
  const power = Number(e);
  if (v !== 0 && (power < -4 || power >= 15)) return `${mantissa}e${power < 0 ? '-' : '+'}${String(Math.abs(power)).padStart(2, '0')}`;
  return Object.is(v, -0) ? '-0' : String(v);
}

/** An exact rational of decimal text: sign · num / den. */
function rational(s: string): { negative: boolean; num: bigint; den: bigint } {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(s)!;
  const digits = `${m[2]}${m[3] ?? ''}`;
  const exp = Number(m[4] ?? 0) - (m[3] ?? '').length;
  let num = BigInt(digits === '' ? '0' : digits);
  let den = 1n;
  if (exp >= 0) num *= 10n ** BigInt(exp);
  else den = 10n ** BigInt(-exp);
  return { negative: m[1] === '-', num, den };
}

const f32Bits = (v: number): number => {
  const b = new DataView(new ArrayBuffer(4));
  b.setFloat32(0, v);
  return b.getUint32(0);
};
const f32FromBits = (bits: number): number => {
  const b = new DataView(new ArrayBuffer(4));
  b.setUint32(0, bits >>> 0);
  return b.getFloat32(0);
};

/** The exact rational of a finite non-negative float32, as num / den. */
function f32Rational(v: number): { num: bigint; den: bigint } {
  const bits = f32Bits(v);
  const e = (bits >>> 23) & 0xff;
  const m = BigInt(e === 0 ? (bits & 0x7fffff) : (bits & 0x7fffff) | 0x800000);
  const p = (e === 0 ? 1 : e) - 127 - 23;
  return p >= 0 ? { num: m << BigInt(p), den: 1n } : { num: m, den: 1n << BigInt(-p) };
}

/** The float32 nearest to decimal text `s` (ties to even), computed exactly. */
function exactFloat32(s: string): number {
  const { negative, num, den } = rational(s);
  const sign = negative ? -1 : 1;
  if (num === 0n) return sign * 0;
  // Past FLT_MAX + half an ulp (2^128 − 2^103) the nearest is infinity (the tie goes up: FLT_MAX is odd).
  if (num >= ((1n << 128n) - (1n << 103n)) * den) return sign * Infinity;
  const approx = Math.min(Math.fround(Number(num) / Number(den) || Number.MIN_VALUE), 3.4028234663852886e38);
  const base = f32Bits(Number.isFinite(approx) ? approx : 3.4028234663852886e38);
  let best = -1;
  let bestNum = 0n;
  let bestDen = 1n;
  for (let k = Math.max(0, base - 3); k <= Math.min(0x7f7fffff, base + 3); k++) {
    const c = f32Rational(f32FromBits(k));
    // |c − x| = |c.num·den − num·c.den| / (c.den·den)
    const dNum = c.num * den - num * c.den;
    const dist = { num: dNum < 0n ? -dNum : dNum, den: c.den * den };
    if (best < 0) {
      best = k;
      bestNum = dist.num;
      bestDen = dist.den;
      continue;
    }
    const cmp = dist.num * bestDen - bestNum * dist.den;
    if (cmp < 0n || (cmp === 0n && (k & 1) === 0)) {
      best = k;
      bestNum = dist.num;
      bestDen = dist.den;
    }
  }
  return sign * f32FromBits(best);
}

/** The exact decimal expansion of the midpoint between a positive finite double (or float) and the next one up. */
function midpointText(v: number, single = false): string {
  const b = new DataView(new ArrayBuffer(8));
  const [mantissaBits, bias] = single ? [23n, 150] : [52n, 1075];
  if (single) b.setUint32(4, f32Bits(v));
  else b.setFloat64(0, v);
  const bits = b.getBigUint64(0);
  const e = Number(bits >> mantissaBits);
  const fraction = bits & ((1n << mantissaBits) - 1n);
  const m = e === 0 ? fraction : fraction | (1n << mantissaBits);
  // v = m · 2^p; the midpoint is (2m + 1) · 2^(p − 1).
  const p = (e === 0 ? 1 : e) - bias - 1;
  const odd = 2n * m + 1n;
  if (p >= 0) return (odd << BigInt(p)).toString();
  // odd / 2^-p = odd · 5^-p / 10^-p
  const digits = (odd * 5n ** BigInt(-p)).toString().padStart(-p + 1, '0');
  return `${digits.slice(0, digits.length + p)}.${digits.slice(digits.length + p)}`;
}

describe('float8 text', () => {
  it('reads the specials and the classic hard cases', () => {
    const texts = [
      'NaN', 'Infinity', '-Infinity', '0', '-0', '0.0', '1', '-1', '1e400', '-1e400', '1e-400', '4.9406564584124654e-324',
      '2.4703282292062327e-324', '2.4703282292062328e-324', '2.2250738585072011e-308', '2.2250738585072012e-308',
      '1.7976931348623157e308', '1.7976931348623158e+308', '1.7976931348623159e308', '9007199254740993', '0.1', '123456789012345678901234567890',
      '1e23', '8.41e21', '5e-324', '1.00000000000000011102230246251565404236316680908203125', '7.3177701707893310e+15', '0.000001', '1e-7',
    ];
    expectParsed(texts, parse64(texts), (s) => (s === 'NaN' ? Number.NaN : parseFloat(s)));
  });

  it('reads the shortest text of random doubles, as float8out and JS print it', () => {
    fc.assert(fc.property(fc.array(fc.double({ noNaN: true }), { minLength: 1, maxLength: 200 }), (values) => {
      const texts = values.flatMap((v) => [pgText(v), String(v), v.toExponential(), v.toPrecision(17)]).filter((s) => !/Infinity/.test(s) || /^-?Infinity$/.test(s));
      expectParsed(texts, parse64(texts), parseFloat);
    }), { numRuns: 40 });
  });

  it('reads long significands (the 19-digit approximation and the slow path)', () => {
    const longText = fc.tuple(fc.boolean(), fc.stringMatching(/^[1-9]\d{18,60}$/), fc.integer({ min: 0, max: 60 }), fc.integer({ min: -360, max: 330 }))
      .map(([neg, digits, point, exp]) => `${neg ? '-' : ''}${digits.slice(0, Math.min(point, digits.length)) || '0'}.${digits.slice(Math.min(point, digits.length))}e${exp}`);
    fc.assert(fc.property(fc.array(longText, { minLength: 1, maxLength: 100 }), (texts) => {
      expectParsed(texts, parse64(texts), parseFloat);
    }), { numRuns: 30 });
  });

  // A midpoint has more than 19 significant digits: its truncation and the truncation plus one round
  // to the two different neighbours, so every one of these goes through the slow path.
  it('rounds exact halfway points to even, and a digit past them away', () => {
    fc.assert(fc.property(fc.array(fc.double({ min: Number.MIN_VALUE, max: Number.MAX_VALUE, noNaN: true }), { minLength: 1, maxLength: 20 }), (values) => {
      const texts = values.flatMap((v) => {
        const mid = midpointText(v);
        const dotted = mid.includes('.') ? mid : `${mid}.`;
        return [mid, `${dotted}0000000000000000000001`, mid.replace(/5$/, '49999999999999999999999')];
      });
      expectParsed(texts, parse64(texts), parseFloat);
    }), { numRuns: 40 });
  });

  it('refuses text that is not a number', () => {
    for (const bad of ['', '-', '.', 'e5', '1e', '1e+', 'abc', '1.2.3', 'inf', 'nan', 'infinity', ' 1', '1 ', '+1', '--1', '0x10', '1e5.5']) {
      let code = '';
      try {
        parse64([bad]);
      } catch (err) {
        code = (err as PgStreamError).code;
      }
      expect([bad, code]).toEqual([bad, ErrorCode.MALFORMED_VALUE]);
    }
  });
});

describe('float4 text', () => {
  it('reads the specials and the limits', () => {
    const texts = ['NaN', 'Infinity', '-Infinity', '0', '-0', '3.4028235e38', '3.4028236e38', '3.40282357e38', '1e39', '1.4e-45', '7e-46', '7.1e-46', '1e-50', '1.17549435e-38', '0.1', '16777217'];
    expectParsed(texts, parse32(texts), (s) => (s === 'NaN' ? Number.NaN : s.endsWith('Infinity') ? parseFloat(s) : exactFloat32(s)));
  });

  it('rounds random text exactly once (no double rounding through float8)', () => {
    const text = fc.oneof(
      fc.float({ noNaN: true, noDefaultInfinity: true }).chain((v) => fc.integer({ min: 1, max: 12 }).map((p) => v.toPrecision(p))),
      fc.tuple(fc.stringMatching(/^[1-9]\d{0,30}$/), fc.integer({ min: -60, max: 40 })).map(([d, e]) => `${d}e${e}`),
    );
    fc.assert(fc.property(fc.array(text, { minLength: 1, maxLength: 200 }), (texts) => {
      expectParsed(texts, parse32(texts), exactFloat32);
    }), { numRuns: 40 });
  });

  it('rounds exact halfway points between floats to even, and a digit past them away', () => {
    const finite = fc.float({ min: Math.fround(1e-45), max: Math.fround(3.4e38), noNaN: true });
    fc.assert(fc.property(fc.array(finite, { minLength: 1, maxLength: 20 }), (values) => {
      const texts = values.flatMap((v) => {
        const mid = midpointText(v, true);
        const dotted = mid.includes('.') ? mid : `${mid}.`;
        return [mid, `${dotted}0000000000000000000001`, mid.replace(/5$/, '49999999999999999999999')];
      });
      expectParsed(texts, parse32(texts), exactFloat32);
    }), { numRuns: 40 });
  });

  it('finds the cases where rounding through float8 would be wrong', () => {
    // The midpoint between two floats plus a tiny bit: a double rounds it onto the midpoint.
    const texts = ['1.00000005960464477550', '1.000000059604644775390626', '16777217.000000001'];
    expectParsed(texts, parse32(texts), exactFloat32);
    expect(exactFloat32('1.00000005960464477550')).not.toBe(Math.fround(parseFloat('1.00000005960464477550')));
  });
});

describe('the table of powers of five', () => {
  it('holds 5^q normalised to 128 bits (q >= 0) and the rounded-up reciprocals (q < 0)', () => {
    const source = readFileSync(new URL('../../assembly/columns/pow5-table.ts', import.meta.url), 'utf8');
    const words = [...source.matchAll(/0x[0-9a-f]+/g)].map((m) => BigInt(m[0]));
    expect(words).toHaveLength(2 * (308 + 342 + 1));
    for (let q = -342; q <= 308; q++) {
      const entry = (words[2 * (q + 342)]! << 64n) | words[2 * (q + 342) + 1]!;
      expect(entry >> 127n).toBe(1n);
      if (q >= 0) {
        const p = 5n ** BigInt(q);
        const shift = BigInt(p.toString(2).length) - 128n;
        expect(entry).toBe(shift >= 0n ? p >> shift : p << -shift);
      } else {
        // entry ≈ 2^b / 5^-q, from above, within one unit of the last place.
        const p = 5n ** BigInt(-q);
        let b = 127n + BigInt(p.toString(2).length) - 1n;
        while ((1n << b) / p >> 127n === 0n) b++;
        const exact = (1n << b) / p;
        expect(entry - exact >= 0n && entry - exact <= 1n).toBe(true);
      }
    }
  });
});
