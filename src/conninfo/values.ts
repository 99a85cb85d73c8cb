/**
 * Validation of individual connection option values, with libpq's rules (pqConnectOptions2,
 * pqParseIntParam and friends in src/interfaces/libpq/fe-connect.c). Invalid values are reported by
 * keyword and the list of accepted values, never by quoting the value.
 */
import { ProtocolVersion } from '../protocol/codes.js';
import { configError, isCSpace } from './keywords.js';

/** libpq's sslmode values, weakest first. */
export const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
/** How TLS is negotiated (`sslmode`). */
export type SslMode = (typeof SSL_MODES)[number];

/** `postgres`: SSLRequest first; `direct`: TLS handshake at once with ALPN `postgresql` (PG 17+). */
export const SSL_NEGOTIATIONS = ['postgres', 'direct'] as const;
/** How TLS is started (`sslnegotiation`). */
export type SslNegotiation = (typeof SSL_NEGOTIATIONS)[number];

/** SCRAM channel binding policy. */
export const CHANNEL_BINDINGS = ['disable', 'prefer', 'require'] as const;
/** SCRAM channel binding policy (`channel_binding`). */
export type ChannelBinding = (typeof CHANNEL_BINDINGS)[number];

/** Which server in a host list is acceptable. */
export const TARGET_SESSION_ATTRS = ['any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby'] as const;
/** Which server in a host list is acceptable (`target_session_attrs`). */
export type TargetSessionAttrs = (typeof TARGET_SESSION_ATTRS)[number];

/** Whether hosts are tried in order or shuffled. */
export const LOAD_BALANCE_HOSTS = ['disable', 'random'] as const;
/** Whether hosts are tried in order or shuffled (`load_balance_hosts`). */
export type LoadBalanceHosts = (typeof LOAD_BALANCE_HOSTS)[number];

/** Whether a client certificate is sent. */
export const SSL_CERT_MODES = ['disable', 'allow', 'require'] as const;
/** Whether a client certificate is sent (`sslcertmode`). */
export type SslCertMode = (typeof SSL_CERT_MODES)[number];

/** GSSAPI encryption: pg-stream has no GSSAPI, so `prefer` behaves as `disable`; `require` is refused. */
export const GSS_ENC_MODES = ['disable', 'prefer', 'require'] as const;
/** GSSAPI encryption policy (`gssencmode`). */
export type GssEncMode = 'disable' | 'prefer';

/** TLS protocol versions, oldest first; the names are also Node's `tls` minVersion/maxVersion names. */
export const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
/** A TLS protocol version name (`ssl_min_protocol_version`, `ssl_max_protocol_version`). */
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** Authentication methods `require_auth` can name. */
export const REQUIRE_AUTH_METHODS = ['password', 'md5', 'gss', 'sspi', 'scram-sha-256', 'oauth'] as const;
/** An authentication method `require_auth` can name. */
export type RequireAuthMethod = (typeof REQUIRE_AUTH_METHODS)[number];

/**
 * The parsed `require_auth` policy: which authentication requests the client may answer, and
 * whether a server that asks for none (trust, cert) is acceptable.
 */
export interface RequireAuthPolicy {
  /** Methods the server may request; any other request is refused before anything is sent. */
  readonly methods: readonly RequireAuthMethod[];
  /** True when the server may skip authentication (libpq's `none`, or a `!`-list without `!none`). */
  readonly allowNone: boolean;
}

/** Checks an enumerated value; the message lists the accepted values and does not quote the input. */
export function oneOf<T extends string>(keyword: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  return configError(`invalid ${keyword} value (expected one of: ${allowed.join(', ')})`);
}

/**
 * libpq's pqParseIntParam: optional surrounding whitespace, an optional sign, decimal digits, within
 * the range of a C int. Anything else (including the empty string) is an error.
 */
export function parseIntParam(keyword: string, value: string): number {
  let a = 0;
  let b = value.length;
  while (a < b && isCSpace(value.charCodeAt(a))) a++;
  while (b > a && isCSpace(value.charCodeAt(b - 1))) b--;
  const body = value.slice(a, b);
  if (!/^[+-]?[0-9]+$/.test(body)) configError(`invalid integer value for connection option "${keyword}"`);
  const n = Number(body);
  if (n > 2147483647 || n < -2147483648) configError(`integer value out of range for connection option "${keyword}"`);
  return n;
}

/** A port number: 1..65535 (libpq: "invalid port number"). */
export function parsePort(value: string): number {
  const n = parseIntParam('port', value);
  if (n < 1 || n > 65535) configError('invalid port number (expected 1 to 65535)');
  return n;
}

/** `3.0` and `3.2` by name, `latest` = the newest this library speaks (3.2). */
export function parseProtocolVersion(keyword: string, value: string): ProtocolVersion {
  switch (value) {
    case '3.0':
      return ProtocolVersion.V3_0;
    case '3.2':
    case 'latest':
      return ProtocolVersion.V3_2;
    default:
      return configError(`invalid ${keyword} value (expected one of: 3.0, 3.2, latest)`);
  }
}

/**
 * libpq's require_auth grammar: a comma-separated list of methods, all plain (an allow-list) or all
 * negated with `!` (a deny-list); `none` (or `!none`) toggles whether unauthenticated servers are
 * acceptable; a method listed twice is an error, as a likely typo in a security setting.
 */
export function parseRequireAuth(value: string): RequireAuthPolicy {
  const parts = value.split(',');
  const negated = parts[0]!.startsWith('!');
  const allowed = new Set<RequireAuthMethod>(negated ? REQUIRE_AUTH_METHODS : []);
  let allowNone = negated;
  const seen = new Set<string>();
  for (const part of parts) {
    const isNegated = part.startsWith('!');
    if (isNegated !== negated) {
      configError('require_auth cannot mix negated ("!") and plain methods');
    }
    const method = isNegated ? part.slice(1) : part;
    if (method !== 'none' && !(REQUIRE_AUTH_METHODS as readonly string[]).includes(method)) {
      configError(`invalid require_auth method (expected: ${REQUIRE_AUTH_METHODS.join(', ')}, none, each optionally prefixed with "!")`);
    }
    if (seen.has(method)) configError(`require_auth method "${method}" is specified more than once`);
    seen.add(method);
    if (method === 'none') {
      allowNone = !negated;
    } else if (negated) {
      allowed.delete(method as RequireAuthMethod);
    } else {
      allowed.add(method as RequireAuthMethod);
    }
  }
  return Object.freeze({
    methods: Object.freeze(REQUIRE_AUTH_METHODS.filter((m) => allowed.has(m))),
    allowNone,
  });
}

/** libpq's is_unixsock_path: an absolute path, or `@name` for Linux's abstract socket namespace. */
export function isUnixSocketPath(host: string): boolean {
  return host.startsWith('/') || host.startsWith('@');
}
