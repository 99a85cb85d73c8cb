/**
 * bool, int2, int4, int8 (both modes), oid, float4 and float8: golden vectors in both formats
 * (bytes from int.c/int8.c/float.c/bool.c's send functions: big-endian two's complement, IEEE 754),
 * encode→decode identity over the whole range, and malformed input giving typed errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { boolCodec } from '../../src/types/codecs/bool.js';
import { float4Codec, float8Codec } from '../../src/types/codecs/floats.js';
import { int2Codec, int4Codec, int8Codec, oidCodec } from '../../src/types/codecs/integers.js';
import { hex } from '../fixtures/bytes.js';
import { decodeBin, encodeBin, expectCode, onlyTyped } from '../support/types-helpers.js';

const int8Big = int8Codec('bigint');
const int8Num = int8Codec('number');
const INVALID = ErrorCode.INVALID_VALUE;

describe('bool', () => {
  it.each([
    [true, 't', '01'],
    [false, 'f', '00'],
  ] as const)('%s ⇄ %s ⇄ %s', (value, text, bytes) => {
    expect(boolCodec.decodeText(text)).toBe(value);
    expect(boolCodec.encodeText(value)).toBe(text);
    expect(decodeBin(boolCodec, hex(bytes))).toBe(value);
    expect(encodeBin(boolCodec, value)).toEqual(hex(bytes));
  });

  it('reads any nonzero byte as true, as boolrecv does', () => {
    expect(decodeBin(boolCodec, hex('02'))).toBe(true);
  });

  it('refuses other text and other lengths', () => {
    for (const t of ['true', 'T', '', '1', 'yes']) expectCode(() => boolCodec.decodeText(t), INVALID);
    for (const b of ['', '0001']) expectCode(() => decodeBin(boolCodec, hex(b)), INVALID);
    expectCode(() => boolCodec.encodeText(1 as unknown as boolean), ErrorCode.INVALID_ARGUMENT);
  });
});

describe('integers', () => {
  it.each([
    [int2Codec, -2, '-2', 'ff fe'],
    [int2Codec, 32767, '32767', '7f ff'],
    [int2Codec, -32768, '-32768', '80 00'],
    [int4Codec, 1, '1', '00 00 00 01'],
    [int4Codec, -1, '-1', 'ff ff ff ff'],
    [int4Codec, 2147483647, '2147483647', '7f ff ff ff'],
    [int4Codec, -2147483648, '-2147483648', '80 00 00 00'],
    [oidCodec, 0, '0', '00 00 00 00'],
    [oidCodec, 4294967295, '4294967295', 'ff ff ff ff'],
    [oidCodec, 2147483648, '2147483648', '80 00 00 00'],
  ] as const)('%#: %s ⇄ %s ⇄ %s', (codec, value, text, bytes) => {
    expect(codec.decodeText(text)).toBe(value);
    expect(codec.encodeText(value)).toBe(text);
    expect(decodeBin(codec, hex(bytes))).toBe(value);
    expect(encodeBin(codec, value)).toEqual(hex(bytes));
  });

  it.each([
    [1n, '1', '00 00 00 00 00 00 00 01'],
    [-1n, '-1', 'ff ff ff ff ff ff ff ff'],
    [9223372036854775807n, '9223372036854775807', '7f ff ff ff ff ff ff ff'],
    [-9223372036854775808n, '-9223372036854775808', '80 00 00 00 00 00 00 00'],
    [9007199254740993n, '9007199254740993', '00 20 00 00 00 00 00 01'],
  ] as const)('int8 %s ⇄ %s ⇄ %s (bigint)', (value, text, bytes) => {
    expect(int8Big.decodeText(text)).toBe(value);
    expect(int8Big.encodeText(value)).toBe(text);
    expect(decodeBin(int8Big, hex(bytes))).toBe(value);
    expect(encodeBin(int8Big, value)).toEqual(hex(bytes));
  });

  it("int8 as number: exact inside ±(2^53 - 1), PGS_VALUE_OUT_OF_RANGE outside (never rounded)", () => {
    expect(decodeBin(int8Num, hex('00 1f ff ff ff ff ff ff'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(decodeBin(int8Num, hex('ff e0 00 00 00 00 00 01'))).toBe(Number.MIN_SAFE_INTEGER);
    expect(decodeBin(int8Num, hex('ff ff ff ff ff ff ff fe'))).toBe(-2);
    expect(int8Num.decodeText('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(int8Num.decodeText('-9007199254740991')).toBe(Number.MIN_SAFE_INTEGER);
    for (const b of ['00 20 00 00 00 00 00 00', 'ff e0 00 00 00 00 00 00', '7f ff ff ff ff ff ff ff', '80 00 00 00 00 00 00 00']) {
      expectCode(() => decodeBin(int8Num, hex(b)), ErrorCode.VALUE_OUT_OF_RANGE);
    }
    for (const t of ['9007199254740992', '-9007199254740992', '9223372036854775807']) {
      expectCode(() => int8Num.decodeText(t), ErrorCode.VALUE_OUT_OF_RANGE);
    }
    expect(encodeBin(int8Num, 5)).toEqual(hex('00 00 00 00 00 00 00 05'));
  });

  it('round-trips every value in both formats', () => {
    const cases: [typeof int2Codec, fc.Arbitrary<number>][] = [
      [int2Codec, fc.integer({ min: -32768, max: 32767 })],
      [int4Codec, fc.integer({ min: -2147483648, max: 2147483647 })],
      [oidCodec, fc.integer({ min: 0, max: 4294967295 })],
    ];
    for (const [codec, arb] of cases) {
      fc.assert(
        fc.property(arb, (v) => {
          expect(decodeBin(codec, encodeBin(codec, v))).toBe(v);
          expect(codec.decodeText(codec.encodeText(v))).toBe(v);
        }),
      );
    }
    fc.assert(
      fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), (v) => {
        expect(decodeBin(int8Big, encodeBin(int8Big, v))).toBe(v);
        expect(int8Big.decodeText(int8Big.encodeText(v))).toBe(v);
        const safe = v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER);
        const bytes = encodeBin(int8Big, v);
        if (safe) expect(decodeBin(int8Num, bytes)).toBe(Number(v));
        else expectCode(() => decodeBin(int8Num, bytes), ErrorCode.VALUE_OUT_OF_RANGE);
      }),
    );
  });

  it('refuses out-of-range and malformed text, wrong lengths, and unencodable values', () => {
    for (const t of ['32768', '-32769', '1.0', ' 1', '+1', '', '-', '0x10', '1e3', '١']) expectCode(() => int2Codec.decodeText(t), INVALID);
    for (const t of ['2147483648', '-2147483649', '99999999999999999999']) expectCode(() => int4Codec.decodeText(t), INVALID);
    for (const t of ['-1', '4294967296']) expectCode(() => oidCodec.decodeText(t), INVALID);
    for (const t of ['9223372036854775808', '-9223372036854775809', '', ' 1', '0x1', '1n']) {
      expectCode(() => int8Big.decodeText(t), INVALID);
      expectCode(() => int8Num.decodeText(t), INVALID);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (b) => {
        for (const [codec, width] of [[int2Codec, 2], [int4Codec, 4], [oidCodec, 4], [int8Big, 8], [int8Num, 8]] as const) {
          if (b.length !== width) expectCode(() => decodeBin(codec as typeof int4Codec, b), INVALID);
        }
      }),
    );
    for (const v of [1.5, NaN, 32768, '1', 1n << 20n]) expectCode(() => encodeBin(int2Codec, v as number), ErrorCode.INVALID_ARGUMENT);
    for (const v of [2 ** 53, 1.5, 1n << 63n, '1']) expectCode(() => encodeBin(int8Big, v as bigint), ErrorCode.INVALID_ARGUMENT);
    expect(encodeBin(int4Codec, 7n as unknown as number)).toEqual(hex('00 00 00 07'));
  });

  it('random text decodes to the number it spells or a typed error, never another value', () => {
    const seen = { ok: 0, error: 0 };
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 12 }), fc.stringMatching(/^-?[0-9]{1,21}$/)), (t) => {
        for (const codec of [int2Codec, int4Codec, oidCodec]) {
          const outcome = onlyTyped(() => codec.decodeText(t), [INVALID]);
          seen[outcome]++;
          if (outcome === 'ok') expect(String(codec.decodeText(t))).toBe(String(BigInt(t)));
        }
        if (onlyTyped(() => int8Big.decodeText(t), [INVALID]) === 'ok') expect(int8Big.decodeText(t)).toBe(BigInt(t));
      }),
    );
    // The generators reach both outcomes.
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.error).toBeGreaterThan(0);
  });
});

describe('floats', () => {
  it.each([
    [float8Codec, 1.5, '1.5', '3f f8 00 00 00 00 00 00'],
    [float8Codec, 0.1, '0.1', '3f b9 99 99 99 99 99 9a'],
    [float8Codec, -0, '-0', '80 00 00 00 00 00 00 00'],
    [float8Codec, Infinity, 'Infinity', '7f f0 00 00 00 00 00 00'],
    [float8Codec, -Infinity, '-Infinity', 'ff f0 00 00 00 00 00 00'],
    [float8Codec, 1e100, '1e+100', '54 b2 49 ad 25 94 c3 7d'],
    [float8Codec, 5e-324, '5e-324', '00 00 00 00 00 00 00 01'],
    [float4Codec, 1.5, '1.5', '3f c0 00 00'],
    [float4Codec, -0, '-0', '80 00 00 00'],
    [float4Codec, Infinity, 'Infinity', '7f 80 00 00'],
    [float4Codec, -Infinity, '-Infinity', 'ff 80 00 00'],
  ] as const)('%#: %s ⇄ %s ⇄ %s', (codec, value, text, bytes) => {
    expect(Object.is(codec.decodeText(text), value)).toBe(true);
    expect(codec.encodeText(value)).toBe(text);
    expect(Object.is(decodeBin(codec, hex(bytes)), value)).toBe(true);
    expect(encodeBin(codec, value)).toEqual(hex(bytes));
  });

  it('NaN in both formats; float4 text reads as the float4 value', () => {
    expect(float8Codec.decodeText('NaN')).toBeNaN();
    expect(decodeBin(float8Codec, hex('7f f8 00 00 00 00 00 00'))).toBeNaN();
    expect(decodeBin(float4Codec, hex('7f c0 00 00'))).toBeNaN();
    expect(float4Codec.encodeText(NaN)).toBe('NaN');
    // float4out writes 1.1 for the float4 nearest 1.1; the binary form holds that float4 exactly.
    expect(float4Codec.decodeText('1.1')).toBe(decodeBin(float4Codec, hex('3f 8c cc cd')));
    expect(float4Codec.decodeText('3.4028235e+38')).toBe(decodeBin(float4Codec, hex('7f 7f ff ff')));
  });

  it('round-trips every double and every float4 in both formats', () => {
    fc.assert(
      fc.property(fc.double(), (v) => {
        expect(Object.is(decodeBin(float8Codec, encodeBin(float8Codec, v)), v)).toBe(true);
        expect(Object.is(float8Codec.decodeText(float8Codec.encodeText(v)), v)).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.float(), (v) => {
        expect(Object.is(decodeBin(float4Codec, encodeBin(float4Codec, v)), v)).toBe(true);
        expect(Object.is(float4Codec.decodeText(float4Codec.encodeText(v)), v)).toBe(true);
      }),
    );
  });

  it('refuses malformed text, wrong lengths, a float8 beyond float4 and non-numbers', () => {
    for (const t of ['', ' 1', '1 ', 'nan', 'inf', '0x10', '1e', '--1', '1,5', 'Infinityx']) {
      expectCode(() => float8Codec.decodeText(t), INVALID);
      expectCode(() => float4Codec.decodeText(t), INVALID);
    }
    for (const b of ['', '00', '00 00 00 00 00']) {
      expectCode(() => decodeBin(float4Codec, hex(b)), INVALID);
      expectCode(() => decodeBin(float8Codec, hex(b)), INVALID);
    }
    expectCode(() => encodeBin(float4Codec, 1e39), ErrorCode.INVALID_ARGUMENT);
    expectCode(() => float8Codec.encodeText('1' as unknown as number), ErrorCode.INVALID_ARGUMENT);
  });
});
