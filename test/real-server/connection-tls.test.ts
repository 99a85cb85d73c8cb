/**
 * TLS against real PostgreSQL (and a local TLS peer for SNI): sslmode require/verify-ca/verify-full
 * with libpq's meaning, wrong CA, wrong host, expired certificate, the caller's own upgrade
 * (connectWithTls), direct TLS with ALPN, client certificates, SCRAM-SHA-256-PLUS channel binding,
 * connect()'s allow/prefer fallbacks and certificate files, and cancel over TLS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { startCluster } from '../support/embedded/cluster.js';
import type { Cluster, ClusterFacts } from '../support/embedded/cluster.js';
import { testCertificates } from '../support/embedded/certs.js';
import { AuthenticationMode, ConnectionBuilder, ErrorCode, TlsError, connect } from '../../src/index.js';
import type { Connection, PgStreamError } from '../../src/index.js';
import { stopServers, testServer } from '../support/connection-helpers.js';

const dirs: string[] = [];
const clusters: Cluster[] = [];
afterAll(async () => {
  await Promise.all(clusters.map((c) => c.stop()));
  await stopServers();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function failure(p: Promise<unknown>): Promise<PgStreamError> {
  try {
    await p;
  } catch (err) {
    return err as PgStreamError;
  }
  throw new Error('expected a rejection');
}

async function ready(conn: Connection): Promise<string[]> {
  const errors: string[] = [];
  for (;;) {
    const msg = await conn.recv();
    if (msg.type === 'ErrorResponse') errors.push(msg.fields.get('C') ?? '');
    if (msg.type === 'ReadyForQuery') return errors;
  }
}

async function ca(): Promise<string> {
  const s = await testServer();
  return s.certs!.ca;
}

function dial(s: ClusterFacts): net.Socket {
  return net.connect(s.port, s.host);
}

describe('sslmode with this library performing the upgrade', () => {
  it('require encrypts without verifying, and SCRAM binds to the channel (-PLUS)', async () => {
    const s = await testServer();
    const { conn, startup } = await new ConnectionBuilder('scram_user').database('postgres')
      .auth(AuthenticationMode.password('scram-secret')).sslmode('require').connect(dial(s));
    expect(startup.encrypted).toBe(true);
    expect(conn.encrypted).toBe(true);
    expect(startup.authMethod).toBe('SCRAM-SHA-256-PLUS');
    conn.query('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    await conn.flush();
    let ssl = '';
    for (;;) {
      const msg = await conn.recv();
      if (msg.type === 'DataRow') ssl = msg.text(0) ?? '';
      if (msg.type === 'ReadyForQuery') break;
    }
    expect(ssl).toBe('t');
    await conn.close();
  });

  it('verify-full accepts the right CA for 127.0.0.1 and localhost', async () => {
    const s = await testServer();
    for (const host of ['127.0.0.1', 'localhost']) {
      const { conn } = await new ConnectionBuilder('trust_user').database('postgres').sslmode('verify-full')
        .tls({ rootCert: await ca(), host }).connect(dial(s));
      await conn.close();
    }
  });

  it('verify-full without a host name checks the address the socket is connected to', async () => {
    const s = await testServer();
    const { conn } = await new ConnectionBuilder('trust_user').database('postgres').sslmode('verify-full')
      .tls({ rootCert: await ca() }).connect(dial(s));
    await conn.close();
  });

  it('verify-full refuses a wrong CA', async () => {
    const s = await testServer();
    const err = await failure(
      new ConnectionBuilder('trust_user').database('postgres').sslmode('verify-full')
        .tls({ rootCert: s.certs!.wrongCa, host: '127.0.0.1' }).connect(dial(s)),
    );
    expect(err).toBeInstanceOf(TlsError);
    expect(err.code).toBe(ErrorCode.TLS_HANDSHAKE);
  });

  it('verify-full refuses a wrong host name; verify-ca ignores it', async () => {
    const s = await testServer();
    const err = await failure(
      new ConnectionBuilder('trust_user').database('postgres').sslmode('verify-full')
        .tls({ rootCert: await ca(), host: 'wrong.example' }).connect(dial(s)),
    );
    expect(err.code).toBe(ErrorCode.TLS_HANDSHAKE);
    const { conn } = await new ConnectionBuilder('trust_user').database('postgres').sslmode('verify-ca')
      .tls({ rootCert: await ca(), host: 'wrong.example' }).connect(dial(s));
    await conn.close();
  });

  it('verify-full without a root certificate is a ConfigError before anything is sent', async () => {
    const s = await testServer();
    const err = await failure(new ConnectionBuilder('trust_user').sslmode('verify-full').connect(dial(s)));
    expect(err.code).toBe(ErrorCode.INVALID_ARGUMENT);
  });

  it('an expired server certificate fails verify-full, and require still encrypts', async () => {
    const expired = await startCluster({ version: 18, auth: true, tls: true, serverCert: 'expired' });
    clusters.push(expired);
    const err = await failure(
      new ConnectionBuilder('trust_user').database('postgres').sslmode('verify-full')
        .tls({ rootCert: expired.certs!.ca, host: 'localhost' }).connect(dial(expired)),
    );
    expect(err.code).toBe(ErrorCode.TLS_HANDSHAKE);
    expect(err.message).toMatch(/expired/i);
    const { conn } = await new ConnectionBuilder('trust_user').database('postgres').sslmode('require').connect(dial(expired));
    await conn.close();
  });

  it('presents a client certificate (cert authentication)', async () => {
    const s = await testServer();
    const pair = s.certs!.clients.certuser!;
    const { conn, startup } = await new ConnectionBuilder('certuser').database('postgres').sslmode('verify-full')
      .tls({ rootCert: await ca(), host: 'localhost', cert: pair.cert, key: pair.key }).connect(dial(s));
    expect(startup.authMethod).toBe('trust');
    await conn.close();
    const err = await failure(
      new ConnectionBuilder('certuser').database('postgres').sslmode('require').connect(dial(s)),
    );
    expect(err.code).toBe(ErrorCode.SERVER_ERROR);
  });

  it('channel_binding=require succeeds with SCRAM-SHA-256-PLUS and refuses MD5', async () => {
    const s = await testServer();
    const { conn, startup } = await new ConnectionBuilder('scram_user').database('postgres')
      .auth(AuthenticationMode.password('scram-secret')).sslmode('require').channelBinding('require').connect(dial(s));
    expect(startup.authMethod).toBe('SCRAM-SHA-256-PLUS');
    await conn.close();
    const err = await failure(
      new ConnectionBuilder('md5_user').database('postgres').auth(AuthenticationMode.password('md5-secret'))
        .sslmode('require').channelBinding('require').connect(dial(s)),
    );
    expect(err.code).toBe(ErrorCode.CHANNEL_BINDING);
  });

  it('channel_binding=disable uses plain SCRAM-SHA-256 over TLS', async () => {
    const s = await testServer();
    const { conn, startup } = await new ConnectionBuilder('scram_user').database('postgres')
      .auth(AuthenticationMode.password('scram-secret')).sslmode('require').channelBinding('disable').connect(dial(s));
    expect(startup.authMethod).toBe('SCRAM-SHA-256');
    await conn.close();
  });

  it('a cleartext password is sent over TLS', async () => {
    const s = await testServer();
    const { conn, startup } = await new ConnectionBuilder('pw_user').database('postgres')
      .auth(AuthenticationMode.password('pw-secret')).sslmode('require').connect(dial(s));
    expect(startup.authMethod).toBe('password');
    await conn.close();
  });

  it('direct TLS negotiation (ALPN postgresql) on PostgreSQL 18', async () => {
    const s = await testServer();
    const { conn, startup } = await new ConnectionBuilder('scram_user').database('postgres')
      .auth(AuthenticationMode.password('scram-secret')).sslmode('verify-full').sslNegotiation('direct')
      .tls({ rootCert: await ca(), host: 'localhost' }).connect(dial(s));
    expect(startup.encrypted).toBe(true);
    expect(startup.authMethod).toBe('SCRAM-SHA-256-PLUS');
    await conn.close();
  });

  it('cancels a query over TLS', async () => {
    const s = await testServer();
    const { conn } = await new ConnectionBuilder('trust_user').database('postgres').sslmode('require').connect(dial(s));
    conn.query('SELECT pg_sleep(10)');
    await conn.flush();
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    await conn.cancel();
    expect(await ready(conn)).toEqual(['57014']);
    expect(performance.now() - t0).toBeLessThan(3000);
    await conn.close();
  });
});

describe('connectWithTls with the caller upgrade', () => {
  it('runs the seed example: SSLRequest, then the caller tls.connect', async () => {
    const s = await testServer();
    const caPem = await ca();
    let upgrades = 0;
    const upgrade = (socket: Duplex): Promise<Duplex> =>
      new Promise((resolve, reject) => {
        upgrades++;
        const t = tls.connect({ socket, ca: caPem, servername: 'localhost' }, () => resolve(t));
        t.once('error', reject);
      });
    const { conn, startup } = await new ConnectionBuilder('scram_user').database('postgres')
      .auth(AuthenticationMode.password('scram-secret')).connectWithTls(dial(s), upgrade);
    expect(startup.encrypted).toBe(true);
    expect(startup.authMethod).toBe('SCRAM-SHA-256-PLUS');
    conn.query('SELECT pg_sleep(10)');
    await conn.flush();
    await new Promise((r) => setTimeout(r, 200));
    await conn.cancel();
    expect(await ready(conn)).toEqual(['57014']);
    expect(upgrades).toBe(2);
    await conn.close();
  });

  it('an upgrade that rejects is PGS_TLS_HANDSHAKE', async () => {
    const s = await testServer();
    const upgrade = (socket: Duplex): Promise<Duplex> =>
      new Promise((resolve, reject) => {
        const t = tls.connect({ socket, ca: s.certs!.wrongCa, servername: 'localhost' }, () => resolve(t));
        t.once('error', reject);
      });
    const err = await failure(new ConnectionBuilder('trust_user').database('postgres').connectWithTls(dial(s), upgrade));
    expect(err.code).toBe(ErrorCode.TLS_HANDSHAKE);
  });

  it('verify-full refuses an unauthorised TLSSocket from the caller', async () => {
    const s = await testServer();
    const upgrade = (socket: Duplex): Promise<Duplex> =>
      new Promise((resolve, reject) => {
        const t = tls.connect({ socket, rejectUnauthorized: false }, () => resolve(t));
        t.once('error', reject);
      });
    const err = await failure(
      new ConnectionBuilder('trust_user').database('postgres').sslmode('verify-full').connectWithTls(dial(s), upgrade),
    );
    expect(err.code).toBe(ErrorCode.TLS_HANDSHAKE);
  });
});

describe('SNI', () => {
  it('is sent for host names and never for IP literals', async () => {
    const certs = await testCertificates();
    const names: (string | false)[] = [];
    const server = net.createServer((raw) => {
      raw.once('data', () => {
        raw.write(Uint8Array.of('S'.charCodeAt(0)));
        const t = new tls.TLSSocket(raw, { isServer: true, cert: certs.server.cert, key: certs.server.key, ALPNProtocols: ['postgresql'] });
        t.on('secure', () => {
          names.push((t as unknown as { servername: string | false }).servername);
          t.destroy();
        });
        t.on('error', () => undefined);
      });
      raw.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    for (const host of ['localhost', '127.0.0.1']) {
      await failure(new ConnectionBuilder('u').sslmode('require').tls({ host }).connect(net.connect(port, '127.0.0.1')));
    }
    expect(names).toEqual(['localhost', false]);
    await new Promise<void>((r) => server.close(() => r()));
  });
});

describe('connect() with TLS settings', () => {
  it('verify-full from a connection string with an sslrootcert file', async () => {
    const s = await testServer();
    const dir = mkdtempSync(join(tmpdir(), 'pgs-tls-'));
    dirs.push(dir);
    const rootFile = join(dir, 'root.crt');
    writeFileSync(rootFile, await ca());
    const { conn, startup } = await connect(
      `postgresql://scram_user:scram-secret@localhost:${s.port}/postgres?sslmode=verify-full&sslrootcert=${encodeURIComponent(rootFile)}`,
      { env: {} },
    );
    expect(startup.encrypted).toBe(true);
    expect(startup.authMethod).toBe('SCRAM-SHA-256-PLUS');
    await conn.close();
  });

  it('client certificate files from the connection string', async () => {
    const s = await testServer();
    const dir = mkdtempSync(join(tmpdir(), 'pgs-tls-'));
    dirs.push(dir);
    const pair = s.certs!.clients.certuser!;
    writeFileSync(join(dir, 'c.crt'), pair.cert);
    writeFileSync(join(dir, 'c.key'), pair.key, { mode: 0o600 });
    const { conn } = await connect(
      `host=127.0.0.1 port=${s.port} user=certuser dbname=postgres sslmode=require sslcert=${join(dir, 'c.crt')} sslkey=${join(dir, 'c.key')}`,
      { env: {} },
    );
    await conn.close();
  });

  it('sslmode=allow retries with TLS when the plaintext session is refused', async () => {
    const s = await testServer();
    const { conn, startup } = await connect(
      { host: s.host, port: s.port, user: 'ssl_only', password: 'ssl-only-secret', database: 'postgres', sslmode: 'allow' },
      { env: {} },
    );
    expect(startup.encrypted).toBe(true);
    await conn.close();
  });

  it('sslmode=prefer retries without TLS when the TLS session is refused', async () => {
    const s = await testServer();
    const { conn, startup } = await connect(
      { host: s.host, port: s.port, user: 'nossl_user', database: 'postgres', sslmode: 'prefer' },
      { env: {} },
    );
    expect(startup.encrypted).toBe(false);
    await conn.close();
  });

  it('sslmode=require over the Unix socket is ignored, as libpq does', async () => {
    const s = await testServer();
    const { conn, startup } = await connect(
      { host: s.socketDir, port: s.port, user: 'trust_user', database: 'postgres', sslmode: 'require' },
      { env: {} },
    );
    expect(startup.encrypted).toBe(false);
    await conn.close();
  });
});
