/**
 * `connect()`: a session from a libpq connection string (URI or key=value), an options object and
 * the PG* environment, with the sockets opened here — as libpq's PQconnectdb does it:
 * - hosts are tried in order (or shuffled with load_balance_hosts=random); a host that cannot be
 *   reached (refused, reset, timed out) moves on to the next; a server that answers and refuses
 *   (authentication, TLS policy) ends the attempt, as libpq documents;
 * - connect_timeout covers each host's whole attempt, from the TCP connect to ReadyForQuery;
 * - sslmode with libpq's meaning, ignored on Unix sockets (libpq never uses TLS there): `allow`
 *   retries with TLS when the plaintext attempt is refused by the server, `prefer` retries without
 *   TLS when the TLS handshake fails or the server refuses the TLS session;
 * - TLS files: sslrootcert (default ~/.postgresql/root.crt when it exists, which turns `require`
 *   into verify-ca as in libpq), sslcert/sslkey (default ~/.postgresql/postgresql.crt/.key when
 *   present), sslcrl/sslcrldir, sslpassword, sslsni, ssl_min/max_protocol_version;
 * - target_session_attrs is checked after startup (see session-attrs.ts).
 * Plain TCP and Unix sockets read straight into the reader's WASM memory (`onread`).
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { AuthenticationMode } from '../../auth/authentication-mode.js';
import type { RequireAuth } from '../../auth/policy.js';
import { unixSocketPath } from '../../conninfo/conninfo.js';
import type { ConnectOptions, ConnectOptionsInput, Env, HostSpec } from '../../conninfo/conninfo.js';
import { lookupPassfile, passfileHost } from '../../conninfo/passfile.js';
import type { RequireAuthPolicy, SslMode } from '../../conninfo/values.js';
import { ConnectionError, ErrorCode, PgStreamError, ServerError, TlsError } from '../../errors.js';
import type { Tracer } from '../../protocol/trace.js';
import type { TypeRegistry } from '../../types/registry.js';
import type { Connected } from '../../session/connection.js';
import { Deadline } from '../../session/deadline.js';
import { checkSessionAttrs, wantsStandbyFirst } from '../../session/session-attrs.js';
import { DEFAULT_CANCEL_TIMEOUT_MS } from '../../session/settings.js';
import { startSession, typed, wireTracer } from '../../session/start-session.js';
import { cancelSender } from './cancel.js';
import { secureStream } from './establish.js';
import { resolveConnectOptions } from './local-facts.js';
import { readPassfile } from './passfile.js';
import type { NodeSettings, TlsOptions } from './settings.js';
import { guard, whenConnected } from './socket-guard.js';
import { NodeSocketTransport } from './socket-transport.js';
import { loadTlsFiles } from './tls-files.js';

/** Settings of `connect()` that have no libpq keyword. */
export interface ConnectExtras {
  /** The environment to read PG* variables from (default `process.env`). */
  readonly env?: Env;
  /** Allow a cleartext password on a TCP connection without TLS (refused by default). */
  readonly allowCleartextOverPlaintext?: boolean;
  /** Largest backend message accepted (default 256 MiB). */
  readonly maxMessageLength?: number;
  /** Deadline of `conn.cancel()` (default 10 s). */
  readonly cancelTimeoutMs?: number;
  /** Cap on the SCRAM iteration count a server may demand. */
  readonly maxScramIterations?: number;
  /** Certificates as PEM contents; each one replaces the file the connection string names. */
  readonly tls?: TlsOptions;
  /** Traces every message of the session in libpq's PQtrace format (see `Tracer`). */
  readonly trace?: Tracer;
  /** Read deadline in ms while the server owes an answer (see `ConnectionBuilder.readTimeout`); 0 = none. */
  readonly readTimeout?: number;
  /** The value codecs of the query layer (default: the built-in types). */
  readonly types?: TypeRegistry;
  /** Statements the query layer keeps prepared by SQL text (default 100; 0: none). */
  readonly statementCacheSize?: number;
}

/** The fields of ConnectExtras, which `connect()` also takes inside its options object. */
const EXTRA_KEYS = [
  'env', 'allowCleartextOverPlaintext', 'maxMessageLength', 'cancelTimeoutMs', 'maxScramIterations', 'tls', 'trace', 'readTimeout', 'types', 'statementCacheSize',
] as const satisfies readonly (keyof ConnectExtras)[];

/** Splits an options object into its libpq settings and its extras (`readTimeout`, `types`…). */
function splitExtras(target: ConnectOptionsInput & ConnectExtras): [ConnectOptionsInput, ConnectExtras] {
  const libpq: Record<string, unknown> = { ...target };
  const extras: Record<string, unknown> = {};
  for (const key of EXTRA_KEYS) {
    if (!(key in libpq)) continue;
    extras[key] = libpq[key];
    delete libpq[key];
  }
  return [libpq as ConnectOptionsInput, extras as ConnectExtras];
}

/** conninfo's parsed require_auth, in the form the auth policy checks take. */
function requireAuthOf(policy: RequireAuthPolicy | undefined): RequireAuth | null {
  if (policy === undefined) return null;
  const source = [...policy.methods, ...(policy.allowNone ? ['none'] : [])].join(',');
  return { source, allowed: new Set(policy.methods), authRequired: !policy.allowNone };
}

/** The session settings for `options` (sslmode replaced per attempt). */
function settingsOf(options: ConnectOptions, extras: ConnectExtras, tls: TlsOptions): NodeSettings {
  const parameters = new Map(options.startupParameters);
  // Text is decoded as UTF-8 throughout; ask the server for it unless the caller chose otherwise.
  if (!parameters.has('client_encoding')) parameters.set('client_encoding', 'UTF8');
  return {
    parameters,
    auth: options.password === undefined ? AuthenticationMode.trust() : AuthenticationMode.password(options.password),
    minProtocol: options.minProtocol,
    maxProtocol: options.maxProtocol,
    sslmode: options.sslmode,
    sslnegotiation: options.sslnegotiation,
    tls,
    channelBinding: options.channelBinding,
    requireAuth: requireAuthOf(options.requireAuth),
    allowCleartextOverPlaintext: extras.allowCleartextOverPlaintext ?? false,
    connectTimeoutMs: options.connectTimeoutMs ?? 0,
    cancelTimeoutMs: extras.cancelTimeoutMs ?? DEFAULT_CANCEL_TIMEOUT_MS,
    readTimeoutMs: extras.readTimeout ?? 0,
    types: extras.types,
    statementCacheSize: extras.statementCacheSize,
    maxMessageLength: extras.maxMessageLength,
    maxScramIterations: extras.maxScramIterations,
    cancelOpener: undefined,
    tracer: extras.trace,
  };
}

/** Where to dial `host`, as `net.connect` options. */
function dialOptions(host: HostSpec, options: ConnectOptions): net.NetConnectOpts {
  if (host.isUnixSocket) return { path: unixSocketPath(host) };
  const o: net.TcpNetConnectOpts = { host: host.hostaddr ?? host.host, port: host.port, noDelay: true };
  if (options.keepalives) {
    o.keepAlive = true;
    if (options.keepalivesIdle !== undefined && options.keepalivesIdle > 0) o.keepAliveInitialDelay = options.keepalivesIdle * 1000;
  }
  return o;
}

/** True for failures that mean "this host could not be reached": libpq then tries the next host. */
function unreachable(err: unknown): boolean {
  return err instanceof ConnectionError;
}

/**
 * One connection attempt on a fresh socket with `sslmode` (`disable`: plaintext with direct reads
 * into the reader; anything else: SSLRequest or direct TLS first).
 */
async function attempt(
  host: HostSpec,
  options: ConnectOptions,
  settings: NodeSettings,
  deadline: Deadline,
): Promise<Connected> {
  const dial = dialOptions(host, options);
  const open = (): Duplex => net.connect(dial);
  const confidential = host.isUnixSocket;
  const wire = wireTracer(settings);
  if (settings.sslmode === 'disable') {
    const cancel = cancelSender({ open, tls: null });
    const transport = NodeSocketTransport.openDirect(dial, { confidential, cancel });
    deadline.onExpire(() => transport.destroy(deadline.error));
    await deadline.race(whenConnected(transport.stream));
    return startSession(transport, settings, { deadline, cancel, wire });
  }
  const socket = net.connect(dial);
  guard(socket);
  deadline.onExpire(() => socket.destroy());
  try {
    await deadline.race(whenConnected(socket));
    const secured = await secureStream(socket, settings, null, deadline, host.host, wire);
    const cancel = cancelSender({ open, tls: secured.tls });
    const transport = new NodeSocketTransport(secured.stream, { encrypted: secured.encrypted, confidential, cancel });
    return await startSession(transport, settings, { deadline, cancel, wire });
  } catch (err) {
    socket.destroy();
    throw err;
  }
}

/** The attempts for one host with libpq's allow/prefer fallbacks, under one deadline. */
async function connectHost(host: HostSpec, options: ConnectOptions, base: NodeSettings): Promise<Connected> {
  const deadline = new Deadline(base.connectTimeoutMs);
  const mode: SslMode = host.isUnixSocket ? 'disable' : base.sslmode;
  const withMode = (sslmode: SslMode): NodeSettings => ({ ...base, sslmode });
  try {
    if (mode === 'allow') {
      try {
        return await attempt(host, options, withMode('disable'), deadline);
      } catch (err) {
        // The server refused the plaintext session: try again with TLS (libpq's allow).
        if (!(err instanceof ServerError) || deadline.expired) throw err;
        return await attempt(host, options, withMode('prefer'), deadline);
      }
    }
    if (mode === 'prefer' && base.sslnegotiation === 'postgres') {
      try {
        return await attempt(host, options, withMode('prefer'), deadline);
      } catch (err) {
        // The TLS handshake failed, or the server refused the TLS session: try without TLS.
        const handshake = err instanceof TlsError && err.code === ErrorCode.TLS_HANDSHAKE;
        if (!(handshake || err instanceof ServerError) || deadline.expired) throw err;
        return await attempt(host, options, withMode('disable'), deadline);
      }
    }
    return await attempt(host, options, withMode(mode), deadline);
  } catch (err) {
    throw typed(deadline.expired ? deadline.error : err);
  } finally {
    deadline.clear();
  }
}

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Connects from a libpq connection string (`postgres://user@host/db?sslmode=require`, or
 * `host=… dbname=…`) or an options object; PG* variables and libpq defaults fill the rest.
 * The settings without a libpq keyword (`readTimeout`, `types`, `trace`…: ConnectExtras) may sit in
 * the options object too, or in `extras` (which wins).
 * Resolves to `{ conn, startup }` like `ConnectionBuilder.connect()`. Rejects with the last host's
 * error (ConfigError for settings that cannot be understood, before any socket is opened).
 */
export async function connect(target?: string | (ConnectOptionsInput & ConnectExtras), moreExtras: ConnectExtras = {}): Promise<Connected> {
  const [input, inline] = typeof target === 'object' && target !== null ? splitExtras(target) : [target, {}];
  const extras: ConnectExtras = { ...inline, ...moreExtras };
  const options = typeof input === 'string'
    ? resolveConnectOptions(input, undefined, extras.env)
    : resolveConnectOptions(undefined, input, extras.env);
  const tls = await loadTlsFiles(options, extras.tls ?? {});
  const base = settingsOf(options, extras, tls);
  // libpq reads the password file only when no password was given, and matches it per host.
  const passfile = options.password === undefined ? await readPassfile(options.passfile) : undefined;
  const forHost = (host: HostSpec): NodeSettings => {
    if (passfile === undefined) return base;
    const password = lookupPassfile(passfile, { host: passfileHost(host), port: host.port, database: options.database, user: options.user });
    return password === undefined ? base : { ...base, auth: AuthenticationMode.password(password) };
  };
  const hosts = options.loadBalanceHosts === 'random' ? shuffled(options.hosts) : [...options.hosts];
  // prefer-standby: a first pass accepts only standbys, a second pass anything (libpq).
  const passes = wantsStandbyFirst(options.targetSessionAttrs) ? (['standby', 'any'] as const) : ([options.targetSessionAttrs] as const);
  let last: PgStreamError | null = null;
  for (const attrs of passes) {
    for (const host of hosts) {
      let connected: Connected;
      try {
        connected = await connectHost(host, options, forHost(host));
      } catch (err) {
        last = typed(err);
        if (unreachable(err)) continue;
        throw last;
      }
      try {
        await checkSessionAttrs(connected, attrs);
        return connected;
      } catch (err) {
        await connected.conn.close();
        last = typed(err);
        if (!unreachable(err)) throw last;
      }
    }
  }
  throw last ?? new ConnectionError(ErrorCode.SOCKET_ERROR, 'no host to connect to');
}
