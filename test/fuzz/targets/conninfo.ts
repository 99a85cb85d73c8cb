/**
 * The connection-string parser (both grammars, through resolveConnectOptions) and the password file
 * reader, on mutated valid inputs that hold a password. The password itself is never edited, so it
 * stays a password wherever the edits put it: no error message, stack or redacted string may show
 * it (RELIABILITY.md: "never echoing a password"), and the redacted string, read back, holds none; the password file reader never throws on content
 * and only ever returns a password the file holds.
 */
import fc from 'fast-check';
import { parseConnectionString, redactConnectionString } from '../../../src/conninfo/conninfo.js';
import { lookupPassfile } from '../../../src/conninfo/passfile.js';
import { ErrorCode } from '../../../src/errors.js';
import { resolveConnectOptions } from '../../../src/transport/node/local-facts.js';
import { check, Finding, outcomeOf, target } from '../target.js';

const PW = 'Pw§SENTINEL§pW';
/** Valid strings; «…» marks what edits never touch: the password with what makes it one (its keyword, quotes, the user info's ':' and '@'). */
const PLACES = [
  `postgresql://«alice:${encodeURIComponent(PW)}@»db.example:5433/app?sslmode=require&application_name=x`,
  `postgres://«alice:${encodeURIComponent(PW)}@»[::1],h2:5432/app`,
  `postgresql:///app?host=/tmp&«password=${encodeURIComponent(PW)}»&connect_timeout=5`,
  `host=h port=5432 «password='${PW}'» dbname=d sslmode=verify-full`,
  `«password=${PW}» user=alice require_auth=scram-sha-256 «sslpassword='${PW}'»`,
  `host=a,b port=1,2 target_session_attrs=read-write «password = '${PW}'»`,
];
const TOKENS = ['', ' ', '=', "'", '\\', '%', '%2', '%zz', '%00', '@', ':', '/', '?', '&', ',', '[', ']', 'host', 'port', 'password', 'x=y', '65536', '-1', '\0', 'é', 'postgresql://', 'sslmode=', 'bogus'];

/** A string with edits anywhere but inside the marked spans. */
const conninfo = fc.tuple(fc.nat(PLACES.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom(...TOKENS)), { maxLength: 4 })).map(([which, edits]) => {
  let s = PLACES[which]!;
  for (const [at, drop, insert] of edits) {
    const spans = [...s.matchAll(/«[^»]*»/g)].map((m) => [m.index, m.index + m[0].length] as const);
    let i = s.length === 0 ? 0 : at % (s.length + 1);
    let d = drop;
    for (const [a, b] of spans) {
      if (i > a && i < b) i = a;
      if (i <= a && i + d > a) d = a - i;
    }
    s = s.slice(0, i) + insert + s.slice(i + d);
  }
  return s.replace(/[«»]/g, '');
});

function noPassword(text: string, where: string): void {
  if (text.includes('SENTINEL')) throw new Finding(`the password shows in ${where}: ${text.slice(0, 300)}`);
}

export const conninfoStrings = target({
  name: 'conninfo',
  about: 'parseConnectionString, resolveConnectOptions and redactConnectionString on edited connection strings and URIs holding a password',
  arbitrary: conninfo,
  run: (s) => {
    const calls = [() => parseConnectionString(s), () => resolveConnectOptions(s, undefined, {}), () => resolveConnectOptions(s, { password: PW }, { PGPASSWORD: PW })];
    const outcomes = calls.map((fn) => outcomeOf(fn));
    outcomes.forEach((o, k) => {
      if (o === 'ok') return;
      check(o === ErrorCode.INVALID_CONNECTION_STRING, `a connection string error with code ${o}`);
      try {
        calls[k]!();
      } catch (e) {
        noPassword((e as Error).message, 'an error message');
        noPassword(String((e as Error).stack), 'an error stack');
        check((e as Error).cause === undefined, 'a connection string error with a cause');
      }
    });
    const outcome = outcomes[1]!;
    // Whatever the parser takes for a password (edits may turn the password into something else,
    // e.g. a port when the '@' goes, or a value a later duplicate keyword overrides) is masked:
    // read back, the redacted string holds no password.
    const redacted = redactConnectionString(s);
    if (outcomes[0] === 'ok' && outcomeOf(() => parseConnectionString(redacted)) === 'ok') {
      const back = parseConnectionString(redacted);
      for (const k of ['password', 'sslpassword']) noPassword(back.get(k) ?? '', `the ${k} of the redacted string (${redacted})`);
    }
    return outcome;
  },
  testRuns: 1_500,
  reaches: ['ok', ErrorCode.INVALID_CONNECTION_STRING],
});

const PASSFILE = [
  '# comment',
  'db.example:5433:app:alice:first\\:pw',
  '*:*:*:bob:' + PW,
  'localhost:5432:*:*:star\\\\pw',
  'h\\:x:1:d:u:colon-host',
].join('\n');
const KEYS = [
  { host: 'db.example', port: 5433, database: 'app', user: 'alice' },
  { host: 'x', port: 1, database: 'y', user: 'bob' },
  { host: 'localhost', port: 5432, database: 'z', user: 'carol' },
  { host: 'h:x', port: 1, database: 'd', user: 'u' },
];

export const passfile = target({
  name: 'passfile',
  about: 'lookupPassfile on edited password files (escapes, colons, CR/LF, comments, wildcards)',
  arbitrary: fc.tuple(fc.nat(KEYS.length - 1), fc.array(fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom('', ':', '\\', '\\:', '*', '#', '\n', '\r\n', '\r', ' ', 'x', '5432', '\0')), { maxLength: 5 })).map(([key, edits]) => {
    let text = PASSFILE;
    for (const [at, drop, insert] of edits) {
      const i = at % (text.length + 1);
      text = text.slice(0, i) + insert + text.slice(i + drop);
    }
    return { key, text };
  }),
  run: ({ key, text }) => {
    const found = lookupPassfile(text, KEYS[key]!);
    if (found === undefined) return 'none';
    // Unescaped, a password is made of characters of the file.
    check([...found].every((c) => text.includes(c)), `a password with characters the file does not hold: ${JSON.stringify(found)}`);
    return 'found';
  },
  testRuns: 3_000,
  reaches: ['found', 'none'],
  minCodes: 0,
});
