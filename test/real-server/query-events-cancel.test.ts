/**
 * Notifications, notices and parameter changes through the query layer, also while the connection
 * is idle; a throwing handler isolated and reported; cancellation with an AbortSignal and per-call
 * timeouts (CancelRequest, the connection drains and stays usable); against the real servers the
 * suite starts (RELIABILITY.md cases 20, 21).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorCode, QueryError, ServerError } from '../../src/index.js';
import type { Connection, Notice, Notification, ParameterChange } from '../../src/index.js';
import { pgServer } from '../support/facts.js';
import { openSuperuser } from '../support/query-connect.js';

function waitFor<T>(list: T[], n: number, ms = 5000): Promise<void> {
  return vi.waitFor(() => {
    if (list.length < n) throw new Error(`${list.length} of ${n} arrived`);
  }, { timeout: ms, interval: 10 });
}

for (const major of [18, 13]) {
  describe(`events and cancellation on PostgreSQL ${major}`, () => {
    let conn: Connection;
    let other: Connection;
    beforeAll(async () => {
      conn = await openSuperuser(pgServer(major));
      other = await openSuperuser(pgServer(major));
    });
    afterAll(async () => {
      await conn?.close();
      await other?.close();
    });

    it('a NOTIFY from a second connection reaches an idle listener, in order', async () => {
      const got: Notification[] = [];
      const stop = await conn.listen('jobs', (n) => got.push(n));
      // The connection is idle: nothing is being read on behalf of a call.
      await other.run("NOTIFY jobs, 'one'");
      await other.run("SELECT pg_notify('jobs', 'two'), pg_notify('jobs', 'three')");
      await waitFor(got, 3);
      expect(got.map((n) => n.payload)).toEqual(['one', 'two', 'three']);
      expect(got[0]!.channel).toBe('jobs');
      expect(got[0]!.processId).toBe(other.processId);
      await stop();
      await other.run("NOTIFY jobs, 'after'");
      await conn.run('SELECT 1');
      expect(got).toHaveLength(3);
    });

    it('conn.on("notification") sees every channel; notices and parameter changes arrive too', async () => {
      const notes: Notification[] = [];
      const notices: Notice[] = [];
      const params: ParameterChange[] = [];
      const onNote = (n: Notification): void => void notes.push(n);
      const onNotice = (n: Notice): void => void notices.push(n);
      const onParam = (p: ParameterChange): void => void params.push(p);
      conn.on('notification', onNote).on('notice', onNotice).on('parameter', onParam);
      await conn.run('LISTEN "Mixed Case"');
      await other.run(`NOTIFY "Mixed Case", 'x'`);
      await conn.run("DO $$ BEGIN RAISE NOTICE 'hello %', 42; END $$");
      await conn.run("SET application_name = 'events-test'");
      await waitFor(notes, 1);
      expect(notes[0]!.channel).toBe('Mixed Case');
      expect(notices.map((n) => n.message)).toContain('hello 42');
      expect(notices[0]!.severity).toBe('NOTICE');
      expect(params).toContainEqual({ name: 'application_name', value: 'events-test' });
      expect(conn.parameters.get('application_name')).toBe('events-test');
      conn.off('notification', onNote).off('notice', onNotice).off('parameter', onParam);
      await conn.run('UNLISTEN *');
    });

    it('a handler that throws is isolated and reported to the error handlers', async () => {
      const reported: unknown[] = [];
      const seen: string[] = [];
      const boom = new Error('handler failure');
      const onError = (e: { event: string; error: unknown }): void => void reported.push(e.error);
      conn.on('error', onError);
      const stop1 = await conn.listen('iso', () => {
        throw boom;
      });
      const stop2 = await conn.listen('iso', (n) => seen.push(n.payload));
      await other.run("NOTIFY iso, 'a'");
      await waitFor(seen, 1);
      expect(reported).toEqual([boom]);
      expect((await conn.run('SELECT 2 AS two')).rows).toEqual([[2]]);
      await stop1();
      await stop2();
      conn.off('error', onError);
    });

    it('pg_sleep(60) cancelled by an AbortSignal within one second; the connection is usable after', async () => {
      const ac = new AbortController();
      const t0 = performance.now();
      setTimeout(() => ac.abort(), 100);
      const err = await conn.run('SELECT pg_sleep(60)', [], { signal: ac.signal }).catch((e: unknown) => e);
      const ms = performance.now() - t0;
      expect(err).toBeInstanceOf(QueryError);
      expect((err as QueryError).code).toBe(ErrorCode.ABORTED);
      expect(((err as QueryError).cause as ServerError).sqlstate).toBe('57014');
      expect(ms).toBeLessThan(1000);
      expect((await conn.run('SELECT 3 AS three')).rows).toEqual([[3]]);
    });

    it('an already-aborted signal sends nothing', async () => {
      const ac = new AbortController();
      ac.abort();
      const before = conn.session.pending;
      await expect(conn.run('SELECT pg_sleep(60)', [], { signal: ac.signal })).rejects.toMatchObject({ code: ErrorCode.ABORTED });
      expect(conn.session.pending).toBe(before);
      expect(conn.pending).toBe(0);
    });

    it('a per-call timeout cancels: PGS_TIMEOUT, connection usable; a stream and a pipeline too', async () => {
      await expect(conn.run('SELECT pg_sleep(30)', [], { timeout: 150 })).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
      const iterate = async (): Promise<void> => {
        for await (const row of conn.stream('SELECT pg_sleep(30)', [], { timeout: 150 })) void row;
      };
      await expect(iterate()).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
      const p = conn.pipeline();
      const a = p.run('SELECT 1 AS a');
      const b = p.run('SELECT pg_sleep(30)', [], { timeout: 150 });
      const c = p.run('SELECT 3 AS c');
      await p.end();
      const settled = await Promise.allSettled([a, b, c]);
      expect(settled.map((s) => (s.status === 'fulfilled' ? 'ok' : (s.reason as QueryError).code))).toEqual([
        ErrorCode.PIPELINE_ROLLED_BACK, ErrorCode.TIMEOUT, ErrorCode.PIPELINE_ABORTED,
      ]);
      expect((await conn.run('SELECT 4 AS four')).rows).toEqual([[4]]);
    });

    it('conn.pipeline({ signal }) gives its statements the signal: an abort cancels the running one, the rest of the segment is aborted, the finished one rolled back', async () => {
      const ac = new AbortController();
      const p = conn.pipeline({ signal: ac.signal });
      const a = p.run('SELECT 1 AS a');
      const b = p.run('SELECT pg_sleep(60)');
      const c = p.run('SELECT 3 AS c');
      const t0 = performance.now();
      setTimeout(() => ac.abort(), 100);
      await p.end();
      expect(performance.now() - t0).toBeLessThan(1000);
      const settled = await Promise.allSettled([a, b, c]);
      expect(settled.map((s) => (s.status === 'fulfilled' ? 'ok' : (s.reason as QueryError).code))).toEqual([
        ErrorCode.PIPELINE_ROLLED_BACK, ErrorCode.ABORTED, ErrorCode.ABORTED,
      ]);
      expect((await conn.run('SELECT 4 AS four')).rows).toEqual([[4]]);
      // A statement's own options win over the pipeline's; a bad default timeout is refused at once.
      const q = conn.pipeline({ timeout: 100 });
      const slow = q.run('SELECT pg_sleep(0.3) AS slow', [], { timeout: 5000 });
      await q.end();
      expect((await slow).rows).toEqual([['']]);
      expect(() => conn.pipeline({ timeout: -1 })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    });

    it('an abort of a statement queued behind another waits for its turn, and hits only it', async () => {
      const ac = new AbortController();
      const first = conn.run('SELECT pg_sleep(0.2) AS first');
      const second = conn.run('SELECT pg_sleep(30) AS second', [], { signal: ac.signal });
      setTimeout(() => ac.abort(), 20);
      expect((await first).rows).toEqual([['']]);
      await expect(second).rejects.toMatchObject({ code: ErrorCode.ABORTED });
      expect((await conn.run('SELECT 5 AS five')).rows).toEqual([[5]]);
    });
  });
}
