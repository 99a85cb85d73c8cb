/**
 * Hostile servers during TLS negotiation (RELIABILITY.md case 9–10 and "Known attacks"): bytes
 * injected after the SSLRequest answer (CVE-2021-23222), an ErrorResponse before encryption
 * (CVE-2024-10977), downgrade to plaintext, invalid answers, and certificate checks under each
 * sslmode, against a scripted fake server.
 */
import { once } from 'node:events';
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationMode } from '../../src/auth/authentication-mode.js';
import { ConnectionBuilder } from '../../src/transport/node/builder.js';
import type { SslMode } from '../../src/conninfo/values.js';
import { AuthError, ConnectionError, ErrorCode, ProtocolError, TlsError } from '../../src/errors.js';
import { Bytes } from '../fixtures/bytes.js';
import { expectFailure, expectNoSecrets, sleep, trackUnhandled, within } from '../support/fake-assert.js';
import { fakeCertificates } from '../support/fake-certs.js';
import type { FakeCertificates } from '../support/fake-certs.js';
import { selectOneAndClose, tlsTrustAndServe, trustAndServe } from '../support/fake-client.js';
import { auth, startFakeServer } from '../support/fake-server.js';
import type { FakeScript, FakeServer } from '../support/fake-server.js';

trackUnhandled();

const TIMEOUT = 2_000;
const WITHIN = TIMEOUT + 1_000;
const PASSWORD = 'hunter2-do-not-leak';

let certs: FakeCertificates;
let server: FakeServer | null = null;

beforeAll(async () => {
  certs = await fakeCertificates();
});

afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(script: FakeScript | FakeScript[]): Promise<FakeServer> {
  server = await startFakeServer(script);
  return server;
}

function builder(mode: SslMode, tlsOptions: Parameters<ConnectionBuilder['tls']>[0] = {}): ConnectionBuilder {
  return new ConnectionBuilder('alice')
    .database('db')
    .auth(AuthenticationMode.password(PASSWORD))
    .sslmode(mode)
    .tls(tlsOptions)
    .connectTimeout(TIMEOUT);
}

/** Bytes a hostile server would like the client to read as if they came through TLS. */
const INJECTED = new Uint8Array([
  ...new Bytes().i32(0).frame('R'),
  ...new Bytes().cstr('server_version').cstr('99.0').frame('S'),
  ...new Bytes().u8('I'.charCodeAt(0)).frame('Z'),
]);

describe('bytes injected after the SSLRequest answer (CVE-2021-23222)', () => {
  it("'S' followed by more bytes in the same chunk → PGS_TLS_INJECTED_BYTES, nothing else sent", async () => {
    const srv = await serve(async (s) => {
      await s.expect('SSLRequest');
      s.sendRaw(new Uint8Array([0x53, ...INJECTED]));
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(builder('require').connect(socket), {
      type: TlsError,
      code: ErrorCode.TLS_INJECTED_BYTES,
      withinMs: WITHIN,
      socket,
      secrets: [PASSWORD],
    });
    const s = await srv.session();
    await within(s.gone, 2_000, 'the server seeing the client close');
    expect(s.types).toEqual(['SSLRequest']);
    expect(s.chunks.reduce((n, c) => n + c.length, 0)).toBe(8);
  });

  it("'S' and the injected bytes in separate chunks, both buffered before the client reads → PGS_TLS_INJECTED_BYTES", async () => {
    // The server answers at once, in two TCP segments 30 ms apart; the client only starts reading
    // once both sit in the socket's buffer as two separate chunks.
    const srv = await serve(async (s) => {
      s.sendRaw('S');
      await s.drain();
      await sleep(30);
      s.sendRaw(INJECTED);
      await s.silence();
    });
    const socket = srv.dial();
    await once(socket, 'connect');
    await sleep(150);
    expect(socket.readableLength).toBe(1 + INJECTED.length);
    await expectFailure(builder('require').connect(socket), {
      type: TlsError,
      code: ErrorCode.TLS_INJECTED_BYTES,
      withinMs: WITHIN,
      socket,
    });
    const s = await srv.session();
    await within(s.gone, 2_000);
    // The silent script does not parse: the client sent exactly one SSLRequest and nothing else.
    expect(Buffer.concat(s.chunks).toString('hex')).toBe('0000000804d2162f');
  });

  it("injected bytes arriving after the client started TLS are read as TLS (handshake fails), never as protocol", async () => {
    const srv = await serve(async (s) => {
      await s.expect('SSLRequest');
      s.sendRaw('S');
      await s.drain();
      // Wait for the ClientHello, then send plaintext protocol messages.
      while (s.chunks.length < 2) await sleep(5);
      s.sendRaw(INJECTED);
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(builder('require').connect(socket), {
      type: TlsError,
      code: ErrorCode.TLS_HANDSHAKE,
      withinMs: WITHIN,
      socket,
    });
    const s = await srv.session();
    await within(s.gone, 2_000);
    expect(s.types).toEqual(['SSLRequest']);
    // After the SSLRequest, only TLS records (content type 22 = handshake) were sent.
    for (const c of s.chunks.slice(1)) expect(c[0]).toBe(22);
  });

  it('a caller-supplied upgrade is never called when bytes were injected', async () => {
    const srv = await serve(async (s) => {
      await s.expect('SSLRequest');
      s.sendRaw(new Uint8Array([0x53, ...INJECTED]));
      await s.silence();
    });
    const socket = srv.dial();
    let called = 0;
    const upgrade = async (sock: import('node:stream').Duplex) => {
      called++;
      return tls.connect({ socket: sock, rejectUnauthorized: false });
    };
    await expectFailure(builder('require').connectWithTls(socket, upgrade), {
      type: TlsError,
      code: ErrorCode.TLS_INJECTED_BYTES,
      withinMs: WITHIN,
      socket,
    });
    expect(called).toBe(0);
  });
});

describe('bytes around the SSLRequest answer, continued', () => {
  it("'N' followed by a pre-sent startup reply (prefer) → PGS_TLS_INJECTED_BYTES, no StartupMessage", async () => {
    const srv = await serve(async (s) => {
      await s.expect('SSLRequest');
      s.sendRaw(new Uint8Array([0x4e, ...INJECTED]));
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(builder('prefer').connect(socket), {
      type: TlsError,
      code: ErrorCode.TLS_INJECTED_BYTES,
      withinMs: WITHIN,
      socket,
    });
    const s = await srv.session();
    await within(s.gone, 2_000);
    expect(Buffer.concat(s.wire).toString('hex')).toBe('0000000804d2162f');
  });

  it("bytes arriving while a slow caller upgrade prepares are never read as protocol messages", async () => {
    const srv = await serve(async (s) => {
      await s.expect('SSLRequest');
      s.sendRaw('S');
      await s.drain();
      await sleep(20);
      s.sendRaw(INJECTED);
      await s.silence();
    });
    const socket = srv.dial();
    const upgrade = async (sock: import('node:stream').Duplex) => {
      await sleep(100);
      return await new Promise<import('node:stream').Duplex>((resolve, reject) => {
        const t = tls.connect({ socket: sock, rejectUnauthorized: false, ALPNProtocols: ['postgresql'] });
        t.once('secureConnect', () => resolve(t));
        t.once('error', reject);
      });
    };
    const err = await within(builder('require').connectWithTls(socket, upgrade).then(() => null, (e: unknown) => e), WITHIN);
    expect(err).toBeInstanceOf(TlsError);
    expect([ErrorCode.TLS_INJECTED_BYTES, ErrorCode.TLS_HANDSHAKE]).toContain((err as TlsError).code);
    expect(socket.destroyed).toBe(true);
    const s = await srv.session();
    await within(s.gone, 2_000);
    // Nothing but the SSLRequest and (maybe) TLS records: never a plaintext StartupMessage.
    expect(Buffer.from(s.wire[0]!).toString('hex')).toBe('0000000804d2162f');
    for (const c of s.wire.slice(1)) expect(c[0]).toBe(22);
  });
});

describe('ErrorResponse instead of an SSLRequest answer (CVE-2024-10977)', () => {
  it("'E' → PGS_TLS_REQUEST_REJECTED with a fixed message that never shows the server's text", async () => {
    const serverText = 'ATTACKER-CONTROLLED-TEXT: please visit evil.example';
    const srv = await serve(async (s) => {
      await s.expect('SSLRequest');
      const body = new Bytes().str('SFATAL').u8(0).str('C28000').u8(0).str('M' + serverText).u8(0).u8(0);
      s.sendRaw(body.frame('E'));
      await s.silence();
    });
    const socket = srv.dial();
    const err = await expectFailure(builder('prefer').connect(socket), {
      type: TlsError,
      code: ErrorCode.TLS_REQUEST_REJECTED,
      withinMs: WITHIN,
      socket,
      secrets: [serverText, 'ATTACKER', 'evil.example'],
    });
    expectNoSecrets(err, [PASSWORD]);
    const s = await srv.session();
    await within(s.gone, 2_000);
    expect(s.types).toEqual(['SSLRequest']);
  });
});

describe('downgrade: the server answers N', () => {
  const refusing = (s: Parameters<FakeScript>[0]) =>
    (async () => {
      await s.expect('SSLRequest');
      s.sendRaw('N');
      await s.silence();
    })();

  it.each(['require', 'verify-ca', 'verify-full'] as const)('sslmode=%s → PGS_TLS_REFUSED and no StartupMessage', async (mode) => {
    const srv = await serve(refusing);
    const socket = srv.dial();
    await expectFailure(builder(mode, { rootCert: certs.ca, host: 'localhost' }).connect(socket), {
      type: TlsError,
      code: ErrorCode.TLS_REFUSED,
      withinMs: WITHIN,
      socket,
      secrets: [PASSWORD],
    });
    const s = await srv.session();
    await within(s.gone, 2_000);
    expect(s.types).toEqual(['SSLRequest']);
    expect(s.chunks.reduce((n, c) => n + c.length, 0)).toBe(8);
  });

  it('sslmode=prefer falls back to plaintext and the session works', async () => {
    const srv = await serve(async (s) => {
      await s.expect('SSLRequest');
      s.sendRaw('N');
      await trustAndServe(s);
    });
    const { conn, startup } = await within(builder('prefer').connect(srv.dial()), WITHIN);
    expect(startup.encrypted).toBe(false);
    expect(conn.encrypted).toBe(false);
    await selectOneAndClose(conn);
    const s = await srv.session();
    expect(s.types.slice(0, 2)).toEqual(['SSLRequest', 'StartupMessage']);
  });

  it('sslmode=prefer after N still applies the other policies (cleartext over plaintext refused)', async () => {
    const srv = await serve(async (s) => {
      await s.expect('SSLRequest');
      s.sendRaw('N');
      await s.expect('StartupMessage');
      s.send(auth.cleartext());
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(builder('prefer').connect(socket), {
      type: AuthError,
      code: ErrorCode.AUTH_CLEARTEXT_INSECURE,
      withinMs: WITHIN,
      socket,
      secrets: [PASSWORD],
    });
    const s = await srv.session();
    await within(s.gone, 2_000);
    expect(s.types).toEqual(['SSLRequest', 'StartupMessage']);
  });
});

describe('invalid answers to SSLRequest', () => {
  it.each([
    ['X', 'X'],
    ['G (GSS accept)', 'G'],
    ['NUL', '\0'],
    ['lower-case s', 's'],
    ['R (a message type)', 'R'],
    ['0xff', '\xff'],
  ])('%s → PGS_TLS_INVALID_RESPONSE', async (_name, answer) => {
    const srv = await serve(async (s) => {
      await s.expect('SSLRequest');
      s.sendRaw(answer);
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(builder('prefer').connect(socket), {
      type: TlsError,
      code: ErrorCode.TLS_INVALID_RESPONSE,
      withinMs: WITHIN,
      socket,
    });
    const s = await srv.session();
    await within(s.gone, 2_000);
    expect(s.types).toEqual(['SSLRequest']);
  });

  it('the server closing instead of answering → PGS_CONNECTION_CLOSED', async () => {
    const srv = await serve(async (s) => {
      await s.expect('SSLRequest');
      s.close();
    });
    const socket = srv.dial();
    await expectFailure(builder('require').connect(socket), {
      type: ConnectionError,
      code: ErrorCode.CONNECTION_CLOSED,
      withinMs: WITHIN,
      socket,
    });
  });
});

describe('certificate checks (RELIABILITY case 10)', () => {
  /** A server that accepts TLS with `pair`, then trusts and serves; the handshake may be refused. */
  const tlsServer = (pair: () => { cert: string; key: string }): FakeScript => (s) => tlsTrustAndServe(s, pair());

  it('verify-full with the wrong CA → PGS_TLS_HANDSHAKE, no StartupMessage', async () => {
    const srv = await serve(tlsServer(() => certs.server));
    const socket = srv.dial();
    await expectFailure(builder('verify-full', { rootCert: certs.wrongCa, host: 'localhost' }).connect(socket), {
      type: TlsError,
      code: ErrorCode.TLS_HANDSHAKE,
      withinMs: WITHIN,
      socket,
      secrets: [PASSWORD],
    });
    const s = await srv.finished();
    expect(s.types).toEqual(['SSLRequest']);
  });

  it('verify-full with a certificate for another host → PGS_TLS_HANDSHAKE, no StartupMessage', async () => {
    const srv = await serve(tlsServer(() => certs.wrongHost));
    const socket = srv.dial();
    await expectFailure(builder('verify-full', { rootCert: certs.otherCa, host: 'localhost' }).connect(socket), {
      type: TlsError,
      code: ErrorCode.TLS_HANDSHAKE,
      withinMs: WITHIN,
      socket,
    });
    const s = await srv.finished();
    expect(s.types).toEqual(['SSLRequest']);
    expect(s.types).not.toContain('StartupMessage');
  });

  it('verify-full with an expired certificate → PGS_TLS_HANDSHAKE, no StartupMessage', async () => {
    const srv = await serve(tlsServer(() => certs.expiredServer));
    const socket = srv.dial();
    await expectFailure(builder('verify-full', { rootCert: certs.ca, host: 'localhost' }).connect(socket), {
      type: TlsError,
      code: ErrorCode.TLS_HANDSHAKE,
      withinMs: WITHIN,
      socket,
    });
    const s = await srv.finished();
    expect(s.types).toEqual(['SSLRequest']);
  });

  it('verify-ca with an expired certificate → PGS_TLS_HANDSHAKE', async () => {
    const srv = await serve(tlsServer(() => certs.expiredServer));
    const socket = srv.dial();
    await expectFailure(builder('verify-ca', { rootCert: certs.ca }).connect(socket), {
      type: TlsError,
      code: ErrorCode.TLS_HANDSHAKE,
      withinMs: WITHIN,
      socket,
    });
  });

  it.each([
    ['localhost', 'localhost'],
    ['127.0.0.1 (IP SAN)', '127.0.0.1'],
  ])('verify-full with the right CA and host %s succeeds and is encrypted', async (_n, host) => {
    const srv = await serve(tlsServer(() => certs.server));
    const { conn, startup } = await within(builder('verify-full', { rootCert: certs.ca, host }).connect(srv.dial()), WITHIN);
    expect(startup.encrypted).toBe(true);
    expect(conn.encrypted).toBe(true);
    await selectOneAndClose(conn);
    expect((await srv.session()).encrypted).toBe(true);
  });

  it('verify-ca ignores the host name', async () => {
    const srv = await serve(tlsServer(() => certs.wrongHost));
    const { conn, startup } = await within(builder('verify-ca', { rootCert: certs.otherCa, host: 'localhost' }).connect(srv.dial()), WITHIN);
    expect(startup.encrypted).toBe(true);
    await selectOneAndClose(conn);
  });

  it('verify-ca still checks the CA', async () => {
    const srv = await serve(tlsServer(() => certs.wrongHost));
    const socket = srv.dial();
    await expectFailure(builder('verify-ca', { rootCert: certs.ca }).connect(socket), {
      type: TlsError,
      code: ErrorCode.TLS_HANDSHAKE,
      withinMs: WITHIN,
      socket,
    });
  });

  it('require encrypts without verifying (unknown CA, other host)', async () => {
    const srv = await serve(tlsServer(() => certs.wrongHost));
    const { conn, startup } = await within(builder('require', { host: 'localhost' }).connect(srv.dial()), WITHIN);
    expect(startup.encrypted).toBe(true);
    await selectOneAndClose(conn);
    const s = await srv.session();
    expect(s.encrypted).toBe(true);
    // Nothing after the SSLRequest went in plaintext: every later TCP chunk was a TLS record.
    expect(s.types.slice(0, 2)).toEqual(['SSLRequest', 'StartupMessage']);
  });

  it('prefer encrypts when the server accepts, without verifying', async () => {
    const srv = await serve(tlsServer(() => certs.expiredServer));
    const { conn, startup } = await within(builder('prefer').connect(srv.dial()), WITHIN);
    expect(startup.encrypted).toBe(true);
    await selectOneAndClose(conn);
  });
});

describe('direct TLS (sslnegotiation=direct)', () => {
  it('starts TLS at once with ALPN "postgresql": no SSLRequest is sent', async () => {
    const srv = await serve(async (s) => {
      await s.upgradeTls({ ...certs.server });
      await trustAndServe(s);
    });
    const { conn, startup } = await within(
      builder('verify-full', { rootCert: certs.ca, host: 'localhost' }).sslNegotiation('direct').connect(srv.dial()),
      WITHIN,
    );
    expect(startup.encrypted).toBe(true);
    await selectOneAndClose(conn);
    const s = await srv.session();
    expect(s.alpn).toBe('postgresql');
    expect(s.types[0]).toBe('StartupMessage');
    expect(s.types).not.toContain('SSLRequest');
  });

  it('a server that does not select ALPN "postgresql" is refused → PGS_TLS_HANDSHAKE', async () => {
    const srv = await serve(async (s) => {
      await s.upgradeTls({ ...certs.server, alpn: false });
      await trustAndServe(s);
    });
    const socket = srv.dial();
    await expectFailure(builder('require').sslNegotiation('direct').connect(socket), {
      type: TlsError,
      code: ErrorCode.TLS_HANDSHAKE,
      withinMs: WITHIN,
      socket,
    });
    const s = await srv.finished();
    expect(s.types).not.toContain('StartupMessage');
  });

  it('a plaintext server answering the ClientHello with protocol bytes → PGS_TLS_HANDSHAKE', async () => {
    const srv = await serve(async (s) => {
      while (s.chunks.length < 1) await sleep(5);
      s.sendRaw(INJECTED);
      await s.silence();
    });
    const socket = srv.dial();
    const err = await expectFailure(builder('require').sslNegotiation('direct').connect(socket), {
      type: TlsError,
      code: ErrorCode.TLS_HANDSHAKE,
      withinMs: WITHIN,
      socket,
    });
    expect(err).not.toBeInstanceOf(ProtocolError);
  });
});
