/**
 * Client-side conveniences for the hostile and matrix tests: run `SELECT 1` on a connection and
 * read to ReadyForQuery, and the fake-server script pieces most cases share.
 */
import { expect } from 'vitest';
import type { Connection } from '../../src/session/connection.js';
import type { FakeSession, FakeTlsOptions } from './fake-server.js';

/** Runs `sql` (default `SELECT 1`) and returns the first column of every row, as text. */
export async function query(conn: Connection, sql = 'SELECT 1'): Promise<(string | null)[]> {
  conn.query(sql);
  await conn.flush();
  const rows: (string | null)[] = [];
  for (;;) {
    const msg = await conn.recv();
    if (msg.type === 'DataRow') rows.push(msg.text(0));
    if (msg.type === 'ErrorResponse') throw new Error(`query failed: ${msg.fields.get('M') ?? ''}`);
    if (msg.type === 'ReadyForQuery') return rows;
  }
}

/** Runs `SELECT 1`, checks the result, closes the connection. */
export async function selectOneAndClose(conn: Connection): Promise<void> {
  expect(await query(conn)).toEqual(['1']);
  await conn.close();
}

/** Server script tail: StartupMessage, trust (AuthenticationOk…ReadyForQuery), then serve queries. */
export async function trustAndServe(s: FakeSession): Promise<void> {
  await s.expect('StartupMessage');
  s.sendReady();
  await s.serveQueries();
}

/** Server script: answer SSLRequest with `S`, upgrade with `tlsOptions`, then trust and serve. */
export async function tlsTrustAndServe(s: FakeSession, tlsOptions: FakeTlsOptions): Promise<void> {
  await s.expect('SSLRequest');
  s.sendRaw('S');
  await s.upgradeTls(tlsOptions);
  await trustAndServe(s);
}
