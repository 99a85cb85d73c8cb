/**
 * The connection keywords pg-stream understands, with libpq's environment fallbacks, and the
 * error constructor every conninfo module shares.
 *
 * Reference: libpq's `PQconninfoOptions[]` table (src/interfaces/libpq/fe-connect.c) and
 * https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-PARAMKEYWORDS (parameter key
 * words) and https://www.postgresql.org/docs/current/libpq-envars.html (environment variables).
 */
import { ConfigError, ErrorCode } from '../errors.js';

/** How one keyword behaves: its environment fallback, whether it is a secret, whether it is refused. */
export interface KeywordSpec {
  /** The PG* environment variable consulted when neither the options nor the string set it. */
  readonly env?: string;
  /** The value is a secret: never echoed, masked by `redactConnectionString`. */
  readonly secret?: boolean;
  /**
   * libpq knows the keyword but pg-stream cannot honour it; silently ignoring it could weaken
   * security or connect somewhere unexpected, so setting it is an error.
   */
  readonly unsupported?: boolean;
}

const k = (env?: string, extra?: Omit<KeywordSpec, 'env'>): KeywordSpec =>
  Object.freeze({ ...(env === undefined ? {} : { env }), ...extra });

/**
 * Every keyword, in libpq's table order. A `Map` (not an object literal) so that a keyword such as
 * `__proto__` or `constructor` can never hit a prototype.
 */
export const KEYWORDS: ReadonlyMap<string, KeywordSpec> = new Map<string, KeywordSpec>([
  ['user', k('PGUSER')],
  ['password', k('PGPASSWORD', { secret: true })],
  ['passfile', k('PGPASSFILE')],
  ['channel_binding', k('PGCHANNELBINDING')],
  ['connect_timeout', k('PGCONNECT_TIMEOUT')],
  ['dbname', k('PGDATABASE')],
  ['host', k('PGHOST')],
  ['hostaddr', k('PGHOSTADDR')],
  ['port', k('PGPORT')],
  ['client_encoding', k('PGCLIENTENCODING')],
  ['options', k('PGOPTIONS')],
  ['application_name', k('PGAPPNAME')],
  ['fallback_application_name', k()],
  ['keepalives', k()],
  ['keepalives_idle', k()],
  ['keepalives_interval', k()],
  ['keepalives_count', k()],
  ['tcp_user_timeout', k()],
  ['sslmode', k('PGSSLMODE')],
  ['sslnegotiation', k('PGSSLNEGOTIATION')],
  // Obsolete in libpq (TLS compression is gone); accepted and ignored, as libpq does.
  ['sslcompression', k('PGSSLCOMPRESSION')],
  ['sslcert', k('PGSSLCERT')],
  ['sslkey', k('PGSSLKEY')],
  ['sslcertmode', k('PGSSLCERTMODE')],
  ['sslpassword', k(undefined, { secret: true })],
  ['sslrootcert', k('PGSSLROOTCERT')],
  ['sslcrl', k('PGSSLCRL')],
  ['sslcrldir', k('PGSSLCRLDIR')],
  ['sslsni', k('PGSSLSNI')],
  ['require_auth', k('PGREQUIREAUTH')],
  ['ssl_min_protocol_version', k('PGSSLMINPROTOCOLVERSION')],
  ['ssl_max_protocol_version', k('PGSSLMAXPROTOCOLVERSION')],
  ['min_protocol_version', k('PGMINPROTOCOLVERSION')],
  ['max_protocol_version', k('PGMAXPROTOCOLVERSION')],
  ['gssencmode', k('PGGSSENCMODE')],
  // GSSAPI is not implemented: these only tune it, so they are accepted and have no effect.
  ['krbsrvname', k('PGKRBSRVNAME')],
  ['gsslib', k('PGGSSLIB')],
  ['gssdelegation', k('PGGSSDELEGATION')],
  ['replication', k()],
  ['target_session_attrs', k('PGTARGETSESSIONATTRS')],
  ['load_balance_hosts', k('PGLOADBALANCEHOSTS')],
  // Known to libpq, refused here: service files, peer checks and OAuth are not implemented.
  ['service', k(undefined, { unsupported: true })],
  ['requirepeer', k(undefined, { unsupported: true })],
  ['oauth_issuer', k(undefined, { unsupported: true })],
  ['oauth_client_id', k(undefined, { unsupported: true })],
  ['oauth_client_secret', k(undefined, { unsupported: true, secret: true })],
  ['oauth_scope', k(undefined, { unsupported: true })],
]);

/** Throws the one error type connection-string problems produce. Messages never quote input text. */
export function configError(message: string): never {
  throw new ConfigError(ErrorCode.INVALID_CONNECTION_STRING, message);
}

/** C's isspace() in the "C" locale: what libpq skips between keywords and values. */
export function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** Levenshtein distance, bounded: enough to suggest a keyword for a typo. */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Rejects an unknown or unsupported keyword. The unknown keyword itself is not quoted (it may be a
 * fragment of a mistyped password); a known keyword within two edits is suggested instead.
 */
export function checkKeyword(keyword: string, where: string): KeywordSpec {
  const spec = KEYWORDS.get(keyword);
  if (spec?.unsupported) {
    configError(`connection option "${keyword}" ${where} is not supported by pg-stream`);
  }
  if (spec !== undefined) return spec;
  let hint = '';
  if (keyword.length <= 40 && /^[A-Za-z_]+$/.test(keyword)) {
    for (const known of KEYWORDS.keys()) {
      if (distance(keyword.toLowerCase(), known) <= 2) {
        hint = ` (did you mean "${known}"?)`;
        break;
      }
    }
  }
  return configError(`invalid connection option ${where}${hint}`);
}
