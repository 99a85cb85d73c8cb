/**
 * `conn.run()` and `conn.stream()` against the real servers the suite starts (18 and 13): values
 * decoded by type in text and binary, the statement cache (first run text, then binary),
 * parameters by described type, errors leave the connection usable, and the raw API and the query
 * layer refuse to fight (PGS_BUSY).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, ServerError } from '../../src/index.js';
import type { Connection } from '../../src/index.js';
import { pgServer } from '../support/facts.js';
import { openSuperuser } from '../support/query-connect.js';

for (const major of [18, 13]) {
  describe(`run and stream on PostgreSQL ${major}`, () => {
    let conn: Connection;
    beforeAll(async () => {
      conn = await openSuperuser(pgServer(major));
    });
    afterAll(async () => {
      await conn?.close();
    });

    it('runs a statement and decodes values by type, in every format', async () => {
      const sql = "SELECT 1::int2 AS a, 2::int4 AS b, 9007199254740993::int8 AS c, 1.5::float4 AS d, 'NaN'::float8 AS e, true AS f, 'hé'::text AS g, '\\x0102'::bytea AS h, 12345678901234567890.5::numeric AS i, NULL::int4 AS j";
      const expected = [1, 2, 9007199254740993n, 1.5, NaN, true, 'hé', Uint8Array.of(1, 2), '12345678901234567890.5', null];
      for (const format of ['auto', 'auto', 'text', 'binary'] as const) {
        const r = await conn.run(sql, [], { format });
        expect(r.command).toBe('SELECT 1');
        expect(r.rowCount).toBe(1);
        expect(r.fields.map((f) => f.name)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
        expect(r.rows).toEqual([expected]);
      }
      // The second 'auto' run used the cached, described statement: binary where a decoder exists.
      const r = await conn.run(sql);
      expect(r.fields.map((f) => f.format)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    });

    it('encodes parameters by their described types', async () => {
      const sql = 'SELECT $1::int4 + $2::int4 AS sum, $3::text AS t, $4::int8 AS big, $5::bool AS b';
      for (let i = 0; i < 2; i++) {
        const r = await conn.run(sql, [5, 10, 'x', 12n, false]);
        expect(r.rows).toEqual([[15, 'x', 12n, false]]);
      }
    });

    it('a server error rejects with the SQLSTATE and leaves the connection usable', async () => {
      const err = await conn.run('SELECT 1/0').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServerError);
      expect((err as ServerError).sqlstate).toBe('22012');
      expect((await conn.run('SELECT 42 AS x')).rows).toEqual([[42]]);
    });

    it('commands report their tag and row count', async () => {
      await conn.run('CREATE TEMP TABLE run_t (id int, v text)');
      const ins = await conn.run('INSERT INTO run_t SELECT g, g::text FROM generate_series(1, 5) g');
      expect(ins.command).toBe('INSERT 0 5');
      expect(ins.rowCount).toBe(5);
      expect(ins.fields).toEqual([]);
      expect((await conn.run('SELECT count(*) FROM run_t')).rows).toEqual([[5n]]);
    });

    it('streams rows one at a time as zero-copy views, typed', async () => {
      let n = 0;
      let sum = 0;
      for await (const row of conn.stream('SELECT g AS id, g::text AS t FROM generate_series(1, 10000) g')) {
        n++;
        sum += row.get(0) as number;
        expect(row.text(1)).toBe(String(n));
      }
      expect(n).toBe(10000);
      expect(sum).toBe((10000 * 10001) / 2);
      // forEach: the same without a promise per row.
      let m = 0;
      await conn.stream('SELECT g FROM generate_series(1, 5000) g').forEach((row) => {
        m += row.get(0) as number;
      });
      expect(m).toBe((5000 * 5001) / 2);
    });

    it('leaving a stream early leaves the connection usable', async () => {
      let seen = 0;
      for await (const row of conn.stream('SELECT g FROM generate_series(1, 100000) g')) {
        seen = row.get(0) as number;
        if (seen === 10) break;
      }
      expect(seen).toBe(10);
      expect((await conn.run('SELECT 7 AS x')).rows).toEqual([[7]]);
    });

    it('the raw API and the query layer never fight: PGS_BUSY, not a hang', async () => {
      const running = conn.run('SELECT pg_sleep(0.05)');
      await expect(conn.recv()).rejects.toMatchObject({ code: ErrorCode.BUSY });
      expect(() => conn.query('SELECT 1')).toThrow(expect.objectContaining({ code: ErrorCode.BUSY }));
      await running;
      conn.query('SELECT 1');
      await conn.flush();
      await expect(conn.run('SELECT 2')).rejects.toMatchObject({ code: ErrorCode.BUSY });
      for (;;) {
        const msg = conn.tryRecv() ?? (await conn.recv());
        if (msg.type === 'ReadyForQuery') break;
      }
      expect((await conn.run('SELECT 3 AS x')).rows).toEqual([[3]]);
    });
  });
}
