/**
 * The options object (camelCase) a caller may pass beside a connection string, and its translation
 * to libpq keywords so that one validation path serves strings, objects and the environment.
 */
import { configError } from './keywords.js';
import type {
  ChannelBinding,
  GssEncMode,
  LoadBalanceHosts,
  SslCertMode,
  SslMode,
  SslNegotiation,
  TargetSessionAttrs,
  TlsVersion,
} from './values.js';

/**
 * Explicit connection options; each one overrides the same setting in the connection string, which
 * overrides the PG* environment, which overrides the defaults (libpq's precedence). Undefined fields
 * are not set. Semantics are libpq's (https://www.postgresql.org/docs/current/libpq-connect.html).
 */
export interface ConnectOptionsInput {
  /** Host names, IP addresses or Unix socket directories; several = try in order. */
  readonly host?: string | readonly string[];
  /** Numeric IP addresses to connect to (then `host` is only the name used for TLS). */
  readonly hostaddr?: string | readonly string[];
  /** One port for every host, or one per host. */
  readonly port?: number | string | readonly (number | string)[];
  readonly database?: string;
  readonly user?: string;
  readonly password?: string;
  /** The password file to read when no password is given (default `~/.pgpass`; libpq's `passfile`). */
  readonly passfile?: string;
  /** Command-line options for the server, e.g. `-c search_path=app`. */
  readonly options?: string;
  readonly applicationName?: string;
  readonly fallbackApplicationName?: string;
  readonly clientEncoding?: string;
  /** Per-host connect timeout in milliseconds; 0 = none. (The string form is libpq's seconds.) */
  readonly connectTimeoutMs?: number;
  readonly sslmode?: SslMode;
  readonly sslnegotiation?: SslNegotiation;
  readonly sslsni?: boolean;
  readonly sslrootcert?: string;
  readonly sslcert?: string;
  readonly sslkey?: string;
  readonly sslpassword?: string;
  readonly sslcrl?: string;
  readonly sslcrldir?: string;
  readonly sslcertmode?: SslCertMode;
  readonly sslMinProtocolVersion?: TlsVersion;
  readonly sslMaxProtocolVersion?: TlsVersion;
  readonly gssencmode?: GssEncMode;
  readonly channelBinding?: ChannelBinding;
  /** libpq's require_auth list, e.g. `scram-sha-256` or `!password,!md5`. */
  readonly requireAuth?: string | readonly string[];
  readonly targetSessionAttrs?: TargetSessionAttrs;
  readonly loadBalanceHosts?: LoadBalanceHosts;
  readonly keepalives?: boolean;
  readonly keepalivesIdle?: number;
  readonly keepalivesInterval?: number;
  readonly keepalivesCount?: number;
  /** TCP_USER_TIMEOUT in milliseconds. */
  readonly tcpUserTimeout?: number;
  readonly minProtocolVersion?: '3.0' | '3.2' | 'latest';
  readonly maxProtocolVersion?: '3.0' | '3.2' | 'latest';
  /** `true`/`database` (or any value the server accepts) asks for a replication connection. */
  readonly replication?: boolean | string;
  /** Further startup parameters (server settings), sent in the StartupMessage. */
  readonly parameters?: Readonly<Record<string, string>>;
}

type Kind = 'string' | 'list' | 'port' | 'bool' | 'int' | 'replication';

/** camelCase field → libpq keyword and how the value is written as a keyword value. */
const FIELDS = new Map<string, readonly [keyword: string, kind: Kind]>([
  ['host', ['host', 'list']],
  ['hostaddr', ['hostaddr', 'list']],
  ['port', ['port', 'port']],
  ['database', ['dbname', 'string']],
  ['user', ['user', 'string']],
  ['password', ['password', 'string']],
  ['passfile', ['passfile', 'string']],
  ['options', ['options', 'string']],
  ['applicationName', ['application_name', 'string']],
  ['fallbackApplicationName', ['fallback_application_name', 'string']],
  ['clientEncoding', ['client_encoding', 'string']],
  ['sslmode', ['sslmode', 'string']],
  ['sslnegotiation', ['sslnegotiation', 'string']],
  ['sslsni', ['sslsni', 'bool']],
  ['sslrootcert', ['sslrootcert', 'string']],
  ['sslcert', ['sslcert', 'string']],
  ['sslkey', ['sslkey', 'string']],
  ['sslpassword', ['sslpassword', 'string']],
  ['sslcrl', ['sslcrl', 'string']],
  ['sslcrldir', ['sslcrldir', 'string']],
  ['sslcertmode', ['sslcertmode', 'string']],
  ['sslMinProtocolVersion', ['ssl_min_protocol_version', 'string']],
  ['sslMaxProtocolVersion', ['ssl_max_protocol_version', 'string']],
  ['gssencmode', ['gssencmode', 'string']],
  ['channelBinding', ['channel_binding', 'string']],
  ['requireAuth', ['require_auth', 'list']],
  ['targetSessionAttrs', ['target_session_attrs', 'string']],
  ['loadBalanceHosts', ['load_balance_hosts', 'string']],
  ['keepalives', ['keepalives', 'bool']],
  ['keepalivesIdle', ['keepalives_idle', 'int']],
  ['keepalivesInterval', ['keepalives_interval', 'int']],
  ['keepalivesCount', ['keepalives_count', 'int']],
  ['tcpUserTimeout', ['tcp_user_timeout', 'int']],
  ['minProtocolVersion', ['min_protocol_version', 'string']],
  ['maxProtocolVersion', ['max_protocol_version', 'string']],
  ['replication', ['replication', 'replication']],
]);

/** What the options object contributes besides keywords. */
export interface InputExtras {
  connectTimeoutMs?: number;
  parameters?: ReadonlyArray<readonly [string, string]>;
}

function asString(field: string, v: unknown): string {
  if (typeof v !== 'string') configError(`option ${field} must be a string`);
  return v;
}

function asInt(field: string, v: unknown): string {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) configError(`option ${field} must be an integer`);
  return String(v);
}

function asList(field: string, v: unknown, item: (v: unknown) => string): string {
  if (!Array.isArray(v)) return item(v);
  if (v.length === 0) configError(`option ${field} must not be an empty array`);
  return v
    .map((x) => {
      const s = item(x);
      if (s.includes(',')) configError(`option ${field}: an array element must not contain ","`);
      return s;
    })
    .join(',');
}

/**
 * Writes the options object's settings into `values` (replacing what the string set), and returns
 * the settings that have no keyword form. Unknown fields and wrong types are ConfigErrors.
 */
export function applyInput(values: Map<string, string>, input: ConnectOptionsInput): InputExtras {
  if (typeof input !== 'object' || input === null) configError('connection options must be an object');
  const extras: InputExtras = {};
  for (const field of Object.keys(input)) {
    const v: unknown = (input as Record<string, unknown>)[field];
    if (v === undefined || v === null) continue;
    if (field === 'connectTimeoutMs') {
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
        configError('option connectTimeoutMs must be a non-negative integer');
      }
      extras.connectTimeoutMs = v;
      continue;
    }
    if (field === 'parameters') {
      if (typeof v !== 'object' || Array.isArray(v)) configError('option parameters must be an object of strings');
      extras.parameters = Object.entries(v as object).map(([key, value]) => [key, asString(`parameters.${key}`, value)] as const);
      continue;
    }
    const spec = FIELDS.get(field);
    if (spec === undefined) configError(`unknown connection option "${field}"`);
    const [keyword, kind] = spec;
    switch (kind) {
      case 'string':
        values.set(keyword, asString(field, v));
        break;
      case 'list':
        values.set(keyword, asList(field, v, (x) => asString(field, x)));
        break;
      case 'port':
        values.set(keyword, asList(field, v, (x) => (typeof x === 'number' ? asInt(field, x) : asString(field, x))));
        break;
      case 'int':
        values.set(keyword, asInt(field, v));
        break;
      case 'bool':
        if (typeof v !== 'boolean') configError(`option ${field} must be a boolean`);
        values.set(keyword, v ? '1' : '0');
        break;
      case 'replication':
        if (v === false) values.delete(keyword);
        else values.set(keyword, v === true ? 'true' : asString(field, v));
        break;
    }
  }
  return extras;
}
