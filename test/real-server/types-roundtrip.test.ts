/**
 * Every value codec against real PostgreSQL servers (18, 16 and 13, started by the suite):
 * a JS value goes out through Bind — binary through the registry/Bindable encoders, and as text
 * through the codec's text encoder — into `SELECT $1::type`, and comes back in text and in binary
 * results (Layer 1: parse/bind(resultFormats)/execute/sync, DataRow text(i)/bytes(i)); each
 * decodes to the same value. Values the server produces itself (literals, generate_series) decode
 * identically from both formats. Edge cases: integer limits, NaN/±Infinity/-0, 1,000-digit
 * numerics, timestamp limits and infinities, BC dates, microseconds, non-ASCII text, empty and
 * multi-dimensional arrays with NULLs and lower bounds.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionBuilder, ErrorCode, FormatCode, MessageCode } from '../../src/index.js';
import type { BackendMessage, Connection } from '../../src/index.js';
import type { Bindable } from '../../src/protocol/frontend/bindable.js';
import { array, bindWith, jsonb, numeric, text, timestamptz } from '../../src/types/bindable.js';
import type { PgArray } from '../../src/types/codecs/array/array-shape.js';
import { Interval } from '../../src/types/codecs/temporal/interval.js';
import { Inet } from '../../src/types/codecs/network/network.js';
import { Time, TimeTz } from '../../src/types/codecs/temporal/time.js';
import { oid } from '../../src/types/oids.js';
import { TypeRegistry } from '../../src/types/registry.js';
import { stopServers, testServer } from '../support/connection-helpers.js';
import { expectCode } from '../support/types-helpers.js';

afterAll(stopServers);

const MAJORS = [18, 16, 13];
const plain = new TypeRegistry();
const exact = new TypeRegistry({ timestamps: 'micros', dates: 'days', int8: 'number' });
const PG_EPOCH_US = 946_684_800_000_000n;
const MIN_US = -211_813_488_000_000_000n + PG_EPOCH_US;
const END_US = 9_223_371_331_200_000_000n + PG_EPOCH_US;
const MIN_DAY = -2_440_588;
const END_DAY = 2_145_042_906;

interface Row {
  text: (string | null)[];
  bytes: (Uint8Array | null)[];
  types: number[];
}

/** Runs one statement through Parse/Bind/Execute/Sync; returns every row (text and a copy of the bytes of each field). */
async function run(conn: Connection, sql: string, params: (Bindable | null)[], format: FormatCode): Promise<Row[]> {
  conn.parse(null).query(sql).finish().bind(null).resultFormats(format).finish(params).describePortal(null).execute(null).sync();
  await conn.flush();
  const rows: Row[] = [];
  let types: number[] = [];
  let error = '';
  for (;;) {
    const msg: BackendMessage = await conn.recv();
    if (msg.type === 'RowDescription') types = msg.fields.map((f) => f.typeOid);
    if (msg.type === 'DataRow') {
      const n = msg.fieldCount;
      rows.push({
        text: Array.from({ length: n }, (_, i) => (format === FormatCode.Text ? msg.text(i) : null)),
        bytes: Array.from({ length: n }, (_, i) => {
          const b = msg.bytes(i);
          return b === null ? null : b.slice();
        }),
        types,
      });
    }
    if (msg.type === 'ErrorResponse') error = `${msg.fields.get('C')}: ${msg.fields.get('M')}`;
    if (msg.code === MessageCode.READY_FOR_QUERY) break;
  }
  if (error !== '') throw new Error(`${sql.slice(0, 200)} failed: ${error}`);
  return rows;
}

/** Decodes field `i` of a row in the format it was requested in, with the column's type from RowDescription. */
function decodeField(reg: TypeRegistry, row: Row, i: number, format: FormatCode): unknown {
  if (format === FormatCode.Text) {
    const t = row.text[i]!;
    return reg.textDecoder(row.types[i]!)(t);
  }
  const b = row.bytes[i]!;
  expect(reg.hasBinaryDecoder(row.types[i]!)).toBe(true);
  return reg.binaryDecoder(row.types[i]!)(b, 0, b.length);
}

/** Deep equality that also compares array lower bounds (kept off the enumerable properties). */
function expectSame(actual: unknown, expected: unknown): void {
  expect(actual).toEqual(expected);
  if (Array.isArray(expected)) expect((actual as PgArray).lowerBounds).toEqual((expected as PgArray).lowerBounds);
}

/**
 * Sends `values` as `$n::type` (binary Bindables, then text) and checks text and binary results decode
 * back to them. Binary parameters come from the registry, except strings, which the registry sends as
 * text for the server to parse: those go through the codec's binary encoder with bindWith.
 */
async function roundTrip(conn: Connection, reg: TypeRegistry, type: string, typeOid: number, values: unknown[]): Promise<void> {
  const codec = reg.get(typeOid)!;
  expect(codec.binary).toBe(true);
  const sql = `SELECT ${values.map((_, i) => `$${i + 1}::${type}`).join(', ')}`;
  const binaryParams = values.map((v) => (typeof v === 'string' ? bindWith(codec, v) : reg.encodeParam(typeOid, v)));
  for (const p of binaryParams) expect(p!.format).toBe(FormatCode.Binary);
  const textParams = values.map((v) => text(codec.encodeText(v)));
  for (const params of [binaryParams, textParams]) {
    for (const format of [FormatCode.Text, FormatCode.Binary]) {
      const [row] = await run(conn, sql, params, format);
      expect(row!.types.every((t) => t === typeOid)).toBe(true);
      values.forEach((v, i) => expectSame(decodeField(reg, row!, i, format), v));
    }
  }
}

/** Runs `sql` in both result formats; every field decodes to the same value from text and from binary. Returns the values. */
async function sameBothWays(conn: Connection, reg: TypeRegistry, sql: string): Promise<unknown[][]> {
  const asText = await run(conn, sql, [], FormatCode.Text);
  const asBinary = await run(conn, sql, [], FormatCode.Binary);
  expect(asBinary.length).toBe(asText.length);
  expect(asText.length).toBeGreaterThan(0);
  return asText.map((row, r) =>
    row.text.map((t, i) => {
      const fromText = t === null ? null : decodeField(reg, row, i, FormatCode.Text);
      const fromBinary = asBinary[r]!.bytes[i] === null ? null : decodeField(reg, asBinary[r]!, i, FormatCode.Binary);
      expectSame(fromBinary, fromText);
      return fromText;
    }),
  );
}

function withBounds<T extends unknown[]>(value: T, lowerBounds: number[]): T {
  Object.defineProperty(value, 'lowerBounds', { value: lowerBounds, enumerable: false });
  return value;
}

const digits = (n: number, seed: number): string => Array.from({ length: n }, (_, i) => String((i * 7 + seed * 3 + (i >> 3)) % 10)).join('');

describe.each(MAJORS)('PostgreSQL %i', (major) => {
  let conn: Connection;

  beforeAll(async () => {
    const server = await testServer(major);
    ({ conn } = await new ConnectionBuilder('trust_user').database('postgres').connect(net.connect(server.port, server.host)));
    await run(conn, "SET TimeZone = 'America/New_York'", [], FormatCode.Text);
  });

  afterAll(async () => {
    await conn?.close();
  });

  it('the OIDs and array OIDs of the built-in codecs are the server\'s', async () => {
    const rows = await run(conn, 'SELECT oid::int8, typarray::int8 FROM pg_type WHERE oid = ANY($1::oid[]) ORDER BY oid', [
      array(oid.OID, [oid.BOOL, oid.BYTEA, oid.CHAR, oid.NAME, oid.INT8, oid.INT2, oid.INT4, oid.TEXT, oid.OID, oid.JSON, oid.CIDR, oid.FLOAT4, oid.FLOAT8,
        oid.INET, oid.BPCHAR, oid.VARCHAR, oid.DATE, oid.TIME, oid.TIMESTAMP, oid.TIMESTAMPTZ, oid.INTERVAL, oid.TIMETZ, oid.NUMERIC, oid.UUID, oid.JSONB]),
    ], FormatCode.Text);
    expect(rows.length).toBe(25);
    for (const r of rows) expect(plain.get(Number(r.text[0]))!.arrayOid).toBe(Number(r.text[1]));
  });

  it('bool, int2, int4, int8, oid', async () => {
    await roundTrip(conn, plain, 'bool', oid.BOOL, [true, false]);
    await roundTrip(conn, plain, 'int2', oid.INT2, [-32768, 32767, 0, -1]);
    await roundTrip(conn, plain, 'int4', oid.INT4, [-2147483648, 2147483647, 0, 42]);
    await roundTrip(conn, plain, 'int8', oid.INT8, [-(1n << 63n), (1n << 63n) - 1n, 0n, 9007199254740993n]);
    await roundTrip(conn, exact, 'int8', oid.INT8, [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, -1]);
    await roundTrip(conn, plain, 'oid', oid.OID, [0, 4294967295, 2147483648]);
  });

  it('float4 and float8, with NaN, ±Infinity, -0 and the extremes', async () => {
    await roundTrip(conn, plain, 'float4', oid.FLOAT4, [1.5, -0, NaN, Infinity, -Infinity, Math.fround(0.1), 3.4028234663852886e38, 1.401298464324817e-45]);
    await roundTrip(conn, plain, 'float8', oid.FLOAT8, [0.1, -0, NaN, Infinity, -Infinity, 5e-324, 1.7976931348623157e308, 1e100, -123.456e-200]);
  });

  it('numeric: exact strings, trailing zeros, 1,000+ digits, NaN (and ±Infinity from 14)', async () => {
    const values = ['0', '0.00', '1.500', '-12345.678', '0.000000001', 'NaN', `${digits(1200, 1)}.${digits(300, 2)}`.replace(/^0+/, ''),
      `-0.${digits(1000, 3)}`, '123456789012345678901234567890', `1${'0'.repeat(2000)}`];
    if (major >= 14) values.push('Infinity', '-Infinity');
    await roundTrip(conn, plain, 'numeric', oid.NUMERIC, values);
    const [row] = await run(conn, 'SELECT $1::numeric, $2::numeric', [numeric(12.25), numeric(10n ** 30n)], FormatCode.Text);
    expect(row!.text).toEqual(['12.25', '1000000000000000000000000000000']);
  });

  it('text, varchar, bpchar, name, "char", bytea, uuid', async () => {
    const strings = ['héllo 🐘', '', 'a"b\\c{},', 'NULL', ' spaced ', 'tab\tnew\nline'];
    await roundTrip(conn, plain, 'text', oid.TEXT, strings);
    await roundTrip(conn, plain, 'varchar', oid.VARCHAR, strings);
    await roundTrip(conn, plain, 'bpchar', oid.BPCHAR, ['ab', 'é', 'x y']);
    await roundTrip(conn, plain, 'name', oid.NAME, ['a_name', 'ünïcode', 'x'.repeat(63)]);
    // Before 15, charout sends bytes 0x80..0xFF raw (not UTF-8), so text results cannot carry them.
    await roundTrip(conn, plain, '"char"', oid.CHAR, major >= 15 ? ['A', '', '\\351', '\\200'] : ['A', '', '~']);
    await roundTrip(conn, plain, 'bytea', oid.BYTEA, [Uint8Array.of(0, 1, 255), new Uint8Array(0), Uint8Array.from({ length: 256 }, (_, i) => i)]);
    await roundTrip(conn, plain, 'uuid', oid.UUID, ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff']);
  });

  it('json and jsonb', async () => {
    const docs = [{ a: [1, 'é', null, true], b: { c: -1.5 } }, [], 'just a string', 12345, false, { '__proto__': 1 }];
    await roundTrip(conn, plain, 'json', oid.JSON, docs);
    await roundTrip(conn, plain, 'jsonb', oid.JSONB, docs);
    // A JSON null is a value, not SQL NULL: it needs the jsonb wrapper.
    const [row] = await run(conn, 'SELECT $1::jsonb IS NULL, $1::jsonb', [jsonb(null)], FormatCode.Text);
    expect(row!.text).toEqual(['f', 'null']);
  });

  it('inet and cidr', async () => {
    await roundTrip(conn, plain, 'inet', oid.INET, [new Inet('192.168.0.1', 24), new Inet('10.1.2.3', 32), new Inet('::1', 128), new Inet('::ffff:1.2.3.4', 128),
      new Inet('2001:db8::1', 64), new Inet('1:0:0:1::1', 128), new Inet('::1.2.3.4', 100), new Inet('0.0.0.0', 0)]);
    await roundTrip(conn, plain, 'cidr', oid.CIDR, [new Inet('10.0.0.0', 8), new Inet('2001:db8::', 32), new Inet('192.168.1.1', 32), new Inet('::', 0)]);
  });

  it('date: Dates and days, BC, the limits and ±infinity', async () => {
    await roundTrip(conn, plain, 'date', oid.DATE, [new Date('2000-01-01T00:00:00Z'), new Date('-000043-03-15T00:00:00Z'), new Date('0000-12-31T00:00:00Z'),
      new Date('-004713-11-24T00:00:00Z'), new Date(8.64e15), Infinity, -Infinity]);
    await roundTrip(conn, exact, 'date', oid.DATE, [MIN_DAY, END_DAY - 1, 0, -1, Infinity, -Infinity]);
  });

  it('timestamp and timestamptz: microseconds, BC, the limits and ±infinity', async () => {
    const micros = [MIN_US, END_US - 1n, 0n, -1n, 1n, PG_EPOCH_US + 1_500_001n, -62_135_596_800_000_001n, 1_700_000_000_123_456n, Infinity, -Infinity];
    await roundTrip(conn, exact, 'timestamp', oid.TIMESTAMP, micros);
    await roundTrip(conn, exact, 'timestamptz', oid.TIMESTAMPTZ, micros);
    const dates = [new Date('2024-01-02T03:04:05.678Z'), new Date('-000043-03-15T11:00:00Z'), new Date('1800-06-01T12:00:00Z'), new Date('-004713-11-24T00:00:00Z'),
      new Date(8.64e15), Infinity, -Infinity];
    await roundTrip(conn, plain, 'timestamp', oid.TIMESTAMP, dates);
    await roundTrip(conn, plain, 'timestamptz', oid.TIMESTAMPTZ, dates);
    const [row] = await run(conn, 'SELECT $1::timestamptz::text', [timestamptz(new Date('1800-06-01T12:00:00Z'))], FormatCode.Text);
    expect(row!.text[0]).toBe('1800-06-01 07:03:58-04:56:02');
  });

  it('time and timetz', async () => {
    await roundTrip(conn, plain, 'time', oid.TIME, [new Time(0), new Time(86_400_000_000), new Time(14_706_789_000), new Time(1), new Time(86_399_999_999)]);
    await roundTrip(conn, plain, 'timetz', oid.TIMETZ, [new TimeTz(14_706_000_000, 19800), new TimeTz(0, -57599), new TimeTz(86_400_000_000, 57599),
      new TimeTz(1, 0), new TimeTz(43_200_000_000, -3723)]);
  });

  it('interval', async () => {
    const values = [new Interval(14, 3, 14_706_789_000n), new Interval(-14, 3, -14_706_000_000n), new Interval(0, 0, 0n), new Interval(0, 1, -1_000_000n),
      new Interval(0, -1, 1n), new Interval(3, -1, 0n), new Interval(0, 0, 100n * 3_600_000_000n), new Interval(-2147483648, 2147483647, 7_000_000_000_000_000n)];
    // Before 15, interval_out fails on more than 2^31 hours.
    if (major >= 15) values.push(new Interval(2147483647, 2147483646, 9_223_372_036_854_775_806n), new Interval(-2147483647, -2147483648, -9_223_372_036_854_775_807n));
    if (major >= 17) values.push(Interval.INFINITY, Interval.MINUS_INFINITY);
    await roundTrip(conn, plain, 'interval', oid.INTERVAL, values);
  });

  it('arrays: multi-dimensional, NULL elements, empty, lower bounds, of every type', async () => {
    await roundTrip(conn, plain, 'int4[]', oid.INT4_ARRAY, [[1, 2], [], [1, null], [[1, 2], [3, 4]], [[[1], [null]], [[3], [4]]],
      withBounds([[1, null], [3, 4]], [0, 5]), withBounds([7], [-3])]);
    await roundTrip(conn, plain, 'text[]', oid.TEXT_ARRAY, [['a b', null, '', 'NULL', 'null', 'x"y', 'back\\slash', '{}', 'a,b', 'é'], [[' ', '\t'], ['}', '{']]]);
    const samples: [string, number, unknown[]][] = [
      ['bool[]', oid.BOOL_ARRAY, [true, null, false]],
      ['int2[]', oid.INT2_ARRAY, [-32768, null]],
      ['int8[]', oid.INT8_ARRAY, [[1n, null], [-(1n << 63n), (1n << 63n) - 1n]]],
      ['oid[]', oid.OID_ARRAY, [4294967295, null]],
      ['float4[]', oid.FLOAT4_ARRAY, [NaN, -0, Infinity, null]],
      ['float8[]', oid.FLOAT8_ARRAY, [0.1, -Infinity, null]],
      ['numeric[]', oid.NUMERIC_ARRAY, ['1.500', 'NaN', null, `-${digits(1000, 5).replace(/^0+/, '')}`]],
      ['varchar[]', oid.VARCHAR_ARRAY, ['é', null, '']],
      ['bpchar[]', oid.BPCHAR_ARRAY, ['ab', null]],
      ['name[]', oid.NAME_ARRAY, ['n', null]],
      ['"char"[]', oid.CHAR_ARRAY, ['A', null, '']],
      ['bytea[]', oid.BYTEA_ARRAY, [Uint8Array.of(1, 2), null, new Uint8Array(0)]],
      ['uuid[]', oid.UUID_ARRAY, ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', null]],
      ['json[]', oid.JSON_ARRAY, [{ a: 1 }, null, 'x']],
      ['jsonb[]', oid.JSONB_ARRAY, [{ a: 'é' }, null, 5]],
      ['inet[]', oid.INET_ARRAY, [new Inet('::1', 128), null, new Inet('10.0.0.1', 8)]],
      ['cidr[]', oid.CIDR_ARRAY, [new Inet('10.0.0.0', 8), null]],
      ['date[]', oid.DATE_ARRAY, [new Date('-000043-03-15T00:00:00Z'), Infinity, null]],
      ['time[]', oid.TIME_ARRAY, [new Time(1), null]],
      ['timetz[]', oid.TIMETZ_ARRAY, [new TimeTz(1, 19800), null]],
      ['timestamp[]', oid.TIMESTAMP_ARRAY, [new Date('2024-01-02T03:04:05.678Z'), -Infinity, null]],
      ['timestamptz[]', oid.TIMESTAMPTZ_ARRAY, [[new Date(0), null], [Infinity, new Date('-000043-03-15T11:00:00Z')]]],
      ['interval[]', oid.INTERVAL_ARRAY, [new Interval(1, -2, 3n), null]],
    ];
    for (const [type, typeOid, value] of samples) await roundTrip(conn, plain, type, typeOid, [value]);
    await roundTrip(conn, exact, 'timestamptz[]', oid.TIMESTAMPTZ_ARRAY, [[MIN_US, END_US - 1n, null]]);
  });

  it('server-produced literals decode the same from text and binary, to the expected values', async () => {
    const rows = await sameBothWays(conn, plain, `SELECT '0044-03-15 BC'::date, '4714-11-24 BC'::date, 'infinity'::date, '-infinity'::timestamptz,
      '1999-12-31 23:59:59.999999'::timestamp, '24:00:00'::time, '04:05:06.789+05:30'::timetz, '1 year 2 mons -3 days 04:05:06.789'::interval,
      '[0:1]={7,8}'::int4[], '{{"a b",NULL},{"",x}}'::text[], '{}'::int8[], '1.500'::numeric, '-0.0'::numeric, 'NaN'::float8, '-0'::float8,
      '::ffff:1.2.3.4'::inet, '10.1/16'::cidr, '\\x00ff'::bytea, '{"b": 1, "a": [true]}'::jsonb, 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid,
      array_fill(5, ARRAY[2, 2], ARRAY[-1, 3])`);
    expect(rows[0]).toEqual([new Date('-000043-03-15T00:00:00Z'), new Date('-004713-11-24T00:00:00Z'), Infinity, -Infinity,
      new Date('1999-12-31T23:59:59.999Z'), new Time(86_400_000_000), new TimeTz(14_706_789_000, 19800), new Interval(14, -3, 14_706_789_000n),
      [7, 8], [['a b', null], ['', 'x']], [], '1.500', '0.0', NaN, -0, new Inet('::ffff:1.2.3.4', 128), new Inet('10.1.0.0', 16), Uint8Array.of(0, 255),
      { a: [true], b: 1 }, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', [[5, 5], [5, 5]]]);
    expect((rows[0]![8] as PgArray).lowerBounds).toEqual([0]);
    expect((rows[0]![20] as PgArray).lowerBounds).toEqual([-1, 3]);
    const limits = await sameBothWays(conn, exact, `SELECT '4714-11-24 00:00:00 BC'::timestamp, '294276-12-31 23:59:59.999999+00'::timestamptz,
      '5874897-12-31'::date, '9223372036854775807'::int8 - 9223372036845000000`);
    expect(limits[0]).toEqual([MIN_US, END_US - 1n, END_DAY - 1, 9_775_807]);
  });

  it('other DateStyles and IntervalStyles are refused with PGS_INVALID_VALUE, never misread; binary does not depend on them', async () => {
    const sql = "SELECT '2024-01-02 03:04:05'::timestamp, '2024-01-02 03:04:05+00'::timestamptz, '2024-01-02'::date, '3 days 04:05:06'::interval, '-1 year'::interval";
    const expected = [new Date('2024-01-02T03:04:05Z'), new Date('2024-01-02T03:04:05Z'), new Date('2024-01-02T00:00:00Z'), new Interval(0, 3, 14_706_000_000n),
      new Interval(-12, 0, 0n)];
    const settings: [string, number[]][] = [
      ["DateStyle = 'ISO, DMY'", []],
      ["DateStyle = 'SQL, MDY'", [0, 1, 2]],
      ["DateStyle = 'SQL, DMY'", [0, 1, 2]],
      ["DateStyle = 'German'", [0, 1, 2]],
      ["DateStyle = 'Postgres, MDY'", [0, 1, 2]],
      ["IntervalStyle = 'sql_standard'", [3, 4]],
      ["IntervalStyle = 'iso_8601'", [3, 4]],
      ["IntervalStyle = 'postgres_verbose'", [3, 4]],
    ];
    for (const [setting, refused] of settings) {
      await run(conn, `SET ${setting}`, [], FormatCode.Text);
      const [asText] = await run(conn, sql, [], FormatCode.Text);
      const [asBinary] = await run(conn, sql, [], FormatCode.Binary);
      expected.forEach((v, i) => {
        if (refused.includes(i)) expectCode(() => decodeField(plain, asText!, i, FormatCode.Text), ErrorCode.INVALID_VALUE);
        else expect(decodeField(plain, asText!, i, FormatCode.Text)).toEqual(v);
        expect(decodeField(plain, asBinary!, i, FormatCode.Binary)).toEqual(v);
      });
      await run(conn, 'RESET DateStyle', [], FormatCode.Text);
      await run(conn, 'RESET IntervalStyle', [], FormatCode.Text);
    }
  });

  it('generate_series: numbers, numerics, text, bytea, uuid, json, inet decode identically from both formats', async () => {
    await sameBothWays(conn, plain, `SELECT x::int2, x::int4, x::int8 * 4611686018427387, (x::int8 + 2147485648)::oid, x % 2 = 0, x::float4 / 3, x::float8 / 7,
      round(x::numeric / 7, abs(x) % 40), x::numeric * 10 ^ (x / 20), (x::numeric / 3)::numeric(1000, 500)
      FROM generate_series(-2000, 2000, 7) x`);
    await sameBothWays(conn, plain, `SELECT repeat(chr(x + 160), x % 5), md5(x::text)::uuid, decode(md5(x::text), 'hex'), x::text::name,
      json_build_object('x', x, 's', repeat('é', x % 4)), jsonb_build_array(x, x::text, x % 2 = 0, null),
      ('10.' || x % 256 || '.0.1/' || x % 33)::inet, ('2001:db8:' || to_hex(x) || '::' || x % 3 || '/' || x % 129)::inet,
      network(('10.' || x % 256 || '.0.1/' || x % 33)::inet)::cidr, set_masklen(('::' || to_hex(x) || ':0')::cidr, 112)
      FROM generate_series(1, 400) x`);
  });

  it('generate_series: dates, timestamps, times, intervals (with a DST and LMT time zone), arrays', async () => {
    for (const reg of [plain, exact]) {
      await sameBothWays(conn, reg, `SELECT t, t::timestamp, t::date, t::time, t::timetz, t - '2000-01-01'::timestamptz, justify_hours(t - '2000-01-01'::timestamptz)
        FROM generate_series('0100-01-01 BC'::timestamptz, '3000-01-01', '9137 days 3 hours 7 minutes 11.123457 seconds') t`);
    }
    await sameBothWays(conn, plain, `SELECT make_interval(years => x % 7 - 3, months => x % 13 - 6, days => x % 40 - 20, secs => (x * 12345.678901) % 100000 - 50000),
      ARRAY[[x, NULL], [x + 1, x + 2]], array_fill(x::int8, ARRAY[2, 3], ARRAY[0, -1]), ARRAY[x::text, NULL, repeat('"\\{', x % 3)],
      ARRAY[t, NULL], ARRAY[t::date], ARRAY[(x::numeric / 7)::numeric(20, 10)]
      FROM generate_series(1, 300) x, LATERAL (SELECT '2000-01-01'::timestamptz + x * interval '17 days 1.000001 seconds' AS t) s`);
  });
});
