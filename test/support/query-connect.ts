/**
 * Connections for query-layer tests: the superuser of a shared test server (SCRAM over TCP, no
 * TLS), through the library's `connect()` with a connection string, so each test file can open
 * and close what it needs.
 */
import { connect } from '../../src/index.js';
import type { ConnectExtras, Connection } from '../../src/index.js';
import { connectAs, pgServer } from './facts.js';
import type { ClusterFacts } from './facts.js';

/** A connection string for the superuser of `server` (default: the newest shared server). */
export function superuserUrl(server: ClusterFacts = pgServer()): string {
  const f = connectAs(server);
  return `postgresql://${encodeURIComponent(f.user)}:${encodeURIComponent(f.password ?? '')}@${f.host}:${f.port}/${encodeURIComponent(f.database)}?sslmode=disable`;
}

/** Opens a connection as the superuser of `server`. */
export async function openSuperuser(server: ClusterFacts = pgServer(), extras: ConnectExtras = {}): Promise<Connection> {
  const { conn } = await connect(superuserUrl(server), { allowCleartextOverPlaintext: false, ...extras });
  return conn;
}
