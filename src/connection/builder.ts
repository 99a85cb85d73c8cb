/**
 * ConnectionBuilder: the seed's `ConnectionBuilder`, in TypeScript. Configure the user, database,
 * startup parameters, credentials, protocol version and security policy, then start the session on
 * a stream the caller opened:
 *
 * ```ts
 * const { conn, startup } = await new ConnectionBuilder('postgres')
 *   .database('mydb')
 *   .auth(AuthenticationMode.password('secret'))
 *   .connect(net.connect(5432, 'localhost'));
 * ```
 *
 * `connect(stream)` speaks plaintext unless `.sslmode()` asks for TLS (then this library performs the
 * upgrade with the builder's certificates); `connectWithTls(stream, upgrade)` sends SSLRequest and
 * hands the socket to the caller's own upgrade function. Defaults: protocol 3.0 (as libpq 18:
 * `.protocol('3.2')` asks for 3.2 and accepts a downgrade), channel_binding prefer, cleartext
 * passwords refused without TLS, client_encoding UTF8, no connect timeout.
 */
import type { Duplex } from 'node:stream';
import { ConfigError, ErrorCode } from '../errors.js';
import { ProtocolVersion } from '../protocol/codes.js';
import { Tracer } from '../protocol/trace.js';
import { AuthenticationMode } from './auth-mode.js';
import { parseRequireAuth } from '../auth/policy.js';
import type { RequireAuth } from '../auth/policy.js';
import type { ChannelBinding, SslMode, SslNegotiation } from './conninfo-values.js';
import { CHANNEL_BINDINGS, SSL_MODES, SSL_NEGOTIATIONS } from './conninfo-values.js';
import type { Connection } from './connection.js';
import { connectOnStream } from './establish.js';
import { DEFAULT_CANCEL_TIMEOUT_MS } from './settings.js';
import type { SessionSettings, StreamOpener } from './settings.js';
import type { StartupResult } from './startup-result.js';
import type { TlsPolicy, TlsUpgrade } from './tls.js';

/** A protocol version by name: `3.0`, `3.2`, or `latest` (3.2). */
export type ProtocolVersionName = '3.0' | '3.2' | 'latest';
/** The protocol versions to ask for (`max`) and to accept after negotiation (`min`). */
export interface ProtocolRange {
  readonly min?: ProtocolVersionName;
  readonly max?: ProtocolVersionName;
}

/** Certificates and TLS options for upgrades this library performs (PEM contents, not file names). */
export type TlsOptions = Omit<TlsPolicy, 'sslmode' | 'negotiation'>;

/** What a successful connect resolves to: the connection and what the server said during startup. */
export interface Connected {
  readonly conn: Connection;
  readonly startup: StartupResult;
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

function invalid(message: string): never {
  throw new ConfigError(ErrorCode.INVALID_ARGUMENT, message);
}

function checkString(what: string, v: unknown): string {
  if (typeof v !== 'string') invalid(`${what} must be a string`);
  if (v.includes('\0')) invalid(`${what} may not contain a NUL character`);
  return v;
}

/** Builds and starts a session on a caller-supplied stream. */
export class ConnectionBuilder {
  #parameters = new Map<string, string>();
  #auth: AuthenticationMode = AuthenticationMode.trust();
  #minProtocol: number = ProtocolVersion.V3_0;
  #maxProtocol: number = ProtocolVersion.V3_0;
  #sslmode: SslMode | undefined;
  #negotiation: SslNegotiation = 'postgres';
  #tls: TlsOptions = {};
  #channelBinding: ChannelBinding = 'prefer';
  #requireAuth: RequireAuth | null = null;
  #allowCleartext = false;
  #connectTimeoutMs = 0;
  #cancelTimeoutMs = DEFAULT_CANCEL_TIMEOUT_MS;
  #maxMessageLength: number | undefined;
  #maxScramIterations: number | undefined;
  #cancelOpener: StreamOpener | undefined;
  #tracer: Tracer | undefined;

  /** Starts a builder for the role `user`. */
  constructor(user: string) {
    this.user(user);
    this.#parameters.set('client_encoding', 'UTF8');
  }

  /** The role to connect as. */
  user(user: string): this {
    checkString('user', user);
    if (user === '') invalid('user may not be empty');
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
    if (key === '') invalid('option name may not be empty');
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
    if (!(mode instanceof AuthenticationMode)) invalid('auth() needs an AuthenticationMode');
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
    if (min > max) invalid('protocol min may not be above max');
    this.#minProtocol = min;
    this.#maxProtocol = max;
    return this;
  }

  /**
   * libpq's sslmode. `connect()` defaults to `disable` (plaintext, as the seed); `connectWithTls()`
   * defaults to `require`. verify-ca/verify-full need `.tls({ rootCert })` when this library upgrades;
   * verify-full checks `.tls({ host })`, or else the IP address the socket is connected to.
   */
  sslmode(mode: SslMode): this {
    if (!SSL_MODES.includes(mode)) invalid(`sslmode must be one of ${SSL_MODES.join(', ')}`);
    this.#sslmode = mode;
    return this;
  }

  /** `postgres` (SSLRequest first, default) or `direct` (TLS first with ALPN; PostgreSQL 17+). */
  sslNegotiation(negotiation: SslNegotiation): this {
    if (!SSL_NEGOTIATIONS.includes(negotiation)) invalid(`sslnegotiation must be one of ${SSL_NEGOTIATIONS.join(', ')}`);
    this.#negotiation = negotiation;
    return this;
  }

  /** Root/client certificates, SNI host name, CRL and TLS versions for the upgrades this library performs. */
  tls(options: TlsOptions): this {
    this.#tls = { ...this.#tls, ...options };
    return this;
  }

  /** SCRAM channel binding: `disable`, `prefer` (default) or `require`. */
  channelBinding(mode: ChannelBinding): this {
    if (!CHANNEL_BINDINGS.includes(mode)) invalid(`channelBinding must be one of ${CHANNEL_BINDINGS.join(', ')}`);
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
    if (!(ms >= 0) || !Number.isFinite(ms)) invalid('connectTimeout must be a non-negative number of milliseconds');
    this.#connectTimeoutMs = ms;
    return this;
  }

  /** Deadline of `conn.cancel()` (default 10 s). */
  cancelTimeout(ms: number): this {
    if (!(ms > 0) || !Number.isFinite(ms)) invalid('cancelTimeout must be a positive number of milliseconds');
    this.#cancelTimeoutMs = ms;
    return this;
  }

  /** Largest backend message accepted before the connection is failed (default: the reader's 256 MiB). */
  maxMessageLength(bytes: number): this {
    if (!Number.isInteger(bytes) || bytes < 5) invalid('maxMessageLength must be an integer of at least 5');
    this.#maxMessageLength = bytes;
    return this;
  }

  /** Cap on the SCRAM iteration count a server may demand (PBKDF2 cost). */
  maxScramIterations(n: number): this {
    if (!Number.isInteger(n) || n < 1) invalid('maxScramIterations must be a positive integer');
    this.#maxScramIterations = n;
    return this;
  }

  /**
   * How `conn.cancel()` opens a fresh stream to the server. Needed for streams whose address cannot
   * be read back (Unix sockets, proxies); TCP sockets are re-dialled at their remote address.
   */
  cancelConnector(open: StreamOpener): this {
    if (typeof open !== 'function') invalid('cancelConnector needs a function');
    this.#cancelOpener = open;
    return this;
  }

  /**
   * Traces every message of the session, both directions, in libpq's PQtrace format (secrets
   * redacted): a `Tracer`, or a function receiving each line.
   */
  trace(tracer: Tracer | ((line: string) => void)): this {
    if (tracer instanceof Tracer) this.#tracer = tracer;
    else if (typeof tracer === 'function') this.#tracer = new Tracer(tracer);
    else invalid('trace() needs a Tracer or a function');
    return this;
  }

  /** The settings this builder resolves to, for a connection whose default sslmode is `defaultMode`. */
  settings(defaultMode: SslMode): SessionSettings {
    return {
      parameters: new Map(this.#parameters),
      auth: this.#auth,
      minProtocol: this.#minProtocol,
      maxProtocol: this.#maxProtocol,
      sslmode: this.#sslmode ?? defaultMode,
      sslnegotiation: this.#negotiation,
      tls: { ...this.#tls },
      channelBinding: this.#channelBinding,
      requireAuth: this.#requireAuth,
      allowCleartextOverPlaintext: this.#allowCleartext,
      connectTimeoutMs: this.#connectTimeoutMs,
      cancelTimeoutMs: this.#cancelTimeoutMs,
      maxMessageLength: this.#maxMessageLength,
      maxScramIterations: this.#maxScramIterations,
      cancelOpener: this.#cancelOpener,
      tracer: this.#tracer,
    };
  }

  /**
   * Starts the session on `stream` (a net.Socket may still be connecting). Plaintext unless
   * `.sslmode()` asks for TLS, in which case this library performs the TLS upgrade itself.
   */
  async connect(stream: Duplex): Promise<Connected> {
    return connectOnStream(stream, this.settings('disable'), null);
  }

  /**
   * Sends SSLRequest (or, with `sslNegotiation('direct')`, starts TLS at once), consumes exactly the
   * one answer byte, then calls `upgrade(socket)` to get the TLS stream. Certificate checks are the
   * upgrade's; with sslmode verify-ca/verify-full an unauthorised TLSSocket is refused as well.
   */
  async connectWithTls(stream: Duplex, upgrade: TlsUpgrade): Promise<Connected> {
    if (typeof upgrade !== 'function') invalid('connectWithTls needs an upgrade function');
    const settings = this.settings('require');
    if (settings.sslmode === 'disable') invalid('connectWithTls cannot be used with sslmode=disable');
    return connectOnStream(stream, settings, upgrade);
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
