import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConnectionString, redactConnectionString } from '../../src/conninfo/conninfo.js';
import { resolveConnectOptions } from '../../src/transport/node/local-facts.js';
import { ConfigError, ErrorCode } from '../../src/errors.js';

/** Runs `fn`; it must succeed or throw a ConfigError with the stable code. Returns the error, if any. */
function outcome(fn: () => unknown): ConfigError | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (!(e instanceof ConfigError) || e.code !== ErrorCode.INVALID_CONNECTION_STRING) throw e;
    return e;
  }
}

/** Fragments that steer random strings into every branch of both grammars. */
const fragment = fc.constantFrom(
  'postgresql://', 'postgres://', 'host', 'hostaddr', 'port', 'user', 'password', 'dbname', 'sslmode', 'require',
  'verify-full', 'direct', 'sslnegotiation', 'connect_timeout', 'require_auth', '!md5', 'none', 'min_protocol_version',
  '3.2', 'latest', '=', "'", '\\', ' ', '\t', '%', '%2', '%2F', '%00', '%C3', '%zz', '[', ']', '::1', ':', '@', '/', '?',
  '&', ',', 'x', '5432', '0', '65536', '-1', '127.0.0.1', 'ssl=true', 'requiressl', 'service', '\0', 'é', '\uD800',
);
const grammarString = fc.array(fragment, { maxLength: 24 }).map((parts) => parts.join(''));
const anyString = fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), grammarString);

describe('connection strings: property tests', () => {
  it('any string parses or fails with ConfigError, never another exception', () => {
    let failures = 0;
    let successes = 0;
    fc.assert(
      fc.property(anyString, (s) => {
        outcome(() => parseConnectionString(s));
        if (outcome(() => resolveConnectOptions(s, undefined, {})) === undefined) successes++;
        else failures++;
        expect(typeof redactConnectionString(s)).toBe('string');
      }),
      { numRuns: 3000 },
    );
    // Both outcomes must be exercised, or the property says nothing.
    expect(failures).toBeGreaterThan(300);
    expect(successes).toBeGreaterThan(100);
  });

  it('any PG* environment resolves or fails with ConfigError', () => {
    const variable = fc.constantFrom(
      'PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGUSER', 'PGDATABASE', 'PGSSLMODE', 'PGSSLNEGOTIATION', 'PGCHANNELBINDING',
      'PGREQUIREAUTH', 'PGMAXPROTOCOLVERSION', 'PGMINPROTOCOLVERSION', 'PGCONNECT_TIMEOUT', 'PGSSLSNI', 'PGGSSENCMODE',
      'PGREQUIRESSL', 'PGSSLROOTCERT', 'PGTZ',
    );
    fc.assert(
      fc.property(fc.dictionary(variable, anyString, { maxKeys: 6 }), grammarString, (env, s) => {
        outcome(() => resolveConnectOptions(s, undefined, env));
      }),
      { numRuns: 2000 },
    );
  });

  // A password with a marker between every two characters: any echo of three or more consecutive
  // characters of it contains the marker, and nothing this library writes ever contains the marker.
  const MARK = '\u2603';
  const password = fc
    .array(fc.oneof(fc.constantFrom('@', '/', '?', ':', '&', '=', '#', '%', ' ', "'", '\\', ',', '['), fc.string({ minLength: 1, maxLength: 2 })), { minLength: 1, maxLength: 8 })
    .map((parts) => MARK + parts.join(MARK) + MARK);
  const leaks = (text: string): boolean => text.includes(MARK) || text.toLowerCase().includes('%e2%98%83');
  const quoteKv = (v: string): string => `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const escapeKv = (v: string): string => v.replace(/[\\'\s]/g, (c) => `\\${c}`);

  /** Well-formed placements of the password: redaction must hide it completely. */
  const wellFormed = fc.tuple(password, fc.integer({ min: 0, max: 5 })).map(([pw, kind]) => {
    switch (kind) {
      case 0: return `postgresql://user:${encodeURIComponent(pw)}@host:5432/db?sslmode=require`;
      case 1: return `postgresql://user:${pw.replace(/%/g, '%25')}@host/db`;
      case 2: return `postgres://host/db?password=${encodeURIComponent(pw)}&application_name=x`;
      case 3: return `host=h password=${quoteKv(pw)} dbname=d`;
      case 4: return `password=${escapeKv(pw)} sslpassword=${quoteKv(pw)}`;
      default: return `host=h sslpassword = ${quoteKv(pw)}`;
    }
  });

  it('redaction hides well-formed passwords completely', () => {
    fc.assert(
      fc.property(wellFormed, (s) => {
        expect(leaks(redactConnectionString(s)), s).toBe(false);
      }),
      { numRuns: 3000 },
    );
  });

  it('error messages never contain the password, wherever it sits in a broken string', () => {
    let failures = 0;
    const broken = fc.tuple(wellFormed, fc.array(fc.tuple(fc.nat(), grammarString), { maxLength: 3 })).map(([s, inserts]) => {
      let out = s;
      for (const [at, text] of inserts) {
        // Insert garbage anywhere except inside the password itself.
        let pos = at % (out.length + 1);
        const first = out.indexOf(MARK);
        const last = out.lastIndexOf(MARK);
        if (first >= 0 && pos > first && pos <= last) pos = first;
        out = out.slice(0, pos) + text + out.slice(pos);
      }
      return out;
    });
    fc.assert(
      fc.property(broken, password, (s, envPassword) => {
        if (outcome(() => resolveConnectOptions(s, undefined, {})) !== undefined) failures++;
        const env = { PGPASSWORD: envPassword, PGSSLMODE: 'bogus' };
        for (const e of [
          outcome(() => parseConnectionString(s)),
          outcome(() => resolveConnectOptions(s, undefined, {})),
          outcome(() => resolveConnectOptions(s, undefined, env)),
          outcome(() => resolveConnectOptions(s, { password: envPassword, port: 0 }, env)),
        ]) {
          if (e === undefined) continue;
          expect(leaks(e.message), e.message).toBe(false);
          expect(leaks(String(e.stack))).toBe(false);
          expect(e.cause).toBeUndefined();
        }
      }),
      { numRuns: 2000 },
    );
    expect(failures).toBeGreaterThan(200);
  });

  it('parses what it is given back: key=value quoting round-trips any value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }).filter((v) => !v.includes('\0')), (v) => {
        expect(parseConnectionString(`options=${quoteKv(v)}`).get('options')).toBe(v);
        // Unquoted, an empty value would swallow the next token (libpq skips blanks after "=").
        if (v !== '') expect(parseConnectionString(`options=${escapeKv(v)} host=h`).get('options')).toBe(v);
      }),
      { numRuns: 1000 },
    );
  });

  it('parses what it is given back: URI percent-encoding round-trips any value', () => {
    const value = fc.string({ unit: 'grapheme', maxLength: 30 }).filter((v) => !v.includes('\0') && v !== '');
    fc.assert(
      fc.property(value, value, value, (user, pw, db) => {
        const parsed = parseConnectionString(
          `postgresql://${encodeURIComponent(user)}:${encodeURIComponent(pw)}@h/${encodeURIComponent(db)}?application_name=${encodeURIComponent(pw)}`,
        );
        expect(parsed.get('user')).toBe(user);
        expect(parsed.get('password')).toBe(pw);
        expect(parsed.get('dbname')).toBe(db);
        expect(parsed.get('application_name')).toBe(pw);
      }),
      { numRuns: 1000 },
    );
  });
});
