/**
 * Fuzzing every built-in decoder (scalars and arrays, every option): random text and bytes, and
 * mutations of valid values (a character or byte changed, inserted, removed; a value cut short),
 * must decode to a value or fail with PGS_INVALID_VALUE / PGS_VALUE_OUT_OF_RANGE — never another
 * exception, never a hang. The generators reach both outcomes for every codec (checked).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { oid } from '../../src/types/oids.js';
import { TypeRegistry } from '../../src/types/registry.js';
import { Interval } from '../../src/types/codecs/temporal/interval.js';
import { Inet } from '../../src/types/codecs/network/network.js';
import { Time, TimeTz } from '../../src/types/codecs/temporal/time.js';
import { encodeBin, onlyTyped } from '../support/types-helpers.js';

const CODES = [ErrorCode.INVALID_VALUE, ErrorCode.VALUE_OUT_OF_RANGE];

/** A few valid values per type, to mutate. */
const SAMPLES: [number, unknown[]][] = [
  [oid.BOOL, [true, false]],
  [oid.INT2, [-32768, 7]],
  [oid.INT4, [2147483647, -5]],
  [oid.INT8, [-(1n << 63n), 12345678901n]],
  [oid.OID, [4294967295]],
  [oid.FLOAT4, [1.5, -Infinity]],
  [oid.FLOAT8, [0.1, NaN, -0]],
  [oid.NUMERIC, ['-12345.678', '0.0001', 'NaN', '1e30']],
  [oid.TEXT, ['héllo']],
  [oid.NAME, ['n']],
  [oid.CHAR, ['A', '\\351']],
  [oid.BYTEA, [Uint8Array.of(0, 92, 255)]],
  [oid.UUID, ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']],
  [oid.JSON, [{ a: [1, 'x'] }]],
  [oid.JSONB, [[true, null]]],
  [oid.INET, [new Inet('::ffff:1.2.3.4', 120), new Inet('10.0.0.1', 8)]],
  [oid.CIDR, [new Inet('10.0.0.0', 8)]],
  [oid.DATE, [new Date('-000043-03-15T00:00:00Z'), Infinity]],
  [oid.TIME, [new Time(14_706_789_000)]],
  [oid.TIMETZ, [new TimeTz(1, -19800)]],
  [oid.TIMESTAMP, [new Date('2024-01-02T03:04:05.678Z')]],
  [oid.TIMESTAMPTZ, [new Date('-000043-03-15T11:00:00Z'), -Infinity]],
  [oid.INTERVAL, [new Interval(-14, 3, -14_706_000_000n)]],
  [oid.INT4_ARRAY, [[[1, null], [3, 4]], []]],
  [oid.TEXT_ARRAY, [['a b', null, '', 'x"y']]],
  [oid.NUMERIC_ARRAY, [['1.5', null]]],
  [oid.TIMESTAMPTZ_ARRAY, [[new Date(0), null]]],
];

const registries = [new TypeRegistry(), new TypeRegistry({ int8: 'number', timestamps: 'micros', dates: 'days' })];

/** A string with one character changed, inserted or removed at a random place. */
const mutateText = (s: string): fc.Arbitrary<string> =>
  fc.tuple(fc.nat(), fc.constantFrom(0, 1, 2), fc.constantFrom('', '0', '9', '-', ' ', ':', '.', '{', '"', '\\', 'é', 'x', '+', '/', ',', 'BC'))
    .map(([at, op, ch]) => {
      const i = s.length === 0 ? 0 : at % (s.length + 1);
      return op === 0 ? s.slice(0, i) + ch + s.slice(i) : op === 1 ? s.slice(0, i) + ch + s.slice(i + 1) : s.slice(0, i) + s.slice(i + 1);
    });

/** Bytes with one byte changed, the value cut short, or bytes added. */
const mutateBytes = (b: Uint8Array): fc.Arbitrary<Uint8Array> =>
  fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 1, 2)).map(([at, v, op]) => {
    if (op === 1) return b.subarray(0, b.length === 0 ? 0 : at % b.length);
    if (op === 2) return Uint8Array.of(...b, v);
    const c = b.slice();
    if (c.length > 0) c[at % c.length] = v;
    return c;
  });

describe('decoder fuzzing', () => {
  it.each(SAMPLES.map(([t, v]) => [t, v] as const))('type %i: text and binary decoders only throw typed errors', (typeOid, values) => {
    for (const reg of registries) {
      const codec = reg.get(typeOid)!;
      const texts = values.map((v) => codec.encodeText(v));
      const bytes = values.map((v) => encodeBin(codec, v));
      const seen = { text: { ok: 0, error: 0 }, binary: { ok: 0, error: 0 } };
      fc.assert(
        fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom(...texts).chain(mutateText), fc.constantFrom(...texts)), (t) => {
          seen.text[onlyTyped(() => codec.decodeText(t), CODES)]++;
        }),
        { numRuns: 300 },
      );
      fc.assert(
        fc.property(fc.oneof(fc.uint8Array({ maxLength: 30 }), fc.constantFrom(...bytes).chain(mutateBytes), fc.constantFrom(...bytes)), (b) => {
          seen.binary[onlyTyped(() => codec.decodeBinary!(b, 0, b.length), CODES)]++;
        }),
        { numRuns: 300 },
      );
      expect(seen.text.ok).toBeGreaterThan(0);
      expect(seen.binary.ok).toBeGreaterThan(0);
      // Every string is a valid text or name, every byte string a valid text, name or bytea: those cannot fail.
      expect(seen.text.error > 0).toBe(!([oid.TEXT, oid.NAME] as number[]).includes(typeOid));
      expect(seen.binary.error > 0).toBe(!([oid.TEXT, oid.NAME, oid.BYTEA] as number[]).includes(typeOid));
    }
  });
});
