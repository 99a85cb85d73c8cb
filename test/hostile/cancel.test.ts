/**
 * CancelRequest against hostile servers: the cancel key is a secret, so the fresh connection that
 * carries it must be as secure as the session (TLS with the same negotiation when the session used
 * TLS), must never send the key after a refused, injected or rejected SSLRequest, is bounded in
 * time, and no error shows the key.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionBuilder } from '../../src/transport/node/builder.js';
import type { Connected } from '../../src/session/connection.js';
import type { SslMode } from '../../src/conninfo/values.js';
import { ConnectionError, ErrorCode, TlsError } from '../../src/errors.js';
import { expectFailure, sleep, trackUnhandled, within } from '../support/fake-assert.js';
import { fakeCertificates } from '../support/fake-certs.js';
import type { FakeCertificates } from '../support/fake-certs.js';
import { startFakeServer } from '../support/fake-server.js';
import type { FakeScript, FakeServer, FakeSession } from '../support/fake-server.js';

trackUnhandled();

const KEY = Uint8Array.from({ length: 32 }, (_, i) => (0x5a + i * 37) & 0xff);
const PID = 0x7a3b_c1d2;

let certs: FakeCertificates;
let server: FakeServer | null = null;
let connected: Connected | null = null;

beforeAll(async () => {
  certs = await fakeCertificates();
});

afterEach(async () => {
  await connected?.conn.close();
  connected = null;
  await server?.close();
  server = null;
});

/** The session: optional TLS, trust, a 32-byte key under protocol 3.2, then it idles. */
function session(tls: boolean): FakeScript {
  return async (s) => {
    if (tls) {
      await s.expect('SSLRequest');
      s.sendRaw('S');
      await s.upgradeTls(certs.server);
    }
    await s.expect('StartupMessage');
    s.sendReady({ secretKey: KEY, processId: PID });
    await s.silence();
  };
}

async function connectTo(srv: FakeServer, sslmode: SslMode): Promise<Connected> {
  connected = await within(
    new ConnectionBuilder('erin').protocol('3.2').sslmode(sslmode).cancelTimeout(500).connectTimeout(3_000).connect(srv.dial()),
    4_000,
  );
  return connected;
}

/** True when the key's bytes appear anywhere in what the cancel connection sent (TCP level). */
function keyOnWire(s: FakeSession): boolean {
  return Buffer.concat(s.wire).includes(Buffer.from(KEY));
}

describe('CancelRequest', () => {
  it('plaintext session: the CancelRequest carries the process ID and the whole 32-byte key', async () => {
    server = await startFakeServer([
      session(false),
      async (s) => {
        await s.expect('CancelRequest');
        s.close();
      },
    ]);
    const { conn } = await connectTo(server, 'disable');
    await within(conn.cancel(), 2_000);
    const c = await server.finished(1);
    const req = c.received[0] as Extract<FakeSession['received'][number], { type: 'CancelRequest' }>;
    expect(req.type).toBe('CancelRequest');
    expect(req.processId).toBe(PID);
    expect(Buffer.from(req.secretKey).equals(Buffer.from(KEY))).toBe(true);
  });

  it('TLS session: the cancel connection negotiates TLS first; the key never crosses in clear', async () => {
    server = await startFakeServer([
      session(true),
      async (s) => {
        await s.expect('SSLRequest');
        s.sendRaw('S');
        await s.upgradeTls(certs.server);
        const req = await s.expect('CancelRequest');
        expect(Buffer.from(req.secretKey).equals(Buffer.from(KEY))).toBe(true);
        s.close();
      },
    ]);
    const { conn } = await connectTo(server, 'require');
    await within(conn.cancel(), 2_000);
    const c = await server.finished(1);
    expect(c.error).toBeUndefined();
    expect(c.encrypted).toBe(true);
    expect(c.types).toEqual(['SSLRequest', 'CancelRequest']);
    expect(keyOnWire(c), 'the cancel key crossed the wire in clear').toBe(false);
  });

  type Hostile = [string, (s: FakeSession) => Promise<void>, typeof TlsError | typeof ConnectionError, ErrorCode];
  const hostile: Hostile[] = [
    [
      "answers N to the cancel connection's SSLRequest",
      async (s) => {
        await s.expect('SSLRequest');
        s.sendRaw('N');
        await s.silence();
      },
      TlsError,
      ErrorCode.TLS_REFUSED,
    ],
    [
      'answers S plus injected bytes',
      async (s) => {
        await s.expect('SSLRequest');
        s.sendRaw('S\0\0\0\0');
        await s.silence();
      },
      TlsError,
      ErrorCode.TLS_INJECTED_BYTES,
    ],
    [
      'answers E',
      async (s) => {
        await s.expect('SSLRequest');
        s.sendRaw('E');
        await s.silence();
      },
      TlsError,
      ErrorCode.TLS_REQUEST_REJECTED,
    ],
    [
      'stays silent after the SSLRequest',
      async (s) => {
        await s.silence();
      },
      ConnectionError,
      ErrorCode.TIMEOUT,
    ],
    [
      'completes TLS, then never closes after the CancelRequest',
      async (s) => {
        await s.expect('SSLRequest');
        s.sendRaw('S');
        await s.upgradeTls(certs.server);
        await s.silence();
      },
      ConnectionError,
      ErrorCode.TIMEOUT,
    ],
  ];

  it.each(hostile)('a cancel server that %s → rejected, bounded, key never sent in clear nor shown', async (_name, script, type, code) => {
    server = await startFakeServer([session(true), script]);
    const { conn } = await connectTo(server, 'require');
    const err = await expectFailure(conn.cancel(), { type, code, withinMs: 1_500, secrets: [KEY] });
    expect(String(err.stack)).not.toContain(String(PID >>> 0));
    const c = await server.session(1);
    await within(c.gone, 2_000, 'the cancel connection being closed');
    expect(keyOnWire(c), 'the cancel key crossed the wire in clear').toBe(false);
    // The session itself is unaffected by a failed cancel.
    expect(conn.closed).toBe(false);
  });

  it('a cancel to a server that resets at once after the request still counts as delivered', async () => {
    server = await startFakeServer([
      session(false),
      async (s) => {
        await s.expect('CancelRequest');
        await sleep(5);
        s.destroy();
      },
    ]);
    const { conn } = await connectTo(server, 'disable');
    await within(conn.cancel(), 2_000);
  });
});
