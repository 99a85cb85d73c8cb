/**
 * The two libpq connection-string syntaxes, parsed to keyword → value pairs exactly as libpq's
 * `conninfo_parse` and `conninfo_uri_parse_options` do (src/interfaces/libpq/fe-connect.c), with
 * one deliberate difference: error messages never quote the input (a password could be in it);
 * they give the offset of the problem instead.
 * Docs: https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNSTRING
 */
import { checkKeyword, configError, isCSpace } from './keywords.js';

const URI_PREFIXES = ['postgresql://', 'postgres://'] as const;

/** Length of the URI designator the string starts with (case-sensitive, as in libpq), or 0. */
export function uriPrefixLength(s: string): number {
  for (const prefix of URI_PREFIXES) if (s.startsWith(prefix)) return prefix.length;
  return 0;
}

/**
 * Parses a connection string (URI or key=value) into the keywords it sets, like `PQconninfoParse`:
 * no defaults, no environment. Later settings of a keyword replace earlier ones. Throws ConfigError
 * PGS_INVALID_CONNECTION_STRING.
 */
export function parseConnectionString(s: string): Map<string, string> {
  if (typeof s !== 'string') configError('the connection string must be a string');
  const nul = s.indexOf('\0');
  if (nul >= 0) configError(`connection string contains a NUL character at offset ${nul}`);
  const out = new Map<string, string>();
  const prefix = uriPrefixLength(s);
  if (prefix > 0) parseUri(s, prefix, out);
  else parseKeywordValue(s, out);
  return out;
}

/**
 * Stores one keyword, applying libpq's `requiressl` translation (1… → require, else prefer) and
 * rejecting unknown keywords.
 */
function store(out: Map<string, string>, keyword: string, value: string, where: string): void {
  if (keyword === 'requiressl') {
    out.set('sslmode', value.startsWith('1') ? 'require' : 'prefer');
    return;
  }
  checkKeyword(keyword, where);
  out.set(keyword, value);
}

// ---------------------------------------------------------------- key = value

const BACKSLASH = 0x5c;
const QUOTE = 0x27;
const EQUALS = 0x3d;

/**
 * `keyword = value` pairs separated by whitespace. Values may be single-quoted; inside or outside
 * quotes a backslash takes the next character literally (libpq's rules, so `\'` and `\\`).
 */
function parseKeywordValue(s: string, out: Map<string, string>): void {
  const n = s.length;
  let i = 0;
  while (i < n) {
    if (isCSpace(s.charCodeAt(i))) {
      i++;
      continue;
    }
    const keyStart = i;
    let keyEnd = -1;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === EQUALS) break;
      if (isCSpace(c)) {
        keyEnd = i;
        while (i < n && isCSpace(s.charCodeAt(i))) i++;
        break;
      }
      i++;
    }
    if (i >= n || s.charCodeAt(i) !== EQUALS) {
      configError(`missing "=" after the keyword at offset ${keyStart} in connection info string`);
    }
    const keyword = s.slice(keyStart, keyEnd < 0 ? i : keyEnd);
    i++;
    while (i < n && isCSpace(s.charCodeAt(i))) i++;
    let value = '';
    if (i < n && s.charCodeAt(i) === QUOTE) {
      const quoteAt = i;
      i++;
      let closed = false;
      while (i < n) {
        const c = s.charCodeAt(i);
        if (c === BACKSLASH) {
          i++;
          if (i < n) value += s[i++];
          continue;
        }
        if (c === QUOTE) {
          i++;
          closed = true;
          break;
        }
        value += s[i++];
      }
      if (!closed) {
        configError(`unterminated quoted string (opened at offset ${quoteAt}) in connection info string`);
      }
    } else {
      while (i < n) {
        const c = s.charCodeAt(i);
        if (isCSpace(c)) {
          i++;
          break;
        }
        if (c === BACKSLASH) {
          i++;
          if (i < n) value += s[i++];
        } else {
          value += s[i++];
        }
      }
    }
    store(out, keyword, value, `at offset ${keyStart}`);
  }
}

// ---------------------------------------------------------------- URI

const utf8 = new TextDecoder('utf-8', { fatal: true });

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  return -1;
}

/**
 * Percent-decoding as libpq's `conninfo_uri_decode`: `%xy` with two hex digits (either case), `%00`
 * forbidden; the decoded bytes must be UTF-8. `what` names the URI part for the error message.
 */
export function uriDecode(s: string, what: string): string {
  if (!s.includes('%')) return s;
  let out = '';
  let i = 0;
  const n = s.length;
  while (i < n) {
    if (s.charCodeAt(i) !== 0x25) {
      out += s[i++];
      continue;
    }
    const bytes: number[] = [];
    while (i < n && s.charCodeAt(i) === 0x25) {
      const hi = i + 1 < n ? hexDigit(s.charCodeAt(i + 1)) : -1;
      const lo = i + 2 < n ? hexDigit(s.charCodeAt(i + 2)) : -1;
      if (hi < 0 || lo < 0) configError(`invalid percent-encoded token in the URI ${what}`);
      const b = (hi << 4) | lo;
      if (b === 0) configError(`forbidden value %00 in the URI ${what}`);
      bytes.push(b);
      i += 3;
    }
    try {
      out += utf8.decode(Uint8Array.from(bytes));
    } catch {
      configError(`percent-encoded bytes in the URI ${what} are not valid UTF-8`);
    }
  }
  return out;
}

/** Index of the first character of `stops` at or after `from`, or `s.length`. */
function scan(s: string, from: number, stops: string): number {
  let i = from;
  while (i < s.length && !stops.includes(s[i]!)) i++;
  return i;
}

/**
 * `postgresql://[user[:password]@][host][:port][,host[:port]…][/dbname][?key=value&…]`, where a
 * host may be an IPv6 address in brackets and every part may be percent-encoded.
 */
function parseUri(s: string, prefix: number, out: Map<string, string>): void {
  const n = s.length;
  let p = prefix;
  const at = scan(s, p, '@/');
  if (at < n && s[at] === '@') {
    const colon = scan(s, p, ':@');
    const user = s.slice(p, colon);
    if (user !== '') out.set('user', uriDecode(user, 'user name'));
    if (s[colon] === ':') {
      const password = s.slice(colon + 1, at);
      if (password !== '') out.set('password', uriDecode(password, 'password'));
    }
    p = at + 1;
  }

  let hosts = '';
  let ports = '';
  let terminator = '';
  for (;;) {
    let host: string;
    if (s[p] === '[') {
      const start = ++p;
      p = scan(s, p, ']');
      if (p >= n) configError('missing "]" after the IPv6 host address in the URI');
      if (p === start) configError('empty IPv6 host address in the URI');
      host = s.slice(start, p);
      p++;
      if (p < n && !':/?,'.includes(s[p]!)) {
        configError(`unexpected character at offset ${p} in the URI (expected ":" or "/" after "]")`);
      }
    } else {
      const start = p;
      p = scan(s, p, ':/?,');
      host = s.slice(start, p);
    }
    hosts += host;
    terminator = s[p] ?? '';
    if (terminator === ':') {
      const start = ++p;
      p = scan(s, p, '/?,');
      ports += s.slice(start, p);
      terminator = s[p] ?? '';
    }
    if (terminator !== ',') break;
    p++;
    hosts += ',';
    ports += ',';
  }
  if (hosts !== '') out.set('host', uriDecode(hosts, 'host'));
  if (ports !== '') out.set('port', uriDecode(ports, 'port'));

  if (terminator === '/') {
    const start = ++p;
    p = scan(s, p, '?');
    terminator = s[p] ?? '';
    // An empty path leaves dbname unset so that PGDATABASE still applies (as libpq does).
    const dbname = s.slice(start, p);
    if (dbname !== '') out.set('dbname', uriDecode(dbname, 'database name'));
  }
  if (terminator === '?') parseUriParams(s, p + 1, out);
}

/** `key=value` pairs separated by `&`, each part percent-decoded; `ssl=true` means sslmode=require. */
function parseUriParams(s: string, from: number, out: Map<string, string>): void {
  const n = s.length;
  let p = from;
  while (p < n) {
    const start = p;
    let eq = -1;
    while (p < n && s[p] !== '&') {
      if (s[p] === '=') {
        if (eq >= 0) configError(`extra key/value separator "=" in the URI query parameter at offset ${start}`);
        eq = p;
      }
      p++;
    }
    if (eq < 0) configError(`missing key/value separator "=" in the URI query parameter at offset ${start}`);
    let keyword = uriDecode(s.slice(start, eq), 'query parameter name');
    let value = uriDecode(s.slice(eq + 1, p), 'query parameter value');
    if (keyword === 'ssl' && value === 'true') {
      keyword = 'sslmode';
      value = 'require';
    }
    store(out, keyword, value, `in the URI query parameter at offset ${start}`);
    if (p < n) p++;
  }
}
