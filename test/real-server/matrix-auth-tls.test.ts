/**
 * The connection matrix against real PostgreSQL servers: every server version the test setup
 * provides × every authentication method × every sslmode, each cell a named test whose expected
 * outcome is written in the table below — successes (SELECT 1 works; TLS cells are encrypted as
 * the server itself reports in pg_stat_ssl) and failures (the right typed error, code, SQLSTATE).
 *
 * Servers come from the vitest global setup (test/support/servers.ts) when it is wired in; without
 * it this file starts the same clusters itself (one per available version, TLS and every auth
 * method), so the matrix never silently shrinks.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import nodeTls from 'node:tls';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AuthenticationMode } from '../../src/auth/authentication-mode.js';
import { ConnectionBuilder } from '../../src/transport/node/builder.js';
import { connect } from '../../src/transport/node/connect.js';
import type { Connected } from '../../src/session/connection.js';
import type { ConnectOptionsInput } from '../../src/conninfo/input.js';
import { availableServers } from '../support/embedded/binaries.js';
import { startCluster } from '../support/embedded/cluster.js';
import type { Cluster, ClusterFacts } from '../support/embedded/cluster.js';
import { TEST_ROLES } from '../support/embedded/roles.js';
import { AuthError, ErrorCode, PgStreamError, ServerError, TlsError } from '../../src/errors.js';
import { expectNoSecrets, trackUnhandled } from '../support/fake-assert.js';
import type { ErrorClass } from '../support/fake-assert.js';
import { query } from '../support/fake-client.js';

trackUnhandled();

// ------------------------------------------------------------------ the table

/** The columns: libpq sslmodes, plus `direct` = sslnegotiation=direct with sslmode=require. */
const MODES = ['disable', 'prefer', 'require', 'verify-full', 'direct'] as const;
type Mode = (typeof MODES)[number];

/** What a cell must do. */
type Outcome =
  | { readonly ok: true; readonly tls: boolean; readonly authMethod: string }
  | { readonly ok: false; readonly type: ErrorClass; readonly codes: readonly ErrorCode[]; readonly sqlstate?: string; readonly what: string };

const plain = (authMethod: string): Outcome => ({ ok: true, tls: false, authMethod });
const tls = (authMethod: string): Outcome => ({ ok: true, tls: true, authMethod });
const serverError = (sqlstate: string): Outcome => ({ ok: false, type: ServerError, codes: [ErrorCode.SERVER_ERROR], sqlstate, what: `ServerError ${sqlstate}` });
const authError = (code: ErrorCode): Outcome => ({ ok: false, type: AuthError, codes: [code], what: `AuthError ${code}` });
/** Direct TLS to a server older than 17: it reads the ClientHello as a startup packet and hangs up. */
const DIRECT_UNSUPPORTED: Outcome = { ok: false, type: TlsError, codes: [ErrorCode.TLS_HANDSHAKE], what: 'TlsError PGS_TLS_HANDSHAKE (pre-17)' };

/** A direct-TLS cell: `outcome` on PostgreSQL 17+, a connection error before. */
interface Since17 {
  readonly since17: Outcome;
}
type Cell = Outcome | Since17;
const since17 = (outcome: Outcome): Since17 => ({ since17: outcome });

/** The methods: which role, with which credentials and options. */
const METHODS = {
  trust: { user: 'trust_user', password: undefined },
  password: { user: 'pw_user', password: TEST_ROLES.pw_user.password },
  md5: { user: 'md5_user', password: TEST_ROLES.md5_user.password },
  scram: { user: 'scram_user', password: TEST_ROLES.scram_user.password },
  'scram-plus': { user: 'scram_user', password: TEST_ROLES.scram_user.password, channelBinding: 'require' },
  cert: { user: 'certuser', password: undefined, clientCert: 'certuser' },
  'hostssl-only': { user: 'ssl_only', password: TEST_ROLES.ssl_only.password },
  'wrong-password': { user: 'scram_user', password: 'not-the-password-8231' },
} as const satisfies Record<string, { user: string; password: string | undefined; channelBinding?: 'require'; clientCert?: string }>;
type Method = keyof typeof METHODS;

/** The expected outcome of every cell. PostgreSQL offers SCRAM-SHA-256-PLUS whenever TLS is on. */
const TABLE: Record<Method, Record<Mode, Cell>> = {
  trust: {
    disable: plain('trust'),
    prefer: tls('trust'),
    require: tls('trust'),
    'verify-full': tls('trust'),
    direct: since17(tls('trust')),
  },
  password: {
    // Cleartext passwords never cross a connection without TLS unless explicitly allowed.
    disable: authError(ErrorCode.AUTH_CLEARTEXT_INSECURE),
    prefer: tls('password'),
    require: tls('password'),
    'verify-full': tls('password'),
    direct: since17(tls('password')),
  },
  md5: {
    disable: plain('md5'),
    prefer: tls('md5'),
    require: tls('md5'),
    'verify-full': tls('md5'),
    direct: since17(tls('md5')),
  },
  scram: {
    disable: plain('SCRAM-SHA-256'),
    prefer: tls('SCRAM-SHA-256-PLUS'),
    require: tls('SCRAM-SHA-256-PLUS'),
    'verify-full': tls('SCRAM-SHA-256-PLUS'),
    direct: since17(tls('SCRAM-SHA-256-PLUS')),
  },
  'scram-plus': {
    // channel_binding=require: impossible without TLS.
    disable: authError(ErrorCode.CHANNEL_BINDING),
    prefer: tls('SCRAM-SHA-256-PLUS'),
    require: tls('SCRAM-SHA-256-PLUS'),
    'verify-full': tls('SCRAM-SHA-256-PLUS'),
    direct: since17(tls('SCRAM-SHA-256-PLUS')),
  },
  cert: {
    // `hostssl … cert` does not match plaintext; the catch-all `host all all reject` does.
    disable: serverError('28000'),
    prefer: tls('trust'),
    require: tls('trust'),
    'verify-full': tls('trust'),
    direct: since17(tls('trust')),
  },
  'hostssl-only': {
    disable: serverError('28000'),
    prefer: tls('SCRAM-SHA-256-PLUS'),
    require: tls('SCRAM-SHA-256-PLUS'),
    'verify-full': tls('SCRAM-SHA-256-PLUS'),
    direct: since17(tls('SCRAM-SHA-256-PLUS')),
  },
  'wrong-password': {
    disable: serverError('28P01'),
    prefer: serverError('28P01'),
    require: serverError('28P01'),
    'verify-full': serverError('28P01'),
    direct: since17(serverError('28P01')),
  },
};

function outcomeFor(cell: Cell, major: number): Outcome {
  if ('since17' in cell) return major >= 17 ? cell.since17 : DIRECT_UNSUPPORTED;
  return cell;
}

function describeOutcome(o: Outcome): string {
  return o.ok ? `ok (${o.tls ? 'TLS' : 'plaintext'}, ${o.authMethod})` : o.what;
}

// ------------------------------------------------------------------ the servers

const provided = (inject('pgServers' as never) as ClusterFacts[] | undefined) ?? null;
/** Versions to test: what the global setup started, else every runnable binary (newest first). */
const MAJORS: number[] = provided !== null ? provided.map((s) => s.major) : (await availableServers()).map((b) => b.major);
const own: Cluster[] = [];
const servers = new Map<number, ClusterFacts>();
/** Newest version presenting an expired certificate, and with TLS off. */
let expiredTls: ClusterFacts | null = null;
let noTls: ClusterFacts | null = null;

beforeAll(async () => {
  if (provided !== null) {
    for (const s of provided) servers.set(s.major, s);
    expiredTls = (inject('pgExpiredTls' as never) as ClusterFacts | null | undefined) ?? null;
    noTls = (inject('pgNoTls' as never) as ClusterFacts | null | undefined) ?? null;
    return;
  }
  const newest = MAJORS[0];
  const [expired, off, ...started] = await Promise.all([
    startCluster({ version: newest, tls: true, auth: true, serverCert: 'expired' }),
    startCluster({ version: newest, tls: false, auth: true }),
    ...MAJORS.map((version) => startCluster({ version, tls: true, auth: true })),
  ]);
  own.push(expired, off, ...started);
  expiredTls = expired.facts();
  noTls = off.facts();
  for (const c of started) servers.set(c.major, c.facts());
}, 180_000);

afterAll(async () => {
  await Promise.all(own.map((c) => c.stop()));
});

function serverFor(major: number): ClusterFacts {
  const s = servers.get(major);
  if (s === undefined) throw new Error(`PostgreSQL ${major} is not running`);
  return s;
}

// ------------------------------------------------------------------ the cells

function optionsFor(server: ClusterFacts, method: Method, mode: Mode): { input: ConnectOptionsInput; extras: Parameters<typeof connect>[1] } {
  const m: { user: string; password: string | undefined; channelBinding?: 'require'; clientCert?: string } = METHODS[method];
  const certs = server.certs;
  if (certs === null) throw new Error('the matrix needs servers with TLS');
  const input: ConnectOptionsInput = {
    host: server.host,
    port: server.port,
    database: server.database,
    user: m.user,
    ...(m.password === undefined ? {} : { password: m.password }),
    sslmode: mode === 'direct' ? 'require' : mode,
    ...(mode === 'direct' ? { sslnegotiation: 'direct' as const } : {}),
    ...(m.channelBinding ? { channelBinding: m.channelBinding } : {}),
    connectTimeoutMs: 15_000,
  };
  const client = m.clientCert !== undefined ? certs.clients[m.clientCert] : undefined;
  const tlsOptions = {
    ...(mode === 'verify-full' ? { rootCert: certs.ca } : {}),
    ...(client ? { cert: client.cert, key: client.key } : {}),
  };
  // No PG* variables from the host may leak into a cell.
  return { input, extras: { env: {}, tls: tlsOptions } };
}

interface CellCase {
  method: Method;
  mode: Mode;
  expected: Outcome;
  label: string;
}

function cellsFor(major: number): CellCase[] {
  const out: CellCase[] = [];
  for (const method of Object.keys(TABLE) as Method[]) {
    for (const mode of MODES) {
      const expected = outcomeFor(TABLE[method][mode], major);
      out.push({ method, mode, expected, label: describeOutcome(expected) });
    }
  }
  return out;
}

describe.each(MAJORS)('PostgreSQL %i', (major) => {
  it.each(cellsFor(major))('$method × $mode → $label', async ({ method, mode, expected }) => {
    const server = serverFor(major);
    const { input, extras } = optionsFor(server, method, mode);
    let connected: Connected | null = null;
    let error: unknown = null;
    try {
      connected = await connect(input, extras);
    } catch (err) {
      error = err;
    }
    if (expected.ok) {
      expect(error, `expected success, got ${String(error)}`).toBeNull();
      const { conn, startup } = connected!;
      try {
        expect(startup.parameters.get('server_version')).toMatch(new RegExp(`^${major}\\b`));
        expect(startup.encrypted).toBe(expected.tls);
        expect(conn.encrypted).toBe(expected.tls);
        expect(startup.authMethod).toBe(expected.authMethod);
        expect(await query(conn, 'SELECT 1')).toEqual(['1']);
        // The server's own view of the session's encryption.
        const ssl = await query(conn, 'SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
        expect(ssl).toEqual([expected.tls ? 'true' : 'false']);
      } finally {
        await conn.close();
      }
      return;
    }
    expect(connected, 'expected a failure, but the connection succeeded').toBeNull();
    expect(error, `expected ${expected.what}, got ${String(error)}`).toBeInstanceOf(expected.type);
    const e = error as PgStreamError;
    expect(expected.codes, `code of: ${e.message}`).toContain(e.code);
    if (expected.sqlstate !== undefined) expect((e as ServerError).sqlstate).toBe(expected.sqlstate);
    const secret = METHODS[method].password;
    if (secret !== undefined) expectNoSecrets(e, [secret]);
  });
});

/** How a ConnectionBuilder cell reaches the server. */
const BUILDER_PATHS = ['connect (plaintext)', 'connect + sslmode=verify-full', 'connectWithTls (caller upgrade)'] as const;
type BuilderPath = (typeof BUILDER_PATHS)[number];
const BUILDER_METHODS = ['scram', 'md5', 'cert', 'scram-plus'] as const satisfies readonly Method[];

/** ConnectionBuilder cells: the expected outcome is the connect() table's column for the same security. */
function builderCells(major: number): { method: Method; path: BuilderPath; expected: Outcome; label: string }[] {
  const out = [];
  for (const method of BUILDER_METHODS) {
    for (const path of BUILDER_PATHS) {
      const expected = outcomeFor(TABLE[method][path === 'connect (plaintext)' ? 'disable' : 'verify-full'], major);
      out.push({ method, path, expected, label: describeOutcome(expected) });
    }
  }
  return out;
}

describe.each(MAJORS)('PostgreSQL %i through ConnectionBuilder', (major) => {
  it.each(builderCells(major))('$method × $path → $label', async ({ method, path, expected }) => {
    const server = serverFor(major);
    const certs = server.certs!;
    const m: { user: string; password: string | undefined; channelBinding?: 'require'; clientCert?: string } = METHODS[method];
    const client = m.clientCert !== undefined ? certs.clients[m.clientCert] : undefined;
    let b = new ConnectionBuilder(m.user)
      .database(server.database)
      .auth(m.password === undefined ? AuthenticationMode.trust() : AuthenticationMode.password(m.password))
      .connectTimeout(15_000);
    if (m.channelBinding) b = b.channelBinding(m.channelBinding);
    const socket = net.connect(server.port, server.host);
    let attempt: Promise<Connected>;
    if (path === 'connect (plaintext)') {
      attempt = b.connect(socket);
    } else if (path === 'connect + sslmode=verify-full') {
      attempt = b.sslmode('verify-full').tls({ rootCert: certs.ca, host: 'localhost', ...(client ?? {}) }).connect(socket);
    } else {
      const upgrade = (plainSocket: Duplex): Promise<Duplex> =>
        new Promise((resolve, reject) => {
          const secure = nodeTls.connect({ socket: plainSocket, ca: certs.ca, servername: 'localhost', ...(client ?? {}) });
          secure.once('secureConnect', () => resolve(secure));
          secure.once('error', reject);
        });
      attempt = b.sslmode('verify-full').connectWithTls(socket, upgrade);
    }
    const result = await attempt.then(
      (c) => ({ c, e: null }),
      (e: unknown) => ({ c: null, e }),
    );
    if (expected.ok) {
      expect(result.e, `expected success, got ${String(result.e)}`).toBeNull();
      const { conn, startup } = result.c!;
      try {
        expect(startup.encrypted).toBe(expected.tls);
        expect(startup.authMethod).toBe(expected.authMethod);
        expect(await query(conn, 'SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).toEqual([expected.tls ? 'true' : 'false']);
      } finally {
        await conn.close();
      }
      return;
    }
    expect(result.e).toBeInstanceOf(expected.type);
    expect(expected.codes).toContain((result.e as PgStreamError).code);
    if (expected.sqlstate !== undefined) expect((result.e as ServerError).sqlstate).toBe(expected.sqlstate);
    expect(socket.destroyed).toBe(true);
  });
});

describe(`server variants (PostgreSQL ${MAJORS[0]})`, () => {
  const scram = (server: ClusterFacts, sslmode: Mode, rootCert?: string) =>
    connect(
      {
        host: server.host,
        port: server.port,
        database: server.database,
        user: 'scram_user',
        password: TEST_ROLES.scram_user.password,
        sslmode: sslmode === 'direct' ? 'require' : sslmode,
        connectTimeoutMs: 15_000,
      },
      { env: {}, tls: rootCert === undefined ? {} : { rootCert } },
    );

  it('expired server certificate × verify-full → TlsError PGS_TLS_HANDSHAKE', async () => {
    const server = expiredTls!;
    const err = await scram(server, 'verify-full', server.certs!.ca).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(TlsError);
    expect((err as TlsError).code).toBe(ErrorCode.TLS_HANDSHAKE);
    expectNoSecrets(err, [TEST_ROLES.scram_user.password]);
  });

  it('expired server certificate × require → ok (TLS, no verification)', async () => {
    const { conn, startup } = await scram(expiredTls!, 'require');
    expect(startup.encrypted).toBe(true);
    expect(await query(conn, 'SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).toEqual(['true']);
    await conn.close();
  });

  it.each(['require', 'verify-full'] as const)('TLS off × %s → TlsError PGS_TLS_REFUSED', async (mode) => {
    const err = await scram(noTls!, mode, servers.get(MAJORS[0]!)?.certs?.ca).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(TlsError);
    expect((err as TlsError).code).toBe(ErrorCode.TLS_REFUSED);
  });

  it('TLS off × prefer → ok (plaintext, SCRAM-SHA-256)', async () => {
    const { conn, startup } = await scram(noTls!, 'prefer');
    expect(startup.encrypted).toBe(false);
    expect(startup.authMethod).toBe('SCRAM-SHA-256');
    expect(await query(conn)).toEqual(['1']);
    await conn.close();
  });
});

describe('matrix shape', () => {
  it('covers every provided server version, with at least 18, 16 and 13', () => {
    expect(MAJORS).toEqual(expect.arrayContaining([18, 16, 13]));
  });
});
