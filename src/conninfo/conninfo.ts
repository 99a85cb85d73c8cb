/**
 * libpq-compatible connection settings: a connection string (URI or key=value), an options object
 * and the PG* environment, resolved into one validated, frozen `ConnectOptions`.
 *
 * Precedence is libpq's, per setting: options object > connection string > environment > default.
 * Defaults: host = the Unix socket directory (see `defaultSocketDirectory`), port 5432, user = the
 * OS user, database = user, sslmode prefer, channel_binding prefer, sslnegotiation postgres,
 * protocol 3.0 (3.2 when min_protocol_version asks for it).
 * The password file is read by the Node transport (src/transport/node/passfile.ts, parsed by
 * ./passfile.ts). Not supported (and said so): service files, requirepeer, OAuth, GSSAPI.
 * Pure: what only the machine knows (its environment, the OS user, which socket directories exist)
 * comes in as `LocalFacts`, so this module runs anywhere, browsers included.
 * Docs: https://www.postgresql.org/docs/current/libpq-connect.html
 */
import { ProtocolVersion } from '../protocol/codes.js';
import { isIpAddress } from './ip-address.js';
import { applyInput, type ConnectOptionsInput } from './input.js';
import { configError, KEYWORDS } from './keywords.js';
import { parseConnectionString } from './parse.js';
import {
  CHANNEL_BINDINGS, GSS_ENC_MODES, isUnixSocketPath, LOAD_BALANCE_HOSTS, oneOf, parseIntParam, parsePort,
  parseProtocolVersion, parseRequireAuth, SSL_CERT_MODES, SSL_MODES, SSL_NEGOTIATIONS, TARGET_SESSION_ATTRS,
  TLS_VERSIONS,
  type ChannelBinding, type GssEncMode, type LoadBalanceHosts, type RequireAuthPolicy, type SslCertMode,
  type SslMode, type SslNegotiation, type TargetSessionAttrs, type TlsVersion,
} from './values.js';

export { parseConnectionString } from './parse.js';
export { redactConnectionString } from './redact.js';
export type { ConnectOptionsInput } from './input.js';
export type {
  ChannelBinding, GssEncMode, LoadBalanceHosts, RequireAuthMethod, RequireAuthPolicy, SslCertMode, SslMode,
  SslNegotiation, TargetSessionAttrs, TlsVersion,
} from './values.js';

/** The environment to read PG* variables from (process.env by default). */
export type Env = Readonly<Record<string, string | undefined>>;

/** PostgreSQL's default port. */
export const DEFAULT_PORT = 5432;

/** One server to try. */
export interface HostSpec {
  /** Host name (used for TLS verification and SNI), or the Unix socket directory. */
  readonly host: string;
  /** The numeric address to connect to instead of resolving `host` (libpq's hostaddr). */
  readonly hostaddr?: string;
  readonly port: number;
  /** True when `host` is a socket directory (absolute path, or `@name` in the abstract namespace). */
  readonly isUnixSocket: boolean;
}

/** Fully resolved connection settings. Frozen; `password` and `sslpassword` are not enumerable. */
export interface ConnectOptions {
  readonly hosts: readonly HostSpec[];
  readonly user: string;
  readonly password?: string;
  /** The password file named by `passfile`/PGPASSFILE (read when no password is given); absent = ~/.pgpass. */
  readonly passfile?: string;
  readonly database: string;
  /** application_name, else fallback_application_name. */
  readonly applicationName?: string;
  readonly options?: string;
  readonly clientEncoding?: string;
  readonly replication?: string;
  /** Per-host connect timeout; absent = wait indefinitely (libpq: < 1 s means none, 1 s means 2 s). */
  readonly connectTimeoutMs?: number;
  readonly sslmode: SslMode;
  readonly sslnegotiation: SslNegotiation;
  readonly sslsni: boolean;
  readonly sslrootcert?: string;
  readonly sslcert?: string;
  readonly sslkey?: string;
  readonly sslpassword?: string;
  readonly sslcrl?: string;
  readonly sslcrldir?: string;
  readonly sslcertmode: SslCertMode;
  readonly sslMinProtocolVersion?: TlsVersion;
  readonly sslMaxProtocolVersion?: TlsVersion;
  readonly gssencmode: GssEncMode;
  readonly channelBinding: ChannelBinding;
  readonly requireAuth?: RequireAuthPolicy;
  readonly targetSessionAttrs: TargetSessionAttrs;
  readonly loadBalanceHosts: LoadBalanceHosts;
  readonly keepalives: boolean;
  readonly keepalivesIdle?: number;
  readonly keepalivesInterval?: number;
  readonly keepalivesCount?: number;
  readonly tcpUserTimeoutMs?: number;
  /** Lowest protocol version acceptable after NegotiateProtocolVersion. */
  readonly minProtocol: ProtocolVersion;
  /** Protocol version asked for in the StartupMessage. */
  readonly maxProtocol: ProtocolVersion;
  /** StartupMessage parameters in libpq's order: user, database, replication, options, … */
  readonly startupParameters: ReadonlyMap<string, string>;
}

/** Socket directories tried for the default host: Debian's, then libpq's compiled-in default. */
export const SOCKET_DIRECTORIES = ['/var/run/postgresql', '/tmp'] as const;

/** What resolving needs to know about the machine (the Node transport supplies the real answers). */
export interface LocalFacts {
  /** The environment to read PG* variables from. */
  readonly env: Env;
  /** The OS user name (libpq's pg_fe_getauthname), the default user; undefined when unknown. */
  userName(): string | undefined;
  /** The Unix socket directory to use for `port` when no host is given; undefined when there is none. */
  socketDirectory(port: number): string | undefined;
  /** True on Windows, where the default host is `localhost` rather than a socket directory. */
  readonly windows: boolean;
}

/** Facts for a machine we know nothing about (a browser): no user name, no sockets. */
export const NO_LOCAL_FACTS: LocalFacts = {
  env: {},
  userName: () => undefined,
  socketDirectory: () => undefined,
  windows: false,
};

/** The socket file to connect to for a Unix-socket host: `dir/.s.PGSQL.port`; `@name` is abstract. */
export function unixSocketPath(host: HostSpec): string {
  const path = `${host.host}/.s.PGSQL.${host.port}`;
  return path.startsWith('@') ? `\0${path.slice(1)}` : path;
}

/** A ReadonlyMap that cannot be cast back to a mutable Map. */
class FrozenMap<K, V> implements ReadonlyMap<K, V> {
  readonly #map: Map<K, V>;
  constructor(entries: Iterable<readonly [K, V]>) {
    this.#map = new Map(entries);
    Object.freeze(this);
  }
  get size(): number { return this.#map.size; }
  get(key: K): V | undefined { return this.#map.get(key); }
  has(key: K): boolean { return this.#map.has(key); }
  forEach(fn: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    this.#map.forEach((v, k) => fn.call(thisArg, v, k, this));
  }
  entries(): MapIterator<[K, V]> { return this.#map.entries(); }
  keys(): MapIterator<K> { return this.#map.keys(); }
  values(): MapIterator<V> { return this.#map.values(); }
  [Symbol.iterator](): MapIterator<[K, V]> { return this.#map.entries(); }
}

/** Startup parameters libpq takes from the environment (its EnvironmentOptions table). */
const ENV_STARTUP = [['PGDATESTYLE', 'datestyle'], ['PGTZ', 'timezone'], ['PGGEQO', 'geqo']] as const;

/**
 * Resolves a connection string (optional), an options object (optional) and the environment into
 * ConnectOptions. Throws ConfigError PGS_INVALID_CONNECTION_STRING; messages never contain a
 * password or quote the input.
 */
export function resolveConnectOptions(
  connectionString?: string,
  input?: ConnectOptionsInput,
  env?: Env,
  local: LocalFacts = NO_LOCAL_FACTS,
): ConnectOptions {
  env ??= local.env;
  const values = connectionString === undefined ? new Map<string, string>() : parseConnectionString(connectionString);
  const extras = input === undefined ? {} : applyInput(values, input);
  for (const [keyword, spec] of KEYWORDS) {
    if (spec.env === undefined || values.has(keyword)) continue;
    const v = env[spec.env];
    if (typeof v === 'string') values.set(keyword, v);
  }
  // Deprecated PGREQUIRESSL=1 still means sslmode=require when PGSSLMODE is unset (libpq).
  if (!values.has('sslmode') && env.PGREQUIRESSL?.startsWith('1')) values.set('sslmode', 'require');
  for (const [keyword, value] of values) {
    if (value.includes('\0')) configError(`connection option "${keyword}" contains a NUL character`);
  }

  const get = (keyword: string): string | undefined => values.get(keyword);
  const nonEmpty = (keyword: string): string | undefined => {
    const v = values.get(keyword);
    return v === undefined || v === '' ? undefined : v;
  };
  const intOrUndefined = (keyword: string): number | undefined => {
    const v = get(keyword);
    return v === undefined ? undefined : Math.max(0, parseIntParam(keyword, v));
  };

  const hosts = resolveHosts(nonEmpty('host'), nonEmpty('hostaddr'), nonEmpty('port'), local);
  const user = nonEmpty('user') ?? local.userName() ?? configError('could not determine the local user name: set "user" or PGUSER');
  const database = nonEmpty('dbname') ?? user;

  let connectTimeoutMs = extras.connectTimeoutMs;
  const timeout = get('connect_timeout');
  if (connectTimeoutMs === undefined && timeout !== undefined) {
    const seconds = parseIntParam('connect_timeout', timeout);
    if (seconds > 0) connectTimeoutMs = Math.max(seconds, 2) * 1000;
  }
  if (connectTimeoutMs === 0) connectTimeoutMs = undefined;

  const sslrootcert = nonEmpty('sslrootcert');
  const sslmodeValue = get('sslmode');
  // sslrootcert=system makes the default sslmode verify-full, and forbids anything weaker.
  const sslmode = sslmodeValue === undefined
    ? sslrootcert === 'system' ? 'verify-full' : 'prefer'
    : oneOf('sslmode', sslmodeValue, SSL_MODES);
  if (sslrootcert === 'system' && sslmode !== 'verify-full') {
    configError(`weak sslmode "${sslmode}" may not be used with sslrootcert=system (use "verify-full")`);
  }
  const sslnegotiation = oneOf('sslnegotiation', get('sslnegotiation') ?? 'postgres', SSL_NEGOTIATIONS);
  if (sslnegotiation === 'direct' && sslmode !== 'require' && sslmode !== 'verify-ca' && sslmode !== 'verify-full') {
    configError(`weak sslmode "${sslmode}" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")`);
  }
  const gssencmode = oneOf('gssencmode', get('gssencmode') ?? 'disable', GSS_ENC_MODES);
  if (gssencmode === 'require') configError('gssencmode "require" is not supported: pg-stream has no GSSAPI support');

  const sslMin = get('ssl_min_protocol_version') ?? 'TLSv1.2';
  const sslMinProtocolVersion = sslMin === '' ? undefined : oneOf('ssl_min_protocol_version', sslMin, TLS_VERSIONS);
  const sslMax = nonEmpty('ssl_max_protocol_version');
  const sslMaxProtocolVersion = sslMax === undefined ? undefined : oneOf('ssl_max_protocol_version', sslMax, TLS_VERSIONS);
  if (sslMinProtocolVersion !== undefined && sslMaxProtocolVersion !== undefined
    && TLS_VERSIONS.indexOf(sslMinProtocolVersion) > TLS_VERSIONS.indexOf(sslMaxProtocolVersion)) {
    configError('invalid SSL protocol version range');
  }

  const minValue = get('min_protocol_version');
  const minProtocol = minValue === undefined ? ProtocolVersion.V3_0 : parseProtocolVersion('min_protocol_version', minValue);
  const maxValue = get('max_protocol_version');
  // libpq asks for 3.0 unless something needs more; a minimum above 3.0 raises the default to latest.
  const maxProtocol = maxValue !== undefined
    ? parseProtocolVersion('max_protocol_version', maxValue)
    : minProtocol > ProtocolVersion.V3_0 ? ProtocolVersion.V3_2 : ProtocolVersion.V3_0;
  if (minProtocol > maxProtocol) configError('min_protocol_version is greater than max_protocol_version');

  const requireAuthValue = nonEmpty('require_auth');
  const keepalivesValue = get('keepalives');
  const tcpUserTimeoutMs = intOrUndefined('tcp_user_timeout');
  const applicationName = nonEmpty('application_name') ?? nonEmpty('fallback_application_name');
  const options = nonEmpty('options');
  const encoding = nonEmpty('client_encoding');
  // 'auto' means "from the locale" in libpq; JavaScript strings are Unicode, so UTF8.
  const clientEncoding = encoding === 'auto' ? 'UTF8' : encoding;
  const replication = nonEmpty('replication');

  const startup: [string, string][] = [['user', user], ['database', database]];
  if (replication !== undefined) startup.push(['replication', replication]);
  if (options !== undefined) startup.push(['options', options]);
  if (applicationName !== undefined) startup.push(['application_name', applicationName]);
  if (clientEncoding !== undefined) startup.push(['client_encoding', clientEncoding]);
  for (const [variable, parameter] of ENV_STARTUP) {
    const v = env[variable];
    if (typeof v === 'string' && v.toLowerCase() !== 'default' && !v.includes('\0')) startup.push([parameter, v]);
  }
  for (const [key, value] of extras.parameters ?? []) {
    if (key === '' || key.includes('\0') || value.includes('\0')) {
      configError('startup parameter names must be non-empty and names and values must not contain NUL');
    }
    if (key.startsWith('_pq_.')) configError('protocol options (_pq_.*) cannot be set as startup parameters');
    if (startup.some(([k]) => k === key)) {
      configError(`startup parameter "${key}" is already set by a connection option`);
    }
    startup.push([key, value]);
  }

  const result: Record<string, unknown> = {
    hosts,
    user,
    database,
    passfile: nonEmpty('passfile'),
    applicationName,
    options,
    clientEncoding,
    replication,
    connectTimeoutMs,
    sslmode,
    sslnegotiation,
    sslsni: (get('sslsni') ?? '1').startsWith('1'),
    sslrootcert,
    sslcert: nonEmpty('sslcert'),
    sslkey: nonEmpty('sslkey'),
    sslcrl: nonEmpty('sslcrl'),
    sslcrldir: nonEmpty('sslcrldir'),
    sslcertmode: oneOf('sslcertmode', get('sslcertmode') ?? 'allow', SSL_CERT_MODES),
    sslMinProtocolVersion,
    sslMaxProtocolVersion,
    gssencmode,
    channelBinding: oneOf('channel_binding', get('channel_binding') ?? 'prefer', CHANNEL_BINDINGS),
    requireAuth: requireAuthValue === undefined ? undefined : parseRequireAuth(requireAuthValue),
    targetSessionAttrs: oneOf('target_session_attrs', get('target_session_attrs') ?? 'any', TARGET_SESSION_ATTRS),
    loadBalanceHosts: oneOf('load_balance_hosts', get('load_balance_hosts') ?? 'disable', LOAD_BALANCE_HOSTS),
    keepalives: keepalivesValue === undefined ? true : parseIntParam('keepalives', keepalivesValue) !== 0,
    keepalivesIdle: intOrUndefined('keepalives_idle'),
    keepalivesInterval: intOrUndefined('keepalives_interval'),
    keepalivesCount: intOrUndefined('keepalives_count'),
    tcpUserTimeoutMs,
    minProtocol,
    maxProtocol,
    startupParameters: new FrozenMap(startup),
  };
  for (const key of Object.keys(result)) if (result[key] === undefined) delete result[key];
  // Secrets are reachable by name but invisible to JSON.stringify, util.inspect and spreading.
  for (const key of ['password', 'sslpassword'] as const) {
    const v = nonEmpty(key);
    if (v !== undefined) Object.defineProperty(result, key, { value: v, enumerable: false });
  }
  return Object.freeze(result) as unknown as ConnectOptions;
}

/** Splits a comma-separated list as libpq does (an empty string is one empty element). */
function splitList(s: string | undefined): string[] {
  return s === undefined ? [] : s.split(',');
}

/**
 * libpq's host slots: one per hostaddr if given, else one per host, else one default; ports are
 * one for all or one per slot; an empty element takes the default.
 */
function resolveHosts(host: string | undefined, hostaddr: string | undefined, port: string | undefined, local: LocalFacts): HostSpec[] {
  const names = splitList(host);
  const addrs = splitList(hostaddr);
  const count = addrs.length > 0 ? addrs.length : Math.max(names.length, 1);
  if (addrs.length > 0 && names.length > 0 && names.length !== count) {
    configError(`could not match ${names.length} host names to ${count} hostaddr values`);
  }
  let ports = splitList(port);
  if (ports.length === 1) ports = Array<string>(count).fill(ports[0]!);
  else if (ports.length > 0 && ports.length !== count) {
    configError(`could not match ${ports.length} port numbers to ${count} hosts`);
  }
  const hosts: HostSpec[] = [];
  for (let i = 0; i < count; i++) {
    const p = ports[i];
    const portNumber = p === undefined || p === '' ? DEFAULT_PORT : parsePort(p);
    const name = names[i] ?? '';
    const addr = addrs[i] ?? '';
    let spec: HostSpec;
    if (addr !== '') {
      if (!isIpAddress(addr)) configError(`hostaddr element ${i + 1} is not a numeric IPv4 or IPv6 address`);
      spec = { host: name === '' ? addr : name, hostaddr: addr, port: portNumber, isUnixSocket: false };
    } else if (name !== '') {
      spec = { host: name, port: portNumber, isUnixSocket: isUnixSocketPath(name) };
    } else if (local.windows) {
      spec = { host: 'localhost', port: portNumber, isUnixSocket: false };
    } else {
      const dir = local.socketDirectory(portNumber);
      if (dir === undefined) configError('no host given, and there is no local socket directory: set "host" or PGHOST');
      spec = { host: dir, port: portNumber, isUnixSocket: true };
    }
    hosts.push(Object.freeze(spec));
  }
  return Object.freeze(hosts) as HostSpec[];
}
