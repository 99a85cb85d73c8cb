/**
 * target_session_attrs: after startup, check that the server is the kind the caller asked for,
 * as libpq does (https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNECT-TARGET-SESSION-ATTRS).
 * PostgreSQL 14+ reports `in_hot_standby` and `default_transaction_read_only` in ParameterStatus,
 * so no query is needed; older servers are asked with `SHOW transaction_read_only` or
 * `SELECT pg_catalog.pg_is_in_recovery()`. A server that does not qualify is closed and the next
 * host is tried (ConnectionError), like an unreachable one.
 */
import { ConnectionError, ErrorCode, ServerError } from '../errors.js';
import type { Connected } from './connection.js';
import type { Connection } from './connection.js';
import type { TargetSessionAttrs } from '../conninfo/values.js';

/** The attributes one pass over the host list checks (`standby` is prefer-standby's first pass). */
export type SessionAttrsCheck = TargetSessionAttrs | 'standby';

/** True when the host list is walked twice: standbys first, then anything (prefer-standby). */
export function wantsStandbyFirst(attrs: TargetSessionAttrs): boolean {
  return attrs === 'prefer-standby';
}

const ON = 'on';

/** Runs `sql` (one row, one column) with the simple query protocol and returns the value. */
async function queryValue(conn: Connection, sql: string): Promise<string | null> {
  conn.query(sql);
  await conn.flush();
  let value: string | null = null;
  let error: ServerError | null = null;
  for (;;) {
    const msg = await conn.recv();
    if (msg.type === 'DataRow') value = msg.text(0);
    else if (msg.type === 'ErrorResponse') error = new ServerError(new Map(msg.fields));
    else if (msg.type === 'ReadyForQuery') break;
  }
  if (error !== null) throw error;
  return value;
}

async function inHotStandby(conn: Connection): Promise<boolean> {
  const reported = conn.parameters.get('in_hot_standby');
  if (reported !== undefined) return reported === ON;
  return (await queryValue(conn, 'SELECT pg_catalog.pg_is_in_recovery()')) === 't';
}

async function readOnly(conn: Connection): Promise<boolean> {
  const standby = conn.parameters.get('in_hot_standby');
  const defaultReadOnly = conn.parameters.get('default_transaction_read_only');
  if (standby !== undefined && defaultReadOnly !== undefined) return standby === ON || defaultReadOnly === ON;
  return (await queryValue(conn, 'SHOW transaction_read_only')) === ON;
}

/** Resolves when the session satisfies `attrs`; else rejects with a ConnectionError naming why. */
export async function checkSessionAttrs({ conn }: Connected, attrs: SessionAttrsCheck): Promise<void> {
  let why: string | null = null;
  switch (attrs) {
    case 'any':
    case 'prefer-standby':
      return;
    case 'read-write':
      if (await readOnly(conn)) why = 'session is read-only';
      break;
    case 'read-only':
      if (!(await readOnly(conn))) why = 'session is not read-only';
      break;
    case 'primary':
      if (await inHotStandby(conn)) why = 'server is in hot standby mode';
      break;
    case 'standby':
      if (!(await inHotStandby(conn))) why = 'server is not in hot standby mode';
      break;
  }
  if (why !== null) {
    throw new ConnectionError(ErrorCode.CONNECTION_CLOSED, `${why}, which target_session_attrs=${attrs} does not accept`);
  }
}
