/**
 * Hostile servers during authentication ("Known attacks": SCRAM, channel binding, auth policy),
 * against a fake server whose SCRAM side is an independent node:crypto implementation: every
 * tampering of the server's SCRAM messages must end in the right AuthError; the GS2 header the
 * client sends must follow the channel-binding rules; channel_binding=require and require_auth
 * must refuse BEFORE anything secret is sent; cleartext passwords never cross plaintext by default.
 * Each case is a row of the shared table (support/hostile-cases.ts).
 */
import { beforeAll, describe, expect } from 'vitest';
import { AuthenticationMode } from '../../src/auth/authentication-mode.js';
import { ConnectionBuilder } from '../../src/transport/node/builder.js';
import type { ChannelBinding, SslMode } from '../../src/conninfo/values.js';
import { AuthError, ErrorCode, ServerError } from '../../src/errors.js';
import { expectNoSecrets, trackUnhandled } from '../support/fake-assert.js';
import { fakeCertificates } from '../support/fake-certs.js';
import type { FakeCertificates } from '../support/fake-certs.js';
import { selectOneAndClose } from '../support/fake-client.js';
import { serveScram } from '../support/fake-scram.js';
import type { ScramServerOptions, ScramTranscript } from '../support/fake-scram.js';
import { auth } from '../support/fake-server.js';
import type { FakeSession } from '../support/fake-server.js';
import { hostileCases, row } from '../support/hostile-cases.js';
import type { Fails, HostileCase } from '../support/hostile-cases.js';
import type { Connected } from '../../src/index.js';

trackUnhandled();

const TIMEOUT = 3_000;
const WITHIN = TIMEOUT + 1_000;
const PASSWORD = 'correct-horse-battery-9931';

let certs: FakeCertificates;

beforeAll(async () => {
  certs = await fakeCertificates();
});

interface Opts {
  sslmode?: SslMode;
  channelBinding?: ChannelBinding;
  requireAuth?: string;
  password?: string | null;
  configure?: (b: ConnectionBuilder) => ConnectionBuilder;
}

function builder(o: Opts = {}): ConnectionBuilder {
  let b = new ConnectionBuilder('dave')
    .database('db')
    .auth(o.password === null ? AuthenticationMode.trust() : AuthenticationMode.password(o.password ?? PASSWORD))
    .sslmode(o.sslmode ?? 'disable')
    .connectTimeout(TIMEOUT);
  if (o.channelBinding) b = b.channelBinding(o.channelBinding);
  if (o.requireAuth !== undefined) b = b.requireAuth(o.requireAuth);
  return o.configure ? o.configure(b) : b;
}

/** Runs the startup up to the StartupMessage, over TLS when `tls` (certificate `certs.server`). */
async function startup(s: FakeSession, tls: boolean): Promise<void> {
  if (tls) {
    await s.expect('SSLRequest');
    s.sendRaw('S');
    await s.upgradeTls(certs.server);
  }
  await s.expect('StartupMessage');
}

/**
 * A fake server running SCRAM with `scram` options; when the exchange completed it sends the rest
 * of the startup and serves queries. Returns the transcript through `out`.
 */
function scramServer(tls: boolean, scram: Omit<ScramServerOptions, 'password'> & { password?: string }, out: { t?: ScramTranscript }) {
  return async (s: FakeSession): Promise<void> => {
    await startup(s, tls);
    const t = await serveScram(s, { password: PASSWORD, certPem: tls ? certs.server.cert : undefined, ...scram });
    out.t = t;
    if (scram.stopAfter === undefined && t.proofValid && t.bindingValid && !scram.okInsteadOfFinal) {
      s.sendReady();
      await s.serveQueries();
      return;
    }
    await s.silence();
  };
}

const authFails = (code: ErrorCode, more: Partial<Fails> = {}): Fails => ({ type: AuthError, code, ...more });

/** A row whose connection must work: `check` on the transcript, then SELECT 1 and close. */
function works(name: string, o: Opts, tls: boolean, scram: Omit<ScramServerOptions, 'password'>, check: (t: ScramTranscript, c: Connected) => void = () => undefined): HostileCase<Connected> {
  const out: { t?: ScramTranscript } = {};
  return row<Connected>({
    name,
    server: scramServer(tls, scram, out),
    call: (socket) => builder(o).connect(socket),
    expect: 'ok',
    withinMs: WITHIN,
    then: async (c) => {
      expect(out.t).toBeDefined();
      check(out.t!, c);
      await selectOneAndClose(c.conn);
    },
  });
}

/** Script: startup (over TLS when `tls`), then `step`, then silence. */
const stepping = (tls: boolean, step: (s: FakeSession) => Promise<void>) => async (s: FakeSession): Promise<void> => {
  await startup(s, tls);
  await step(s);
  await s.silence();
};

/** A script that serves queries after `step` (a successful login). */
const serving = (tls: boolean, step: (s: FakeSession) => Promise<void>) => async (s: FakeSession): Promise<void> => {
  await startup(s, tls);
  await step(s);
  s.sendReady();
  await s.serveQueries();
};

const closeAfterSelect = async ({ conn }: Connected): Promise<void> => selectOneAndClose(conn);

describe('SCRAM-SHA-256 against an independent server implementation', () => {
  hostileCases([
    works('plaintext: SCRAM-SHA-256 with gs2 header n,, and a valid proof; the session works', {}, false, {}, (t, { startup: st }) => {
      expect(t.mechanism).toBe('SCRAM-SHA-256');
      expect(t.gs2Header).toBe('n,,');
      expect(t.clientFirstBare).toMatch(/^n=,r=[\x21-\x2b\x2d-\x7e]{18,}$/);
      expect(t.proofValid).toBe(true);
      expect(st.authMethod).toBe('SCRAM-SHA-256');
    }),
    works('TLS, server offers only SCRAM-SHA-256: gs2 header y,,', { sslmode: 'require' }, true, { mechanisms: ['SCRAM-SHA-256'] }, (t) => {
      expect(t.gs2Header).toBe('y,,');
      expect(t.mechanism).toBe('SCRAM-SHA-256');
      expect(t.bindingValid).toBe(true);
    }),
    works('TLS, server offers -PLUS: SCRAM-SHA-256-PLUS with p=tls-server-end-point,, bound to the certificate hash', { sslmode: 'require' }, true, { mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] }, (t, { startup: st }) => {
      expect(t.mechanism).toBe('SCRAM-SHA-256-PLUS');
      expect(t.gs2Header).toBe('p=tls-server-end-point,,');
      expect(t.bindingValid).toBe(true);
      expect(t.proofValid).toBe(true);
      expect(st.authMethod).toBe('SCRAM-SHA-256-PLUS');
    }),
    works('TLS, -PLUS offered, channel_binding=disable: SCRAM-SHA-256 with n,,', { sslmode: 'require', channelBinding: 'disable' }, true, { mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] }, (t) => {
      expect(t.mechanism).toBe('SCRAM-SHA-256');
      expect(t.gs2Header).toBe('n,,');
    }),
    works('channel_binding=require over TLS with -PLUS offered: succeeds, bound', { sslmode: 'require', channelBinding: 'require' }, true, { mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] }, (t) => {
      expect(t.gs2Header).toBe('p=tls-server-end-point,,');
    }),
  ]);
});

describe('SCRAM cost', () => {
  const out: { t?: ScramTranscript } = {};
  let worst = 0;
  let took = 0;
  hostileCases([
    row<Connected>({
      name: 'PBKDF2 with a high (allowed) iteration count does not block the event loop',
      server: scramServer(false, { iterations: 1_000_000 }, out),
      call: async (socket) => {
        let last = performance.now();
        const timer = setInterval(() => {
          const now = performance.now();
          worst = Math.max(worst, now - last);
          last = now;
        }, 5);
        const t0 = performance.now();
        try {
          return await builder().connect(socket);
        } finally {
          took = performance.now() - t0;
          clearInterval(timer);
        }
      },
      expect: 'ok',
      withinMs: 20_000,
      then: async ({ conn }) => {
        expect(out.t?.proofValid).toBe(true);
        await selectOneAndClose(conn);
        // Two PBKDF2 runs of 10^6 iterations (the client's, then the fake server's) make up most of
        // the login; run on the event loop, the client's alone would be one stall of about half of it.
        // Relative bound, so a loaded machine's scheduling hiccups do not decide the outcome.
        expect(took).toBeGreaterThan(200);
        expect(worst, `the event loop stalled for ${worst.toFixed(0)} ms during a ${took.toFixed(0)} ms login`).toBeLessThan(took / 4);
      },
    }),
  ]);
});

describe('SCRAM tampering → AuthError', () => {
  type Case = [string, ErrorCode, Omit<ScramServerOptions, 'password'>, Opts?];
  const cases: Case[] = [
    ['server nonce not starting with the client nonce', ErrorCode.SCRAM_PROTOCOL, { nonce: (c) => `X${c.slice(1)}extra` }],
    ['server nonce equal to the client nonce', ErrorCode.SCRAM_PROTOCOL, { nonce: (c) => c }],
    ['server nonce shorter than the client nonce', ErrorCode.SCRAM_PROTOCOL, { nonce: (c) => c.slice(0, 4) }],
    ['server nonce with a comma-free but invalid character', ErrorCode.SCRAM_PROTOCOL, { nonce: (c) => `${c}\u0001x` }],
    ['bad server signature (v=)', ErrorCode.SCRAM_SERVER_SIGNATURE, { serverFinal: () => `v=${Buffer.alloc(32, 1).toString('base64')}` }],
    ['truncated server signature (16 of 32 bytes)', ErrorCode.SCRAM_SERVER_SIGNATURE, { serverFinal: (p) => `v=${Buffer.from(p.slice(2), 'base64').subarray(0, 16).toString('base64')}` }],
    ['server signature not base64', ErrorCode.SCRAM_PROTOCOL, { serverFinal: () => 'v=@@@@' }],
    ['server error e=invalid-proof', ErrorCode.SCRAM_SERVER_ERROR, { serverFinal: () => 'e=invalid-proof' }],
    ['server error e=other-error', ErrorCode.SCRAM_SERVER_ERROR, { serverFinal: () => 'e=other-error' }],
    ['garbage server-final', ErrorCode.SCRAM_PROTOCOL, { serverFinal: () => 'garbage' }],
    ['empty server-final', ErrorCode.SCRAM_PROTOCOL, { serverFinal: () => '' }],
    ['huge iteration count 2^31-1', ErrorCode.SCRAM_ITERATIONS, { iterations: 2 ** 31 - 1 }],
    ['iteration count 10^12', ErrorCode.SCRAM_ITERATIONS, { iterations: '1000000000000' }],
    ['iteration count above a configured cap', ErrorCode.SCRAM_ITERATIONS, { iterations: 20_000 }, { configure: (b) => b.maxScramIterations(10_000) }],
    ['iteration count 0', ErrorCode.SCRAM_ITERATIONS, { iterations: 0 }],
    ['iteration count -1', ErrorCode.SCRAM_ITERATIONS, { iterations: '-1' }],
    ['iteration count not a number', ErrorCode.SCRAM_ITERATIONS, { iterations: 'many' }],
    ['missing salt', ErrorCode.SCRAM_PROTOCOL, { serverFirst: (p) => p.replace(/,s=[^,]*/, '') }],
    ['empty salt', ErrorCode.SCRAM_PROTOCOL, { serverFirst: (p) => p.replace(/,s=[^,]*/, ',s=') }],
    ['salt not base64', ErrorCode.SCRAM_PROTOCOL, { serverFirst: (p) => p.replace(/,s=[^,]*/, ',s=%%%') }],
    ['attributes out of order', ErrorCode.SCRAM_PROTOCOL, { serverFirst: (p) => p.split(',').reverse().join(',') }],
    ['mandatory extension m=', ErrorCode.SCRAM_PROTOCOL, { serverFirst: (p) => `m=ext,${p}` }],
    ['garbage server-first', ErrorCode.SCRAM_PROTOCOL, { serverFirst: () => 'hello' }],
    ['invalid UTF-8 server-first', ErrorCode.SCRAM_PROTOCOL, { serverFirst: (p) => Buffer.concat([Buffer.from(`${p},x=`), Buffer.from([0xff, 0xfe])]) }],
  ];

  const wrongPassword: { t?: ScramTranscript } = {};
  hostileCases([
    ...cases.map(([name, code, scram, opts]) => {
      const out: { t?: ScramTranscript } = {};
      let t0 = 0;
      return row({
        name: `${name} → ${code}`,
        server: scramServer(false, scram, out),
        call: (socket) => {
          t0 = performance.now();
          return builder(opts).connect(socket);
        },
        expect: authFails(code),
        withinMs: WITHIN,
        secrets: [PASSWORD],
        check: async ({ error, server }) => {
          // A huge iteration count is refused before any PBKDF2 work.
          if (scram.iterations !== undefined) expect(performance.now() - t0).toBeLessThan(1_000);
          const s = await server.finished();
          expectNoSecrets(error, out.t?.secrets ?? [PASSWORD]);
          // The client never goes past the failed step: after a bad server-first, no SASLResponse.
          if (scram.serverFirst !== undefined || scram.nonce !== undefined || scram.iterations !== undefined) {
            expect(s.types).toEqual(['StartupMessage', 'SASLInitialResponse']);
          }
        },
      });
    }),
    row({
      name: 'AuthenticationOk instead of AuthenticationSASLFinal → SCRAM_PROTOCOL (server never proved the password)',
      server: scramServer(false, { okInsteadOfFinal: true }, {}),
      call: (socket) => builder().connect(socket),
      expect: authFails(ErrorCode.SCRAM_PROTOCOL),
      withinMs: WITHIN,
      secrets: [PASSWORD],
    }),
    row({
      name: 'AuthenticationOk right after SASLInitialResponse → SCRAM_PROTOCOL',
      server: stepping(false, async (s) => {
        await serveScram(s, { password: PASSWORD, stopAfter: 'initial-response' });
        s.sendReady();
      }),
      call: (socket) => builder().connect(socket),
      expect: authFails(ErrorCode.SCRAM_PROTOCOL),
      withinMs: WITHIN,
    }),
    row({
      name: 'AuthenticationSASLFinal before AuthenticationSASLContinue → SCRAM_PROTOCOL',
      server: stepping(false, async (s) => {
        await serveScram(s, { password: PASSWORD, stopAfter: 'initial-response' });
        s.send(auth.saslFinal(`v=${Buffer.alloc(32).toString('base64')}`));
      }),
      call: (socket) => builder().connect(socket),
      expect: authFails(ErrorCode.SCRAM_PROTOCOL),
      withinMs: WITHIN,
    }),
    row({
      name: 'AuthenticationSASLContinue twice → SCRAM_PROTOCOL',
      server: stepping(false, async (s) => {
        const t = await serveScram(s, { password: PASSWORD, stopAfter: 'client-final' });
        expect(t.serverFirst).toBeDefined();
        s.send(auth.saslContinue(t.serverFirst ?? ''));
      }),
      call: (socket) => builder().connect(socket),
      expect: authFails(ErrorCode.SCRAM_PROTOCOL),
      withinMs: WITHIN,
    }),
    row({
      name: 'AuthenticationSASLContinue without AuthenticationSASL → SCRAM_PROTOCOL',
      server: stepping(false, async (s) => s.send(auth.saslContinue('r=abc,s=c2FsdA==,i=4096'))),
      call: (socket) => builder().connect(socket),
      expect: authFails(ErrorCode.SCRAM_PROTOCOL),
      withinMs: WITHIN,
    }),
    row({
      name: 'an MD5 request in the middle of SCRAM → AuthError, no PasswordMessage sent',
      server: stepping(false, async (s) => {
        await serveScram(s, { password: PASSWORD, stopAfter: 'server-first' });
        await s.expect('SASLResponse', 'SASLResponse');
        s.send(auth.md5());
      }),
      call: (socket) => builder().connect(socket),
      expect: authFails(ErrorCode.SCRAM_PROTOCOL),
      withinMs: WITHIN,
      secrets: [PASSWORD],
      received: ['StartupMessage', 'SASLInitialResponse', 'SASLResponse'],
    }),
    row({
      name: 'a second AuthenticationSASL after the exchange began → AuthError',
      server: stepping(false, async (s) => {
        await serveScram(s, { password: PASSWORD, stopAfter: 'initial-response' });
        s.send(auth.sasl(['SCRAM-SHA-256']));
      }),
      call: (socket) => builder().connect(socket),
      expect: authFails(ErrorCode.SCRAM_PROTOCOL),
      withinMs: WITHIN,
    }),
    row({
      name: 'no SCRAM mechanism offered → PGS_AUTH_UNSUPPORTED, nothing sent',
      server: stepping(false, async (s) => s.send(auth.sasl(['OAUTHBEARER', 'X-UNKNOWN']))),
      call: (socket) => builder().connect(socket),
      expect: authFails(ErrorCode.AUTH_UNSUPPORTED),
      withinMs: WITHIN,
      received: ['StartupMessage'],
    }),
    row({
      name: 'an empty mechanism list → PGS_AUTH_UNSUPPORTED, nothing sent',
      server: stepping(false, async (s) => s.send(auth.sasl([]))),
      call: (socket) => builder().connect(socket),
      expect: authFails(ErrorCode.AUTH_UNSUPPORTED),
      withinMs: WITHIN,
      received: ['StartupMessage'],
    }),
    row({
      name: 'the wrong password → the server refuses (ServerError 28P01); no proof or salted password in the error',
      server: scramServer(false, { password: 'server-side-password' }, wrongPassword),
      call: (socket) => builder().connect(socket),
      expect: { type: ServerError, code: ErrorCode.SERVER_ERROR, sqlstate: '28P01' },
      withinMs: WITHIN,
      secrets: [PASSWORD],
      check: ({ error }) => {
        expect(wrongPassword.t?.proofValid).toBe(false);
        expect(wrongPassword.t?.secrets.length).toBeGreaterThan(0);
        expectNoSecrets(error, wrongPassword.t?.secrets ?? []);
      },
    }),
  ]);
});

describe('channel binding rules', () => {
  type Refusal = [string, boolean, (s: FakeSession) => Promise<void>];
  const refusals: Refusal[] = [
    ['plaintext SCRAM', false, async (s) => void (await serveScram(s, { password: PASSWORD, stopAfter: 'initial-response' }))],
    ['TLS, SCRAM-SHA-256 without -PLUS', true, async (s) => void (await serveScram(s, { password: PASSWORD, stopAfter: 'initial-response' }))],
    ['TLS, cleartext password request', true, async (s) => s.send(auth.cleartext())],
    ['TLS, MD5 password request', true, async (s) => s.send(auth.md5())],
    ['TLS, AuthenticationOk at once (trust)', true, async (s) => s.sendReady()],
    ['plaintext, AuthenticationOk at once (trust)', false, async (s) => s.sendReady()],
    ['TLS, GSS request', true, async (s) => s.send(auth.gss())],
  ];

  hostileCases([
    row({
      name: '-PLUS offered over plaintext → PGS_CHANNEL_BINDING, no SASLInitialResponse sent',
      server: scramServer(false, { mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'], stopAfter: 'initial-response' }, {}),
      call: (socket) => builder().connect(socket),
      expect: authFails(ErrorCode.CHANNEL_BINDING),
      withinMs: WITHIN,
      secrets: [PASSWORD],
      received: ['StartupMessage'],
    }),
    row({
      name: '-PLUS only, offered over plaintext, channel_binding=disable → still refused (a stripping proxy)',
      server: scramServer(false, { mechanisms: ['SCRAM-SHA-256-PLUS'], stopAfter: 'initial-response' }, {}),
      call: (socket) => builder({ channelBinding: 'disable' }).connect(socket),
      expect: authFails(ErrorCode.CHANNEL_BINDING),
      withinMs: WITHIN,
    }),
    ...refusals.map(([name, tls, step]) => row({
      name: `channel_binding=require refuses ${name} → PGS_CHANNEL_BINDING, no secret sent`,
      server: stepping(tls, step),
      call: (socket) => builder({ sslmode: tls ? 'require' : 'disable', channelBinding: 'require' }).connect(socket),
      expect: authFails(ErrorCode.CHANNEL_BINDING),
      withinMs: WITHIN,
      secrets: [PASSWORD],
      received: tls ? ['SSLRequest', 'StartupMessage'] : ['StartupMessage'],
    })),
    row({
      name: 'channel_binding=require: -PLUS chosen but the server answers OK before SASLFinal → AuthError',
      server: scramServer(true, { mechanisms: ['SCRAM-SHA-256-PLUS'], okInsteadOfFinal: true }, {}),
      call: (socket) => builder({ sslmode: 'require', channelBinding: 'require' }).connect(socket),
      // Either check may fire first: the exchange was not completed, and it was not bound.
      expect: authFails(ErrorCode.SCRAM_PROTOCOL, { orCode: [ErrorCode.CHANNEL_BINDING] }),
      withinMs: WITHIN,
    }),
  ]);
});

describe('require_auth and the cleartext rule: refused before anything is sent', () => {
  type Req = [string, string, (s: FakeSession) => Promise<void>, boolean?];
  const refused: Req[] = [
    ['scram-sha-256', 'md5 request', async (s) => s.send(auth.md5())],
    ['scram-sha-256', 'cleartext request', async (s) => s.send(auth.cleartext()), true],
    ['md5', 'cleartext request', async (s) => s.send(auth.cleartext()), true],
    ['password', 'SCRAM request', async (s) => s.send(auth.sasl(['SCRAM-SHA-256']))],
    ['password,md5', 'SCRAM request', async (s) => s.send(auth.sasl(['SCRAM-SHA-256']))],
    ['!password', 'cleartext request', async (s) => s.send(auth.cleartext()), true],
    ['!md5,!password', 'md5 request', async (s) => s.send(auth.md5())],
    ['!scram-sha-256', 'SCRAM request', async (s) => s.send(auth.sasl(['SCRAM-SHA-256']))],
    ['none', 'md5 request', async (s) => s.send(auth.md5())],
    ['none', 'SCRAM request', async (s) => s.send(auth.sasl(['SCRAM-SHA-256']))],
    ['scram-sha-256', 'AuthenticationOk without any exchange', async (s) => s.sendReady()],
    ['md5,password', 'AuthenticationOk without any exchange', async (s) => s.sendReady()],
    ['!none', 'AuthenticationOk without any exchange', async (s) => s.sendReady()],
    ['scram-sha-256', 'GSS request', async (s) => s.send(auth.gss())],
    ['scram-sha-256', 'SSPI request', async (s) => s.send(auth.sspi())],
  ];
  const passwordRequests: [string, () => ReturnType<typeof auth.cleartext>][] = [
    ['cleartext', auth.cleartext],
    ['MD5', auth.md5],
    ['SCRAM', () => auth.sasl(['SCRAM-SHA-256'])],
  ];

  hostileCases([
    ...refused.map(([policy, what, step, overTls]) => row({
      name: `require_auth=${policy} refuses a ${what} → PGS_AUTH_METHOD_NOT_ALLOWED, nothing sent`,
      server: stepping(overTls === true, step),
      call: (socket) => builder({ requireAuth: policy, sslmode: overTls ? 'require' : 'disable' }).connect(socket),
      expect: authFails(ErrorCode.AUTH_METHOD_NOT_ALLOWED),
      withinMs: WITHIN,
      secrets: [PASSWORD],
      received: overTls ? ['SSLRequest', 'StartupMessage'] : ['StartupMessage'],
    })),
    ...['scram-sha-256', 'scram-sha-256,md5', '!password', '!md5,!password'].map((policy) =>
      works(`require_auth=${policy} allows SCRAM`, { requireAuth: policy }, false, {}, (t) => expect(t.proofValid).toBe(true))),
    row<Connected>({
      name: 'require_auth=none allows a server that asks for nothing',
      server: serving(false, async () => undefined),
      call: (socket) => builder({ requireAuth: 'none' }).connect(socket),
      expect: 'ok',
      withinMs: WITHIN,
      then: async (c) => {
        expect(c.startup.authMethod).toBe('trust');
        await closeAfterSelect(c);
      },
    }),
    row<Connected>({
      name: 'require_auth=md5 allows MD5 and sends the salted hash, never the password',
      server: serving(false, async (s) => {
        s.send(auth.md5(Uint8Array.of(9, 8, 7, 6)));
        const pw = await s.expect('PasswordMessage');
        expect(pw.password).toMatch(/^md5[0-9a-f]{32}$/);
        expect(pw.password).not.toContain(PASSWORD);
      }),
      call: (socket) => builder({ requireAuth: 'md5' }).connect(socket),
      expect: 'ok',
      withinMs: WITHIN,
      then: closeAfterSelect,
    }),
    row({
      name: 'a cleartext password request over plaintext is refused by default → PGS_AUTH_CLEARTEXT_INSECURE, no PasswordMessage',
      server: stepping(false, async (s) => s.send(auth.cleartext())),
      call: (socket) => builder().connect(socket),
      expect: authFails(ErrorCode.AUTH_CLEARTEXT_INSECURE),
      withinMs: WITHIN,
      secrets: [PASSWORD],
      received: ['StartupMessage'],
      check: ({ session }) => expect(Buffer.concat(session.chunks).includes(Buffer.from(PASSWORD))).toBe(false),
    }),
    row<Connected>({
      name: 'a cleartext password over TLS is sent (require_auth unset)',
      server: serving(true, async (s) => {
        s.send(auth.cleartext());
        const pw = await s.expect('PasswordMessage');
        expect(pw.password).toBe(PASSWORD);
      }),
      call: (socket) => builder({ sslmode: 'require' }).connect(socket),
      expect: 'ok',
      withinMs: WITHIN,
      then: closeAfterSelect,
    }),
    row<Connected>({
      name: 'allowCleartextOverPlaintext() sends it over plaintext',
      server: serving(false, async (s) => {
        s.send(auth.cleartext());
        const pw = await s.expect('PasswordMessage');
        expect(pw.password).toBe(PASSWORD);
      }),
      call: (socket) => builder({ configure: (b) => b.allowCleartextOverPlaintext() }).connect(socket),
      expect: 'ok',
      withinMs: WITHIN,
      then: closeAfterSelect,
    }),
    ...passwordRequests.map(([name, request]) => row({
      name: `trust() and the server asks for a ${name} password → PGS_AUTH_PASSWORD_REQUIRED, nothing sent`,
      server: stepping(true, async (s) => s.send(request())),
      call: (socket) => builder({ password: null, sslmode: 'require' }).connect(socket),
      expect: authFails(ErrorCode.AUTH_PASSWORD_REQUIRED),
      withinMs: WITHIN,
      received: ['SSLRequest', 'StartupMessage'],
    })),
    row({
      name: 'Kerberos V5 (retired) → PGS_AUTH_UNSUPPORTED, nothing sent',
      server: stepping(false, async (s) => s.sendRaw(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 2]))),
      call: (socket) => builder().connect(socket),
      expect: authFails(ErrorCode.AUTH_UNSUPPORTED),
      withinMs: WITHIN,
      received: ['StartupMessage'],
    }),
  ]);
});
