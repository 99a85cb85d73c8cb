/**
 * RELIABILITY.md's startup, TLS and authentication cases that a network fault can produce, against
 * real PostgreSQL 18 (and 13 where the protocol differs: NegotiateProtocolVersion answers a 3.2
 * request) through the fault proxy (test/support/fault-proxy.ts), with the library's three ways
 * in: `ConnectionBuilder.connect(socket)` (plain, or TLS the library performs), `connectWithTls`
 * (the caller's upgrade) and `connect(connString)`. One row per case. Every failing row asserts the
 * rule (test/support/reliability-assert.ts): it settles within its deadline, with the typed error
 * and stable code, fatal; the library closes its socket; no unhandled rejection or exception; and
 * no secret — a fresh password per test, the SCRAM proof and keys, the MD5 hash, the cancel key —
 * in the error (message, stack, causes, inspect) or the trace. Success rows must succeed and run
 * `SELECT 1`. Every row asserts that its fault really fired.
 */
import { describe, expect, it } from 'vitest';
import { AuthError, ConnectionError, ErrorCode, ProtocolError, ProtocolVersion, ServerError, TlsError } from '../../src/index.js';
import type { Action, FaultProxy, Rule } from '../support/fault-proxy.js';
import { cancelKeys, scramExchange, trackUnhandled } from '../support/reliability-assert.js';
import { at, back, front, startupFaultRunner } from '../support/startup-fault-runner.js';
import type { Fails, Row } from '../support/startup-fault-runner.js';

trackUnhandled();
const run = startupFaultRunner();

/** Connect timeout of the stall rows. */
const STALL_MS = 300;
/** libpq's smallest connect_timeout (seconds), for the connection-string stall row. */
const URL_TIMEOUT_MS = 2_000;
/** The first bytes of a TLS record (handshake, TLS 1.2), as a server speaking too early would send. */
const TLS_RECORD_START = Uint8Array.of(0x16, 0x03, 0x03, 0x00, 0x01, 0x01);
/** Answers to SSLRequest a proxy can substitute for the server's `S`. */
const ANSWER_N = Uint8Array.of(0x4e);
const ANSWER_E = Uint8Array.of(0x45);
const ANSWER_X = Uint8Array.of(0x58);

const closed: Fails = { type: ConnectionError, code: ErrorCode.CONNECTION_CLOSED };
const reset: Fails = { type: ConnectionError, code: ErrorCode.SOCKET_ERROR };
const timedOut: Fails = { type: ConnectionError, code: ErrorCode.CONNECT_TIMEOUT };
const handshake: Fails = { type: TlsError, code: ErrorCode.TLS_HANDSHAKE };
const unexpected: Fails = { type: ProtocolError, code: ErrorCode.UNEXPECTED_MESSAGE };
const scramProtocol: Fails = { type: AuthError, code: ErrorCode.SCRAM_PROTOCOL };
const oneByteWrites = (proxy: FaultProxy): void => {
  const c = proxy.connections[0]!;
  for (const d of [c.frontend, c.backend]) {
    expect(d.writes.length).toBeGreaterThan(50);
    expect(d.writes.every((w) => w === 1)).toBe(true);
  }
};

describe('connection dropped at every phase', () => {
  const rows: Row[] = [
    { name: 'after SSLRequest (FIN)', api: 'connect-tls', plan: [back(at('SSLResponse'), { do: 'drop' })], expect: closed, sent: ['SSLRequest'], untraced: true },
    { name: 'after SSLRequest (RST)', api: 'connect-tls', plan: [back(at('SSLResponse'), { do: 'drop', how: 'rst' })], expect: reset, sent: ['SSLRequest'], untraced: true },
    { name: 'during the TLS handshake (FIN)', api: 'connect-tls', plan: [back({ afterBytes: 60 }, { do: 'drop' })], expect: handshake },
    { name: 'during the TLS handshake (RST), caller upgrade', api: 'connectWithTls', plan: [back({ afterBytes: 60 }, { do: 'drop', how: 'rst' })], expect: handshake },
    { name: 'the ClientHello never arrives, caller upgrade', api: 'connectWithTls', plan: [front(at('Encrypted'), { do: 'drop' })], expect: handshake },
    { name: 'during a direct TLS handshake', api: 'connect-direct', plan: [back({ afterBytes: 60 }, { do: 'drop', how: 'rst' })], expect: handshake, untraced: true },
    { name: 'after StartupMessage (FIN)', api: 'connect', plan: [front(at('StartupMessage'), { do: 'drop', forward: true })], expect: closed },
    { name: 'after StartupMessage (RST)', api: 'connect', plan: [front(at('StartupMessage'), { do: 'drop', forward: true, how: 'rst' })], expect: reset },
    { name: 'mid-SCRAM: server-first lost', api: 'connect', plan: [back(at('AuthenticationSASLContinue'), { do: 'drop' })], expect: closed },
    { name: 'mid-SCRAM: after the client proof (RST)', api: 'connect', plan: [front(at('SASLResponse'), { do: 'drop', forward: true, how: 'rst' })], expect: reset },
    { name: 'mid-SCRAM: server-first truncated', api: 'connect', plan: [back(at('AuthenticationSASLContinue'), { do: 'truncate', keep: 12 })], expect: closed },
    { name: 'after AuthenticationOk', api: 'connect', plan: [back(at('ParameterStatus'), { do: 'drop' })], expect: closed },
    { name: 'after BackendKeyData, before ReadyForQuery (RST)', api: 'connect', plan: [back(at('ReadyForQuery'), { do: 'drop', how: 'rst' })], expect: reset },
    { name: 'ReadyForQuery truncated', api: 'connect', plan: [back(at('ReadyForQuery'), { do: 'truncate', keep: 3, how: 'fin' })], expect: closed },
    { name: 'after a cleartext PasswordMessage', api: 'connect', role: 'pw_user', plan: [front(at('PasswordMessage'), { do: 'drop', forward: true })], expect: closed },
    { name: 'after an MD5 PasswordMessage', api: 'connect', role: 'md5_user', plan: [front(at('PasswordMessage'), { do: 'drop', forward: true, how: 'rst' })], expect: reset },
    { name: 'connect(url), sslmode=require: during the handshake', api: 'url', url: 'sslmode=require', plan: [back({ afterBytes: 60 }, { do: 'drop' })], expect: handshake, check: (x) => expect(x.connections).toHaveLength(1) },
    { name: 'connect(url): mid-SCRAM', api: 'url', plan: [back(at('AuthenticationSASLContinue'), { do: 'drop', how: 'rst' })], expect: reset },
    {
      name: 'connect(url), sslmode=prefer: a failed handshake falls back to plaintext on a new connection (libpq)',
      api: 'url',
      url: 'sslmode=prefer',
      plan: (i) => (i === 0 ? [back({ afterBytes: 60 }, { do: 'drop' })] : []),
      expect: { ok: true },
      check: (x, c) => {
        expect(x.connections).toHaveLength(2);
        expect(x.connections[1]!.frontend.messages[0]).toBe('StartupMessage');
        expect(c!.conn.encrypted).toBe(false);
      },
    },
    { name: 'PostgreSQL 13: at NegotiateProtocolVersion', api: 'connect', version: 13, protocol: '3.2', plan: [back(at('NegotiateProtocolVersion'), { do: 'drop' })], expect: closed },
    { name: 'PostgreSQL 13: during the TLS handshake', api: 'connect-tls', version: 13, plan: [back({ afterBytes: 60 }, { do: 'drop' })], expect: handshake },
  ];
  it.each(rows)('$name', run);
});

describe('stalls (half-open) at every phase: the connect timeout fires', () => {
  const stall: Action = { do: 'stall' };
  const rows: Row[] = [
    { name: 'server silent after SSLRequest', api: 'connect-tls', timeoutMs: STALL_MS, plan: [back(at('SSLResponse'), stall)], expect: timedOut, untraced: true },
    { name: 'server silent during the TLS handshake', api: 'connect-tls', timeoutMs: STALL_MS, plan: [back(at('Encrypted'), stall)], expect: timedOut },
    { name: 'server silent during the TLS handshake, caller upgrade', api: 'connectWithTls', timeoutMs: STALL_MS, plan: [back(at('Encrypted'), stall)], expect: timedOut },
    { name: 'StartupMessage never arrives', api: 'connect', timeoutMs: STALL_MS, plan: [front(at('StartupMessage'), stall)], expect: timedOut },
    { name: 'mid-SCRAM: server-first never arrives', api: 'connect', timeoutMs: STALL_MS, plan: [back(at('AuthenticationSASLContinue'), stall)], expect: timedOut },
    { name: 'mid-SCRAM: server-final never arrives', api: 'connect', timeoutMs: STALL_MS, plan: [back(at('AuthenticationSASLFinal'), stall)], expect: timedOut },
    { name: 'after AuthenticationOk, both directions', api: 'connect', timeoutMs: STALL_MS, plan: [back(at('ReadyForQuery'), { do: 'stall', both: true })], expect: timedOut },
    { name: 'half-open mid-message, both directions', api: 'connect', timeoutMs: STALL_MS, plan: [back({ afterBytes: 30 }, { do: 'stall', both: true })], expect: timedOut },
    { name: 'a server slower than the deadline', api: 'connect', timeoutMs: STALL_MS, plan: [back({ always: true }, { do: 'delay', ms: 40 })], expect: timedOut },
    { name: 'PostgreSQL 13: at NegotiateProtocolVersion', api: 'connect', version: 13, protocol: '3.2', timeoutMs: STALL_MS, plan: [back(at('NegotiateProtocolVersion'), stall)], expect: timedOut },
    { name: 'connect(url), connect_timeout=2: after StartupMessage', api: 'url', timeoutMs: URL_TIMEOUT_MS, plan: [front(at('StartupMessage'), stall)], expect: timedOut },
  ];
  it.each(rows)('$name', run);

  it('a slow server within the deadline: connects', () =>
    run({ name: 'slow', api: 'connect', plan: [back({ always: true }, { do: 'delay', ms: 10 })], expect: { ok: true } }));
});

describe('bytes injected after the SSLRequest answer (CVE-2021-23222) and forged answers', () => {
  const injected: Fails = { type: TlsError, code: ErrorCode.TLS_INJECTED_BYTES };
  const inject = (delayMs?: number): Rule => back(at('SSLResponse'), { do: 'inject', bytes: TLS_RECORD_START, ...(delayMs === undefined ? {} : { delayMs }) });
  const answer = (bytes: Uint8Array): Rule => back(at('SSLResponse'), { do: 'replace', with: () => [bytes] });
  const rows: Row[] = [
    { name: 'in the same chunk as S', api: 'connect-tls', plan: [inject()], expect: injected, sent: ['SSLRequest'], untraced: true },
    { name: 'in the same chunk as S, caller upgrade (never called)', api: 'connectWithTls', plan: [inject()], expect: injected, sent: ['SSLRequest'], untraced: true },
    { name: 'in the same chunk as S, connect(url)', api: 'url', url: 'sslmode=require', plan: [inject()], expect: injected, sent: ['SSLRequest'], untraced: true },
    { name: 'S twice', api: 'connect-tls', plan: [back(at('SSLResponse'), { do: 'duplicate' })], expect: injected, sent: ['SSLRequest'], untraced: true },
    { name: 'after S, once the handshake began: TLS rejects them', api: 'connect-tls', plan: [inject(50)], expect: handshake },
    { name: 'after S, once the handshake began, caller upgrade', api: 'connectWithTls', plan: [inject(50)], expect: handshake },
    { name: 'S replaced by N under sslmode=require: no StartupMessage', api: 'connect-tls', plan: [answer(ANSWER_N)], expect: { type: TlsError, code: ErrorCode.TLS_REFUSED }, sent: ['SSLRequest'] },
    { name: 'S replaced by N, connect(url) sslmode=require', api: 'url', url: 'sslmode=require', plan: [answer(ANSWER_N)], expect: { type: TlsError, code: ErrorCode.TLS_REFUSED }, sent: ['SSLRequest'] },
    { name: 'S replaced by E (CVE-2024-10977)', api: 'connect-tls', plan: [answer(ANSWER_E)], expect: { type: TlsError, code: ErrorCode.TLS_REQUEST_REJECTED }, sent: ['SSLRequest'], untraced: true },
    { name: 'S replaced by an invalid byte', api: 'connectWithTls', plan: [answer(ANSWER_X)], expect: { type: TlsError, code: ErrorCode.TLS_INVALID_RESPONSE }, sent: ['SSLRequest'], untraced: true },
  ];
  it.each(rows)('$name', run);
});

describe('the SASL mechanism list rewritten over plaintext', () => {
  const offer = (...mechanisms: string[]): Rule => back(at('AuthenticationSASL'), { do: 'rewriteSasl', mechanisms });
  const binding: Fails = { type: AuthError, code: ErrorCode.CHANNEL_BINDING };
  const unsupported: Fails = { type: AuthError, code: ErrorCode.AUTH_UNSUPPORTED };
  const nothingSent = ['StartupMessage'];
  const rows: Row[] = [
    { name: 'only SCRAM-SHA-256-PLUS', api: 'connect', plan: [offer('SCRAM-SHA-256-PLUS')], expect: binding, sent: nothingSent },
    { name: 'SCRAM-SHA-256 and SCRAM-SHA-256-PLUS', api: 'connect', plan: [offer('SCRAM-SHA-256', 'SCRAM-SHA-256-PLUS')], expect: binding, sent: nothingSent },
    { name: 'only -PLUS, connect(url)', api: 'url', plan: [offer('SCRAM-SHA-256-PLUS')], expect: binding, sent: nothingSent },
    { name: 'only an unknown mechanism', api: 'connect', plan: [offer('X-UNKNOWN-MECHANISM')], expect: unsupported, sent: nothingSent },
    { name: 'an empty list', api: 'connect', plan: [offer()], expect: unsupported, sent: nothingSent },
    { name: 'PostgreSQL 13: only -PLUS', api: 'connect', version: 13, plan: [offer('SCRAM-SHA-256-PLUS')], expect: binding, sent: nothingSent },
  ];
  it.each(rows)('$name', run);
});

describe('split writes through the whole startup must succeed', () => {
  const bytewise: Rule = { direction: 'both', when: { always: true }, action: { do: 'split', sizes: [1] } };
  const random = (seed: number): Rule => ({ direction: 'both', when: { always: true }, action: { do: 'split', seed, min: 1, max: 23 } });
  const rows: Row[] = [
    { name: '1-byte writes, SCRAM over plaintext', api: 'connect', plan: [bytewise], expect: { ok: true }, check: oneByteWrites },
    { name: '1-byte writes, TLS', api: 'connect-tls', plan: [bytewise], expect: { ok: true }, check: oneByteWrites },
    { name: '1-byte writes, caller upgrade', api: 'connectWithTls', plan: [bytewise], expect: { ok: true }, check: oneByteWrites },
    {
      name: '1-byte writes, protocol 3.2 (a 32-byte cancel key)',
      api: 'connect',
      protocol: '3.2',
      plan: [bytewise],
      expect: { ok: true },
      check: (x, c) => {
        oneByteWrites(x);
        expect(c!.startup.protocol).toBe(ProtocolVersion.V3_2);
        expect(c!.startup.secretKey).toHaveLength(32);
      },
    },
    { name: '1-byte writes, MD5', api: 'connect', role: 'md5_user', plan: [bytewise], expect: { ok: true }, check: oneByteWrites },
    { name: '1-byte writes, connect(url)', api: 'url', plan: [bytewise], expect: { ok: true }, check: oneByteWrites },
    {
      name: '1-byte writes, PostgreSQL 13 with NegotiateProtocolVersion',
      api: 'connect',
      version: 13,
      protocol: '3.2',
      plan: [bytewise],
      expect: { ok: true },
      check: (x, c) => {
        oneByteWrites(x);
        expect(x.connections[0]!.backend.messages[0]).toBe('NegotiateProtocolVersion');
        expect(c!.startup.protocol).toBe(ProtocolVersion.V3_0);
      },
    },
    ...[1, 2, 3, 4].map((seed): Row => ({ name: `random sizes, seed ${seed}`, api: 'connect', plan: [random(seed)], expect: { ok: true } })),
    { name: 'random sizes, TLS, seed 5', api: 'connect-tls', plan: [random(5)], expect: { ok: true } },
    { name: 'random sizes, PostgreSQL 13, seed 6', api: 'connect', version: 13, protocol: '3.2', plan: [random(6)], expect: { ok: true } },
  ];
  it.each(rows)('$name', run);
});

describe('duplicated and reordered startup messages', () => {
  const dup = (name: string): Rule => back(at(name), { do: 'duplicate' });
  const reorder = (name: string): Rule => back(at(name), { do: 'reorder' });
  const rows: Row[] = [
    { name: 'AuthenticationOk twice', api: 'connect', plan: [dup('AuthenticationOk')], expect: unexpected },
    { name: 'BackendKeyData twice (the cancel key stays secret)', api: 'connect', plan: [dup('BackendKeyData')], expect: unexpected },
    { name: 'BackendKeyData twice, protocol 3.2', api: 'connect', protocol: '3.2', plan: [dup('BackendKeyData')], expect: unexpected },
    { name: 'AuthenticationSASL twice', api: 'connect', plan: [dup('AuthenticationSASL')], expect: scramProtocol },
    { name: 'AuthenticationSASLContinue twice', api: 'connect', plan: [dup('AuthenticationSASLContinue')], expect: scramProtocol },
    { name: 'AuthenticationSASLFinal twice', api: 'connect', plan: [dup('AuthenticationSASLFinal')], expect: scramProtocol },
    { name: 'PostgreSQL 13: NegotiateProtocolVersion twice', api: 'connect', version: 13, protocol: '3.2', plan: [dup('NegotiateProtocolVersion')], expect: unexpected },
    { name: 'ParameterStatus before AuthenticationOk', api: 'connect', plan: [reorder('AuthenticationOk')], expect: unexpected },
    { name: 'AuthenticationOk before AuthenticationSASLFinal', api: 'connect', plan: [reorder('AuthenticationSASLFinal')], expect: scramProtocol },
    {
      name: 'StartupMessage twice: the server answers FATAL 08P01',
      api: 'connect',
      // The ErrorResponse waits until the client has answered AuthenticationSASL (the next-but-one row is the other order).
      plan: [front(at('StartupMessage'), { do: 'duplicate' }), back(at('ErrorResponse'), { do: 'delay', ms: 200 })],
      expect: { type: ServerError, code: ErrorCode.SERVER_ERROR, sqlstate: '08P01' },
    },
    { name: 'SSLRequest twice: the server fails the handshake', api: 'connect-tls', plan: [front(at('SSLRequest'), { do: 'duplicate' })], expect: handshake },
    {
      name: 'ReadyForQuery twice: connect resolves, the first query fails fatally',
      api: 'connect',
      plan: [dup('ReadyForQuery')],
      expect: { later: unexpected },
    },
    {
      name: 'BackendKeyData after ReadyForQuery: connect resolves without a key, the first query fails fatally',
      api: 'connect',
      plan: [reorder('BackendKeyData')],
      expect: { later: unexpected },
      check: (_x, c) => expect(c!.startup.secretKey).toHaveLength(0),
    },
    {
      // The server's FATAL ErrorResponse and its FIN arrive together with the
      // AuthenticationSASLContinue the client is answering (here the FATAL is the real server's
      // answer to a duplicated SASLInitialResponse; the proxy only delivers it at once, as a server
      // that gave up while the client ran PBKDF2 would). The write of the SASLResponse then fails;
      // the server's last words must be what is reported, with their SQLSTATE (RELIABILITY.md case
      // 12), as libpq does after a failed send (fe-misc.c, pqSendSome; src/session/last-words.ts).
      name: 'a FATAL that arrives while the client computes its answer is reported, not lost',
      api: 'connect',
      plan: () => {
        let serverFirst: Uint8Array | null = null;
        return [
          front(at('SASLInitialResponse'), { do: 'duplicate' }),
          back(at('AuthenticationSASLContinue'), {
            do: 'replace',
            with: (m) => {
              serverFirst = m.bytes;
              return [];
            },
          }),
          back(at('ErrorResponse'), { do: 'replace', with: (m) => (serverFirst === null ? [m.bytes] : [serverFirst, m.bytes]) }),
          back(at('ErrorResponse'), { do: 'drop', forward: true }),
        ];
      },
      expect: { type: ServerError, code: ErrorCode.SERVER_ERROR, sqlstate: '08P01' },
    },
  ];
  it.each(rows)('$name', run);
});

describe('the secrets searched for are the real ones', () => {
  it('the SCRAM values recomputed from the password match the proof and signature on the wire', () =>
    run({
      name: 'scram',
      api: 'connect',
      plan: [back(at('AuthenticationSASLFinal'), { do: 'delay', ms: 1 })],
      expect: { ok: true },
      check: (x, _c, password) => {
        const t = x.connections[0]!.transcript;
        const right = scramExchange(t, password)!;
        expect(right.proof).not.toBeNull();
        expect(Buffer.from(right.expectedProof!).toString('base64')).toBe(right.proof);
        expect(Buffer.from(right.expectedServerSignature!).toString('base64')).toBe(right.serverSignature);
        const wrong = scramExchange(t, `${password}x`)!;
        expect(Buffer.from(wrong.expectedProof!).toString('base64')).not.toBe(wrong.proof);
      },
    }));

  it('the cancel key the proxy saw is the one the connection got', () =>
    run({
      name: 'key',
      api: 'connect',
      protocol: '3.2',
      plan: [back(at('BackendKeyData'), { do: 'delay', ms: 1 })],
      expect: { ok: true },
      check: (x, c) => expect(cancelKeys(x.connections[0]!.transcript)).toEqual([c!.startup.secretKey]),
    }));
});
