/**
 * The password file (`~/.pgpass`, `passfile`, `PGPASSFILE`), as libpq reads it: one
 * `hostname:port:database:username:password` entry per line, `*` matching anything in the first
 * four fields, `\` escaping `:` and `\`, lines starting with `#` ignored, the first matching line
 * winning. https://www.postgresql.org/docs/current/libpq-pgpass.html and `passwordFromFile` in
 * libpq's fe-connect.c. Pure: the Node transport reads the file and checks its permissions
 * (src/transport/node/passfile.ts).
 */
import { SOCKET_DIRECTORIES } from './conninfo.js';
import type { HostSpec } from './conninfo.js';

/** What an entry is matched against. */
export interface PassfileKey {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
}

const FIELDS = 5;
const WILDCARD = '*';
const COMMENT = '#';

/** Splits a line at unescaped colons, unescaping `\:` and `\\`; null for a line with too few fields. */
function fields(line: string): string[] | null {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      cur += line[++i]!;
    } else if (c === ':' && out.length < FIELDS - 1) {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  return out.length === FIELDS ? out : null;
}

/**
 * The host name a password-file entry is matched against for `host` (libpq): the name, or the
 * numeric address when only `hostaddr` names the server; `localhost` for the default socket directory.
 */
export function passfileHost(host: HostSpec): string {
  if (host.isUnixSocket && (SOCKET_DIRECTORIES as readonly string[]).includes(host.host)) return 'localhost';
  return host.host === '' ? (host.hostaddr ?? 'localhost') : host.host;
}

/** The password of the first entry of `text` matching `key`, or undefined. Never throws on content. */
export function lookupPassfile(text: string, key: PassfileKey): string | undefined {
  const port = String(key.port);
  for (const raw of text.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '' || line.startsWith(COMMENT)) continue;
    const f = fields(line);
    if (f === null) continue;
    const [h, p, d, u, password] = f as [string, string, string, string, string];
    const match = (pattern: string, value: string): boolean => pattern === WILDCARD || pattern === value;
    if (match(h, key.host) && match(p, port) && match(d, key.database) && match(u, key.user)) {
      return password === '' ? undefined : password;
    }
  }
  return undefined;
}
