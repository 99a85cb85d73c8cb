/**
 * Hostile servers during TLS negotiation (RELIABILITY.md case 9–10 and "Known attacks"): bytes
 * injected after the SSLRequest answer (CVE-2021-23222), an ErrorResponse before encryption
 * (CVE-2024-10977), downgrade to plaintext, invalid answers, and certificate checks under each
 * sslmode, against a scripted fake server. Each case is a row of the shared table
 * (support/hostile-cases.ts): script, call, expected error and code, expected state.
 */
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { beforeAll, describe, expect } from 'vitest';
import { AuthenticationMode } from '../../src/auth/authentication-mode.js';
import { ConnectionBuilder } from '../../src/transport/node/builder.js';
import type { SslMode } from '../../src/conninfo/values.js';
import { AuthError, ConnectionError, ErrorCode, ProtocolError, TlsError } from '../../src/errors.js';
import { Bytes } from '../fixtures/bytes.js';
import { expectNoSecrets, sleep, trackUnhandled } from '../support/fake-assert.js';
import { fakeCertificates } from '../support/fake-certs.js';
import type { FakeCertificates } from '../support/fake-certs.js';
import { selectOneAndClose, tlsTrustAndServe, trustAndServe } from '../support/fake-client.js';
import { auth } from '../support/fake-server.js';
import type { FakeScript } from '../support/fake-server.js';
import { hostileCases, row } from '../support/hostile-cases.js';
import type { Fails, HostileCase } from '../support/hostile-cases.js';
import type { Connected } from '../../src/index.js';

trackUnhandled();

const TIMEOUT = 2_000;
const PASSWORD = 'hunter2-do-not-leak';
/** The SSLRequest on the wire. */
const SSL_REQUEST_HEX = '0000000804d2162f';

let certs: FakeCertificates;
beforeAll(async () => {
  certs = await fakeCertificates();
});

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

/** Script: read the SSLRequest, answer `answer` (bytes), stay silent. */
const answering = (answer: Uint8Array | string): FakeScript => async (s) => {
  await s.expect('SSLRequest');
  s.sendRaw(answer);
  await s.silence();
};

const fails = (type: Fails['type'], code: ErrorCode, more: Partial<Fails> = {}): Fails => ({ type, code, ...more });
const tlsFails = (code: ErrorCode): Fails => fails(TlsError, code);

/** A slow caller upgrade (TLS without verification, ALPN postgresql). */
const slowUpgrade = async (sock: Duplex): Promise<Duplex> => {
  await sleep(100);
  return await new Promise<Duplex>((resolve, reject) => {
    const t = tls.connect({ socket: sock, rejectUnauthorized: false, ALPNProtocols: ['postgresql'] });
    t.once('secureConnect', () => resolve(t));
    t.once('error', reject);
  });
};

describe('bytes injected after the SSLRequest answer (CVE-2021-23222)', () => {
  let upgrades = 0;
  hostileCases([
    row({
      name: "'S' followed by more bytes in the same chunk → PGS_TLS_INJECTED_BYTES, nothing else sent",
      server: answering(new Uint8Array([0x53, ...INJECTED])),
      call: (socket) => builder('require').connect(socket),
      expect: tlsFails(ErrorCode.TLS_INJECTED_BYTES),
      secrets: [PASSWORD],
      received: ['SSLRequest'],
      check: ({ session }) => expect(session.chunks.reduce((n, c) => n + c.length, 0)).toBe(8),
    }),
    row({
      // The server answers at once, in two TCP segments 30 ms apart; the client only starts reading
      // once both sit in the socket's buffer as two separate chunks.
      name: "'S' and the injected bytes in separate chunks, both buffered before the client reads → PGS_TLS_INJECTED_BYTES",
      server: async (s) => {
        s.sendRaw('S');
        await s.drain();
        await sleep(30);
        s.sendRaw(INJECTED);
        await s.silence();
      },
      call: async (socket) => {
        await once(socket, 'connect');
        await sleep(150);
        expect(socket.readableLength).toBe(1 + INJECTED.length);
        return builder('require').connect(socket);
      },
      expect: tlsFails(ErrorCode.TLS_INJECTED_BYTES),
      // The silent script does not parse: the client sent exactly one SSLRequest and nothing else.
      check: ({ session }) => expect(Buffer.concat(session.chunks).toString('hex')).toBe(SSL_REQUEST_HEX),
    }),
    row({
      name: 'injected bytes arriving after the client started TLS are read as TLS (handshake fails), never as protocol',
      server: async (s) => {
        await s.expect('SSLRequest');
        s.sendRaw('S');
        await s.drain();
        // Wait for the ClientHello, then send plaintext protocol messages.
        while (s.chunks.length < 2) await sleep(5);
        s.sendRaw(INJECTED);
        await s.silence();
      },
      call: (socket) => builder('require').connect(socket),
      expect: tlsFails(ErrorCode.TLS_HANDSHAKE),
      received: ['SSLRequest'],
      // After the SSLRequest, only TLS records (content type 22 = handshake) were sent.
      check: ({ session }) => {
        for (const c of session.chunks.slice(1)) expect(c[0]).toBe(22);
      },
    }),
    row({
      name: 'a caller-supplied upgrade is never called when bytes were injected',
      server: answering(new Uint8Array([0x53, ...INJECTED])),
      call: (socket) => {
        upgrades = 0;
        return builder('require').connectWithTls(socket, async (sock: Duplex) => {
          upgrades++;
          return tls.connect({ socket: sock, rejectUnauthorized: false });
        });
      },
      expect: tlsFails(ErrorCode.TLS_INJECTED_BYTES),
      check: () => expect(upgrades).toBe(0),
    }),
  ]);
});

describe('bytes around the SSLRequest answer, continued', () => {
  hostileCases([
    row({
      name: "'N' followed by a pre-sent startup reply (prefer) → PGS_TLS_INJECTED_BYTES, no StartupMessage",
      server: answering(new Uint8Array([0x4e, ...INJECTED])),
      call: (socket) => builder('prefer').connect(socket),
      expect: tlsFails(ErrorCode.TLS_INJECTED_BYTES),
      wireHex: SSL_REQUEST_HEX,
    }),
    row({
      name: 'bytes arriving while a slow caller upgrade prepares are never read as protocol messages',
      server: async (s) => {
        await s.expect('SSLRequest');
        s.sendRaw('S');
        await s.drain();
        await sleep(20);
        s.sendRaw(INJECTED);
        await s.silence();
      },
      call: (socket) => builder('require').connectWithTls(socket, slowUpgrade),
      // Which check fires first depends on timing; both refuse before any protocol byte is read.
      expect: fails(TlsError, ErrorCode.TLS_INJECTED_BYTES, { orCode: [ErrorCode.TLS_HANDSHAKE] }),
      // Nothing but the SSLRequest and (maybe) TLS records: never a plaintext StartupMessage.
      check: ({ session }) => {
        expect(Buffer.from(session.wire[0]!).toString('hex')).toBe(SSL_REQUEST_HEX);
        for (const c of session.wire.slice(1)) expect(c[0]).toBe(22);
      },
    }),
  ]);
});

describe('ErrorResponse instead of an SSLRequest answer (CVE-2024-10977)', () => {
  const serverText = 'ATTACKER-CONTROLLED-TEXT: please visit evil.example';
  hostileCases([
    row({
      name: "'E' → PGS_TLS_REQUEST_REJECTED with a fixed message that never shows the server's text",
      server: answering(new Bytes().str('SFATAL').u8(0).str('C28000').u8(0).str('M' + serverText).u8(0).u8(0).frame('E')),
      call: (socket) => builder('prefer').connect(socket),
      expect: tlsFails(ErrorCode.TLS_REQUEST_REJECTED),
      secrets: [serverText, 'ATTACKER', 'evil.example'],
      received: ['SSLRequest'],
      check: ({ error }) => expectNoSecrets(error, [PASSWORD]),
    }),
  ]);
});

describe('downgrade: the server answers N', () => {
  hostileCases([
    ...(['require', 'verify-ca', 'verify-full'] as const).map((mode) => row({
      name: `sslmode=${mode} → PGS_TLS_REFUSED and no StartupMessage`,
      server: answering('N'),
      call: (socket) => builder(mode, { rootCert: certs.ca, host: 'localhost' }).connect(socket),
      expect: tlsFails(ErrorCode.TLS_REFUSED),
      secrets: [PASSWORD],
      received: ['SSLRequest'],
      check: ({ session }) => expect(session.chunks.reduce((n, c) => n + c.length, 0)).toBe(8),
    })),
    row<Connected>({
      name: 'sslmode=prefer falls back to plaintext and the session works',
      server: async (s) => {
        await s.expect('SSLRequest');
        s.sendRaw('N');
        await trustAndServe(s);
      },
      call: (socket) => builder('prefer').connect(socket),
      expect: 'ok',
      then: async ({ conn, startup }, { session }) => {
        expect(startup.encrypted).toBe(false);
        expect(conn.encrypted).toBe(false);
        await selectOneAndClose(conn);
        expect(session.types.slice(0, 2)).toEqual(['SSLRequest', 'StartupMessage']);
      },
    }),
    row({
      name: 'sslmode=prefer after N still applies the other policies (cleartext over plaintext refused)',
      server: async (s) => {
        await s.expect('SSLRequest');
        s.sendRaw('N');
        await s.expect('StartupMessage');
        s.send(auth.cleartext());
        await s.silence();
      },
      call: (socket) => builder('prefer').connect(socket),
      expect: fails(AuthError, ErrorCode.AUTH_CLEARTEXT_INSECURE),
      secrets: [PASSWORD],
      received: ['SSLRequest', 'StartupMessage'],
    }),
  ]);
});

describe('invalid answers to SSLRequest', () => {
  const answers: [string, string][] = [
    ['X', 'X'],
    ['G (GSS accept)', 'G'],
    ['NUL', '\0'],
    ['lower-case s', 's'],
    ['R (a message type)', 'R'],
    ['0xff', '\xff'],
  ];
  hostileCases([
    ...answers.map(([name, answer]) => row({
      name: `${name} → PGS_TLS_INVALID_RESPONSE`,
      server: answering(answer),
      call: (socket) => builder('prefer').connect(socket),
      expect: tlsFails(ErrorCode.TLS_INVALID_RESPONSE),
      received: ['SSLRequest'],
    })),
    row({
      name: 'the server closing instead of answering → PGS_CONNECTION_CLOSED',
      server: async (s) => {
        await s.expect('SSLRequest');
        s.close();
      },
      call: (socket) => builder('require').connect(socket),
      expect: fails(ConnectionError, ErrorCode.CONNECTION_CLOSED),
    }),
  ]);
});

describe('certificate checks (RELIABILITY case 10)', () => {
  /** A server that accepts TLS with `pair`, then trusts and serves. */
  const tlsServer = (pair: () => { cert: string; key: string }): FakeScript => (s) => tlsTrustAndServe(s, pair());
  /** The same, for a handshake the client refuses: the server's side of it fails too. */
  const refusedTls = (pair: () => { cert: string; key: string }): Pick<HostileCase, 'server' | 'scriptMayFail' | 'received' | 'expect'> => ({
    server: tlsServer(pair),
    scriptMayFail: 'the handshake the client refuses fails in the server script as well',
    received: ['SSLRequest'],
    expect: tlsFails(ErrorCode.TLS_HANDSHAKE),
  });
  const works = (name: string, pair: () => { cert: string; key: string }, make: () => ConnectionBuilder, encryptedSession = false) => row<Connected>({
    name,
    server: tlsServer(pair),
    call: (socket) => make().connect(socket),
    expect: 'ok',
    then: async ({ conn, startup }, { session }) => {
      expect(startup.encrypted).toBe(true);
      expect(conn.encrypted).toBe(true);
      await selectOneAndClose(conn);
      if (encryptedSession) expect(session.encrypted).toBe(true);
    },
  });

  hostileCases([
    row({
      name: 'verify-full with the wrong CA → PGS_TLS_HANDSHAKE, no StartupMessage',
      ...refusedTls(() => certs.server),
      call: (socket) => builder('verify-full', { rootCert: certs.wrongCa, host: 'localhost' }).connect(socket),
      secrets: [PASSWORD],
    }),
    row({
      name: 'verify-full with a certificate for another host → PGS_TLS_HANDSHAKE, no StartupMessage',
      ...refusedTls(() => certs.wrongHost),
      call: (socket) => builder('verify-full', { rootCert: certs.otherCa, host: 'localhost' }).connect(socket),
    }),
    row({
      name: 'verify-full with an expired certificate → PGS_TLS_HANDSHAKE, no StartupMessage',
      ...refusedTls(() => certs.expiredServer),
      call: (socket) => builder('verify-full', { rootCert: certs.ca, host: 'localhost' }).connect(socket),
    }),
    row({
      name: 'verify-ca with an expired certificate → PGS_TLS_HANDSHAKE',
      ...refusedTls(() => certs.expiredServer),
      call: (socket) => builder('verify-ca', { rootCert: certs.ca }).connect(socket),
    }),
    works('verify-full with the right CA and host localhost succeeds and is encrypted', () => certs.server, () => builder('verify-full', { rootCert: certs.ca, host: 'localhost' }), true),
    works('verify-full with the right CA and host 127.0.0.1 (IP SAN) succeeds and is encrypted', () => certs.server, () => builder('verify-full', { rootCert: certs.ca, host: '127.0.0.1' }), true),
    works('verify-ca ignores the host name', () => certs.wrongHost, () => builder('verify-ca', { rootCert: certs.otherCa, host: 'localhost' })),
    row({
      name: 'verify-ca still checks the CA',
      ...refusedTls(() => certs.wrongHost),
      call: (socket) => builder('verify-ca', { rootCert: certs.ca }).connect(socket),
    }),
    row<Connected>({
      name: 'require encrypts without verifying (unknown CA, other host)',
      server: tlsServer(() => certs.wrongHost),
      call: (socket) => builder('require', { host: 'localhost' }).connect(socket),
      expect: 'ok',
      then: async ({ conn, startup }, { session }) => {
        expect(startup.encrypted).toBe(true);
        await selectOneAndClose(conn);
        expect(session.encrypted).toBe(true);
        // Nothing after the SSLRequest went in plaintext: the StartupMessage came through TLS.
        expect(session.types.slice(0, 2)).toEqual(['SSLRequest', 'StartupMessage']);
      },
    }),
    works('prefer encrypts when the server accepts, without verifying', () => certs.expiredServer, () => builder('prefer')),
  ]);
});

describe('direct TLS (sslnegotiation=direct)', () => {
  hostileCases([
    row<Connected>({
      name: 'starts TLS at once with ALPN "postgresql": no SSLRequest is sent',
      server: async (s) => {
        await s.upgradeTls({ ...certs.server });
        await trustAndServe(s);
      },
      call: (socket) => builder('verify-full', { rootCert: certs.ca, host: 'localhost' }).sslNegotiation('direct').connect(socket),
      expect: 'ok',
      then: async ({ conn, startup }, { session }) => {
        expect(startup.encrypted).toBe(true);
        await selectOneAndClose(conn);
        expect(session.alpn).toBe('postgresql');
        expect(session.types[0]).toBe('StartupMessage');
        expect(session.types).not.toContain('SSLRequest');
      },
    }),
    row({
      name: 'a server that does not select ALPN "postgresql" is refused → PGS_TLS_HANDSHAKE',
      server: async (s) => {
        await s.upgradeTls({ ...certs.server, alpn: false });
        await trustAndServe(s);
      },
      scriptMayFail: 'the handshake the client refuses fails in the server script as well',
      call: (socket) => builder('require').sslNegotiation('direct').connect(socket),
      expect: tlsFails(ErrorCode.TLS_HANDSHAKE),
      check: ({ session }) => expect(session.types).not.toContain('StartupMessage'),
    }),
    row({
      name: 'a plaintext server answering the ClientHello with protocol bytes → PGS_TLS_HANDSHAKE',
      server: async (s) => {
        while (s.chunks.length < 1) await sleep(5);
        s.sendRaw(INJECTED);
        await s.silence();
      },
      call: (socket) => builder('require').sslNegotiation('direct').connect(socket),
      expect: tlsFails(ErrorCode.TLS_HANDSHAKE),
      check: ({ error }) => expect(error).not.toBeInstanceOf(ProtocolError),
    }),
  ]);
});
