/**
 * CancelRequest against hostile servers: the cancel key is a secret, so the fresh connection that
 * carries it must be as secure as the session (TLS with the same negotiation when the session used
 * TLS), must never send the key after a refused, injected or rejected SSLRequest, is bounded in
 * time, and no error shows the key. Each case is a row of the shared table (support/hostile-cases.ts):
 * the call connects over the row's socket, then cancels.
 */
import type net from 'node:net';
import { afterEach, beforeAll, describe, expect } from 'vitest';
import { ConnectionBuilder } from '../../src/transport/node/builder.js';
import type { Connected } from '../../src/session/connection.js';
import type { SslMode } from '../../src/conninfo/values.js';
import { ConnectionError, ErrorCode, TlsError } from '../../src/errors.js';
import { sleep, trackUnhandled, within } from '../support/fake-assert.js';
import { fakeCertificates } from '../support/fake-certs.js';
import type { FakeCertificates } from '../support/fake-certs.js';
import type { FakeScript, FakeSession } from '../support/fake-server.js';
import { hostileCases, row } from '../support/hostile-cases.js';

trackUnhandled();

const KEY = Uint8Array.from({ length: 32 }, (_, i) => (0x5a + i * 37) & 0xff);
const PID = 0x7a3b_c1d2;

let certs: FakeCertificates;
let connected: Connected | null = null;

beforeAll(async () => {
  certs = await fakeCertificates();
});

afterEach(async () => {
  await connected?.conn.close();
  connected = null;
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

async function connectTo(socket: net.Socket, sslmode: SslMode): Promise<Connected> {
  connected = await within(
    new ConnectionBuilder('erin').protocol('3.2').sslmode(sslmode).cancelTimeout(500).connectTimeout(3_000).connect(socket),
    4_000,
  );
  return connected;
}

/** How long the last `cancelOver` took, from the cancel call to its settling. */
let cancelMs = 0;

/** Connects over `socket`, then cancels; the time the cancel took goes to `cancelMs`. */
async function cancelOver(socket: net.Socket, sslmode: SslMode): Promise<void> {
  const { conn } = await connectTo(socket, sslmode);
  const t0 = performance.now();
  try {
    await conn.cancel();
  } finally {
    cancelMs = performance.now() - t0;
  }
}

/** True when the key's bytes appear anywhere in what the cancel connection sent (TCP level). */
function keyOnWire(s: FakeSession): boolean {
  return Buffer.concat(s.wire).includes(Buffer.from(KEY));
}

describe('CancelRequest', () => {
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

  hostileCases([
    row({
      name: 'plaintext session: the CancelRequest carries the process ID and the whole 32-byte key',
      server: [
        session(false),
        async (s) => {
          await s.expect('CancelRequest');
          s.close();
        },
      ],
      call: (socket) => cancelOver(socket, 'disable'),
      expect: 'ok',
      withinMs: 6_000,
      check: async ({ server }) => {
        expect(cancelMs).toBeLessThan(2_000);
        const c = await server.finished(1);
        const req = c.received[0] as Extract<FakeSession['received'][number], { type: 'CancelRequest' }>;
        expect(req.type).toBe('CancelRequest');
        expect(req.processId).toBe(PID);
        expect(Buffer.from(req.secretKey).equals(Buffer.from(KEY))).toBe(true);
        await connected?.conn.close();
      },
    }),
    row({
      name: 'TLS session: the cancel connection negotiates TLS first; the key never crosses in clear',
      server: [
        session(true),
        async (s) => {
          await s.expect('SSLRequest');
          s.sendRaw('S');
          await s.upgradeTls(certs.server);
          const req = await s.expect('CancelRequest');
          expect(Buffer.from(req.secretKey).equals(Buffer.from(KEY))).toBe(true);
          s.close();
        },
      ],
      call: (socket) => cancelOver(socket, 'require'),
      expect: 'ok',
      withinMs: 6_000,
      check: async ({ server }) => {
        expect(cancelMs).toBeLessThan(2_000);
        const c = await server.finished(1);
        expect(c.error).toBeUndefined();
        expect(c.encrypted).toBe(true);
        expect(c.types).toEqual(['SSLRequest', 'CancelRequest']);
        expect(keyOnWire(c), 'the cancel key crossed the wire in clear').toBe(false);
        await connected?.conn.close();
      },
    }),
    ...hostile.map(([name, script, type, code]) => row({
      name: `a cancel server that ${name} → rejected, bounded, key never sent in clear nor shown`,
      server: [session(true), script],
      call: (socket) => cancelOver(socket, 'require'),
      expect: { type, code },
      withinMs: 6_000,
      secrets: [KEY],
      // The session's own socket stays open: a failed cancel does not touch the session.
      destroyed: false,
      check: async ({ server, error }) => {
        expect(cancelMs).toBeLessThan(1_500);
        expect(String(error!.stack)).not.toContain(String(PID >>> 0));
        const c = await server.session(1);
        await within(c.gone, 2_000, 'the cancel connection being closed');
        expect(keyOnWire(c), 'the cancel key crossed the wire in clear').toBe(false);
        // The session itself is unaffected by a failed cancel.
        expect(connected!.conn.closed).toBe(false);
        await connected!.conn.close();
      },
    })),
    row({
      name: 'a cancel to a server that resets at once after the request still counts as delivered',
      server: [
        session(false),
        async (s) => {
          await s.expect('CancelRequest');
          await sleep(5);
          s.destroy();
        },
      ],
      call: (socket) => cancelOver(socket, 'disable'),
      expect: 'ok',
      withinMs: 6_000,
      check: async () => {
        expect(cancelMs).toBeLessThan(2_000);
        await connected?.conn.close();
      },
    }),
  ]);
});
