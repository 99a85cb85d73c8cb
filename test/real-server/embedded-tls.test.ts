import { X509Certificate } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { ConnectionOptions, TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { availableServers } from '../support/embedded/binaries.js';
import { generateTestCertificates, SERVER_NAMES } from '../support/embedded/certs.js';
import type { Cluster } from '../support/embedded/cluster.js';
import { Bytes } from '../fixtures/bytes.js';
import { startPrivateCluster } from '../support/facts.js';
import { SSL_REQUEST } from '../support/probe.js';

/** Direct TLS (PostgreSQL 17+): TLS from the first byte, ALPN "postgresql". */
function directTls(c: Cluster, extra: ConnectionOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ host: c.host, port: c.port, servername: SERVER_NAMES.dns, ALPNProtocols: ['postgresql'], ...extra });
    s.once('secureConnect', () => resolve(s));
    s.once('error', reject);
  });
}

/** TLS after SSLRequest answered S (every version). */
function negotiatedTls(c: Cluster, extra: ConnectionOptions): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const raw = netConnect({ host: c.host, port: c.port });
    raw.once('error', reject);
    raw.once('connect', () => raw.write(SSL_REQUEST));
    raw.once('data', (d: Buffer) => {
      if (d.length !== 1 || d[0] !== 'S'.charCodeAt(0)) {
        raw.destroy();
        reject(new Error(`unexpected SSLRequest answer ${d.toString('hex')}`));
        return;
      }
      const s = tlsConnect({ socket: raw, servername: SERVER_NAMES.dns, ...extra });
      s.once('secureConnect', () => resolve(s));
      s.once('error', reject);
    });
  });
}

/** Sends a StartupMessage (protocol 3.0) and resolves with the first reply's type and first Int32. */
function startup(s: TLSSocket, user: string): Promise<{ type: string; code: number }> {
  const msg = new Bytes().i32(196608).cstr('user').cstr(user).cstr('database').cstr('postgres').u8(0).packet();
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 9) resolve({ type: String.fromCharCode(got[0]!), code: got.readInt32BE(5) });
    });
    s.once('error', reject);
    s.once('close', () => reject(new Error(`closed after ${got.length} bytes`)));
    s.write(msg);
  });
}

describe('generated certificates', () => {
  test('server certificate: localhost + 127.0.0.1, signed by the CA, not by the wrong CA', async () => {
    const certs = await generateTestCertificates();
    const ca = new X509Certificate(certs.ca);
    const wrong = new X509Certificate(certs.wrongCa);
    const server = new X509Certificate(certs.server.cert);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('example.com')).toBeUndefined();
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.verify(wrong.publicKey)).toBe(false);
    expect(ca.ca).toBe(true);
    expect(server.ca).toBe(false);
    const expired = new X509Certificate(certs.expiredServer.cert);
    expect(new Date(expired.validTo).getTime()).toBeLessThan(Date.now());
    expect(expired.verify(ca.publicKey)).toBe(true);
    for (const role of ['certuser', 'certscram']) {
      const client = new X509Certificate(certs.clients[role]!.cert);
      expect(client.subject).toBe(`CN=${role}`);
      expect(client.verify(ca.publicKey)).toBe(true);
    }
    expect(new X509Certificate(certs.untrustedClient.cert).verify(wrong.publicKey)).toBe(true);
  });
});

const majors = (await availableServers()).map((s) => s.major);

describe('PostgreSQL 18 with TLS', () => {
  let c: Cluster;
  let expired: Cluster;
  beforeAll(async () => {
    [c, expired] = await Promise.all([
      startPrivateCluster({ version: 18, tls: true, auth: true }),
      startPrivateCluster({ version: 18, tls: true, auth: true, serverCert: 'expired' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([c?.stop(), expired?.stop()]);
  });

  test('direct TLS with ALPN postgresql verifies against the CA for host localhost', async () => {
    const s = await directTls(c, { ca: c.certs!.ca });
    expect(s.authorized).toBe(true);
    expect(s.alpnProtocol).toBe('postgresql');
    expect(s.getPeerX509Certificate()?.toString()).toBe(new X509Certificate(c.certs!.server.cert).toString());
    s.destroy();
  });

  test('direct TLS fails verification with the wrong CA', async () => {
    await expect(directTls(c, { ca: c.certs!.wrongCa })).rejects.toMatchObject({
      code: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED/),
    });
  });

  test('direct TLS fails verification for a host the certificate does not name', async () => {
    await expect(directTls(c, { ca: c.certs!.ca, servername: 'db.example.com' })).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
  });

  test('reached at an address its certificate does not name (127.0.0.2), verification fails', async () => {
    const alt = await startPrivateCluster({ version: 18, tls: true, settings: { listen_addresses: "'127.0.0.1,127.0.0.2'" } });
    try {
      await expect(directTls(alt, { ca: alt.certs!.ca, host: '127.0.0.2', servername: '' })).rejects.toMatchObject({
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      });
      const ok = await directTls(alt, { ca: alt.certs!.ca, host: '127.0.0.1', servername: '' });
      expect(ok.authorized).toBe(true);
      ok.destroy();
    } finally {
      await alt.stop();
    }
  });

  test('the expired server certificate fails verification', async () => {
    expect(expired.certs!.presented).toBe('expired');
    await expect(directTls(expired, { ca: expired.certs!.ca })).rejects.toMatchObject({ code: 'CERT_HAS_EXPIRED' });
  });

  test("a client certificate signed by the CA logs in as its CN (cert method): proves chain and role", async () => {
    const pair = c.certs!.clients.certuser!;
    const s = await directTls(c, { ca: c.certs!.ca, cert: pair.cert, key: pair.key });
    // AuthenticationOk: 'R', length 8, code 0.
    expect(await startup(s, 'certuser')).toEqual({ type: 'R', code: 0 });
    s.destroy();
  });

  test('a client certificate from the wrong CA is refused', async () => {
    const pair = c.certs!.untrustedClient;
    const outcome = await directTls(c, { ca: c.certs!.ca, cert: pair.cert, key: pair.key })
      .then((s) => startup(s, 'certuser'))
      .then(
        (r) => `reply ${r.type}`,
        () => 'refused',
      );
    expect(outcome).toBe('refused');
  });
});

describe.each(majors.map((m) => [m]))('PostgreSQL %i: TLS after SSLRequest', (major) => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startPrivateCluster({ version: major, tls: true, auth: true });
  });
  afterAll(async () => {
    await c?.stop();
  });

  test('verifies against the CA, and not against the wrong CA', async () => {
    const s = await negotiatedTls(c, { ca: c.certs!.ca });
    expect(s.authorized).toBe(true);
    s.destroy();
    await expect(negotiatedTls(c, { ca: c.certs!.wrongCa })).rejects.toThrow();
  });
});
