/**
 * The query layer against a scripted server that misbehaves (RELIABILITY.md cases 5, 16, 20, 22,
 * 28): a server that stalls mid-result fails the pending calls within the read deadline; a server
 * that ignores a cancel cannot hold a call past its timeout plus the cancel timeout; a message that
 * arrives while nothing is pending is fatal at that moment, not counted into the next result; a
 * FATAL mid-pipeline rejects every call once; notices and parameter changes between rows change
 * no result. Everything runs over the in-memory transport (test/support/memory-transport.ts).
 */
import { describe, expect, it } from 'vitest';
import { ConnectionBuilder, ErrorCode, PgStreamError } from '../../src/browser.js';
import type { Connection, Notice, ParameterChange } from '../../src/browser.js';
import { MessageCode } from '../../src/protocol/codes.js';
import { errorResponse } from '../support/fake-server.js';
import { serveExtended } from '../support/fake-extended.js';
import type { ExtendedScript } from '../support/fake-extended.js';
import { memoryPair } from '../support/memory-transport.js';

async function open(script: ExtendedScript, build?: (b: ConnectionBuilder) => ConnectionBuilder): Promise<Connection> {
  const pair = memoryPair(async (s) => {
    await s.expect('StartupMessage');
    s.sendReady();
    await serveExtended(s, script);
  });
  const builder = build === undefined ? new ConnectionBuilder('u') : build(new ConnectionBuilder('u'));
  return (await builder.connectTransport(pair.transport)).conn;
}

/** Settles `p`, recording how (and how often) it settled. */
function watch(p: Promise<unknown>): { settled: number; outcome: unknown } {
  const w = { settled: 0, outcome: undefined as unknown };
  p.then(
    (v) => {
      w.settled++;
      w.outcome = v;
    },
    (e: unknown) => {
      w.settled++;
      w.outcome = e;
    },
  );
  return w;
}

describe('the query layer against a misbehaving server', () => {
  it('a server that stalls mid-result fails every pending call within the read deadline', async () => {
    const conn = await open({
      rows: () => Array.from({ length: 10 }, (_, i) => String(i)),
      onExecute: (s, _sql, rows) => {
        s.sendRow([rows[0]!]);
        return 'stall';
      },
    }, (b) => b.readTimeout(200));
    const t0 = performance.now();
    const a = conn.run('SELECT 1', [], { format: 'text' });
    const b = conn.run('SELECT 2', [], { format: 'text' });
    const [ea, eb] = await Promise.all([a.catch((e: unknown) => e), b.catch((e: unknown) => e)]);
    const ms = performance.now() - t0;
    // Each call's Sync went out: whether the server did it is unknown (cause: the read deadline).
    expect((ea as PgStreamError).code).toBe(ErrorCode.OUTCOME_UNKNOWN);
    expect((eb as PgStreamError).code).toBe(ErrorCode.OUTCOME_UNKNOWN);
    expect((ea as PgStreamError).cause).toBe(conn.error);
    expect((eb as PgStreamError).cause).toBe(conn.error);
    expect(conn.error?.code).toBe(ErrorCode.TIMEOUT);
    expect(ms).toBeLessThan(2000);
    expect(conn.closed).toBe(true);
  });

  it('a stream stalled mid-result throws PGS_TIMEOUT, no hang', async () => {
    const conn = await open({
      onExecute: (s) => {
        s.sendRow(['1']);
        return 'stall';
      },
    }, (b) => b.readTimeout(150));
    const seen: unknown[] = [];
    const err = await (async () => {
      for await (const row of conn.stream('SELECT 1', [], { format: 'text' })) seen.push(row.get(0));
    })().catch((e: unknown) => e);
    expect(seen).toEqual([1]);
    expect((err as PgStreamError).code).toBe(ErrorCode.OUTCOME_UNKNOWN);
    expect(((err as PgStreamError).cause as PgStreamError).code).toBe(ErrorCode.TIMEOUT);
  });

  it('a per-call timeout against a server that ignores the cancel: the connection fails after the cancel timeout', async () => {
    const conn = await open({ onExecute: () => 'stall' }, (b) => b.cancelTimeout(300));
    // The in-memory transport has no second connection; the cancel is sent nowhere and ignored.
    const t0 = performance.now();
    const err = await conn.run('SELECT pg_sleep(60)', [], { format: 'text', timeout: 100 }).catch((e: unknown) => e);
    const ms = performance.now() - t0;
    // The statement and its Sync were sent and never answered: its outcome is unknown.
    expect((err as PgStreamError).code).toBe(ErrorCode.OUTCOME_UNKNOWN);
    expect(((err as PgStreamError).cause as PgStreamError).code).toBe(ErrorCode.TIMEOUT);
    expect(ms).toBeLessThan(2000);
    expect(conn.closed).toBe(true);
  });

  it('a CommandComplete after ReadyForQuery is fatal when it arrives (an idle listener reads it)', async () => {
    let stray = false;
    const conn = await open({
      afterReady: (s) => {
        if (stray) return;
        stray = true;
        s.send({ type: 'CommandComplete', code: MessageCode.COMMAND_COMPLETE, tag: 'SELECT 1', rows: 1 });
      },
    });
    conn.on('notice', () => undefined);
    expect((await conn.run('SELECT 1', [], { format: 'text' })).rows).toEqual([[1]]);
    await expect.poll(() => conn.error?.code, { timeout: 2000 }).toBe(ErrorCode.UNEXPECTED_MESSAGE);
    await expect(conn.run('SELECT 2', [], { format: 'text' })).rejects.toMatchObject({ code: ErrorCode.UNEXPECTED_MESSAGE });
  });

  it('without a listener, the stray message is found by the next call, which fails: never counted into its result', async () => {
    let stray = false;
    const conn = await open({
      afterReady: (s) => {
        if (stray) return;
        stray = true;
        s.sendRow(['666']);
      },
    });
    expect((await conn.run('SELECT 1', [], { format: 'text' })).rows).toEqual([[1]]);
    await new Promise((r) => setTimeout(r, 20));
    await expect(conn.run('SELECT 2', [], { format: 'text' })).rejects.toMatchObject({ code: ErrorCode.UNEXPECTED_MESSAGE });
  });

  it('a FATAL mid-pipeline rejects every call exactly once, with the server\'s error', async () => {
    let n = 0;
    const conn = await open({
      onExecute: (s) => {
        if (++n === 3) {
          s.send(errorResponse('57P01', 'terminating connection due to administrator command'));
          s.close();
          return 'handled';
        }
        return 'continue';
      },
    });
    const p = conn.pipeline();
    const calls = Array.from({ length: 6 }, (_, i) => watch(p.run(`SELECT ${i}`, [], { format: 'text' })));
    await p.end();
    await new Promise((r) => setTimeout(r, 10));
    expect(calls.map((c) => c.settled)).toEqual([1, 1, 1, 1, 1, 1]);
    const codes = calls.map((c) => (c.outcome as PgStreamError).code);
    expect(codes.every((c) => c === ErrorCode.SERVER_ERROR)).toBe(true);
    expect((calls[2]!.outcome as { sqlstate: string }).sqlstate).toBe('57P01');
    expect(conn.closed).toBe(true);
  });

  it('notices and parameter changes between rows change no result, and reach their handlers in order', async () => {
    const conn = await open({
      rows: () => ['1', '2', '3'],
      onExecute: (s, _sql, rows) => {
        s.sendRow([rows[0]!]);
        s.send({ type: 'NoticeResponse', code: MessageCode.NOTICE_RESPONSE, fields: new Map([['S', 'NOTICE'], ['V', 'NOTICE'], ['C', '00000'], ['M', 'between rows']]) });
        s.sendRow([rows[1]!]);
        s.send({ type: 'ParameterStatus', code: MessageCode.PARAMETER_STATUS, name: 'TimeZone', value: 'UTC' });
        s.sendRow([rows[2]!]);
        s.send({ type: 'CommandComplete', code: MessageCode.COMMAND_COMPLETE, tag: 'SELECT 3', rows: 3 });
        return 'handled';
      },
    });
    const notices: Notice[] = [];
    const params: ParameterChange[] = [];
    conn.on('notice', (n) => notices.push(n)).on('parameter', (p) => params.push(p));
    const r = await conn.run('SELECT v', [], { format: 'text' });
    expect(r.rows).toEqual([[1], [2], [3]]);
    expect(r.rowCount).toBe(3);
    expect(notices.map((n) => n.message)).toEqual(['between rows']);
    expect(params).toEqual([{ name: 'TimeZone', value: 'UTC' }]);
    expect(conn.parameters.get('TimeZone')).toBe('UTC');
    await conn.close();
  });
});
