/**
 * TypeRegistry (built-ins per options, custom codecs and overrides, column decoders, result formats,
 * parameter encoding by type OID with the unknown-type text fallback) and the typed Bindable
 * wrappers, checked through a real Bind message's bytes.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { FormatCode } from '../../src/protocol/codes.js';
import { MessageWriter } from '../../src/protocol/writer.js';
import type { Bindable } from '../../src/protocol/frontend/bindable.js';
import { oid } from '../../src/types/oids.js';
import {
  array,
  cidr,
  date,
  inet,
  int4,
  interval,
  json,
  jsonb,
  numeric,
  text,
  time,
  timestamp,
  timestamptz,
  timetz,
  uuid,
} from '../../src/types/bindable.js';
import { Interval } from '../../src/types/codecs/temporal/interval.js';
import { Inet } from '../../src/types/codecs/network/network.js';
import { Time, TimeTz } from '../../src/types/codecs/temporal/time.js';
import { encodeParamText } from '../../src/types/param-text.js';
import { TypeRegistry } from '../../src/types/registry.js';
import type { BinaryValueDecoder, TextValueDecoder, TypeCodec } from '../../src/types/type-codec.js';
import { Bytes, hex } from '../fixtures/bytes.js';
import { expectCode } from '../support/types-helpers.js';

const ARG = ErrorCode.INVALID_ARGUMENT;

/** What a Bindable puts on the wire: its format and value bytes (encodedLength, when given, must match). */
function wire(b: Bindable | null): { format: number; bytes: Uint8Array } | null {
  if (b === null) return null;
  const w = new MessageWriter(4);
  b.encode(w);
  const bytes = w.toBytes();
  if (b.encodedLength !== undefined) expect(b.encodedLength()).toBe(bytes.length);
  return { format: b.format, bytes };
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('TypeRegistry: decoding', () => {
  it('has a binary decoder for every built-in type and its array, and none for unknown types', () => {
    const r = new TypeRegistry();
    const types = [oid.BOOL, oid.BYTEA, oid.CHAR, oid.NAME, oid.INT8, oid.INT2, oid.INT4, oid.TEXT, oid.OID, oid.JSON, oid.FLOAT4, oid.FLOAT8,
      oid.BPCHAR, oid.VARCHAR, oid.DATE, oid.TIME, oid.TIMESTAMP, oid.TIMESTAMPTZ, oid.INTERVAL, oid.TIMETZ, oid.NUMERIC, oid.UUID, oid.JSONB, oid.INET, oid.CIDR];
    for (const t of types) {
      expect(r.hasBinaryDecoder(t)).toBe(true);
      expect(r.hasBinaryDecoder(r.get(t)!.arrayOid!)).toBe(true);
      expect(r.resultFormat(t)).toBe(FormatCode.Binary);
    }
    for (const t of [0, oid.XML, oid.MONEY, 600, 99999]) {
      expect(r.hasBinaryDecoder(t)).toBe(false);
      expect(r.resultFormat(t)).toBe(FormatCode.Text);
    }
    expect(r.get(oid.INT4_ARRAY)!.name).toBe('int4[]');
  });

  it('column decoders: by format; unknown types give the text or a copy of the bytes', () => {
    const r = new TypeRegistry();
    const d = r.decoder(oid.INT4, FormatCode.Binary);
    expect(d.format).toBe(FormatCode.Binary);
    expect((d.decode as BinaryValueDecoder)(hex('ff 00 00 00 2a ff'), 1, 4)).toBe(42);
    const t = r.decoder(oid.INT8, FormatCode.Text);
    expect(t.format).toBe(FormatCode.Text);
    expect((t.decode as TextValueDecoder)('42')).toBe(42n);
    expect(r.textDecoder(oid.XML)('<a/>')).toBe('<a/>');
    const row = Buffer.from([9, 1, 2, 9]);
    const raw = r.binaryDecoder(oid.XML)(row, 1, 2);
    row.fill(0);
    expect(raw).toEqual(Uint8Array.of(1, 2));
    expect(Object.getPrototypeOf(raw)).toBe(Uint8Array.prototype);
  });

  it('options pick the JS shapes of int8, timestamps and dates', () => {
    const r = new TypeRegistry({ int8: 'number', timestamps: 'micros', dates: 'days' });
    expect(r.options).toEqual({ int8: 'number', timestamps: 'micros', dates: 'days' });
    expect(r.textDecoder(oid.INT8)('42')).toBe(42);
    expect(r.textDecoder(oid.TIMESTAMPTZ)('1970-01-01 00:00:00.000001+00')).toBe(1n);
    expect(r.textDecoder(oid.DATE)('1970-01-02')).toBe(1);
    expect(r.textDecoder(oid.INT8_ARRAY)('{1,NULL}')).toEqual([1, null]);
    const d = new TypeRegistry();
    expect(d.options).toEqual({ int8: 'bigint', timestamps: 'date', dates: 'date' });
    expect(d.textDecoder(oid.TIMESTAMP)('1970-01-01 00:00:00.001')).toEqual(new Date(1));
  });

  it('custom codecs: registered per OID (with their array type), overriding built-ins, validated', () => {
    const r = new TypeRegistry();
    const upper: TypeCodec<string> = {
      oid: 90001,
      name: 'shout',
      arrayOid: 90002,
      binary: false,
      decodeText: (s) => s.toUpperCase(),
      encodeText: (v) => v.toLowerCase(),
    };
    r.register(upper);
    expect(r.textDecoder(90001)('abc')).toBe('ABC');
    expect(r.textDecoder(90002)('{a,b}')).toEqual(['A', 'B']);
    expect(r.hasBinaryDecoder(90001)).toBe(false);
    expect(r.hasBinaryDecoder(90002)).toBe(false);
    expect(wire(r.encodeParam(90001, { toLowerCase: () => 'x' } as unknown as string))).toEqual({ format: FormatCode.Text, bytes: utf8('x') });
    const int8AsString: TypeCodec<string> = {
      oid: oid.INT8,
      name: 'int8',
      arrayOid: oid.INT8_ARRAY,
      binary: true,
      decodeText: (s) => `#${s}`,
      encodeText: (v) => v,
      decodeBinary: (b, s, n) => `#${n}@${s}:${b[s]}`,
      encodeBinary: (w, v) => w.utf8(v),
    };
    r.register(int8AsString);
    expect(r.textDecoder(oid.INT8)('5')).toBe('#5');
    expect(r.textDecoder(oid.INT8_ARRAY)('{5}')).toEqual(['#5']);
    for (const bad of [{ ...upper, oid: 0 }, { ...upper, binary: true }, { ...upper, decodeText: undefined }, { ...upper, arrayOid: 90001 }, { ...upper, oid: 2 ** 32 }]) {
      expectCode(() => r.register(bad as TypeCodec), ARG);
    }
  });
});

describe('TypeRegistry: parameters', () => {
  const r = new TypeRegistry();

  it('binary where the type has a binary encoder', () => {
    expect(wire(r.encodeParam(oid.INT4, 42))).toEqual({ format: 1, bytes: hex('00 00 00 2a') });
    expect(wire(r.encodeParam(oid.INT8, 42))).toEqual({ format: 1, bytes: hex('00 00 00 00 00 00 00 2a') });
    expect(wire(r.encodeParam(oid.FLOAT8, 1.5))).toEqual({ format: 1, bytes: hex('3f f8 00 00 00 00 00 00') });
    expect(wire(r.encodeParam(oid.NUMERIC, 1.5))).toEqual({ format: 1, bytes: hex('00 02 00 00 00 00 00 01 00 01 13 88') });
    expect(wire(r.encodeParam(oid.TIMESTAMPTZ, new Date('2000-01-01T00:00:01.5Z')))).toEqual({ format: 1, bytes: new Bytes().i64(1_500_000n).body() });
    expect(wire(r.encodeParam(oid.JSONB, { a: 1 }))).toEqual({ format: 1, bytes: Uint8Array.of(1, ...utf8('{"a":1}')) });
    expect(wire(r.encodeParam(oid.INT4_ARRAY, [1, null]))).toEqual({
      format: 1,
      bytes: new Bytes().i32(1).i32(1).i32(23).i32(2).i32(1).i32(4).i32(1).i32(-1).body(),
    });
    expect(wire(r.encodeParam(oid.INET, new Inet('10.0.0.1', 8)))).toEqual({ format: 1, bytes: hex('02 08 00 04 0a 00 00 01') });
  });

  it('null → SQL NULL, a Bindable as it is, a string as text for the server to parse', () => {
    expect(r.encodeParam(oid.INT4, null)).toBeNull();
    expect(r.encodeParam(oid.INT4, undefined)).toBeNull();
    const b = int4(7);
    expect(r.encodeParam(oid.TEXT, b)).toBe(b);
    expect(wire(r.encodeParam(oid.INT4, '42'))).toEqual({ format: 0, bytes: utf8('42') });
    expect(wire(r.encodeParam(oid.BYTEA, '\\x01'))).toEqual({ format: 0, bytes: utf8('\\x01') });
  });

  it('unknown types (OID 0 or no codec) get a text form of the JS value', () => {
    const cases: [unknown, string][] = [
      [42, '42'],
      [-0, '-0'],
      [NaN, 'NaN'],
      [-Infinity, '-Infinity'],
      [12345678901234567890n, '12345678901234567890'],
      [true, 't'],
      [false, 'f'],
      [new Date('2024-01-02T03:04:05.678Z'), '2024-01-02 03:04:05.678+00'],
      [new Date('-000043-03-15T11:00:00Z'), '0044-03-15 11:00:00+00 BC'],
      [new Date('+012345-01-01T00:00:00Z'), '12345-01-01 00:00:00+00'],
      [Uint8Array.of(0, 255), '\\x00ff'],
      [[1, null, 'a b', [2]], ''],
      [[[1, 2], [3, null]], '{{1,2},{3,NULL}}'],
      [['x', { a: '"' }], '{x,"{\\"a\\":\\"\\\\\\"\\"}"}'],
      [new Interval(1, 2, 3_000_000n), '1 mon 2 days 00:00:03'],
      [new Time(1_000_000), '00:00:01'],
      [new TimeTz(0, 3600), '00:00:00+01'],
      [new Inet('::1', 64), '::1/64'],
      [{ a: [1, 'é'] }, '{"a":[1,"é"]}'],
    ];
    for (const [value, expected] of cases) {
      if (expected === '') {
        expectCode(() => r.encodeParam(0, value), ARG);
        continue;
      }
      expect(encodeParamText(value)).toBe(expected);
      expect(wire(r.encodeParam(0, value))).toEqual({ format: 0, bytes: utf8(expected) });
      expect(wire(r.encodeParam(oid.XML, value))).toEqual({ format: 0, bytes: utf8(expected) });
    }
    for (const v of [Symbol('x'), () => 1, new Date(NaN), new Date(-8.64e15), [[1], 2]]) expectCode(() => encodeParamText(v), ARG);
  });

  it('binary values are checked when Bind writes them, text values at once', () => {
    const bad = r.encodeParam(oid.INT4, 2 ** 40);
    expect(bad!.format).toBe(FormatCode.Binary);
    expectCode(() => wire(bad), ARG);
    const custom: TypeCodec<number> = { oid: 90003, name: 'even', binary: false, decodeText: Number, encodeText: (v) => { if (v % 2) throw new Error('odd'); return String(v); } };
    expect(() => new TypeRegistry().register(custom).encodeParam(90003, 3)).toThrow('odd');
  });
});

describe('typed Bindable wrappers', () => {
  it('existing wrappers keep their wire form', () => {
    expect(wire(uuid('{A0EEBC999C0B4EF8BB6D6BB9BD380A11}'))).toEqual({ format: 1, bytes: hex('a0eebc999c0b4ef8bb6d6bb9bd380a11') });
    expect(wire(timestamptz(new Date('1970-01-01T00:00:00Z')))).toEqual({ format: 1, bytes: new Bytes().i64(-946_684_800_000_000n).body() });
    expect(wire(json({ a: 1 }))).toEqual({ format: 0, bytes: utf8('{"a":1}') });
    expect(wire(text('x'))).toEqual({ format: 0, bytes: utf8('x') });
    expectCode(() => timestamptz(new Date(NaN)), ARG);
    expectCode(() => timestamptz(new Date(-8.64e15)), ARG);
  });

  it('the new wrappers encode binary, and check their value when called', () => {
    expect(wire(timestamptz(Infinity))).toEqual({ format: 1, bytes: hex('7f ff ff ff ff ff ff ff') });
    expect(wire(timestamptz(1n))).toEqual({ format: 1, bytes: new Bytes().i64(1n - 946_684_800_000_000n).body() });
    expect(wire(timestamp(new Date('2000-01-01T00:00:00.001Z')))).toEqual({ format: 1, bytes: new Bytes().i64(1000n).body() });
    expect(wire(date(new Date('2000-01-02T12:00:00Z')))).toEqual({ format: 1, bytes: hex('00 00 00 01') });
    expect(wire(date(-Infinity))).toEqual({ format: 1, bytes: hex('80 00 00 00') });
    expect(wire(numeric('-12345.678'))).toEqual({ format: 1, bytes: hex('00 03 00 01 40 00 00 03 00 01 09 29 1a 7c') });
    expect(wire(time(new Time(1)))).toEqual({ format: 1, bytes: new Bytes().i64(1n).body() });
    expect(wire(timetz(new TimeTz(1, -3600)))).toEqual({ format: 1, bytes: new Bytes().i64(1n).i32(3600).body() });
    expect(wire(interval(new Interval(14, 3, 5n)))).toEqual({ format: 1, bytes: new Bytes().i64(5n).i32(3).i32(14).body() });
    expect(wire(inet('192.168.0.1/24'))).toEqual({ format: 1, bytes: hex('02 18 00 04 c0 a8 00 01') });
    expect(wire(cidr(new Inet('10.0.0.0', 8)))).toEqual({ format: 1, bytes: hex('02 08 01 04 0a 00 00 00') });
    expect(wire(jsonb([1, 'é']))).toEqual({ format: 1, bytes: Uint8Array.of(1, ...utf8('[1,"é"]')) });
    expect(wire(array(oid.TEXT, [['a', null]]))).toEqual({
      format: 1,
      bytes: new Bytes().i32(2).i32(1).i32(25).i32(1).i32(1).i32(2).i32(1).i32(1).str('a').i32(-1).body(),
    });
    expect(wire(array(oid.JSONB, [[1, 2], { a: 1 }], { ndim: 1 }))).toEqual({
      format: 1,
      bytes: new Bytes().i32(1).i32(0).i32(3802).i32(2).i32(1).i32(6).u8(1).str('[1,2]').i32(8).u8(1).str('{"a":1}').body(),
    });
    for (const f of [() => numeric('abc'), () => date(new Date(NaN)), () => time(-1), () => inet('1.2.3.4/40'), () => cidr('10.0.0.1/8'),
      () => interval({} as Interval), () => jsonb(undefined), () => array(oid.INT4, [1, 'x']), () => array(oid.XML, [1]), () => array(oid.INT4, [[1], [2, 3]]),
      () => timestamp(new Date(NaN))]) {
      expectCode(f, ARG);
    }
  });
});
