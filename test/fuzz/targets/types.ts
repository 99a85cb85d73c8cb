/**
 * The text and binary value decoders of every built-in type (src/types/codecs), under both type
 * option sets: random text and bytes and mutations of valid values. A binary value is decoded from
 * the middle of a larger buffer twice, once padded with 0x00 and once with 0xff: both must give
 * the same outcome and value, so a decoder that reads outside its field is a finding.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { ErrorCode, PgStreamError } from '../../../src/errors.js';
import { MessageWriter } from '../../../src/protocol/writer.js';
import { Inet } from '../../../src/types/codecs/network/network.js';
import { Interval } from '../../../src/types/codecs/temporal/interval.js';
import { Time, TimeTz } from '../../../src/types/codecs/temporal/time.js';
import { oid } from '../../../src/types/oids.js';
import { TypeRegistry } from '../../../src/types/registry.js';
import type { TypeCodec } from '../../../src/types/type-codec.js';
import { mutatedBytes, mutatedText, type Sample } from '../mutate.js';
import { check, Finding, target, typedCode } from '../target.js';

/** The codes a value decoder may throw. */
const VALUE_CODES: readonly string[] = [ErrorCode.INVALID_VALUE, ErrorCode.VALUE_OUT_OF_RANGE];

/** A few valid values per type, to mutate. */
const SAMPLES: [keyof typeof oid, unknown[]][] = [
  ['BOOL', [true, false]],
  ['INT2', [-32768, 7]],
  ['INT4', [2147483647, -5]],
  ['INT8', [-(1n << 63n), 12345678901n]],
  ['OID', [4294967295]],
  ['FLOAT4', [1.5, -Infinity]],
  ['FLOAT8', [0.1, NaN, -0]],
  ['NUMERIC', ['-12345.678', '0.0001', 'NaN', '1e30', 'Infinity']],
  ['TEXT', ['héllo']],
  ['NAME', ['n']],
  ['CHAR', ['A', '\\351']],
  ['BYTEA', [Uint8Array.of(0, 92, 255)]],
  ['UUID', ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']],
  ['JSON', [{ a: [1, 'x'] }]],
  ['JSONB', [[true, null]]],
  ['INET', [new Inet('::ffff:1.2.3.4', 120), new Inet('10.0.0.1', 8)]],
  ['CIDR', [new Inet('10.0.0.0', 8)]],
  ['DATE', [new Date('-000043-03-15T00:00:00Z'), Infinity]],
  ['TIME', [new Time(14_706_789_000)]],
  ['TIMETZ', [new TimeTz(1, -19800)]],
  ['TIMESTAMP', [new Date('2024-01-02T03:04:05.678Z')]],
  ['TIMESTAMPTZ', [new Date('-000043-03-15T11:00:00Z'), -Infinity]],
  ['INTERVAL', [new Interval(-14, 3, -14_706_000_000n)]],
  ['INT4_ARRAY', [[[1, null], [3, 4]], []]],
  ['TEXT_ARRAY', [['a b', null, '', 'x"y']]],
  ['NUMERIC_ARRAY', [['1.5', null]]],
  ['TIMESTAMPTZ_ARRAY', [[new Date(0), null]]],
  ['BYTEA_ARRAY', [[Uint8Array.of(1, 2), null]]],
  ['UUID_ARRAY', [['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']]],
  ['INTERVAL_ARRAY', [[new Interval(1, 2, 3n)]]],
  ['INET_ARRAY', [[new Inet('10.0.0.1', 32), null]]],
  ['BOOL_ARRAY', [[[true], [false]]]],
  ['FLOAT8_ARRAY', [[1.5, NaN, null]]],
  ['JSONB_ARRAY', [[{ a: 1 }, null]]],
];

/** The type names whose every text (and, for bytea, every byte string) is a valid value. */
export const NEVER_FAILS = { text: ['TEXT', 'NAME'], binary: ['TEXT', 'NAME', 'BYTEA'] };
export const TYPE_NAMES = SAMPLES.map(([n]) => n);

const registries = [new TypeRegistry(), new TypeRegistry({ int8: 'number', timestamps: 'micros', dates: 'days' })];

function encodeBinary(codec: TypeCodec, value: unknown): Uint8Array {
  const w = new MessageWriter(8);
  codec.encodeBinary!(w, value);
  return w.toBytes();
}

/** Offsets of the int32 fields of a binary array (header, dimensions, element lengths). */
function arrayInt32s(b: Uint8Array): number[] {
  const v = new DataView(b.buffer, b.byteOffset, b.length);
  if (b.length < 12) return [];
  const ndim = v.getInt32(0);
  const out = [0, 4, 8];
  let at = 12;
  let count = ndim === 0 ? 0 : 1;
  for (let d = 0; d < ndim && at + 8 <= b.length; d++, at += 8) {
    out.push(at, at + 4);
    count *= v.getInt32(at);
  }
  for (let i = 0; i < count && at + 4 <= b.length; i++) {
    out.push(at);
    const n = v.getInt32(at);
    at += 4 + Math.max(n, 0);
  }
  return out;
}

function binarySample(name: string, bytes: Uint8Array): Sample {
  if (name.endsWith('_ARRAY')) return { bytes, int32s: arrayInt32s(bytes) };
  if (name === 'NUMERIC') return { bytes, int16s: Array.from({ length: bytes.length >> 1 }, (_, i) => 2 * i) };
  if (name === 'INET' || name === 'CIDR') return { bytes, int16s: [0, 2] };
  return { bytes };
}

interface Typed {
  readonly type: number;
  readonly options: number;
}
const typed = fc.record({ type: fc.nat(SAMPLES.length - 1), options: fc.nat(registries.length - 1) });

/** Per type, per option set: valid texts and binary samples. */
const prepared = SAMPLES.map(([name, values]) => registries.map((reg) => {
  const codec = reg.get(oid[name])!;
  const texts = values.map((v) => codec.encodeText(v));
  const binary = values.map((v) => binarySample(name, encodeBinary(codec, v)));
  return { name, codec, texts, binary };
}));

const TEXT_TOKENS = ['', '0', '9', '-', ' ', ':', '.', '{', '}', '"', '\\', 'é', 'x', '+', '/', ',', 'BC', 'NULL', 'e', 'E+999', '[', ']', '=', '\0', '\uD800', 'infinity', '99999999999999999999'];

const textInput = typed.chain(({ type, options }) =>
  mutatedText(prepared[type]![options]!.texts, TEXT_TOKENS).map((text) => ({ type, options, text })));
const binaryInput = typed.chain(({ type, options }) =>
  mutatedBytes(prepared[type]![options]!.binary, 40).map((bytes) => ({ type, options, bytes })));

/** Outcome key: `<TYPE>/<ok or code>`. */
function keyed(name: string, fn: () => unknown): { key: string; value: unknown } {
  try {
    return { key: `${name}/ok`, value: fn() };
  } catch (err) {
    const code = typedCode(err);
    check(VALUE_CODES.includes(code), `${name}: a value decoder threw ${code} (${(err as PgStreamError).message}), not ${VALUE_CODES.join('/')}`);
    return { key: `${name}/${code}`, value: null };
  }
}

export const typesText = target<Typed & { text: string }>({
  name: 'types-text',
  about: 'decodeText of every built-in type, both option sets: mutated valid texts, token soup, random strings',
  arbitrary: textInput,
  run: ({ type, options, text }) => {
    const { name, codec } = prepared[type]![options]!;
    return keyed(name, () => codec.decodeText(text)).key;
  },
  testRuns: 10_000,
  reaches: TYPE_NAMES.flatMap((n) => [`${n}/ok`, ...(NEVER_FAILS.text.includes(n) ? [] : [new RegExp(`^${n}/PGS_`)])]),
  minCodes: 2,
});

export const typesBinary = target<Typed & { bytes: Uint8Array }>({
  name: 'types-binary',
  about: 'decodeBinary of every built-in type, both option sets, from the middle of a padded buffer: mutated valid values (array dimensions, element lengths, numeric digit counts off by ±1/huge/negative), random bytes',
  arbitrary: binaryInput,
  run: ({ type, options, bytes }) => {
    const { name, codec } = prepared[type]![options]!;
    const decode = (pad: number): { key: string; value: unknown } => {
      const buf = new Uint8Array(bytes.length + 16).fill(pad);
      buf.set(bytes, 7);
      return keyed(name, () => codec.decodeBinary!(buf, 7, bytes.length));
    };
    const a = decode(0x00);
    const b = decode(0xff);
    if (a.key !== b.key || !isDeepStrictEqual(a.value, b.value)) {
      throw new Finding(`${name}: the outcome depends on bytes outside the field (${a.key} vs ${b.key})`);
    }
    return a.key;
  },
  testRuns: 10_000,
  reaches: TYPE_NAMES.flatMap((n) => [`${n}/ok`, ...(NEVER_FAILS.binary.includes(n) ? [] : [new RegExp(`^${n}/PGS_`)])]),
  minCodes: 2,
});
