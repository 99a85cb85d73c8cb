/**
 * Columnar reading and writing through the query layer against the real servers the suite starts
 * (PostgreSQL 18 and 13): `conn.batches()` in binary and text result formats, `copyTo().batches()`
 * with given and described types, and `copyFrom` of batches and of JS rows, each checked against
 * row-wise `run()` decoding or a checksum the server computes — every supported type, NULLs, edge
 * values, empty results, batch boundaries, malformed values (a typed error, the connection usable
 * after it), aborts, and the row-at-a-time path a traced connection takes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARROW_TIME64, ColumnBatch, ErrorCode, PgStreamError, ServerError, Tracer, columnField, oid } from '../../src/index.js';
import type { Connection } from '../../src/index.js';
import { pgServer } from '../support/facts.js';
import { openSuperuser } from '../support/query-connect.js';
import { batchRows, exactTypes, rowValue } from '../support/batch-values.js';

const thousandDigits = `${'9876543210'.repeat(60)}.${'0123456789'.repeat(40)}`;

/** A table of every type with a column decoder, with NULLs and edge values (numeric ±Infinity needs 14). */
function tableSql(name: string, major: number): string {
  const numInf = major >= 14 ? `'Infinity'` : `'1'`;
  return `
  CREATE TEMP TABLE ${name} (id int, b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric, d date, ts timestamp,
    tstz timestamptz, tm time, u uuid, tx text, vc varchar(20), bp char(5), nm name, by bytea, js json, jb jsonb);
  INSERT INTO ${name} VALUES
  (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (2, false, -32768, -2147483648, -9223372036854775808, '-3.4028235e38', '-1.7976931348623157e308', '-0.000100', '-infinity', '-infinity',
    '-infinity', '00:00:00', '00000000-0000-0000-0000-000000000000', '', '', '', '', '\\x', '""', '[]'),
  (3, true, 32767, 2147483647, 9223372036854775807, '3.4028235e38', '1.7976931348623157e308', '${thousandDigits}', 'infinity', 'infinity',
    'infinity', '24:00:00', 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'Grüße, 世界 🐘', 'é', 'ab', 'a_name', '\\xdeadbeef00ff',
    '{"k": "vä", "n": [1, 2.5]}', '{"b": [true, null], "a": "é"}'),
  (4, true, 0, 0, 0, 'NaN', 'NaN', 'NaN', '4714-11-24 BC', '4714-11-24 00:00:00 BC', '0044-03-15 12:00:00+00 BC', '23:59:59.999999',
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'x', 'tab\there', 'abcde', '', '\\x00', 'null', '0'),
  (5, false, 1, -1, 1, 'Infinity', '-Infinity', ${numInf}, '5874897-12-31', '2024-02-29 23:59:59.999999', '1900-01-01 12:00:00.000001+00',
    '12:34:56.000001', NULL, 'line\nbreak', NULL, NULL, NULL, NULL, '1.5', '{}'),
  (6, NULL, -1, 1, -1, '-Infinity', 'Infinity', '0.1', '0001-01-01 BC', '200000-01-01 00:00:00', '2000-01-01 00:00:00+05:45', '00:00:00.5',
    NULL, NULL, NULL, NULL, NULL, '\\x5c', NULL, NULL)`;
}

const COLUMNS = 'b, i2, i4, i8, f4, f8, n, d, ts, tstz, tm, u, tx, vc, bp, nm, by, js, jb';
const TYPES = [oid.BOOL, oid.INT2, oid.INT4, oid.INT8, oid.FLOAT4, oid.FLOAT8, oid.NUMERIC, oid.DATE, oid.TIMESTAMP, oid.TIMESTAMPTZ, oid.TIME,
  oid.UUID, oid.TEXT, oid.VARCHAR, oid.BPCHAR, oid.NAME, oid.BYTEA, oid.JSON, oid.JSONB];

/** Every batch of an async iterable. */
async function collect(batches: AsyncIterable<ColumnBatch>): Promise<ColumnBatch[]> {
  const out: ColumnBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

/** The rows of `sql` as run() decodes them (in `format`), in arrowValue's shapes. */
async function runRows(conn: Connection, sql: string, format: 'binary' | 'text' = 'binary'): Promise<unknown[][]> {
  const result = await conn.run(sql, [], { format });
  return result.rows.map((r) => (r as unknown[]).map(rowValue));
}

/** An ordered checksum of a table's rows, computed by the server. */
async function checksum(conn: Connection, table: string): Promise<[string, string]> {
  const r = await conn.run(`SELECT count(*)::text, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM ${table} t`);
  return r.rows[0] as [string, string];
}

for (const major of [18, 13]) {
  describe(`columnar batches on PostgreSQL ${major}`, () => {
    let conn: Connection;
    let other: Connection;
    beforeAll(async () => {
      conn = await openSuperuser(pgServer(major), { types: exactTypes() });
      other = await openSuperuser(pgServer(major), { types: exactTypes() });
      await conn.run(`SET TimeZone = 'UTC'`);
      for (const sql of tableSql('cols', major).split(';')) await conn.run(sql);
    });
    afterAll(async () => {
      await conn?.close();
      await other?.close();
    });

    it('batches() in binary and text agrees with run() for every supported type, NULLs and edge values', async () => {
      const sql = `SELECT ${COLUMNS} FROM cols ORDER BY id`;
      const expected = await runRows(conn, sql, 'binary');
      expect(expected).toEqual(await runRows(conn, sql, 'text'));
      for (const format of ['binary', 'text'] as const) {
        const stream = conn.batches(sql, [], { format });
        const batches = await collect(stream);
        expect(batches).toHaveLength(1);
        expect(batches[0]!.fields.map((f) => f.typeOid)).toEqual(TYPES);
        expect(batchRows(batches)).toEqual(expected);
        expect(stream.rowCount).toBe(6);
        expect(stream.command).toBe('SELECT 6');
      }
    });

    it('batches() splits at batchRows exactly, with parameters, and the row count check holds', async () => {
      const n = 10_000;
      for (const batchRows of [1, 7, 4096, n - 1, n, n + 1]) {
        const sizes: number[] = [];
        let next = 1;
        for await (const b of conn.batches('SELECT g, g::text AS t FROM generate_series(1, $1::int) g', [String(n)], { batchRows })) {
          sizes.push(b.numRows);
          const ints = b.column(0).values as Int32Array;
          for (let i = 0; i < b.numRows; i++) expect(ints[i]).toBe(next + i);
          next += b.numRows;
        }
        expect(next).toBe(n + 1);
        const full = Math.floor(n / batchRows);
        const expected = [...Array<number>(full).fill(batchRows), ...(n % batchRows === 0 ? [] : [n % batchRows])];
        expect(sizes).toEqual(expected);
      }
    });

    it('batches() of an empty result ends with no batch; its fields are known', async () => {
      const stream = conn.batches('SELECT 1::int AS a, $1::text AS b WHERE false', ['x']);
      expect(await collect(stream)).toEqual([]);
      expect(stream.fields?.map((f) => [f.name, f.typeOid])).toEqual([['a', oid.INT4], ['b', oid.TEXT]]);
      expect(stream.rowCount).toBe(0);
      const copy = conn.copyTo('COPY (SELECT 1::int8 AS a WHERE false) TO STDOUT (FORMAT binary)').batches();
      expect(await collect(copy)).toEqual([]);
      expect(copy.rowCount).toBe(0);
    });

    it('batches() reads types without a column decoder as their text (text) or their binary form (binary)', async () => {
      const sql = `SELECT '1 day'::interval AS iv, 42::oid AS o`;
      const [text] = await collect(conn.batches(sql, [], { format: 'text' }));
      expect(text!.fields.map((f) => f.arrowType.typeId)).toEqual(['Utf8', 'Utf8']);
      expect(batchRows([text!])).toEqual([['1 day', '42']]);
      const [binary] = await collect(conn.batches(sql, [], { format: 'binary' }));
      expect(binary!.fields.map((f) => f.arrowType.typeId)).toEqual(['Binary', 'Binary']);
      expect(batchRows([binary!])).toEqual([[[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0], [0, 0, 0, 42]]]);
    });

    it("batches() with format 'auto': binary where the type has a binary decoder, the text of a type without a codec", async () => {
      const [auto] = await collect(conn.batches(`SELECT 7::int4 AS i, point '(1,2)' AS p`, [], { format: 'auto' }));
      expect(auto!.fields.map((f) => f.arrowType.typeId)).toEqual(['Int', 'Utf8']);
      expect(batchRows([auto!])).toEqual([[7, '(1,2)']]);
      const [binary] = await collect(conn.batches(`SELECT point '(1,2)' AS p`, [], { format: 'binary' }));
      expect(binary!.fields.map((f) => f.arrowType.typeId)).toEqual(['Binary']);
      expect(() => conn.batches('SELECT 1', [], { format: 'json' as never })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    });

    it('copyTo().batches() with described and with given types agrees with run()', async () => {
      const expected = await runRows(conn, `SELECT ${COLUMNS} FROM cols ORDER BY id`);
      const described = conn.copyTo(`COPY (SELECT ${COLUMNS} FROM cols ORDER BY id) TO STDOUT (FORMAT binary)`).batches({ batchRows: 4 });
      const a = await collect(described);
      expect(a.map((b) => b.numRows)).toEqual([4, 2]);
      expect(a[0]!.fields.map((f) => f.name).join(', ')).toBe(COLUMNS);
      expect(batchRows(a)).toEqual(expected);
      expect(described.rowCount).toBe(6);
      const given = await collect(conn.copyTo(`COPY (SELECT ${COLUMNS} FROM cols ORDER BY id) TO STDOUT (FORMAT binary)`).batches({ types: TYPES }));
      expect(batchRows(given)).toEqual(expected);
      expect(given[0]!.fields[0]!.name).toBe('column1');
      // A table (and a column list) is described as SELECT … FROM it.
      const table = await collect(conn.copyTo('COPY cols (id, tx) TO STDOUT WITH (FORMAT binary)').batches());
      expect(table[0]!.fields.map((f) => [f.name, f.typeOid])).toEqual([['id', oid.INT4], ['tx', oid.TEXT]]);
      expect(batchRows(table).sort((x, y) => (x[0] as number) - (y[0] as number))).toEqual(await runRows(conn, 'SELECT id, tx FROM cols ORDER BY id'));
    });

    it('copyTo().batches() refuses text COPY and a COPY whose types cannot be learned; the connection stays usable', async () => {
      await expect(collect(conn.copyTo('COPY cols TO STDOUT').batches())).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
      expect(() => conn.copyTo('COPY cols TO STDOUT').batches({ types: ['int4' as unknown as number] })).toThrow(PgStreamError);
      expect(() => conn.copyTo('SELECT 1').batches()).toThrow(/pass types/);
      await expect(collect(conn.copyTo('COPY (SELECT 1, 2) TO STDOUT (FORMAT binary)').batches({ types: [oid.INT4] }))).rejects.toMatchObject({
        code: ErrorCode.INVALID_ARGUMENT,
      });
      await expect(collect(conn.copyTo('COPY nosuch TO STDOUT (FORMAT binary)').batches())).rejects.toBeInstanceOf(ServerError);
      expect((await conn.run('SELECT 1 AS one')).rows).toEqual([[1]]);
    });

    it('a malformed value is PGS_MALFORMED_VALUE and the connection stays usable', async () => {
      // int8 data read as int4: every value has the wrong length.
      const wrong = conn.copyTo('COPY (SELECT g::int8 FROM generate_series(1, 100000) g) TO STDOUT (FORMAT binary)').batches({ types: [oid.INT4] });
      await expect(collect(wrong)).rejects.toMatchObject({ code: ErrorCode.MALFORMED_VALUE });
      expect((await conn.run('SELECT 2 AS two')).rows).toEqual([[2]]);
      // A date printed in a DateStyle the text decoder does not read.
      await conn.run(`SET DateStyle = 'German'`);
      try {
        const text = conn.batches(`SELECT g, DATE '2024-01-02' + g AS d FROM generate_series(1, 50000) g`, [], { format: 'text', batchRows: 1000 });
        await expect(collect(text)).rejects.toMatchObject({ code: ErrorCode.MALFORMED_VALUE });
      } finally {
        await conn.run(`SET DateStyle = 'ISO, MDY'`);
      }
      expect((await conn.run('SELECT 3 AS three')).rows).toEqual([[3]]);
      expect(conn.transactionStatus).toBe(0x49);
    });

    it('time 24:00:00 is read alike by the WASM decoders (binary, text, COPY) and the row decoders, and written back', async () => {
      const sql = `SELECT t FROM (VALUES (TIME '24:00:00'), (TIME '00:00:00'), (TIME '23:59:59.999999')) v(t)`;
      const expected = [[86_400_000_000], [0], [86_399_999_999]];
      expect(await runRows(conn, sql, 'binary')).toEqual(expected);
      expect(await runRows(conn, sql, 'text')).toEqual(expected);
      for (const format of ['binary', 'text'] as const) {
        const batches = await collect(conn.batches(sql, [], { format }));
        expect(batches[0]!.fields[0]!.arrowType).toEqual(ARROW_TIME64);
        expect(batchRows(batches)).toEqual(expected);
      }
      const copied = await collect(conn.copyTo(`COPY (${sql}) TO STDOUT (FORMAT binary)`).batches());
      expect(batchRows(copied)).toEqual(expected);
      await conn.run('CREATE TEMP TABLE times (t time)');
      expect(await conn.copyFrom('COPY times FROM STDIN (FORMAT binary)', copied)).toEqual({ rowCount: 3 });
      expect((await conn.run(`SELECT t::text FROM times ORDER BY t`)).rows).toEqual([['00:00:00'], ['23:59:59.999999'], ['24:00:00']]);
    });

    it('copyFrom of copyTo().batches() round-trips a table between connections (count and checksum)', async () => {
      const make = `CREATE TABLE IF NOT EXISTS big_${major} AS SELECT g AS id, g::int8 * 1000003 AS i8, g / 7.0 AS n, md5(g::text) AS tx,
        CASE WHEN g % 5 = 0 THEN NULL ELSE TIMESTAMPTZ '2020-01-01' - g * interval '1 second' END AS ts, g % 3 = 0 AS b
        FROM generate_series(1, 50000) g`;
      await conn.run(make);
      await other.run(`CREATE TEMP TABLE big2 (LIKE big_${major})`);
      const source = conn.copyTo(`COPY big_${major} TO STDOUT (FORMAT binary)`).batches({ batchRows: 3000 });
      const result = await other.copyFrom('COPY big2 FROM STDIN (FORMAT binary)', source);
      expect(result).toEqual({ rowCount: 50000 });
      expect(await checksum(other, 'big2')).toEqual(await checksum(conn, `big_${major}`));
      // The table of every type, through batches() (binary) this time.
      await other.run('CREATE TEMP TABLE cols2 (id int, b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric, d date, ts timestamp, tstz timestamptz, tm time, u uuid, tx text, vc varchar(20), bp char(5), nm name, by bytea, js json, jb jsonb)');
      const r2 = await other.copyFrom('COPY cols2 FROM STDIN (FORMAT binary)', conn.batches('SELECT * FROM cols'));
      expect(r2.rowCount).toBe(6);
      expect(await checksum(other, 'cols2')).toEqual(await checksum(conn, 'cols'));
      // From its own connection it would deadlock: refused.
      await expect(conn.copyFrom('COPY cols FROM STDIN (FORMAT binary)', conn.batches('SELECT * FROM cols'))).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
      await conn.run(`DROP TABLE big_${major}`);
    });

    it('copyFrom of JS rows with their types, and of a batch built by hand', async () => {
      await conn.run('CREATE TEMP TABLE jsrows (id int4, name text, big int8, at timestamptz, ok bool, amount numeric, u uuid, raw bytea)');
      const rows = [
        [1, 'one', 1n, 0n, true, '1.50', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', new Uint8Array([1, 2])],
        [2, null, -(2n ** 63n), Infinity, false, 'NaN', null, new Uint8Array()],
        [3, 'Grüße 🐘', 2n ** 63n - 1n, 1_700_000_000_123_456n, null, thousandDigits, 'ffffffff-ffff-ffff-ffff-ffffffffffff', null],
      ];
      const types = [oid.INT4, oid.TEXT, oid.INT8, oid.TIMESTAMPTZ, oid.BOOL, oid.NUMERIC, oid.UUID, oid.BYTEA];
      expect(await conn.copyFrom('COPY jsrows FROM STDIN (FORMAT binary)', { types, rows })).toEqual({ rowCount: 3 });
      expect(await runRows(conn, 'SELECT * FROM jsrows ORDER BY id')).toEqual(rows.map((r) => r.map(rowValue)));
      // A ColumnBatch made in JS (no server involved in building it).
      const batch = new ColumnBatch(
        [columnField('id', oid.INT4), columnField('name', oid.TEXT)],
        [
          { type: { typeId: 'Int', bitWidth: 32, signed: true }, length: 2, nullCount: 0, validity: null, values: new Int32Array([10, 11]) },
          { type: { typeId: 'Utf8' }, length: 2, nullCount: 1, validity: new Uint8Array([1]), offsets: new Int32Array([0, 3, 3]), data: new TextEncoder().encode('hé') },
        ],
      );
      expect(await conn.copyFrom('COPY jsrows (id, name) FROM STDIN (FORMAT binary)', batch)).toEqual({ rowCount: 2 });
      expect((await conn.run('SELECT id, name FROM jsrows WHERE id >= 10 ORDER BY id')).rows).toEqual([[10, 'hé'], [11, null]]);
      // A value its column type cannot take fails the COPY (nothing kept), connection usable.
      await expect(conn.copyFrom('COPY jsrows (id) FROM STDIN (FORMAT binary)', { types: [oid.INT4], rows: [[1], [2 ** 40]] })).rejects.toMatchObject({
        code: ErrorCode.INVALID_ARGUMENT,
      });
      expect((await conn.run('SELECT count(*)::int FROM jsrows')).rows).toEqual([[5]]);
    });

    it('abort via signal stops batches() and copyTo().batches() (PGS_ABORTED); the connection stays usable', async () => {
      for (const read of [
        (signal: AbortSignal) => conn.batches('SELECT generate_series(1, 100000000) AS g', [], { batchRows: 1000, signal }),
        (signal: AbortSignal) => conn.copyTo('COPY (SELECT generate_series(1, 100000000) AS g) TO STDOUT (FORMAT binary)').batches({ batchRows: 1000, signal }),
      ]) {
        const controller = new AbortController();
        let seen = 0;
        const reading = (async () => {
          for await (const b of read(controller.signal)) {
            seen += b.numRows;
            if (seen === 3000) controller.abort();
          }
        })();
        await expect(reading).rejects.toMatchObject({ code: ErrorCode.ABORTED });
        expect(seen).toBeGreaterThanOrEqual(3000);
        expect((await conn.run('SELECT 4 AS four')).rows).toEqual([[4]]);
      }
      const aborted = AbortSignal.abort();
      await expect(collect(conn.batches('SELECT 1', [], { signal: aborted }))).rejects.toMatchObject({ code: ErrorCode.ABORTED });
      // A deadline: the statement is cancelled, PGS_TIMEOUT.
      await expect(collect(conn.batches('SELECT pg_sleep(5)', [], { timeout: 200 }))).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
      // A COPY FROM fed by batches, aborted: CopyFail, nothing kept.
      await conn.run('CREATE TEMP TABLE abort_in (g int4)');
      const controller = new AbortController();
      async function* slow(): AsyncGenerator<ColumnBatch> {
        for await (const b of other.batches('SELECT g::int4 FROM generate_series(1, 100000) g', [], { batchRows: 1000 })) {
          if (b.column(0).values![0] === 5001) controller.abort();
          yield b;
        }
      }
      await expect(conn.copyFrom('COPY abort_in FROM STDIN (FORMAT binary)', slow(), { signal: controller.signal })).rejects.toMatchObject({ code: ErrorCode.ABORTED });
      expect((await conn.run('SELECT count(*)::int FROM abort_in')).rows).toEqual([[0]]);
      expect((await other.run('SELECT 7 AS seven')).rows).toEqual([[7]]);
    });

    it('a row larger than 1 MiB is PGS_FRAME_TOO_LARGE (batches and COPY); a value just under it is read; the connection stays usable', async () => {
      const [ok] = await collect(conn.batches(`SELECT repeat('x', 900000) AS t`));
      expect(ok!.column(0).data!.length).toBe(900_000);
      for (const read of [
        () => conn.batches(`SELECT g, repeat('x', 3000000) AS t FROM generate_series(1, 3) g`),
        () => conn.copyTo(`COPY (SELECT repeat('x', 3000000) AS t) TO STDOUT (FORMAT binary)`).batches(),
      ]) {
        await expect(collect(read())).rejects.toMatchObject({ code: ErrorCode.FRAME_TOO_LARGE });
        expect((await conn.run('SELECT 6 AS six')).rows).toEqual([[6]]);
      }
    });

    it.fails('BUG: batches() and copyTo().batches() cannot read a row larger than 1 MiB (the WASM carry/output regions; run() and stream() can)', async () => {
      const [batch] = await collect(conn.batches(`SELECT repeat('x', 3000000) AS t`));
      expect(batch!.column(0).data!.length).toBe(3_000_000);
    });

    it('leaving the loop early discards the rest; a slow consumer keeps memory to a few batches', async () => {
      let batches = 0;
      for await (const b of conn.batches('SELECT g FROM generate_series(1, 200000) g', [], { batchRows: 1000 })) {
        expect(b.numRows).toBe(1000);
        if (++batches === 2) break;
      }
      expect((await conn.run('SELECT 5 AS five')).rows).toEqual([[5]]);
    });
  });
}

describe('batches() on a traced connection (rows come one by one)', () => {
  it('gives the same batches as the run-at-a-time path', async () => {
    const plain = await openSuperuser(pgServer(18), { types: exactTypes() });
    const traced = await openSuperuser(pgServer(18), { types: exactTypes(), trace: new Tracer(() => undefined) });
    try {
      for (const c of [plain, traced]) {
        await c.run(`SET TimeZone = 'UTC'`);
        for (const sql of tableSql('cols', 18).split(';')) await c.run(sql);
      }
      const sql = `SELECT ${COLUMNS} FROM cols, generate_series(1, 700) ORDER BY id`;
      for (const format of ['binary', 'text'] as const) {
        const a = await collect(plain.batches(sql, [], { format, batchRows: 1000 }));
        const b = await collect(traced.batches(sql, [], { format, batchRows: 1000 }));
        expect(b.map((x) => x.numRows).reduce((x, y) => x + y, 0)).toBe(4200);
        expect(batchRows(b)).toEqual(batchRows(a));
      }
    } finally {
      await plain.close();
      await traced.close();
    }
  });
});
