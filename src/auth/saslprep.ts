/**
 * SASLprep (RFC 4013), the stringprep profile SCRAM applies to passwords, written here because the
 * npm package needs Node's `Buffer` and `zlib` to load its tables (this code must run in browsers).
 *
 * Two entry points:
 * - `saslprep(s)`: the RFC as written (stored-string profile: unassigned code points prohibited).
 * - `pgSaslprep(bytes)` / `scramPassword(pw)`: exactly what PostgreSQL does (src/common/saslprep.c,
 *   used by libpq's fe-auth-scram.c and by the server when it stores a SCRAM secret). The client
 *   must reproduce the server's preparation byte for byte, quirks included: pure-ASCII input is used
 *   unchanged, and when preparation fails the raw password bytes are used instead.
 */
import { ClientError, ErrorCode } from '../errors.js';
import {
  COMMONLY_MAPPED_TO_NOTHING,
  L_CAT,
  NON_ASCII_SPACE,
  PROHIBITED_OUTPUT,
  RAND_AL_CAT,
  UNASSIGNED,
} from './stringprep-tables.js';
import { utf8 } from './bytes.js';

const SPACE = 0x20;
const ASCII_LIMIT = 0x80;

/** True when `cp` lies in one of the inclusive `[first, last]` ranges of a sorted table. */
function inTable(table: readonly number[], cp: number): boolean {
  let lo = 0;
  let hi = table.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (cp < table[2 * mid]!) hi = mid - 1;
    else if (cp > table[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Step 1, mapping (RFC 4013 §2.1-2.2): non-ASCII spaces become U+0020, B.1 characters vanish. */
function map(codePoints: Iterable<number>): number[] {
  const out: number[] = [];
  for (const cp of codePoints) {
    if (inTable(NON_ASCII_SPACE, cp)) out.push(SPACE);
    else if (!inTable(COMMONLY_MAPPED_TO_NOTHING, cp)) out.push(cp);
  }
  return out;
}

/** Step 2, normalisation: Unicode NFKC. */
function nfkc(codePoints: readonly number[]): string {
  let s = '';
  for (const cp of codePoints) s += String.fromCodePoint(cp);
  return s.normalize('NFKC');
}

/** Steps 3-4: prohibited output, unassigned code points, and the RFC 3454 §6 bidi rules. */
function acceptable(codePoints: readonly number[]): boolean {
  let randAL = false;
  let l = false;
  for (const cp of codePoints) {
    if (inTable(PROHIBITED_OUTPUT, cp) || inTable(UNASSIGNED, cp)) return false;
    if (inTable(RAND_AL_CAT, cp)) randAL = true;
    else if (inTable(L_CAT, cp)) l = true;
  }
  if (!randAL) return true;
  return !l && inTable(RAND_AL_CAT, codePoints[0]!) && inTable(RAND_AL_CAT, codePoints[codePoints.length - 1]!);
}

function codePointsOf(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) out.push(ch.codePointAt(0)!);
  return out;
}

/**
 * RFC 4013 SASLprep of a string (stored-string profile). Throws `ClientError` PGS_INVALID_ARGUMENT
 * when the string contains a prohibited or unassigned character or breaks the bidi rules; the
 * message never repeats the input (it is usually a password).
 */
export function saslprep(input: string): string {
  const output = nfkc(map(codePointsOf(input)));
  if (!acceptable(codePointsOf(output))) {
    throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'SASLprep: the string contains a prohibited character (RFC 4013)');
  }
  return output;
}

/** What PostgreSQL's `pg_saslprep` concluded about a password. */
export type PgSaslprepResult =
  | { readonly status: 'success'; readonly bytes: Uint8Array }
  | { readonly status: 'prohibited' }
  | { readonly status: 'invalid-utf8' };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * PostgreSQL's `pg_saslprep` on password bytes: pure ASCII passes unchanged; invalid UTF-8 is
 * reported; otherwise map, reject an empty result, NFKC-normalise, and check the prohibited,
 * unassigned and bidi tables on the *mapped, not yet normalised* characters (as saslprep.c does).
 */
export function pgSaslprep(password: Uint8Array): PgSaslprepResult {
  if (password.every((b) => b < ASCII_LIMIT)) return { status: 'success', bytes: password.slice() };
  let text: string;
  try {
    text = strictUtf8.decode(password);
  } catch {
    return { status: 'invalid-utf8' };
  }
  const mapped = map(codePointsOf(text));
  if (mapped.length === 0 || !acceptable(mapped)) return { status: 'prohibited' };
  return { status: 'success', bytes: utf8(nfkc(mapped)) };
}

/**
 * The password bytes SCRAM hashes, as libpq chooses them (fe-auth-scram.c): the SASLprep'd form
 * when `pg_saslprep` succeeds, else the raw bytes. Strings are encoded as UTF-8 first (a lone
 * surrogate becomes U+FFFD, which SASLprep prohibits, so such a password is used raw). Always
 * returns a new array the caller may wipe; a caller-supplied array is never modified.
 */
export function scramPassword(password: string | Uint8Array): Uint8Array {
  const raw = typeof password === 'string' ? utf8(password) : password.slice();
  const prepared = pgSaslprep(raw);
  if (prepared.status !== 'success') return raw;
  raw.fill(0);
  return prepared.bytes;
}
