/**
 * `npm run demo`: the seed README's examples, run for real. Uses the server named by DATABASE_URL or
 * the PG* variables when one is configured; otherwise starts an embedded PostgreSQL 18 (with TLS)
 * and stops it at the end. Shows: the quick start (simple query), the extended protocol, a
 * FunctionCall of sqrt with its OID looked up in pg_proc, a TLS connection through the caller's
 * own `tls.connect` upgrade, a cancelled query, the query layer (./query-layer.ts), and a table
 * read into Apache Arrow batches and written to an Arrow IPC file (./arrow.ts).
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { startEmbeddedPostgres } from '../support/embedded/index.js';
import type { EmbeddedPostgres } from '../support/embedded/index.js';
import {
  AuthenticationMode,
  ConnectionBuilder,
  FormatCode,
  MessageCode,
  PgStreamError,
  int4,
  oid,
  resolveConnectOptions,
  unixSocketPath,
} from 'pg-stream';
import type { Connection } from 'pg-stream';
import { arrowStep } from './arrow.js';
import { queryLayer } from './query-layer.js';

/** Where the demo connects. */
interface Target {
  host: string;
  port: number;
  /** Unix socket path, when the configured host is a socket directory. */
  path?: string;
  user: string;
  password?: string;
  database: string;
  /** CA to verify the server with (the embedded server's test CA). */
  ca?: string;
}

function log(...args: unknown[]): void {
  console.log(...args);
}

function dial(t: Target): net.Socket {
  return t.path !== undefined ? net.connect(t.path) : net.connect(t.port, t.host);
}

function builder(t: Target): ConnectionBuilder {
  const b = new ConnectionBuilder(t.user).database(t.database).applicationName('pg-stream demo');
  return t.password === undefined ? b : b.auth(AuthenticationMode.password(t.password));
}

/** Reads until ReadyForQuery, printing what arrives. */
async function drain(conn: Connection, label: string): Promise<(string | null)[][]> {
  const rows: (string | null)[][] = [];
  for (;;) {
    const msg = await conn.recv();
    switch (msg.type) {
      case 'DataRow':
        rows.push(Array.from({ length: msg.fieldCount }, (_, i) => msg.text(i)));
        break;
      case 'ErrorResponse':
        log(`  [${label}] ErrorResponse ${msg.fields.get('C')}: ${msg.fields.get('M')}`);
        break;
      case 'FunctionCallResponse':
        rows.push([msg.result === null ? null : new TextDecoder().decode(msg.result)]);
        break;
      default:
        break;
    }
    log(`  [${label}] ${msg.type}`);
    if (msg.code === MessageCode.READY_FOR_QUERY) return rows;
  }
}

async function quickStart(t: Target): Promise<void> {
  log('\n1. Quick start (simple query protocol)');
  const { conn, startup } = await builder(t).connect(dial(t));
  log('Connected to server version:', startup.parameters.get('server_version'));
  log(`  authentication: ${startup.authMethod}, backend pid ${startup.processId}`);
  conn.query('SELECT version()');
  await conn.flush();
  const rows = await drain(conn, 'query');
  log('  version():', rows[0]?.[0]);
  await conn.close();
}

async function extended(t: Target): Promise<void> {
  log('\n2. Extended query protocol: Parse, Bind, Execute, Sync');
  const { conn } = await builder(t).connect(dial(t));
  conn.parse('my_stmt').query('SELECT $1::int + $2::int').paramTypes([oid.INT4, oid.INT4]).finish();
  await conn.flush();
  conn.bind(null).statement('my_stmt').finish([int4(5), int4(10)]).execute(null, 0).sync();
  await conn.flush();
  const rows = await drain(conn, 'extended');
  log('  5 + 10 =', rows[0]?.[0]);
  await conn.close();
}

async function functionCall(t: Target): Promise<void> {
  log('\n3. FunctionCall of sqrt (OID looked up in pg_proc)');
  const { conn } = await builder(t).connect(dial(t));
  conn.query("SELECT 'sqrt(float8)'::regprocedure::oid");
  await conn.flush();
  const fn = Number((await drain(conn, 'lookup'))[0]?.[0]);
  log('  sqrt(float8) has OID', fn);
  conn.fnCall(fn).resultFormat(FormatCode.Text).finish(['9']);
  await conn.flush();
  const rows = await drain(conn, 'fncall');
  log('  sqrt(9) =', rows[0]?.[0]);
  await conn.close();
}

async function withTls(t: Target): Promise<void> {
  log('\n4. TLS with the caller\'s own upgrade function (connectWithTls)');
  if (t.path !== undefined) {
    log('  skipped: PostgreSQL does not use TLS on Unix sockets');
    return;
  }
  const upgrade = (socket: Duplex): Promise<Duplex> =>
    new Promise((resolve, reject) => {
      const options: tls.ConnectionOptions = t.ca !== undefined
        ? { socket, ca: t.ca, servername: 'localhost' }
        : { socket, rejectUnauthorized: false, ...(net.isIP(t.host) === 0 ? { servername: t.host } : {}) };
      const secure = tls.connect(options, () => resolve(secure));
      secure.once('error', reject);
    });
  try {
    const { conn, startup } = await builder(t).connectWithTls(dial(t), upgrade);
    log(`  encrypted: ${startup.encrypted}, authentication: ${startup.authMethod}`);
    conn.query('SELECT version, cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    await conn.flush();
    const rows = await drain(conn, 'tls');
    log('  pg_stat_ssl:', rows[0]?.join(', '));
    log('\n5. Cancelling SELECT pg_sleep(10) over a fresh TLS connection');
    conn.query('SELECT pg_sleep(10)');
    await conn.flush();
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    await conn.cancel();
    await drain(conn, 'cancel');
    log(`  cancelled after ${Math.round(performance.now() - t0)} ms`);
    await conn.close();
  } catch (err) {
    if (err instanceof PgStreamError && err.code.startsWith('PGS_TLS')) log(`  TLS not available: ${err.code} ${err.message}`);
    else throw err;
  }
}

async function target(): Promise<{ target: Target; server: EmbeddedPostgres | null }> {
  const env = process.env;
  if ((env.DATABASE_URL ?? '') !== '' || (env.PGHOST ?? '') !== '') {
    const o = resolveConnectOptions(env.DATABASE_URL || undefined);
    const h = o.hosts[0]!;
    log(`Using the configured server ${h.isUnixSocket ? h.host : `${h.host}:${h.port}`}`);
    const t: Target = { host: h.hostaddr ?? h.host, port: h.port, user: o.user, database: o.database };
    if (h.isUnixSocket) t.path = unixSocketPath(h);
    if (o.password !== undefined) t.password = o.password;
    return { target: t, server: null };
  }
  log('No DATABASE_URL or PGHOST: starting an embedded PostgreSQL 18…');
  const server = await startEmbeddedPostgres({ version: 18, tls: true });
  log(`Embedded PostgreSQL ${server.version} on ${server.host}:${server.port}`);
  const t: Target = { host: server.host, port: server.port, user: server.user, password: server.password, database: server.database };
  const ca = server.cluster.certs?.ca;
  if (ca !== undefined) t.ca = ca;
  return { target: t, server };
}

async function main(): Promise<void> {
  const { target: t, server } = await target();
  try {
    await quickStart(t);
    await extended(t);
    await functionCall(t);
    await withTls(t);
    await queryLayer(t, log);
    await arrowStep(t, log);
  } finally {
    if (server !== null) {
      await server.stop();
      log('\nEmbedded server stopped.');
    }
  }
}

main().catch((err: unknown) => {
  console.error('demo failed:', err instanceof PgStreamError ? `${err.code} ${err.message}` : err);
  process.exitCode = 1;
});
