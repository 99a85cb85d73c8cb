/**
 * Hostile servers during authentication ("Known attacks": SCRAM, channel binding, auth policy),
 * against a fake server whose SCRAM side is an independent node:crypto implementation: every
 * tampering of the server's SCRAM messages must end in the right AuthError; the GS2 header the
 * client sends must follow the channel-binding rules; channel_binding=require and require_auth
 * must refuse BEFORE anything secret is sent; cleartext passwords never cross plaintext by default.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationMode } from '../../src/auth/authentication-mode.js';
import { ConnectionBuilder } from '../../src/transport/node/builder.js';
import type { ChannelBinding, SslMode } from '../../src/conninfo/values.js';
import { AuthError, ErrorCode, ServerError } from '../../src/errors.js';
import { expectFailure, expectNoSecrets, trackUnhandled, within } from '../support/fake-assert.js';
import { fakeCertificates } from '../support/fake-certs.js';
import type { FakeCertificates } from '../support/fake-certs.js';
import { selectOneAndClose } from '../support/fake-client.js';
import { serveScram } from '../support/fake-scram.js';
import type { ScramServerOptions, ScramTranscript } from '../support/fake-scram.js';
import { auth, startFakeServer } from '../support/fake-server.js';
import type { FakeServer, FakeSession } from '../support/fake-server.js';

trackUnhandled();

const TIMEOUT = 3_000;
const WITHIN = TIMEOUT + 1_000;
const PASSWORD = 'correct-horse-battery-9931';

let certs: FakeCertificates;
let server: FakeServer | null = null;

beforeAll(async () => {
  certs = await fakeCertificates();
});

afterEach(async () => {
  await server?.close();
  server = null;
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

describe('SCRAM-SHA-256 against an independent server implementation', () => {
  it('plaintext: SCRAM-SHA-256 with gs2 header n,, and a valid proof; the session works', async () => {
    const out: { t?: ScramTranscript } = {};
    server = await startFakeServer(scramServer(false, {}, out));
    const { conn, startup: st } = await within(builder().connect(server.dial()), WITHIN);
    expect(out.t?.mechanism).toBe('SCRAM-SHA-256');
    expect(out.t?.gs2Header).toBe('n,,');
    expect(out.t?.clientFirstBare).toMatch(/^n=,r=[\x21-\x2b\x2d-\x7e]{18,}$/);
    expect(out.t?.proofValid).toBe(true);
    expect(st.authMethod).toBe('SCRAM-SHA-256');
    await selectOneAndClose(conn);
  });

  it('TLS, server offers only SCRAM-SHA-256: gs2 header y,,', async () => {
    const out: { t?: ScramTranscript } = {};
    server = await startFakeServer(scramServer(true, { mechanisms: ['SCRAM-SHA-256'] }, out));
    const { conn } = await within(builder({ sslmode: 'require' }).connect(server.dial()), WITHIN);
    expect(out.t?.gs2Header).toBe('y,,');
    expect(out.t?.mechanism).toBe('SCRAM-SHA-256');
    expect(out.t?.bindingValid).toBe(true);
    await selectOneAndClose(conn);
  });

  it('TLS, server offers -PLUS: SCRAM-SHA-256-PLUS with p=tls-server-end-point,, bound to the certificate hash', async () => {
    const out: { t?: ScramTranscript } = {};
    server = await startFakeServer(scramServer(true, { mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] }, out));
    const { conn, startup: st } = await within(builder({ sslmode: 'require' }).connect(server.dial()), WITHIN);
    expect(out.t?.mechanism).toBe('SCRAM-SHA-256-PLUS');
    expect(out.t?.gs2Header).toBe('p=tls-server-end-point,,');
    expect(out.t?.bindingValid).toBe(true);
    expect(out.t?.proofValid).toBe(true);
    expect(st.authMethod).toBe('SCRAM-SHA-256-PLUS');
    await selectOneAndClose(conn);
  });

  it('TLS, -PLUS offered, channel_binding=disable: SCRAM-SHA-256 with n,,', async () => {
    const out: { t?: ScramTranscript } = {};
    server = await startFakeServer(scramServer(true, { mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] }, out));
    const { conn } = await within(builder({ sslmode: 'require', channelBinding: 'disable' }).connect(server.dial()), WITHIN);
    expect(out.t?.mechanism).toBe('SCRAM-SHA-256');
    expect(out.t?.gs2Header).toBe('n,,');
    await selectOneAndClose(conn);
  });

  it('channel_binding=require over TLS with -PLUS offered: succeeds, bound', async () => {
    const out: { t?: ScramTranscript } = {};
    server = await startFakeServer(scramServer(true, { mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] }, out));
    const { conn } = await within(builder({ sslmode: 'require', channelBinding: 'require' }).connect(server.dial()), WITHIN);
    expect(out.t?.gs2Header).toBe('p=tls-server-end-point,,');
    await selectOneAndClose(conn);
  });
});

describe('SCRAM cost', () => {
  it('PBKDF2 with a high (allowed) iteration count does not block the event loop', async () => {
    const out: { t?: ScramTranscript } = {};
    server = await startFakeServer(scramServer(false, { iterations: 1_000_000 }, out));
    let last = performance.now();
    let worst = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }, 5);
    try {
      const t0 = performance.now();
      const { conn } = await within(builder().connect(server.dial()), 20_000);
      const took = performance.now() - t0;
      expect(out.t?.proofValid).toBe(true);
      await selectOneAndClose(conn);
      // Two PBKDF2 runs of 10^6 iterations (the client's, then the fake server's) make up most of
      // the login; run on the event loop, the client's alone would be one stall of about half of it.
      // Relative bound, so a loaded machine's scheduling hiccups do not decide the outcome.
      expect(took).toBeGreaterThan(200);
      expect(worst, `the event loop stalled for ${worst.toFixed(0)} ms during a ${took.toFixed(0)} ms login`).toBeLessThan(took / 4);
    } finally {
      clearInterval(timer);
    }
  });
});

describe('SCRAM tampering → AuthError', () => {
  type Case = [string, string, Omit<ScramServerOptions, 'password'>, Opts?];
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

  it.each(cases)('%s → %s', async (_name, code, scram, opts) => {
    const out: { t?: ScramTranscript } = {};
    server = await startFakeServer(scramServer(false, scram, out));
    const socket = server.dial();
    const t0 = performance.now();
    const err = await expectFailure(builder(opts).connect(socket), {
      type: AuthError,
      code: code as ErrorCode,
      withinMs: WITHIN,
      socket,
      secrets: [PASSWORD],
    });
    // A huge iteration count is refused before any PBKDF2 work.
    if (scram.iterations !== undefined) expect(performance.now() - t0).toBeLessThan(1_000);
    const s = await server.finished();
    const secrets = out.t?.secrets ?? [PASSWORD];
    expectNoSecrets(err, secrets);
    // The client never goes past the failed step: after a bad server-first, no SASLResponse.
    if (scram.serverFirst !== undefined || scram.nonce !== undefined || scram.iterations !== undefined) {
      expect(s.types).toEqual(['StartupMessage', 'SASLInitialResponse']);
    }
  });

  it('AuthenticationOk instead of AuthenticationSASLFinal → SCRAM_PROTOCOL (server never proved the password)', async () => {
    const out: { t?: ScramTranscript } = {};
    server = await startFakeServer(async (s) => {
      await scramServer(false, { okInsteadOfFinal: true }, out)(s);
    });
    const socket = server.dial();
    await expectFailure(builder().connect(socket), { type: AuthError, code: ErrorCode.SCRAM_PROTOCOL, withinMs: WITHIN, socket, secrets: [PASSWORD] });
  });

  it('AuthenticationOk right after SASLInitialResponse → SCRAM_PROTOCOL', async () => {
    server = await startFakeServer(async (s) => {
      await startup(s, false);
      await serveScram(s, { password: PASSWORD, stopAfter: 'initial-response' });
      s.sendReady();
      await s.silence();
    });
    const socket = server.dial();
    await expectFailure(builder().connect(socket), { type: AuthError, code: ErrorCode.SCRAM_PROTOCOL, withinMs: WITHIN, socket });
  });

  it('AuthenticationSASLFinal before AuthenticationSASLContinue → SCRAM_PROTOCOL', async () => {
    server = await startFakeServer(async (s) => {
      await startup(s, false);
      await serveScram(s, { password: PASSWORD, stopAfter: 'initial-response' });
      s.send(auth.saslFinal(`v=${Buffer.alloc(32).toString('base64')}`));
      await s.silence();
    });
    const socket = server.dial();
    await expectFailure(builder().connect(socket), { type: AuthError, code: ErrorCode.SCRAM_PROTOCOL, withinMs: WITHIN, socket });
  });

  it('AuthenticationSASLContinue twice → SCRAM_PROTOCOL', async () => {
    server = await startFakeServer(async (s) => {
      await startup(s, false);
      const t = await serveScram(s, { password: PASSWORD, stopAfter: 'client-final' });
      s.send(auth.saslContinue(t.serverFirst ?? ''));
      await s.silence();
    });
    const socket = server.dial();
    await expectFailure(builder().connect(socket), { type: AuthError, code: ErrorCode.SCRAM_PROTOCOL, withinMs: WITHIN, socket });
  });

  it('AuthenticationSASLContinue without AuthenticationSASL → SCRAM_PROTOCOL', async () => {
    server = await startFakeServer(async (s) => {
      await startup(s, false);
      s.send(auth.saslContinue('r=abc,s=c2FsdA==,i=4096'));
      await s.silence();
    });
    const socket = server.dial();
    await expectFailure(builder().connect(socket), { type: AuthError, code: ErrorCode.SCRAM_PROTOCOL, withinMs: WITHIN, socket });
  });

  it('an MD5 request in the middle of SCRAM → AuthError, no PasswordMessage sent', async () => {
    server = await startFakeServer(async (s) => {
      await startup(s, false);
      await serveScram(s, { password: PASSWORD, stopAfter: 'server-first' });
      await s.expect('SASLResponse', 'SASLResponse');
      s.send(auth.md5());
      await s.silence();
    });
    const socket = server.dial();
    await expectFailure(builder().connect(socket), { type: AuthError, code: ErrorCode.SCRAM_PROTOCOL, withinMs: WITHIN, socket, secrets: [PASSWORD] });
    const s = await server.finished();
    expect(s.types).toEqual(['StartupMessage', 'SASLInitialResponse', 'SASLResponse']);
  });

  it('a second AuthenticationSASL after the exchange began → AuthError', async () => {
    server = await startFakeServer(async (s) => {
      await startup(s, false);
      await serveScram(s, { password: PASSWORD, stopAfter: 'initial-response' });
      s.send(auth.sasl(['SCRAM-SHA-256']));
      await s.silence();
    });
    const socket = server.dial();
    await expectFailure(builder().connect(socket), { type: AuthError, code: ErrorCode.SCRAM_PROTOCOL, withinMs: WITHIN, socket });
  });

  it('no SCRAM mechanism offered → PGS_AUTH_UNSUPPORTED, nothing sent', async () => {
    server = await startFakeServer(async (s) => {
      await startup(s, false);
      s.send(auth.sasl(['OAUTHBEARER', 'X-UNKNOWN']));
      await s.silence();
    });
    const socket = server.dial();
    await expectFailure(builder().connect(socket), { type: AuthError, code: ErrorCode.AUTH_UNSUPPORTED, withinMs: WITHIN, socket });
    const s = await server.session();
    await within(s.gone, 2_000);
    expect(s.types).toEqual(['StartupMessage']);
  });

  it('an empty mechanism list → PGS_AUTH_UNSUPPORTED, nothing sent', async () => {
    server = await startFakeServer(async (s) => {
      await startup(s, false);
      s.send(auth.sasl([]));
      await s.silence();
    });
    const socket = server.dial();
    await expectFailure(builder().connect(socket), { type: AuthError, code: ErrorCode.AUTH_UNSUPPORTED, withinMs: WITHIN, socket });
    const s = await server.session();
    await within(s.gone, 2_000);
    expect(s.types).toEqual(['StartupMessage']);
  });

  it('the wrong password → the server refuses (ServerError 28P01); no proof or salted password in the error', async () => {
    const out: { t?: ScramTranscript } = {};
    server = await startFakeServer(scramServer(false, { password: 'server-side-password' }, out));
    const socket = server.dial();
    const err = await expectFailure(builder().connect(socket), {
      type: ServerError,
      code: ErrorCode.SERVER_ERROR,
      sqlstate: '28P01',
      withinMs: WITHIN,
      socket,
      secrets: [PASSWORD],
    });
    expect(out.t?.proofValid).toBe(false);
    expectNoSecrets(err, out.t?.secrets ?? []);
  });
});

describe('channel binding rules', () => {
  it('-PLUS offered over plaintext → PGS_CHANNEL_BINDING, no SASLInitialResponse sent', async () => {
    server = await startFakeServer(scramServer(false, { mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'], stopAfter: 'initial-response' }, {}));
    const socket = server.dial();
    await expectFailure(builder().connect(socket), { type: AuthError, code: ErrorCode.CHANNEL_BINDING, withinMs: WITHIN, socket, secrets: [PASSWORD] });
    const s = await server.finished();
    expect(s.types).toEqual(['StartupMessage']);
  });

  it('-PLUS only, offered over plaintext, channel_binding=disable → still refused (a stripping proxy)', async () => {
    server = await startFakeServer(scramServer(false, { mechanisms: ['SCRAM-SHA-256-PLUS'], stopAfter: 'initial-response' }, {}));
    const socket = server.dial();
    await expectFailure(builder({ channelBinding: 'disable' }).connect(socket), {
      type: AuthError,
      code: ErrorCode.CHANNEL_BINDING,
      withinMs: WITHIN,
      socket,
    });
  });

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

  it.each(refusals)('channel_binding=require refuses %s → PGS_CHANNEL_BINDING, no secret sent', async (_name, tls, step) => {
    server = await startFakeServer(async (s) => {
      await startup(s, tls);
      await step(s);
      await s.silence();
    });
    const socket = server.dial();
    await expectFailure(builder({ sslmode: tls ? 'require' : 'disable', channelBinding: 'require' }).connect(socket), {
      type: AuthError,
      code: ErrorCode.CHANNEL_BINDING,
      withinMs: WITHIN,
      socket,
      secrets: [PASSWORD],
    });
    const s = await server.session();
    await within(s.gone, 2_000);
    expect(s.types.filter((t) => t !== 'SSLRequest')).toEqual(['StartupMessage']);
  });

  it('channel_binding=require: -PLUS chosen but the server answers OK before SASLFinal → AuthError', async () => {
    server = await startFakeServer(scramServer(true, { mechanisms: ['SCRAM-SHA-256-PLUS'], okInsteadOfFinal: true }, {}));
    const socket = server.dial();
    const err = await within(builder({ sslmode: 'require', channelBinding: 'require' }).connect(socket).then(() => null, (e: unknown) => e), WITHIN);
    expect(err).toBeInstanceOf(AuthError);
    expect([ErrorCode.SCRAM_PROTOCOL, ErrorCode.CHANNEL_BINDING]).toContain((err as AuthError).code);
    expect(socket.destroyed).toBe(true);
  });
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

  it.each(refused)('require_auth=%s refuses a %s → PGS_AUTH_METHOD_NOT_ALLOWED, nothing sent', async (policy, _what, step, overTls) => {
    server = await startFakeServer(async (s) => {
      await startup(s, overTls === true);
      await step(s);
      await s.silence();
    });
    const socket = server.dial();
    await expectFailure(builder({ requireAuth: policy, sslmode: overTls ? 'require' : 'disable' }).connect(socket), {
      type: AuthError,
      code: ErrorCode.AUTH_METHOD_NOT_ALLOWED,
      withinMs: WITHIN,
      socket,
      secrets: [PASSWORD],
    });
    const s = await server.session();
    await within(s.gone, 2_000);
    expect(s.types.filter((t) => t !== 'SSLRequest')).toEqual(['StartupMessage']);
  });

  it.each(['scram-sha-256', 'scram-sha-256,md5', '!password', '!md5,!password'])('require_auth=%s allows SCRAM', async (policy) => {
    server = await startFakeServer(scramServer(false, {}, {}));
    const { conn } = await within(builder({ requireAuth: policy }).connect(server.dial()), WITHIN);
    await selectOneAndClose(conn);
  });

  it('require_auth=none allows a server that asks for nothing', async () => {
    server = await startFakeServer(async (s) => {
      await startup(s, false);
      s.sendReady();
      await s.serveQueries();
    });
    const { conn, startup: st } = await within(builder({ requireAuth: 'none' }).connect(server.dial()), WITHIN);
    expect(st.authMethod).toBe('trust');
    await selectOneAndClose(conn);
  });

  it('require_auth=md5 allows MD5 and sends the salted hash, never the password', async () => {
    server = await startFakeServer(async (s) => {
      await startup(s, false);
      s.send(auth.md5(Uint8Array.of(9, 8, 7, 6)));
      const pw = await s.expect('PasswordMessage');
      expect(pw.password).toMatch(/^md5[0-9a-f]{32}$/);
      expect(pw.password).not.toContain(PASSWORD);
      s.sendReady();
      await s.serveQueries();
    });
    const { conn } = await within(builder({ requireAuth: 'md5' }).connect(server.dial()), WITHIN);
    await selectOneAndClose(conn);
  });

  it('a cleartext password request over plaintext is refused by default → PGS_AUTH_CLEARTEXT_INSECURE, no PasswordMessage', async () => {
    server = await startFakeServer(async (s) => {
      await startup(s, false);
      s.send(auth.cleartext());
      await s.silence();
    });
    const socket = server.dial();
    await expectFailure(builder().connect(socket), {
      type: AuthError,
      code: ErrorCode.AUTH_CLEARTEXT_INSECURE,
      withinMs: WITHIN,
      socket,
      secrets: [PASSWORD],
    });
    const s = await server.session();
    await within(s.gone, 2_000);
    expect(s.types).toEqual(['StartupMessage']);
    expect(Buffer.concat(s.chunks).includes(Buffer.from(PASSWORD))).toBe(false);
  });

  it('a cleartext password over TLS is sent (require_auth unset)', async () => {
    server = await startFakeServer(async (s) => {
      await startup(s, true);
      s.send(auth.cleartext());
      const pw = await s.expect('PasswordMessage');
      expect(pw.password).toBe(PASSWORD);
      s.sendReady();
      await s.serveQueries();
    });
    const { conn } = await within(builder({ sslmode: 'require' }).connect(server.dial()), WITHIN);
    await selectOneAndClose(conn);
  });

  it('allowCleartextOverPlaintext() sends it over plaintext', async () => {
    server = await startFakeServer(async (s) => {
      await startup(s, false);
      s.send(auth.cleartext());
      await s.expect('PasswordMessage');
      s.sendReady();
      await s.serveQueries();
    });
    const { conn } = await within(builder({ configure: (b) => b.allowCleartextOverPlaintext() }).connect(server.dial()), WITHIN);
    await selectOneAndClose(conn);
  });

  it.each([
    ['cleartext', auth.cleartext],
    ['MD5', auth.md5],
    ['SCRAM', () => auth.sasl(['SCRAM-SHA-256'])],
  ])('trust() and the server asks for a %s password → PGS_AUTH_PASSWORD_REQUIRED, nothing sent', async (_name, request) => {
    server = await startFakeServer(async (s) => {
      await startup(s, true);
      s.send(request());
      await s.silence();
    });
    const socket = server.dial();
    await expectFailure(builder({ password: null, sslmode: 'require' }).connect(socket), {
      type: AuthError,
      code: ErrorCode.AUTH_PASSWORD_REQUIRED,
      withinMs: WITHIN,
      socket,
    });
    const s = await server.session();
    await within(s.gone, 2_000);
    expect(s.types).toEqual(['SSLRequest', 'StartupMessage']);
  });

  it('Kerberos V5 (retired) → PGS_AUTH_UNSUPPORTED, nothing sent', async () => {
    server = await startFakeServer(async (s) => {
      await startup(s, false);
      s.sendRaw(Buffer.from([0x52, 0, 0, 0, 8, 0, 0, 0, 2]));
      await s.silence();
    });
    const socket = server.dial();
    await expectFailure(builder().connect(socket), { type: AuthError, code: ErrorCode.AUTH_UNSUPPORTED, withinMs: WITHIN, socket });
  });
});
