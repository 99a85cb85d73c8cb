/**
 * ConnectionBuilder: the seed's `ConnectionBuilder`, in TypeScript. Configure the user, database,
 * startup parameters, credentials, protocol version, authentication policy and deadlines, then
 * start the session on any `Transport` with `connectTransport(transport)`:
 *
 * ```ts
 * const { conn, startup } = await new ConnectionBuilder('postgres')
 *   .database('mydb')
 *   .auth(AuthenticationMode.password('secret'))
 *   .connectTransport(transport);
 * ```
 *
 * This is the transport-neutral builder (it runs in browsers, `pg-stream/browser`). The Node entry
 * (`pg-stream`) exports a subclass with the same name that adds TLS settings and `connect(socket)` /
 * `connectWithTls(socket, upgrade)` (src/transport/node/builder.ts). Defaults: protocol 3.0 (as
 * libpq 18: `.protocol('3.2')` asks for 3.2 and accepts a downgrade), channel_binding prefer,
 * cleartext passwords refused without TLS, client_encoding UTF8, no connect or read timeout.
 */
import { ConfigError, ErrorCode } from '../errors.js';
import { AuthenticationMode } from '../auth/authentication-mode.js';
import { parseRequireAuth } from '../auth/policy.js';
import type { RequireAuth } from '../auth/policy.js';
import { ProtocolVersion } from '../protocol/codes.js';
import { Tracer } from '../protocol/trace.js';
import { TypeRegistry } from '../types/registry.js';
import { CHANNEL_BINDINGS } from '../conninfo/values.js';
import type { ChannelBinding } from '../conninfo/values.js';
import type { CancelRequestSender, Transport } from '../transport/transport.js';
import type { Connected } from './connection.js';
import { DEFAULT_CANCEL_TIMEOUT_MS } from './settings.js';
import type { SessionSettings } from './settings.js';
import { startSession } from './start-session.js';

/** A protocol version by name: `3.0`, `3.2`, or `latest` (3.2). */
export type ProtocolVersionName = '3.0' | '3.2' | 'latest';
/** The protocol versions to ask for (`max`) and to accept after negotiation (`min`). */
export interface ProtocolRange {
  readonly min?: ProtocolVersionName;
  readonly max?: ProtocolVersionName;
}

/** Options of `connectTransport`. */
export interface ConnectTransportOptions {
  /** How `conn.cancel()` reaches the server; default: the transport's own `sendCancelRequest`. */
  readonly cancel?: CancelRequestSender;
}

function versionNumber(name: ProtocolVersionName): number {
  switch (name) {
    case '3.0':
      return ProtocolVersion.V3_0;
    case '3.2':
    case 'latest':
      return ProtocolVersion.V3_2;
    default:
      throw new ConfigError(ErrorCode.INVALID_ARGUMENT, 'protocol version must be "3.0", "3.2" or "latest"');
  }
}

/** Throws a ConfigError for an invalid builder argument. */
export function invalidSetting(message: string): never {
  throw new ConfigError(ErrorCode.INVALID_ARGUMENT, message);
}

function checkString(what: string, v: unknown): string {
  if (typeof v !== 'string') invalidSetting(`${what} must be a string`);
  if (v.includes('\0')) invalidSetting(`${what} may not contain a NUL character`);
  return v;
}

function checkTimeout(what: string, ms: number, zeroAllowed: boolean): number {
  if (!Number.isFinite(ms) || (zeroAllowed ? !(ms >= 0) : !(ms > 0))) {
    invalidSetting(`${what} must be a ${zeroAllowed ? 'non-negative' : 'positive'} number of milliseconds`);
  }
  return ms;
}

/** Builds and starts a session on a transport. */
export class ConnectionBuilder {
  #parameters = new Map<string, string>();
  #auth: AuthenticationMode = AuthenticationMode.trust();
  #minProtocol: number = ProtocolVersion.V3_0;
  #maxProtocol: number = ProtocolVersion.V3_0;
  #channelBinding: ChannelBinding = 'prefer';
  #requireAuth: RequireAuth | null = null;
  #allowCleartext = false;
  #connectTimeoutMs = 0;
  #cancelTimeoutMs = DEFAULT_CANCEL_TIMEOUT_MS;
  #readTimeoutMs = 0;
  #maxMessageLength: number | undefined;
  #maxScramIterations: number | undefined;
  #tracer: Tracer | undefined;
  #types: TypeRegistry | undefined;
  #statementCacheSize: number | undefined;

  /** Starts a builder for the role `user`. */
  constructor(user: string) {
    this.user(user);
    this.#parameters.set('client_encoding', 'UTF8');
  }

  /** The role to connect as. */
  user(user: string): this {
    checkString('user', user);
    if (user === '') invalidSetting('user may not be empty');
    return this.#set('user', user);
  }

  /** The database to connect to (default: the server uses the user name). */
  database(database: string): this {
    return this.#set('database', checkString('database', database));
  }

  /** application_name, shown in pg_stat_activity and the server log. */
  applicationName(name: string): this {
    return this.#set('application_name', checkString('applicationName', name));
  }

  /**
   * Any startup parameter (a run-time setting such as `search_path`, `options`, `replication`), or a
   * `_pq_.` protocol option. Setting `user` is the same as `.user()`.
   */
  option(key: string, value: string): this {
    checkString('option name', key);
    checkString(`option ${key}`, value);
    if (key === '') invalidSetting('option name may not be empty');
    if (key === 'user') return this.user(value);
    return this.#set(key, value);
  }

  #set(key: string, value: string): this {
    // `user` always goes first, as libpq sends it; other parameters keep the order they were set in.
    if (key === 'user' && !this.#parameters.has('user')) {
      this.#parameters = new Map([['user', value], ...this.#parameters]);
    } else {
      this.#parameters.set(key, value);
    }
    return this;
  }

  /** Credentials: `AuthenticationMode.trust()` (default) or `AuthenticationMode.password(pw)`. */
  auth(mode: AuthenticationMode): this {
    if (!(mode instanceof AuthenticationMode)) invalidSetting('auth() needs an AuthenticationMode');
    this.#auth = mode;
    return this;
  }

  /**
   * Protocol version. `'3.2'` asks for 3.2 and accepts a server that negotiates down to 3.0;
   * `{ min, max }` sets both bounds (`{ min: '3.2', max: '3.2' }` refuses older servers).
   */
  protocol(version: ProtocolVersionName | ProtocolRange): this {
    const range = typeof version === 'string' ? { min: '3.0' as const, max: version } : version;
    const min = versionNumber(range.min ?? '3.0');
    const max = versionNumber(range.max ?? (range.min !== undefined && versionNumber(range.min) > ProtocolVersion.V3_0 ? '3.2' : '3.0'));
    if (min > max) invalidSetting('protocol min may not be above max');
    this.#minProtocol = min;
    this.#maxProtocol = max;
    return this;
  }

  /** SCRAM channel binding: `disable`, `prefer` (default) or `require`. */
  channelBinding(mode: ChannelBinding): this {
    if (!CHANNEL_BINDINGS.includes(mode)) invalidSetting(`channelBinding must be one of ${CHANNEL_BINDINGS.join(', ')}`);
    this.#channelBinding = mode;
    return this;
  }

  /** libpq's require_auth: e.g. `'scram-sha-256'`, `['scram-sha-256', 'none']`, `'!password'`. */
  requireAuth(methods: string | readonly string[]): this {
    const list = typeof methods === 'string' ? methods : methods.join(',');
    this.#requireAuth = parseRequireAuth(checkString('requireAuth', list));
    return this;
  }

  /** Allows sending a cleartext password on a connection without TLS (refused by default). */
  allowCleartextOverPlaintext(allow = true): this {
    this.#allowCleartext = allow;
    return this;
  }

  /** Deadline for the whole startup, from the TCP connect to ReadyForQuery; 0 = none (default). */
  connectTimeout(ms: number): this {
    this.#connectTimeoutMs = checkTimeout('connectTimeout', ms, true);
    return this;
  }

  /** Deadline of `conn.cancel()` (default 10 s). */
  cancelTimeout(ms: number): this {
    this.#cancelTimeoutMs = checkTimeout('cancelTimeout', ms, false);
    return this;
  }

  /**
   * Read deadline: the longest the connection waits for the server while an answer is owed (a
   * result, a COPY, a ReadyForQuery); past it the connection fails with PGS_TIMEOUT and every
   * pending call rejects. 0 = none (default). Idle waits (nothing owed) are not bounded by it.
   */
  readTimeout(ms: number): this {
    this.#readTimeoutMs = checkTimeout('readTimeout', ms, true);
    return this;
  }

  /** Largest backend message accepted before the connection is failed (default: the reader's 256 MiB). */
  maxMessageLength(bytes: number): this {
    if (!Number.isInteger(bytes) || bytes < 5) invalidSetting('maxMessageLength must be an integer of at least 5');
    this.#maxMessageLength = bytes;
    return this;
  }

  /** Cap on the SCRAM iteration count a server may demand (PBKDF2 cost). */
  maxScramIterations(n: number): this {
    if (!Number.isInteger(n) || n < 1) invalidSetting('maxScramIterations must be a positive integer');
    this.#maxScramIterations = n;
    return this;
  }

  /**
   * Traces every message of the session, both directions, in libpq's PQtrace format (secrets
   * redacted): a `Tracer`, or a function receiving each line.
   */
  trace(tracer: Tracer | ((line: string) => void)): this {
    if (tracer instanceof Tracer) this.#tracer = tracer;
    else if (typeof tracer === 'function') this.#tracer = new Tracer(tracer);
    else invalidSetting('trace() needs a Tracer or a function');
    return this;
  }

  /** The value codecs of the query layer (default: the built-in types); register custom ones on it. */
  types(registry: TypeRegistry): this {
    if (!(registry instanceof TypeRegistry)) invalidSetting('types() needs a TypeRegistry');
    this.#types = registry;
    return this;
  }

  /** Statements the query layer keeps prepared by SQL text (default 100; 0 turns the cache off). */
  statementCache(size: number): this {
    if (!Number.isInteger(size) || size < 0) invalidSetting('statementCache needs a non-negative integer');
    this.#statementCacheSize = size;
    return this;
  }

  /** The transport-neutral settings this builder resolves to. */
  sessionSettings(): SessionSettings {
    return {
      parameters: new Map(this.#parameters),
      auth: this.#auth,
      minProtocol: this.#minProtocol,
      maxProtocol: this.#maxProtocol,
      channelBinding: this.#channelBinding,
      requireAuth: this.#requireAuth,
      allowCleartextOverPlaintext: this.#allowCleartext,
      connectTimeoutMs: this.#connectTimeoutMs,
      cancelTimeoutMs: this.#cancelTimeoutMs,
      readTimeoutMs: this.#readTimeoutMs,
      maxMessageLength: this.#maxMessageLength,
      maxScramIterations: this.#maxScramIterations,
      tracer: this.#tracer,
      types: this.#types,
      statementCacheSize: this.#statementCacheSize,
    };
  }

  /**
   * Starts the session on `transport` (any carrier of the protocol's bytes: a WebSocket to a bridge,
   * an in-process PGlite, a Node socket wrapped by the caller): StartupMessage, authentication, and
   * the server's parameters up to ReadyForQuery, under the connect timeout. The transport's own
   * security applies (`transport.encrypted`); this builder's TLS settings do not.
   */
  async connectTransport(transport: Transport, options: ConnectTransportOptions = {}): Promise<Connected> {
    if (transport === null || typeof transport !== 'object' || typeof transport.fill !== 'function') {
      invalidSetting('connectTransport needs a Transport');
    }
    return startSession(transport, this.sessionSettings(), { cancel: options.cancel ?? transport.sendCancelRequest?.bind(transport) ?? null });
  }

  /** Prints without credentials. */
  toString(): string {
    return `ConnectionBuilder(${this.#parameters.get('user') ?? ''})`;
  }

  /** Prints without credentials in `util.inspect`/`console.log`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
