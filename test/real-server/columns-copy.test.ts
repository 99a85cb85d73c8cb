/**
 * Columnar decoding against real servers (PostgreSQL 18 and 13): a table of every supported type
 * with NULLs and edge values (integer limits, NaN and ±Infinity floats and numerics, a 1,000-digit
 * numeric, infinite and BC dates and timestamps, microseconds, zone offsets with seconds, non-ASCII
 * and empty text) read three ways — SELECT with binary results, SELECT with text results in a
 * session zone that is not UTC, and COPY (SELECT …) TO STDOUT (FORMAT binary) — each decoded to
 * Arrow columns and compared, value by value, with the server's own text output of the same rows.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionBuilder, FormatCode, ServerError } from '../../src/index.js';
import type { Connection, FieldDescription } from '../../src/index.js';
import { BackendReader } from '../../src/protocol/backend-reader.js';
import { ColumnBatchBuilder, type ColumnSpec } from '../../src/types/arrow/column-builder.js';
import type { ColumnBuffers } from '../../src/types/arrow/column-buffers.js';
import { columnKindOf } from '../../src/types/arrow/column-kinds.js';
import { concat } from '../fixtures/bytes.js';
import { dataRow } from '../fixtures/backend-bytes.js';
import { byteaText, dateText, timeText, timestampText, uuidText } from '../fixtures/pg-text.js';
import { pgServer } from '../support/facts.js';

const open: Connection[] = [];
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
});

async function connect(major: number): Promise<Connection> {
  const server = pgServer(major);
  const { conn } = await new ConnectionBuilder('trust_user').database('postgres').connect(net.connect(server.port, server.host));
  open.push(conn);
  return conn;
}

/** Runs simple-query SQL to ReadyForQuery, failing on an ErrorResponse. */
async function exec(conn: Connection, sql: string): Promise<void> {
  conn.query(sql);
  await conn.flush();
  let error: string | null = null;
  for (;;) {
    const msg = await conn.recv();
    if (msg.type === 'ErrorResponse') error = `${msg.fields.get('M')}`;
    if (msg.type === 'ReadyForQuery') break;
  }
  expect(error).toBeNull();
}

/** The result of `sql` (extended protocol) in `format`: its fields and each DataRow's raw field bytes. */
async function select(conn: Connection, sql: string, format: FormatCode): Promise<{ fields: readonly FieldDescription[]; rows: (Uint8Array | null)[][] }> {
  conn.parse(null).query(sql).finish().bind(null).resultFormats(format).finish([]).describePortal(null).execute(null).sync();
  await conn.flush();
  let fields: readonly FieldDescription[] = [];
  const rows: (Uint8Array | null)[][] = [];
  for (;;) {
    const msg = await conn.recv();
    if (msg.type === 'ErrorResponse') throw new ServerError(msg.fields);
    if (msg.type === 'RowDescription') fields = msg.fields;
    if (msg.type === 'DataRow') rows.push(Array.from({ length: msg.fieldCount }, (_, i) => msg.bytes(i)?.slice() ?? null));
    if (msg.type === 'ReadyForQuery') return { fields, rows };
  }
}

/** The text result of `sql`, as the server prints each value. */
async function selectText(conn: Connection, sql: string): Promise<(string | null)[][]> {
  const { rows } = await select(conn, sql, FormatCode.Text);
  return rows.map((r) => r.map((b) => (b === null ? null : new TextDecoder().decode(b))));
}

/** Decodes the server's DataRows (re-framed byte for byte) with BackendReader.nextRows() and the builder. */
function decodeRows(rows: (Uint8Array | null)[][], specs: ColumnSpec[]): ColumnBuffers[] {
  const reader = new BackendReader();
  reader.push(concat(...rows.map((r) => dataRow(r))));
  const builder = new ColumnBatchBuilder(specs);
  for (let block; (block = reader.nextRows()) !== null; ) builder.appendRows(block);
  builder.finish();
  const batch = builder.takeBatch()!;
  expect(builder.takeBatch()).toBeNull();
  return batch;
}

/** Decodes the CopyData of a COPY … TO STDOUT (FORMAT binary), chunk by chunk as it arrives. */
async function decodeCopy(conn: Connection, sql: string, specs: ColumnSpec[]): Promise<{ batch: ColumnBuffers[]; chunks: number }> {
  conn.query(sql);
  await conn.flush();
  const builder = new ColumnBatchBuilder(specs);
  let chunks = 0;
  for (;;) {
    const msg = await conn.recv();
    if (msg.type === 'ErrorResponse') throw new ServerError(msg.fields);
    if (msg.type === 'CopyData') {
      builder.appendCopyData(msg.data);
      chunks++;
    }
    if (msg.type === 'ReadyForQuery') break;
  }
  builder.finishCopy();
  builder.finish();
  return { batch: builder.takeBatch()!, chunks };
}

const isValid = (c: ColumnBuffers, i: number): boolean => c.validity === null || ((c.validity[i >> 3]! >> (i & 7)) & 1) === 1;

/** What the server would print for value `i` of a decoded column (floats: the value itself). */
function printed(c: ColumnBuffers, i: number): string | number | null {
  if (!isValid(c, i)) return null;
  const t = c.type;
  switch (t.typeId) {
    case 'Bool':
      return ((c.values as Uint8Array)[i >> 3]! >> (i & 7)) & 1 ? 't' : 'f';
    case 'Int':
      return String((c.values as ArrayLike<number | bigint>)[i]);
    case 'FloatingPoint':
      return (c.values as Float32Array | Float64Array)[i]!;
    case 'Date': {
      const d = (c.values as Int32Array)[i]!;
      return d === 2 ** 31 - 1 ? 'infinity' : d === -(2 ** 31) ? '-infinity' : dateText(d);
    }
    case 'Timestamp':
      return timestampText((c.values as BigInt64Array)[i]!);
    case 'Time':
      return timeText((c.values as BigInt64Array)[i]!);
    case 'FixedSizeBinary':
      return uuidText((c.values as Uint8Array).subarray(i * 16, i * 16 + 16));
    case 'Binary':
      return byteaText(c.data!.subarray(c.offsets![i]!, c.offsets![i + 1]!));
    case 'Utf8':
      return new TextDecoder('utf-8', { fatal: true }).decode(c.data!.subarray(c.offsets![i]!, c.offsets![i + 1]!));
  }
  throw new Error(`unexpected Arrow type ${JSON.stringify(t as unknown)}`);
}

/** The server's text parsed for comparison: floats as numbers (float4 rounded to single), the rest as text. */
function expected(text: string | null, c: ColumnBuffers): string | number | null {
  if (text === null || c.type.typeId !== 'FloatingPoint') return text;
  const v = text === 'NaN' ? Number.NaN : parseFloat(text);
  return c.type.precision === 'SINGLE' ? Math.fround(v) : v;
}

const thousandDigits = `${'9876543210'.repeat(60)}.${'0123456789'.repeat(40)}`;

/** The table: every supported type, with NULLs and edge values (numeric ±Infinity needs PostgreSQL 14). */
function tableSql(major: number): string {
  const numInf = major >= 14 ? `'Infinity'` : 'NULL';
  const numNinf = major >= 14 ? `'-Infinity'` : 'NULL';
  return `
  CREATE TEMP TABLE cols (id int, b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric, d date, ts timestamp,
    tstz timestamptz, tm time, u uuid, tx text, vc varchar(20), bp char(5), nm name, by bytea, js json, jb jsonb);
  SET TimeZone = 'Europe/Dublin'; -- until 1916: Dublin Mean Time, -00:25:21
  INSERT INTO cols VALUES
  (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (2, false, -32768, -2147483648, -9223372036854775808, '-3.4028235e38', '-1.7976931348623157e308', '-0.000100', '-infinity', '-infinity',
    '-infinity', '00:00:00', '00000000-0000-0000-0000-000000000000', '', '', '', '', '\\x', '""', '[]'),
  (3, true, 32767, 2147483647, 9223372036854775807, '3.4028235e38', '1.7976931348623157e308', '${thousandDigits}', 'infinity', 'infinity',
    'infinity', '24:00:00', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'Grüße, 世界 🐘 ${'ü'.repeat(300)}', 'é', 'ab', 'a_name', '\\xdeadbeef00ff',
    '{"k": "vä\\u00e9", "n": [1, 2.50]}', '{"b": [true, null], "a": "é"}'),
  (4, true, 0, 0, 0, 'NaN', 'NaN', 'NaN', '4714-11-24 BC', '4714-11-24 00:00:00 BC', '0044-03-15 12:00:00+00 BC', '23:59:59.999999',
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'x', 'tab\there', 'abcde', '', '\\x00', 'null', '0'),
  (5, false, 1, -1, 1, 'Infinity', '-Infinity', ${numInf}, '5874897-12-31', '2024-02-29 23:59:59.999999', '1900-01-01 12:00:00.000001+00',
    '12:34:56.000001', NULL, 'line\nbreak', NULL, NULL, NULL, NULL, '1e400', '{}'),
  (6, NULL, -1, 1, -1, '-Infinity', 'Infinity', ${numNinf}, '0001-01-01 BC', '200000-01-01 00:00:00', '2000-01-01 00:00:00+05:45', '00:00:00.5',
    NULL, NULL, NULL, NULL, NULL, '\\x5c', NULL, NULL),
  (7, true, 7, 7, 7, '-0', '-0', '123.4500', '2000-02-29', '1970-01-01 00:00:00', '2024-06-30 23:59:60+02', '07:07:07', NULL,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (8, false, 8, 8, 8, '1.4e-45', '5e-324', '0.1', '1970-01-01', '0001-01-01 00:00:00', '1969-12-31 23:59:59.999999+00', '01:00:00', NULL,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (9, true, 9, 9, 9, '0.1', '0.1', '-1e-20', '1999-12-31', '1999-12-31 23:59:59', '2000-01-01 00:00:00+00', '02:00:00', NULL,
    NULL, NULL, NULL, NULL, NULL, NULL, NULL);`;
}

const COLUMNS = 'b, i2, i4, i8, f4, f8, n, d, ts, tstz, tm, u, tx, vc, bp, nm, by, js, jb';

describe.each([18, 13])('columns from PostgreSQL %i', (major) => {
  it('decode binary SELECT, text SELECT and COPY BINARY to the values the server prints', async () => {
    const conn = await connect(major);
    await exec(conn, tableSql(major));
    // What the server prints, with timestamptz also in UTC (what Arrow holds).
    const reference = await selectText(conn, `SELECT ${COLUMNS}, tstz AT TIME ZONE 'UTC' FROM cols ORDER BY id`);
    const tstzAt = COLUMNS.split(', ').indexOf('tstz');
    const expectedRows = reference.map((r) => {
      const row = r.slice(0, -1);
      row[tstzAt] = r.at(-1)!;
      return row;
    });

    const binary = await select(conn, `SELECT ${COLUMNS} FROM cols ORDER BY id`, FormatCode.Binary);
    const specs = (format: FormatCode): ColumnSpec[] => binary.fields.map((f) => ({ kind: columnKindOf(f.typeOid)!, format }));
    expect(binary.fields.every((f) => f.format === FormatCode.Binary && columnKindOf(f.typeOid) !== undefined)).toBe(true);
    const text = await select(conn, `SELECT ${COLUMNS} FROM cols ORDER BY id`, FormatCode.Text);
    const copy = await decodeCopy(conn, `COPY (SELECT ${COLUMNS} FROM cols ORDER BY id) TO STDOUT (FORMAT binary)`, specs(FormatCode.Binary));
    expect(copy.chunks).toBeGreaterThan(1);

    const ways: [string, ColumnBuffers[]][] = [
      ['binary SELECT', decodeRows(binary.rows, specs(FormatCode.Binary))],
      ['text SELECT', decodeRows(text.rows, specs(FormatCode.Text))],
      ['COPY BINARY', copy.batch],
    ];
    for (const [way, batch] of ways) {
      expect(batch).toHaveLength(binary.fields.length);
      batch.forEach((column, c) => {
        expect(column.length).toBe(expectedRows.length);
        const got = Array.from({ length: column.length }, (_, i) => printed(column, i));
        const want = expectedRows.map((r) => expected(r[c]!, column));
        expect([way, binary.fields[c]!.name, got]).toEqual([way, binary.fields[c]!.name, want]);
      });
    }
  });
});
