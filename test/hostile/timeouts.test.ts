/**
 * RELIABILITY.md case 9 (second half) and case 14: a server that falls silent or closes at each
 * step of the startup — after SSLRequest, during the TLS handshake, after StartupMessage, mid-SCRAM,
 * after AuthenticationOk, in the middle of a message — must never hang the caller: the connect
 * timeout fires (PGS_CONNECT_TIMEOUT) or the close is reported (PGS_CONNECTION_CLOSED), on time,
 * with the socket destroyed and nothing left unhandled. Each step × misbehaviour is a row of the
 * shared table (support/hostile-cases.ts).
 */
import type net from 'node:net';
import { beforeAll, describe, expect } from 'vitest';
import { AuthenticationMode } from '../../src/auth/authentication-mode.js';
import { ConnectionBuilder } from '../../src/transport/node/builder.js';
import type { SslMode } from '../../src/conninfo/values.js';
import { ConnectionError, ErrorCode, TlsError } from '../../src/errors.js';
import type { ErrorCode as Code } from '../../src/errors.js';
import { Bytes } from '../fixtures/bytes.js';
import { sleep, trackUnhandled, within } from '../support/fake-assert.js';
import type { ErrorClass } from '../support/fake-assert.js';
import { fakeCertificates } from '../support/fake-certs.js';
import type { FakeCertificates } from '../support/fake-certs.js';
import { serveScram } from '../support/fake-scram.js';
import { auth } from '../support/fake-server.js';
import type { FakeSession } from '../support/fake-server.js';
import { hostileCases, row } from '../support/hostile-cases.js';

trackUnhandled();

/** The connect timeout every case runs under, and how late the rejection may come. */
const TIMEOUT = 500;
const SLACK = 1_500;
const PASSWORD = 'pw-never-shown-0451';

let certs: FakeCertificates;

beforeAll(async () => {
  certs = await fakeCertificates();
});

/** What the server does at the step where it misbehaves. */
type Misbehave = 'silent' | 'close' | 'reset';

function misbehave(s: FakeSession, how: Misbehave): Promise<void> {
  if (how === 'close') s.close();
  else if (how === 'reset') s.destroy();
  return s.silence();
}

interface Step {
  name: string;
  sslmode: SslMode;
  /** Direct TLS (no SSLRequest). */
  direct?: boolean;
  /** Runs the server up to the step, then misbehaves. */
  script: (s: FakeSession, how: Misbehave) => Promise<void>;
  /** What a close at this step is reported as (a silence is always PGS_CONNECT_TIMEOUT). */
  closed: { type: ErrorClass; code: Code };
}

const closedConn = { type: ConnectionError, code: ErrorCode.CONNECTION_CLOSED };

const steps: Step[] = [
  {
    name: 'before answering SSLRequest',
    sslmode: 'require',
    script: async (s, how) => {
      await s.expect('SSLRequest');
      await misbehave(s, how);
    },
    closed: closedConn,
  },
  {
    name: 'during the TLS handshake (after the ClientHello)',
    sslmode: 'require',
    script: async (s, how) => {
      await s.expect('SSLRequest');
      s.sendRaw('S');
      while (s.chunks.length < 2) await sleep(2);
      await misbehave(s, how);
    },
    closed: { type: TlsError, code: ErrorCode.TLS_HANDSHAKE },
  },
  {
    name: 'during a direct TLS handshake (after the ClientHello)',
    sslmode: 'require',
    direct: true,
    script: async (s, how) => {
      while (s.chunks.length < 1) await sleep(2);
      await misbehave(s, how);
    },
    closed: { type: TlsError, code: ErrorCode.TLS_HANDSHAKE },
  },
  {
    name: 'after the StartupMessage (direct TLS)',
    sslmode: 'require',
    direct: true,
    script: async (s, how) => {
      await s.upgradeTls(certs.server);
      await s.expect('StartupMessage');
      await misbehave(s, how);
    },
    closed: closedConn,
  },
  {
    name: 'after the StartupMessage (plaintext)',
    sslmode: 'disable',
    script: async (s, how) => {
      await s.expect('StartupMessage');
      await misbehave(s, how);
    },
    closed: closedConn,
  },
  {
    name: 'after the StartupMessage (TLS)',
    sslmode: 'require',
    script: async (s, how) => {
      await s.expect('SSLRequest');
      s.sendRaw('S');
      await s.upgradeTls(certs.server);
      await s.expect('StartupMessage');
      await misbehave(s, how);
    },
    closed: closedConn,
  },
  {
    name: 'mid-SCRAM, after SASLInitialResponse',
    sslmode: 'disable',
    script: async (s, how) => {
      await s.expect('StartupMessage');
      await serveScram(s, { password: PASSWORD, stopAfter: 'initial-response' });
      await misbehave(s, how);
    },
    closed: closedConn,
  },
  {
    name: 'mid-SCRAM, after SASLResponse (client-final)',
    sslmode: 'disable',
    script: async (s, how) => {
      await s.expect('StartupMessage');
      await serveScram(s, { password: PASSWORD, stopAfter: 'client-final' });
      await misbehave(s, how);
    },
    closed: closedConn,
  },
  {
    name: 'after a cleartext password request was answered',
    sslmode: 'require',
    script: async (s, how) => {
      await s.expect('SSLRequest');
      s.sendRaw('S');
      await s.upgradeTls(certs.server);
      await s.expect('StartupMessage');
      s.send(auth.cleartext());
      await s.expect('PasswordMessage');
      await misbehave(s, how);
    },
    closed: closedConn,
  },
  {
    name: 'after AuthenticationOk, before ReadyForQuery',
    sslmode: 'disable',
    script: async (s, how) => {
      await s.expect('StartupMessage');
      s.send(auth.ok());
      await misbehave(s, how);
    },
    closed: closedConn,
  },
  {
    name: 'after AuthenticationOk and ParameterStatus/BackendKeyData, before ReadyForQuery',
    sslmode: 'disable',
    script: async (s, how) => {
      await s.expect('StartupMessage');
      s.send(auth.ok());
      s.sendRaw(new Bytes().cstr('server_version').cstr('18.0').frame('S'), new Bytes().i32(7).raw([9, 9, 9, 9]).frame('K'));
      await misbehave(s, how);
    },
    closed: closedConn,
  },
  {
    name: 'in the middle of a message (half an Authentication header)',
    sslmode: 'disable',
    script: async (s, how) => {
      await s.expect('StartupMessage');
      s.sendRaw(new Uint8Array([0x52, 0, 0]));
      await misbehave(s, how);
    },
    closed: closedConn,
  },
  {
    name: 'in the middle of a message body (ParameterStatus cut short)',
    sslmode: 'disable',
    script: async (s, how) => {
      await s.expect('StartupMessage');
      s.send(auth.ok());
      s.sendRaw(new Bytes().cstr('server_version').cstr('18.0').frame('S').subarray(0, 9));
      await misbehave(s, how);
    },
    closed: closedConn,
  },
];

function builder(sslmode: SslMode, direct = false): ConnectionBuilder {
  return new ConnectionBuilder('bob')
    .auth(AuthenticationMode.password(PASSWORD))
    .sslmode(sslmode)
    .sslNegotiation(direct ? 'direct' : 'postgres')
    .connectTimeout(TIMEOUT);
}

/** How long the last `timed` call took to settle. */
let tookMs = 0;

/** Runs `connect` and records how long it took to settle in `tookMs`. */
async function timed<T>(connect: Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await connect;
  } finally {
    tookMs = performance.now() - t0;
  }
}

const connectStep = (step: Step) => (socket: net.Socket) => timed(builder(step.sslmode, step.direct).connect(socket));

describe.each(steps)('server misbehaves $name', (step) => {
  hostileCases([
    row({
      name: 'silent → PGS_CONNECT_TIMEOUT on time',
      server: (s) => step.script(s, 'silent'),
      call: connectStep(step),
      expect: { type: ConnectionError, code: ErrorCode.CONNECT_TIMEOUT },
      withinMs: TIMEOUT + SLACK,
      secrets: [PASSWORD],
      check: async ({ session }) => {
        expect(tookMs).toBeGreaterThanOrEqual(TIMEOUT - 5);
        await within(session.gone, 1_000, 'the client closing its side');
      },
    }),
    row({
      name: 'closes (FIN) → reported at once',
      server: (s) => step.script(s, 'close'),
      call: connectStep(step),
      expect: step.closed,
      withinMs: TIMEOUT + SLACK,
      secrets: [PASSWORD],
      check: () => expect(tookMs, 'a close must not wait for the timeout').toBeLessThan(TIMEOUT),
    }),
    row({
      name: 'resets (RST) → reported at once',
      server: (s) => step.script(s, 'reset'),
      call: connectStep(step),
      // A reset is a closed connection or a socket error (ECONNRESET), depending on timing.
      expect: {
        type: step.closed.type === TlsError ? TlsError : ConnectionError,
        code: step.closed.code,
        orCode: [ErrorCode.SOCKET_ERROR, ErrorCode.CONNECTION_CLOSED],
      },
      withinMs: TIMEOUT + SLACK,
      check: () => expect(tookMs, 'a reset must not wait for the timeout').toBeLessThan(TIMEOUT),
    }),
  ]);
});

describe('no timeout configured', () => {
  hostileCases([
    row({
      name: 'a server that closes after AuthenticationOk still rejects promptly (case 14)',
      server: async (s) => {
        await s.expect('StartupMessage');
        s.send(auth.ok());
        s.close();
      },
      call: (socket) => new ConnectionBuilder('bob').connect(socket),
      expect: { type: ConnectionError, code: ErrorCode.CONNECTION_CLOSED },
      withinMs: 1_000,
    }),
    row({
      name: 'a server that accepts and never says anything is bounded by connectTimeout (sslmode=prefer)',
      server: (s) => s.silence(),
      call: (socket) => new ConnectionBuilder('bob').sslmode('prefer').connectTimeout(TIMEOUT).connect(socket),
      expect: { type: ConnectionError, code: ErrorCode.CONNECT_TIMEOUT },
      withinMs: TIMEOUT + SLACK,
    }),
  ]);
});
