/**
 * Masking secrets in connection strings before they reach a log, an error or a trace. It never
 * throws and errs on the side of hiding too much: on malformed input it masks everything after the
 * first secret keyword, and in a URI everything between the first ":" of the user info and the last
 * "@" of the authority.
 */
import { isCSpace, KEYWORDS } from './keywords.js';
import { uriPrefixLength } from './parse.js';

/** What replaces a secret. */
export const MASK = '****';

function isSecret(keyword: string): boolean {
  return KEYWORDS.get(keyword)?.secret === true;
}

/** Percent-decodes leniently (malformed escapes stay as they are) to recognise a keyword. */
function lenientDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Returns the connection string with every password (URI user info, `password`, `sslpassword` and
 * other secret keywords, in either syntax) replaced by `****`. Safe to call on any string.
 */
export function redactConnectionString(s: string): string {
  if (typeof s !== 'string') return '';
  const prefix = uriPrefixLength(s);
  return prefix > 0 ? redactUri(s, prefix) : redactKeywordValue(s);
}

/**
 * Masks, over the original string, (a) the user-info password: everything between the first ":"
 * after the scheme and the last "@" (over-masking when "@" also appears later, but never leaking a
 * password that holds an unencoded "@", "/" or "?"), and (b) the value of every secret keyword
 * found after any "?" or "&" (a superset of the query parameters libpq would see).
 */
function redactUri(s: string, prefix: number): string {
  const n = s.length;
  const spans: [number, number][] = [];
  const at = s.lastIndexOf('@');
  const colon = s.indexOf(':', prefix);
  if (at > prefix && colon >= 0 && colon < at) spans.push([colon + 1, at]);
  for (let j = prefix; j < n; j++) {
    if (s[j] !== '?' && s[j] !== '&') continue;
    let end = j + 1;
    while (end < n && s[end] !== '&') end++;
    const eq = s.indexOf('=', j + 1);
    if (eq < 0 || eq >= end) continue;
    if (isSecret(lenientDecode(s.slice(j + 1, eq)))) spans.push([eq + 1, end]);
  }
  if (spans.length === 0) return s;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let pos = 0;
  let i = 0;
  while (i < spans.length) {
    let [from, to] = spans[i++]!;
    while (i < spans.length && spans[i]![0] <= to) to = Math.max(to, spans[i++]![1]);
    out += `${s.slice(pos, from)}${MASK}`;
    pos = to;
  }
  return out + s.slice(pos);
}

/** Names of secret keywords, to find where a secret may start in text that does not parse. */
const SECRET_HINT = /password|secret/i;

/** Mirrors the key=value parser without throwing; see conninfo-parse.ts for the grammar. */
function redactKeywordValue(s: string): string {
  const n = s.length;
  let out = '';
  let maskAt = -1;
  // Text that does not parse: hide everything from the first secret (seen or possibly starting here).
  const malformed = (from: number): string => {
    if (maskAt >= 0) return `${out.slice(0, maskAt)}${MASK}`;
    const rest = s.slice(from);
    const hint = rest.search(SECRET_HINT);
    return hint < 0 ? out + rest : `${out}${rest.slice(0, hint)}${MASK}`;
  };
  let i = 0;
  while (i < n) {
    if (isCSpace(s.charCodeAt(i))) {
      out += s[i++];
      continue;
    }
    const keyStart = i;
    let keyEnd = -1;
    while (i < n && s[i] !== '=') {
      if (isCSpace(s.charCodeAt(i))) {
        keyEnd = i;
        while (i < n && isCSpace(s.charCodeAt(i))) i++;
        break;
      }
      i++;
    }
    if (i >= n || s[i] !== '=') return malformed(keyStart);
    const keyword = s.slice(keyStart, keyEnd < 0 ? i : keyEnd);
    const secret = isSecret(keyword);
    i++;
    while (i < n && isCSpace(s.charCodeAt(i))) i++;
    const valueStart = i;
    if (i < n && s[i] === "'") {
      i++;
      let closed = false;
      while (i < n) {
        if (s[i] === '\\') i += 2;
        else if (s[i++] === "'") {
          closed = true;
          break;
        }
      }
      if (!closed) return secret ? `${out}${s.slice(keyStart, valueStart)}${MASK}` : malformed(keyStart);
    } else {
      while (i < n && !isCSpace(s.charCodeAt(i))) i += s[i] === '\\' ? 2 : 1;
    }
    i = Math.min(i, n);
    if (secret) {
      out += s.slice(keyStart, valueStart);
      if (maskAt < 0) maskAt = out.length;
      out += MASK;
    } else {
      out += s.slice(keyStart, i);
    }
  }
  return out;
}
