/**
 * SessionState against real PostgreSQL transcripts: every message a live server sends for the
 * simple and extended protocols, pipelines with errors, portal suspension, COPY and notices must be
 * accepted with the outcomes the tracker documents. The sessions are opened from libpq connection
 * strings (URI over TCP with SCRAM, key=value over the Unix socket), so conninfo is exercised too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/transport/node/connect.js';
import type { Connection } from '../../src/session/connection.js';
import type { ClusterFacts } from '../support/embedded/cluster.js';
import { FormatCode, TargetKind, TransactionStatus } from '../../src/protocol/codes.js';
import type { FrontendMessage } from '../../src/protocol/messages.js';
import { Outcome, RequestKind, SessionState, type TrackedMessage } from '../../src/protocol/session-state.js';
import { stopServers, testServer } from '../support/connection-helpers.js';

const K = RequestKind;
const { ASYNC, PARTIAL, COMPLETE, FAILED, READY } = Outcome;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

const Q = (sql: string): FrontendMessage => ({ type: 'Query', sql });
const P = (sql: string, name: string | null = null): FrontendMessage => ({ type: 'Parse', name, sql, paramTypes: [] });
const Bd = (portal: string | null = null, statement: string | null = null): FrontendMessage =>
  ({ type: 'Bind', portal, statement, paramFormats: [], params: [], resultFormats: [FormatCode.Text] });
const DP = (name: string | null = null): FrontendMessage => ({ type: 'Describe', target: TargetKind.PORTAL, name });
const DS = (name: string | null = null): FrontendMessage => ({ type: 'Describe', target: TargetKind.STATEMENT, name });
const E = (portal: string | null = null, maxRows = 0): FrontendMessage => ({ type: 'Execute', portal, maxRows });
const S: FrontendMessage = { type: 'Sync' };
const H: FrontendMessage = { type: 'Flush' };

type Seen = [type: string, outcome: Outcome, kind: RequestKind, skipped: number];

/** Writes the messages (and tells the tracker), flushes, and reads until `readies` ReadyForQuery (or none: `until`). */
async function exchange(conn: Connection, state: SessionState, msgs: FrontendMessage[], until: { readies?: number; type?: string } = {}): Promise<Seen[]> {
  for (const m of msgs) {
    conn.encodeMessage(m);
    state.sent(m as TrackedMessage);
  }
  await conn.flush();
  const seen: Seen[] = [];
  let readies = until.readies ?? msgs.filter((m) => m.type === 'Sync' || m.type === 'Query').length;
  while (readies > 0 || until.type !== undefined) {
    const msg = await conn.recv();
    const outcome = state.received(msg);
    seen.push([msg.type, outcome, state.kind, outcome === FAILED ? state.skipped : 0]);
    if (msg.type === 'ReadyForQuery') readies--;
    if (msg.type === until.type) break;
  }
  return seen;
}

afterAll(stopServers);

describe.each([18, 13])('SessionState on real PostgreSQL %i sessions', (major) => {
  let server: ClusterFacts;
  beforeAll(async () => {
    server = await testServer(major);
  });

  it('simple protocol: results, multi-statement, empty query, errors, notices', async () => {
    const { conn } = await connect(`postgresql://scram_user:scram-secret@${server.host}:${server.port}/postgres?sslmode=disable&application_name=tracker`);
    const state = new SessionState();
    expect(await exchange(conn, state, [Q('SELECT 1 AS a, 2 AS b')])).toEqual([
      ['RowDescription', PARTIAL, K.QUERY, 0], ['DataRow', PARTIAL, K.QUERY, 0], ['CommandComplete', PARTIAL, K.QUERY, 0],
      ['ReadyForQuery', READY, K.QUERY, 0],
    ]);
    const multi = await exchange(conn, state, [Q('BEGIN; SELECT 1; SELECT FROM generate_series(1,2); SET LOCAL work_mem = 1024')]);
    expect(multi.map(([t]) => t)).toEqual(['CommandComplete', 'RowDescription', 'DataRow', 'CommandComplete', 'RowDescription',
      'DataRow', 'DataRow', 'CommandComplete', 'CommandComplete', 'ReadyForQuery']);
    expect(state.transactionStatus).toBe(TransactionStatus.IN_TRANSACTION);
    const failed = await exchange(conn, state, [Q('SELECT 1/0')]);
    expect(failed.slice(-2)).toEqual([['ErrorResponse', FAILED, K.QUERY, 0], ['ReadyForQuery', READY, K.QUERY, 0]]);
    expect(state.transactionStatus).toBe(TransactionStatus.FAILED);
    await exchange(conn, state, [Q('ROLLBACK')]);
    expect(await exchange(conn, state, [Q('')])).toEqual([['EmptyQueryResponse', PARTIAL, K.QUERY, 0], ['ReadyForQuery', READY, K.QUERY, 0]]);
    expect(await exchange(conn, state, [Q('  -- only a comment')])).toEqual([['EmptyQueryResponse', PARTIAL, K.QUERY, 0], ['ReadyForQuery', READY, K.QUERY, 0]]);
    const notice = await exchange(conn, state, [Q("DO $$BEGIN RAISE NOTICE 'hi'; END$$; SET application_name = 'x'")]);
    // The changed setting is reported where the server likes: after the SET (PostgreSQL 13), just
    // before ReadyForQuery (18). Either way it is asynchronous.
    expect(notice).toContainEqual(['ParameterStatus', ASYNC, K.NONE, 0]);
    expect(notice.filter(([t]) => t !== 'ParameterStatus')).toEqual([['NoticeResponse', ASYNC, K.NONE, 0],
      ['CommandComplete', PARTIAL, K.QUERY, 0], ['CommandComplete', PARTIAL, K.QUERY, 0], ['ReadyForQuery', READY, K.QUERY, 0]]);
    expect([state.idle, state.transactionStatus]).toEqual([true, TransactionStatus.IDLE]);
    await conn.close();
  });

  it('extended protocol: pipeline, error mid-pipeline with skipped statements, describe, suspension', async () => {
    const { conn } = await connect(`host=${server.socketDir} port=${server.port} user=postgres dbname=postgres`);
    const state = new SessionState();
    const one = (sql: string): FrontendMessage[] => [P(sql), Bd(), DP(), E()];
    const seen = await exchange(conn, state, [...one('SELECT 1'), S, ...one('SELECT 1/0'), ...one('SELECT 3'), S, ...one('SELECT 4'), S]);
    expect(seen).toEqual([
      ['ParseComplete', COMPLETE, K.PARSE, 0], ['BindComplete', COMPLETE, K.BIND, 0], ['RowDescription', COMPLETE, K.DESCRIBE_PORTAL, 0],
      ['DataRow', PARTIAL, K.EXECUTE, 0], ['CommandComplete', COMPLETE, K.EXECUTE, 0], ['ReadyForQuery', READY, K.SYNC, 0],
      // 1/0 is folded when the unnamed statement is planned, at Bind: its Describe and Execute and
      // all of the next statement (4 messages) are skipped until the Sync.
      ['ParseComplete', COMPLETE, K.PARSE, 0], ['ErrorResponse', FAILED, K.BIND, 6], ['ReadyForQuery', READY, K.SYNC, 0],
      ['ParseComplete', COMPLETE, K.PARSE, 0], ['BindComplete', COMPLETE, K.BIND, 0], ['RowDescription', COMPLETE, K.DESCRIBE_PORTAL, 0],
      ['DataRow', PARTIAL, K.EXECUTE, 0], ['CommandComplete', COMPLETE, K.EXECUTE, 0], ['ReadyForQuery', READY, K.SYNC, 0],
    ]);

    expect(await exchange(conn, state, [P('SELECT $1::int + 1 AS n', 's1'), DS('s1'), P('INSERT INTO pg_temp.x VALUES (1)', 's2'), S]))
      .toEqual([['ParseComplete', COMPLETE, K.PARSE, 0], ['ParameterDescription', PARTIAL, K.DESCRIBE_STATEMENT, 0],
        ['RowDescription', COMPLETE, K.DESCRIBE_STATEMENT, 0], ['ErrorResponse', FAILED, K.PARSE, 0], ['ReadyForQuery', READY, K.SYNC, 0]]);

    // Portal suspension inside a transaction block; the second Execute has no Describe of its own.
    await exchange(conn, state, [Q('BEGIN')]);
    const part1 = await exchange(conn, state, [P('SELECT g, g * 2 FROM generate_series(1, 5) g'), Bd('c'), DP('c'), E('c', 2), H], { type: 'PortalSuspended' });
    expect(part1.map(([t, o]) => [t, o])).toEqual([['ParseComplete', COMPLETE], ['BindComplete', COMPLETE], ['RowDescription', COMPLETE],
      ['DataRow', PARTIAL], ['DataRow', PARTIAL], ['PortalSuspended', COMPLETE]]);
    const part2 = await exchange(conn, state, [E('c', 0), { type: 'Close', target: TargetKind.PORTAL, name: 'c' }, S]);
    expect(part2.map(([t]) => t)).toEqual(['DataRow', 'DataRow', 'DataRow', 'CommandComplete', 'CloseComplete', 'ReadyForQuery']);
    expect(state.transactionStatus).toBe(TransactionStatus.IN_TRANSACTION);
    await exchange(conn, state, [Q('COMMIT')]);

    // An error with no Sync sent yet: the server discards until the Sync that follows.
    const broken = await exchange(conn, state, [P('SELEC 1'), Bd(), E(), H], { type: 'ErrorResponse' });
    expect(broken).toEqual([['ErrorResponse', FAILED, K.PARSE, 2]]);
    expect(state.discarding).toBe(true);
    expect(await exchange(conn, state, [P('SELECT 1'), Bd(), E(), S])).toEqual([['ReadyForQuery', READY, K.SYNC, 0]]);
    expect(state.idle).toBe(true);
    await conn.close();
  });

  it('COPY out and in, through Query and Execute', async () => {
    const { conn } = await connect(`host=${server.socketDir} port=${server.port} user=postgres dbname=postgres`);
    const state = new SessionState();
    const out = await exchange(conn, state, [Q('COPY (SELECT generate_series(1, 3)) TO STDOUT')]);
    expect(out.map(([t, o]) => [t, o])).toEqual([['CopyOutResponse', PARTIAL], ['CopyData', PARTIAL], ['CopyData', PARTIAL],
      ['CopyData', PARTIAL], ['CopyDone', PARTIAL], ['CommandComplete', PARTIAL], ['ReadyForQuery', READY]]);
    await exchange(conn, state, [Q('CREATE TEMP TABLE t (x int)')]);
    expect(await exchange(conn, state, [Q('COPY t FROM STDIN')], { type: 'CopyInResponse' })).toEqual([['CopyInResponse', PARTIAL, K.QUERY, 0]]);
    expect(state.copyIn).toBe(true);
    const copyIn = await exchange(conn, state, [{ type: 'CopyData', data: text('1\n2\n') }, { type: 'CopyDone' }], { readies: 1 });
    expect(copyIn.map(([t]) => t)).toEqual(['CommandComplete', 'ReadyForQuery']);
    await exchange(conn, state, [Q('COPY t FROM STDIN')], { type: 'CopyInResponse' });
    const fail = await exchange(conn, state, [{ type: 'CopyFail', message: 'client gave up' }], { readies: 1 });
    expect(fail.map(([t, o]) => [t, o])).toEqual([['ErrorResponse', FAILED], ['ReadyForQuery', READY]]);
    const viaExecute = await exchange(conn, state, [P('COPY t TO STDOUT'), Bd(), E(), S]);
    expect(viaExecute.map(([t, o]) => [t, o])).toEqual([['ParseComplete', COMPLETE], ['BindComplete', COMPLETE], ['CopyOutResponse', PARTIAL],
      ['CopyData', PARTIAL], ['CopyData', PARTIAL], ['CopyDone', PARTIAL], ['CommandComplete', COMPLETE], ['ReadyForQuery', READY]]);
    expect(state.idle).toBe(true);
    await conn.close();
  });
});
