import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AUTH_METHODS,
  DEFAULT_AUTH_POLICY,
  checkAuthAllowed,
  checkAuthRequest,
  checkAuthenticationOk,
  checkCleartextAllowed,
  parseChannelBinding,
  parseRequireAuth,
  type AuthMethod,
  type AuthPolicy,
} from '../../src/auth/policy.js';
import { AuthError, ConfigError, PgStreamError } from '../../src/errors.js';

const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PgStreamError);
    return (e as PgStreamError).code;
  }
  return 'ok';
};

describe('parseRequireAuth (libpq semantics)', () => {
  it('absent or empty means no restriction', () => {
    expect(parseRequireAuth(undefined)).toBeNull();
    expect(parseRequireAuth(null)).toBeNull();
    expect(parseRequireAuth('')).toBeNull();
  });
  it('a plain list allows exactly those methods and requires authentication', () => {
    const p = parseRequireAuth('password,md5,scram-sha-256,gss,sspi')!;
    expect([...p.allowed].sort()).toEqual(['gss', 'md5', 'password', 'scram-sha-256', 'sspi']);
    expect(p.authRequired).toBe(true);
    expect(p.source).toBe('password,md5,scram-sha-256,gss,sspi');
  });
  it('none in a plain list lets the server skip authentication', () => {
    const p = parseRequireAuth('scram-sha-256,none')!;
    expect([...p.allowed]).toEqual(['scram-sha-256']);
    expect(p.authRequired).toBe(false);
    expect(parseRequireAuth('none')!.allowed.size).toBe(0);
  });
  it('a negated list allows everything else and does not require authentication', () => {
    const p = parseRequireAuth('!md5,!password')!;
    expect([...p.allowed].sort()).toEqual(['gss', 'oauth', 'scram-sha-256', 'sspi']);
    expect(p.authRequired).toBe(false);
  });
  it('!none requires authentication by any method', () => {
    const p = parseRequireAuth('!none')!;
    expect(p.allowed.size).toBe(AUTH_METHODS.length);
    expect(p.authRequired).toBe(true);
  });
  it('refuses mixing plain and negated methods, in either order', () => {
    expect(() => parseRequireAuth('md5,!password')).toThrow(/cannot be mixed with non-negative/);
    expect(() => parseRequireAuth('!md5,password')).toThrow(/cannot be mixed with negative/);
  });
  it('refuses duplicates, including none and !none', () => {
    for (const v of ['md5,md5', '!md5,!md5', 'none,none', '!none,!none', 'scram-sha-256,password,scram-sha-256']) {
      expect(() => parseRequireAuth(v), v).toThrow(/more than once/);
    }
  });
  it('refuses unknown methods, empty items and spaces (libpq does not trim)', () => {
    for (const v of ['md6', 'md5,', ',md5', 'md5, password', 'SCRAM-SHA-256', 'creds', '!', 'md5,,password']) {
      let error: unknown;
      try {
        parseRequireAuth(v);
      } catch (e) {
        error = e;
      }
      expect(error, v).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).code).toBe('PGS_INVALID_CONNECTION_STRING');
    }
  });
  it('accepts oauth (PostgreSQL 18)', () => {
    expect([...parseRequireAuth('oauth')!.allowed]).toEqual(['oauth']);
  });
  it('never throws anything but ConfigError (property)', () => {
    const word = fc.constantFrom('password', 'md5', 'gss', 'sspi', 'scram-sha-256', 'oauth', 'none', '!md5', '!none', '!oauth', 'x', '');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(word, { maxLength: 6 }).map((w) => w.join(','))), (s) => {
        try {
          const p = parseRequireAuth(s);
          if (p !== null) for (const m of p.allowed) expect(AUTH_METHODS).toContain(m);
        } catch (e) {
          expect(e).toBeInstanceOf(ConfigError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseChannelBinding', () => {
  it('defaults to prefer and accepts the three values', () => {
    expect(parseChannelBinding(undefined)).toBe('prefer');
    for (const v of ['disable', 'prefer', 'require'] as const) expect(parseChannelBinding(v)).toBe(v);
  });
  it('refuses anything else', () => {
    expect(() => parseChannelBinding('Require')).toThrow(ConfigError);
    expect(() => parseChannelBinding('')).toThrow(ConfigError);
  });
});

describe('checkAuthAllowed', () => {
  it('allows everything without require_auth', () => {
    for (const m of AUTH_METHODS) expect(() => checkAuthAllowed(null, m)).not.toThrow();
  });
  it('refuses methods outside the list with PGS_AUTH_METHOD_NOT_ALLOWED and libpq wording', () => {
    const p = parseRequireAuth('scram-sha-256');
    expect(codeOf(() => checkAuthAllowed(p, 'scram-sha-256'))).toBe('ok');
    for (const m of ['password', 'md5', 'gss', 'sspi', 'oauth'] as AuthMethod[]) {
      expect(codeOf(() => checkAuthAllowed(p, m))).toBe('PGS_AUTH_METHOD_NOT_ALLOWED');
    }
    expect(() => checkAuthAllowed(p, 'md5')).toThrow('authentication method requirement "scram-sha-256" failed: server requested a hashed password');
    expect(() => checkAuthAllowed(p, 'password')).toThrow(/cleartext password/);
  });
  it('refuses negated methods only', () => {
    const p = parseRequireAuth('!password,!md5');
    expect(codeOf(() => checkAuthAllowed(p, 'password'))).toBe('PGS_AUTH_METHOD_NOT_ALLOWED');
    expect(codeOf(() => checkAuthAllowed(p, 'md5'))).toBe('PGS_AUTH_METHOD_NOT_ALLOWED');
    expect(codeOf(() => checkAuthAllowed(p, 'scram-sha-256'))).toBe('ok');
  });
});

describe('checkCleartextAllowed', () => {
  it('refuses a cleartext password without TLS unless explicitly allowed', () => {
    expect(codeOf(() => checkCleartextAllowed('password', false, false))).toBe('PGS_AUTH_CLEARTEXT_INSECURE');
    expect(codeOf(() => checkCleartextAllowed('password', false, true))).toBe('ok');
    expect(codeOf(() => checkCleartextAllowed('password', true, false))).toBe('ok');
  });
  it('does not concern other methods', () => {
    for (const m of ['md5', 'scram-sha-256', 'gss'] as AuthMethod[]) expect(codeOf(() => checkCleartextAllowed(m, false, false))).toBe('ok');
  });
});

describe('checkAuthRequest (before anything is sent)', () => {
  const policy = (over: Partial<AuthPolicy>): AuthPolicy => ({ ...DEFAULT_AUTH_POLICY, ...over });
  it('defaults: everything but cleartext-over-plaintext', () => {
    expect(codeOf(() => checkAuthRequest(DEFAULT_AUTH_POLICY, 'md5', false))).toBe('ok');
    expect(codeOf(() => checkAuthRequest(DEFAULT_AUTH_POLICY, 'scram-sha-256', false))).toBe('ok');
    expect(codeOf(() => checkAuthRequest(DEFAULT_AUTH_POLICY, 'password', true))).toBe('ok');
    expect(codeOf(() => checkAuthRequest(DEFAULT_AUTH_POLICY, 'password', false))).toBe('PGS_AUTH_CLEARTEXT_INSECURE');
  });
  it('require_auth is applied first', () => {
    const p = policy({ requireAuth: parseRequireAuth('md5'), allowCleartextOverPlaintext: true });
    expect(codeOf(() => checkAuthRequest(p, 'password', false))).toBe('PGS_AUTH_METHOD_NOT_ALLOWED');
    expect(codeOf(() => checkAuthRequest(p, 'md5', false))).toBe('ok');
  });
  it('channel_binding=require allows only SCRAM', () => {
    const p = policy({ channelBinding: 'require', allowCleartextOverPlaintext: true });
    expect(codeOf(() => checkAuthRequest(p, 'scram-sha-256', true))).toBe('ok');
    for (const m of ['password', 'md5', 'gss', 'sspi', 'oauth'] as AuthMethod[]) {
      expect(codeOf(() => checkAuthRequest(p, m, true))).toBe('PGS_CHANNEL_BINDING');
    }
  });
});

describe('checkAuthenticationOk', () => {
  const policy = (over: Partial<AuthPolicy>): AuthPolicy => ({ ...DEFAULT_AUTH_POLICY, ...over });
  const none = { exchange: 'none', channelBound: false } as const;
  const complete = { exchange: 'complete', channelBound: false } as const;
  const bound = { exchange: 'complete', channelBound: true } as const;
  it('without require_auth a server may skip authentication (trust)', () => {
    expect(codeOf(() => checkAuthenticationOk(DEFAULT_AUTH_POLICY, none))).toBe('ok');
  });
  it('require_auth without none: the server must have completed an exchange', () => {
    const p = policy({ requireAuth: parseRequireAuth('scram-sha-256') });
    expect(codeOf(() => checkAuthenticationOk(p, none))).toBe('PGS_AUTH_METHOD_NOT_ALLOWED');
    expect(codeOf(() => checkAuthenticationOk(p, { exchange: 'incomplete', channelBound: false }))).toBe('PGS_AUTH_METHOD_NOT_ALLOWED');
    expect(codeOf(() => checkAuthenticationOk(p, complete))).toBe('ok');
    expect(() => checkAuthenticationOk(p, none)).toThrow(/server did not complete authentication/);
  });
  it('require_auth with none, or negated without !none, allows trust', () => {
    expect(codeOf(() => checkAuthenticationOk(policy({ requireAuth: parseRequireAuth('md5,none') }), none))).toBe('ok');
    expect(codeOf(() => checkAuthenticationOk(policy({ requireAuth: parseRequireAuth('!password') }), none))).toBe('ok');
    expect(codeOf(() => checkAuthenticationOk(policy({ requireAuth: parseRequireAuth('!none') }), none))).toBe('PGS_AUTH_METHOD_NOT_ALLOWED');
  });
  it('channel_binding=require refuses any unbound success', () => {
    const p = policy({ channelBinding: 'require' });
    expect(codeOf(() => checkAuthenticationOk(p, none))).toBe('PGS_CHANNEL_BINDING');
    expect(codeOf(() => checkAuthenticationOk(p, complete))).toBe('PGS_CHANNEL_BINDING');
    expect(codeOf(() => checkAuthenticationOk(p, bound))).toBe('ok');
  });
  it('errors are fatal AuthErrors', () => {
    let error: unknown;
    try {
      checkAuthenticationOk(policy({ channelBinding: 'require' }), none);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AuthError);
    expect((error as AuthError).fatal).toBe(true);
  });
});
