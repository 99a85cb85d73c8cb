/**
 * Client-side authentication policy, decided before anything is sent to the server:
 * - libpq's `require_auth` allow-list (libpq docs, "require_auth"; fe-connect.c and fe-auth.c
 *   check_expected_areq): which methods the server may ask for, and whether it may skip asking;
 * - `channel_binding=require`: only SCRAM may run, and it must end bound to the TLS channel;
 * - no cleartext password over a connection without TLS unless the caller explicitly allows it
 *   (a rule of this library, stricter than libpq).
 */
import { AuthError, ConfigError, ErrorCode } from '../errors.js';
import { printable } from './bytes.js';
import type { ChannelBindingMode } from './channel-binding.js';

/** Authentication methods, named as in `require_auth` (PostgreSQL 18 adds `oauth`). */
export type AuthMethod = 'password' | 'md5' | 'gss' | 'sspi' | 'scram-sha-256' | 'oauth';

/** Every method `require_auth` can name, besides the special `none`. */
export const AUTH_METHODS: readonly AuthMethod[] = ['password', 'md5', 'gss', 'sspi', 'scram-sha-256', 'oauth'];

const NONE = 'none';
const NEGATION = '!';

/** A parsed `require_auth` setting. */
export interface RequireAuth {
  /** The setting as written, for error messages. */
  readonly source: string;
  /** The methods the server may ask for. */
  readonly allowed: ReadonlySet<AuthMethod>;
  /** False when the server may let the client in without any exchange (`none` allowed). */
  readonly authRequired: boolean;
}

function invalid(message: string): ConfigError {
  return new ConfigError(ErrorCode.INVALID_CONNECTION_STRING, message);
}

/**
 * Parses `require_auth` exactly as libpq does: a comma-separated list (no spaces trimmed) of
 * methods that are all plain (the server must use one of them, and must authenticate unless
 * `none` is listed) or all negated with `!` (the server must not use them; `!none` makes
 * authentication mandatory). Duplicates, unknown names and mixed lists are ConfigError
 * PGS_INVALID_CONNECTION_STRING. An empty or absent setting means no restriction (null).
 */
export function parseRequireAuth(value: string | null | undefined): RequireAuth | null {
  if (value === null || value === undefined || value === '') return null;
  const parts = value.split(',');
  const negated = parts[0]!.startsWith(NEGATION);
  const allowed = new Set<AuthMethod>(negated ? AUTH_METHODS : []);
  let authRequired = !negated;
  for (const part of parts) {
    const isNegated = part.startsWith(NEGATION);
    const name = isNegated ? part.slice(1) : part;
    if (isNegated !== negated) {
      throw invalid(
        isNegated
          ? `negative require_auth method "${printable(name, 40)}" cannot be mixed with non-negative methods`
          : `require_auth method "${printable(name, 40)}" cannot be mixed with negative methods`,
      );
    }
    const duplicate = invalid(`require_auth method "${printable(part, 40)}" is specified more than once`);
    if (name === NONE) {
      // Plain lists start with authentication required, negated ones without: each may flip once.
      if (authRequired === negated) throw duplicate;
      authRequired = negated;
      continue;
    }
    const method = AUTH_METHODS.find((m) => m === name);
    if (method === undefined) throw invalid(`invalid require_auth value: "${printable(name, 40)}"`);
    if (allowed.has(method) !== negated) throw duplicate;
    if (negated) allowed.delete(method);
    else allowed.add(method);
  }
  return { source: value, allowed, authRequired };
}

/** Parses libpq's `channel_binding` setting (default `prefer` when absent). */
export function parseChannelBinding(value: string | null | undefined): ChannelBindingMode {
  if (value === null || value === undefined) return 'prefer';
  if (value === 'disable' || value === 'prefer' || value === 'require') return value;
  throw invalid(`invalid channel_binding value: "${printable(value, 40)}"`);
}

/** How libpq words each refused request (fe-auth.c, auth_method_description). */
const DESCRIPTION: Readonly<Record<AuthMethod, string>> = {
  password: 'server requested a cleartext password',
  md5: 'server requested a hashed password',
  gss: 'server requested GSSAPI authentication',
  sspi: 'server requested SSPI authentication',
  'scram-sha-256': 'server requested SCRAM-SHA-256 authentication',
  oauth: 'server requested OAUTHBEARER authentication',
};

function notAllowed(policy: RequireAuth, reason: string): AuthError {
  return new AuthError(
    ErrorCode.AUTH_METHOD_NOT_ALLOWED,
    `authentication method requirement "${printable(policy.source, 100)}" failed: ${reason}`,
  );
}

/** Refuses (AuthError PGS_AUTH_METHOD_NOT_ALLOWED) a method `require_auth` does not allow; null allows all. */
export function checkAuthAllowed(policy: RequireAuth | null, method: AuthMethod): void {
  if (policy !== null && !policy.allowed.has(method)) throw notAllowed(policy, DESCRIPTION[method]);
}

/**
 * Refuses (AuthError PGS_AUTH_CLEARTEXT_INSECURE) to send a cleartext password on a connection
 * without TLS, unless `allowCleartextOverPlaintext`. Pass `isTls` true for any transport the
 * caller knows to be confidential, too (a Unix socket, a GSS-encrypted channel).
 */
export function checkCleartextAllowed(method: AuthMethod, isTls: boolean, allowCleartextOverPlaintext: boolean): void {
  if (method === 'password' && !isTls && !allowCleartextOverPlaintext) {
    throw new AuthError(
      ErrorCode.AUTH_CLEARTEXT_INSECURE,
      'server requested a cleartext password over a connection without TLS; refusing to send it (allowCleartextOverPlaintext)',
    );
  }
}

/** Everything the client decides about authentication, gathered for the connection. */
export interface AuthPolicy {
  /** Parsed `require_auth`, or null for no restriction. */
  readonly requireAuth: RequireAuth | null;
  /** `channel_binding`. */
  readonly channelBinding: ChannelBindingMode;
  /** Whether a cleartext password may cross a connection without TLS (default false). */
  readonly allowCleartextOverPlaintext: boolean;
}

/** The defaults: no `require_auth`, `channel_binding=prefer`, no cleartext password without TLS. */
export const DEFAULT_AUTH_POLICY: AuthPolicy = {
  requireAuth: null,
  channelBinding: 'prefer',
  allowCleartextOverPlaintext: false,
};

/**
 * Called when the server asks for `method` (Authentication request), before answering it: applies
 * `require_auth`, then `channel_binding=require` (only SCRAM can bind: anything else is
 * PGS_CHANNEL_BINDING, so no password leaks to a server that skipped binding), then the cleartext
 * rule. For SASL requests, call it with the mechanism actually chosen ('scram-sha-256').
 */
export function checkAuthRequest(policy: AuthPolicy, method: AuthMethod, isTls: boolean): void {
  checkAuthAllowed(policy.requireAuth, method);
  if (policy.channelBinding === 'require' && method !== 'scram-sha-256') {
    throw new AuthError(
      ErrorCode.CHANNEL_BINDING,
      `channel binding required but not supported by server's authentication request (${DESCRIPTION[method]})`,
    );
  }
  checkCleartextAllowed(method, isTls, policy.allowCleartextOverPlaintext);
}

/** What had happened when AuthenticationOk arrived. */
export interface AuthOutcome {
  /**
   * `none`: the server asked for nothing (trust, cert, peer...); `incomplete`: an exchange began
   * but the client had not finished its part; `complete`: the client finished its part (sent the
   * password, or verified the SCRAM server signature).
   */
  readonly exchange: 'none' | 'incomplete' | 'complete';
  /** True only after SCRAM-SHA-256-PLUS verified the server (ScramClient.channelBound). */
  readonly channelBound: boolean;
}

/**
 * Called on AuthenticationOk (libpq check_expected_areq, AUTH_REQ_OK): with `require_auth` that does
 * not allow `none`, the server must have completed an exchange (PGS_AUTH_METHOD_NOT_ALLOWED); with
 * `channel_binding=require`, the exchange must have been channel-bound (PGS_CHANNEL_BINDING).
 * A SCRAM exchange cut short is refused independently by ScramClient.checkAuthenticationOk.
 */
export function checkAuthenticationOk(policy: AuthPolicy, outcome: AuthOutcome): void {
  const requireAuth = policy.requireAuth;
  if (requireAuth !== null && requireAuth.authRequired && outcome.exchange !== 'complete') {
    throw notAllowed(requireAuth, 'server did not complete authentication');
  }
  if (policy.channelBinding === 'require' && !outcome.channelBound) {
    throw new AuthError(
      ErrorCode.CHANNEL_BINDING,
      'channel binding required, but server authenticated client without channel binding',
    );
  }
}
