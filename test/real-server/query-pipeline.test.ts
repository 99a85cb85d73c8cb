/**
 * Pipelines that never lose a write (PRODUCT.md; RELIABILITY.md cases 15, 27) against the real
 * servers the suite starts: a statement's promise resolves only when its segment committed; a
 * failure rolls back the statements before it and skips those after it, each reported as such,
 * and the table afterwards agrees with what the promises said.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ErrorCode, QueryError, ServerError } from '../../src/index.js';
import type { Connection, Result } from '../../src/index.js';
import { pgServer } from '../support/facts.js';
import { openSuperuser } from '../support/query-connect.js';

type Settled = { status: 'fulfilled'; value: Result } | { status: 'rejected'; reason: unknown };

function codes(settled: Settled[]): string[] {
  return settled.map((s) => {
    if (s.status === 'fulfilled') return 'ok';
    const r = s.reason;
    if (r instanceof ServerError) return `server:${r.sqlstate}`;
    if (r instanceof QueryError) return r.code;
    return String(r);
  });
}

for (const major of [18, 13]) {
  describe(`pipelines on PostgreSQL ${major}`, () => {
    let conn: Connection;
    beforeAll(async () => {
      conn = await openSuperuser(pgServer(major));
      await conn.run('CREATE TEMP TABLE pl (id int PRIMARY KEY)');
    });
    beforeEach(async () => {
      await conn.run('TRUNCATE pl');
    });
    afterAll(async () => {
      await conn?.close();
    });

    const ids = async (): Promise<number[]> => (await conn.run('SELECT id FROM pl ORDER BY id')).rows.map((r) => r[0] as number);

    it('10,000 statements pipelined in one flush', async () => {
      const p = conn.pipeline();
      const results: Promise<Result>[] = [];
      for (let i = 0; i < 10_000; i++) results.push(p.run('INSERT INTO pl VALUES ($1)', [i]));
      await p.end();
      const settled = (await Promise.allSettled(results)) as Settled[];
      expect(settled.every((s) => s.status === 'fulfilled')).toBe(true);
      expect((await conn.run('SELECT count(*), sum(id) FROM pl')).rows).toEqual([[10_000n, 49_995_000n]]);
    });

    it('a failure at statement 4 of 6 with one Sync: 1–3 rolled back, 4 fails, 5–6 skipped, table unchanged', async () => {
      const p = conn.pipeline();
      const rs = [1, 2, 3, 3, 5, 6].map((id) => p.run('INSERT INTO pl VALUES ($1)', [id]));
      await p.end();
      const settled = (await Promise.allSettled(rs)) as Settled[];
      expect(codes(settled)).toEqual([
        'PGS_PIPELINE_ROLLED_BACK', 'PGS_PIPELINE_ROLLED_BACK', 'PGS_PIPELINE_ROLLED_BACK',
        'server:23505', 'PGS_PIPELINE_ABORTED', 'PGS_PIPELINE_ABORTED',
      ]);
      // The skipped and rolled-back statements say why.
      const aborted = (settled[4] as { reason: QueryError }).reason;
      expect(aborted.cause).toBeInstanceOf(ServerError);
      expect(await ids()).toEqual([]);
    });

    it('the same with a Sync per statement: 1–3 committed, 4 fails, 5–6 committed', async () => {
      const p = conn.pipeline();
      const rs = [1, 2, 3, 3, 5, 6].map((id) => {
        const r = p.run('INSERT INTO pl VALUES ($1)', [id]);
        p.sync();
        return r;
      });
      await p.end();
      const settled = (await Promise.allSettled(rs)) as Settled[];
      expect(codes(settled)).toEqual(['ok', 'ok', 'ok', 'server:23505', 'ok', 'ok']);
      expect(await ids()).toEqual([1, 2, 3, 5, 6]);
    });

    it('one Sync per 100 with a failure at 250: what was reported done is exactly what is in the table', async () => {
      const p = conn.pipeline();
      const rs: Promise<Result>[] = [];
      for (let i = 0; i < 1000; i++) {
        rs.push(p.run('INSERT INTO pl VALUES ($1)', [i === 250 ? 249 : i]));
        if (i % 100 === 99) p.sync();
      }
      await p.end();
      const settled = (await Promise.allSettled(rs)) as Settled[];
      const reportedDone = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [i] : []));
      expect(reportedDone.length).toBe(900);
      expect(await ids()).toEqual(reportedDone);
    });

    it('inside an explicit block, a COMMIT answered with ROLLBACK rejects', async () => {
      const p = conn.pipeline();
      const begin = p.run('BEGIN');
      const ins = p.run('INSERT INTO pl VALUES (1)');
      p.sync();
      const bad = p.run('INSERT INTO pl VALUES (1)');
      p.sync();
      const commit = p.run('COMMIT');
      await p.end();
      const settled = (await Promise.allSettled([begin, ins, bad, commit])) as Settled[];
      // The block was open at the end of the first segment: its statements ran, the COMMIT decides.
      expect(codes(settled)).toEqual(['ok', 'ok', 'server:23505', 'PGS_PIPELINE_ROLLED_BACK']);
      expect((await conn.run('COMMIT').catch((e: unknown) => e)) instanceof Error).toBe(false);
      expect(await ids()).toEqual([]);
    });

    it('conn.run("COMMIT") of a failed block rejects too', async () => {
      await conn.run('BEGIN');
      await conn.run('INSERT INTO pl VALUES (7)');
      await expect(conn.run('INSERT INTO pl VALUES (7)')).rejects.toBeInstanceOf(ServerError);
      await expect(conn.run('COMMIT')).rejects.toMatchObject({ code: ErrorCode.PIPELINE_ROLLED_BACK });
      expect(await ids()).toEqual([]);
    });

    it('BEGIN … COMMIT within one segment commits, and a savepoint rollback keeps what came before it', async () => {
      const p = conn.pipeline();
      const rs = [
        p.run('BEGIN'), p.run('INSERT INTO pl VALUES (1)'), p.run('SAVEPOINT s'), p.run('INSERT INTO pl VALUES (2)'),
        p.run('ROLLBACK TO SAVEPOINT s'), p.run('INSERT INTO pl VALUES (3)'), p.run('COMMIT'),
      ];
      await p.end();
      const settled = (await Promise.allSettled(rs)) as Settled[];
      expect(codes(settled)).toEqual(['ok', 'ok', 'ok', 'PGS_PIPELINE_ROLLED_BACK', 'ok', 'ok', 'ok']);
      expect(await ids()).toEqual([1, 3]);
    });

    it('a deferred constraint failing at the Sync rolls back the whole segment', async () => {
      await conn.run('CREATE TEMP TABLE pl_parent (id int PRIMARY KEY)');
      await conn.run('CREATE TEMP TABLE pl_child (p int REFERENCES pl_parent DEFERRABLE INITIALLY DEFERRED)');
      const p = conn.pipeline();
      const rs = [p.run('INSERT INTO pl VALUES (1)'), p.run('INSERT INTO pl_child VALUES (99)')];
      await p.end();
      const settled = (await Promise.allSettled(rs)) as Settled[];
      expect(codes(settled)).toEqual(['PGS_PIPELINE_ROLLED_BACK', 'PGS_PIPELINE_ROLLED_BACK']);
      const cause = (settled[0] as { reason: QueryError }).reason.cause;
      expect((cause as ServerError).sqlstate).toBe('23503');
      expect(await ids()).toEqual([]);
    });
  });
}
