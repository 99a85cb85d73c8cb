/**
 * The runner of the startup fault tables (test/real-server/faults-startup.test.ts): a row is one
 * case — how the library is called (`ConnectionBuilder.connect` plain, with its own TLS or direct
 * TLS, `connectWithTls` with the caller's upgrade, or `connect(connString)`), the fault plan, the
 * server version and role, and the expected outcome. `run(row)` gives the role a fresh sentinel
 * password, starts a fault proxy in front of a private cluster, connects through it and asserts
 * RELIABILITY.md's rule (./reliability-assert.ts) plus what every row shares: the fault fired, the
 * trace was written (or not, before the SSL exchange completed) and holds no secret, and the proxy
 * recorded no error of its own.
 */
import type net from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { AuthenticationMode, connect, ConnectionBuilder, Tracer } from '../../src/index.js';
import type { Connected, ErrorCode, TlsUpgrade } from '../../src/index.js';
import type { ErrorClass } from './fake-assert.js';
import { query } from './fake-client.js';
import { startFaultProxy } from './fault-proxy.js';
import type { Action, FaultProxy, Plan, Rule, Trigger } from './fault-proxy.js';
import { expectNoSecretsIn, expectReliableFailure, knownSecrets, within } from './reliability-assert.js';
import { SentinelCluster } from './sentinel-cluster.js';
import type { SentinelRole } from './sentinel-cluster.js';

/** Connect timeout of rows that must not time out: a hang shows up as the wrong code. */
const GENEROUS_MS = 5_000;
/** Rows that do not wait for a timeout must settle well within this. */
const FAST_MS = 3_000;
/** What a timeout may take beyond its deadline on a loaded machine. */
const SLACK_MS = 1_500;

/** How the row calls the library. */
export type Api = 'connect' | 'connect-tls' | 'connect-direct' | 'connectWithTls' | 'url';

/** A typed failure. */
export interface Fails {
  readonly type: ErrorClass;
  readonly code: ErrorCode;
  readonly sqlstate?: string;
}

/** Success (then `SELECT 1` must work); a failure; or a connect that resolves and a first query that must fail. */
export type Outcome = { readonly ok: true } | Fails | { readonly later: Fails };

/** One case. */
export interface Row {
  readonly name: string;
  readonly api: Api;
  readonly plan: Plan | ((index: number) => Plan);
  readonly expect: Outcome;
  /** Default scram_user. */
  readonly role?: SentinelRole;
  /** Default 18. */
  readonly version?: 13 | 18;
  readonly protocol?: '3.2';
  /** Query string of the `url` api (default `sslmode=disable`). */
  readonly url?: string;
  /** Connect timeout (default GENEROUS_MS); rows that set it expect to run into it. */
  readonly timeoutMs?: number;
  /** Exactly the frontend messages the proxy may have seen (nothing sent after a refusal). */
  readonly sent?: readonly string[];
  /** The library fails before it traces anything (the SSL exchange never completed). */
  readonly untraced?: true;
  /** Further checks on what the proxy saw, what connect resolved to, and the row's password. */
  readonly check?: (proxy: FaultProxy, connected: Connected | null, password: string) => void;
}

/** The `nth` message named `message`. */
export const at = (message: string, nth = 1): Trigger => ({ message, nth });
/** A rule on server → client traffic. */
export const back = (when: Trigger, action: Action): Rule => ({ direction: 'backend', when, action });
/** A rule on client → server traffic. */
export const front = (when: Trigger, action: Action): Rule => ({ direction: 'frontend', when, action });

/** The caller's own TLS upgrade for connectWithTls, verifying the cluster's certificate. */
function upgradeWith(ca: string): TlsUpgrade {
  return (socket) =>
    new Promise((resolve, reject) => {
      const secure = tls.connect({ socket, ca, servername: 'localhost' });
      secure.once('secureConnect', () => resolve(secure));
      secure.once('error', reject);
    });
}

/** Starts the row's connect through `p`. */
function open(row: Row, server: SentinelCluster, p: FaultProxy, password: string, traces: string[]): { promise: Promise<Connected>; socket?: net.Socket } {
  const role = row.role ?? 'scram_user';
  const sink = (line: string): void => {
    traces.push(line);
  };
  if (row.api === 'url') {
    const seconds = Math.ceil((row.timeoutMs ?? GENEROUS_MS) / 1000);
    const url = `postgresql://${role}:${password}@${p.host}:${p.port}/postgres?${row.url ?? 'sslmode=disable'}&connect_timeout=${seconds}`;
    return { promise: connect(url, { trace: new Tracer(sink) }) };
  }
  let b = new ConnectionBuilder(role).database('postgres').auth(AuthenticationMode.password(password)).connectTimeout(row.timeoutMs ?? GENEROUS_MS).trace(sink);
  if (row.protocol !== undefined) b = b.protocol(row.protocol);
  if (role === 'pw_user') b = b.allowCleartextOverPlaintext();
  const socket = p.dial();
  switch (row.api) {
    case 'connect':
      return { promise: b.connect(socket), socket };
    case 'connect-tls':
      return { promise: b.sslmode('require').connect(socket), socket };
    case 'connect-direct':
      return { promise: b.sslmode('require').sslNegotiation('direct').connect(socket), socket };
    case 'connectWithTls':
      return { promise: b.connectWithTls(socket, upgradeWith(server.cluster.certs!.ca)), socket };
  }
}

/**
 * Starts PostgreSQL 18 and 13 private clusters for the calling file (stopped after it), closes
 * each row's proxy after its test, and returns the row runner.
 */
export function startupFaultRunner(): (row: Row) => Promise<void> {
  let pg18: SentinelCluster | null = null;
  let pg13: SentinelCluster | null = null;
  let proxy: FaultProxy | null = null;
  beforeAll(async () => {
    [pg18, pg13] = await Promise.all([SentinelCluster.start(18), SentinelCluster.start(13)]);
  });
  afterAll(async () => {
    await Promise.all([pg18?.stop(), pg13?.stop()]);
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = null;
  });
  return async (row: Row): Promise<void> => {
    const server = row.version === 13 ? pg13! : pg18!;
    const password = await server.sentinel(row.role ?? 'scram_user');
    const p = await startFaultProxy({ target: server.cluster, plan: row.plan });
    proxy = p;
    const traces: string[] = [];
    const { promise, socket } = open(row, server, p, password, traces);
    const e = row.expect;
    let connected: Connected | null = null;
    if ('ok' in e) {
      connected = await within(promise, FAST_MS, 'connect');
      expect(await query(connected.conn)).toEqual(['1']);
      await connected.conn.close();
    } else if ('later' in e) {
      connected = await within(promise, FAST_MS, 'connect');
      const err = await expectReliableFailure(query(connected.conn), { ...e.later, withinMs: FAST_MS, socket, proxy: p, password, traces });
      expect(connected.conn.closed).toBe(true);
      // Every later call rejects with the same error.
      await expect(connected.conn.recv()).rejects.toBe(err);
    } else {
      const withinMs = row.timeoutMs === undefined ? FAST_MS : row.timeoutMs + SLACK_MS;
      await expectReliableFailure(promise, { ...e, withinMs, socket, proxy: p, password, traces });
    }
    const first = p.connections[0]!;
    expect(first.fired.length, 'the fault never fired').toBeGreaterThan(0);
    if (row.sent !== undefined) expect(first.frontend.messages).toEqual(row.sent);
    expect(traces.length > 0, 'trace lines').toBe(row.untraced !== true);
    expectNoSecretsIn({ trace: traces }, knownSecrets(password, p.connections));
    row.check?.(p, connected, password);
    expect(p.errors).toEqual([]);
  };
}
