/**
 * What conninfo needs to know about this machine, answered by Node: the environment, the OS user
 * (libpq's pg_fe_getauthname) and which Unix socket directory exists (libpq looks for the socket of
 * the port, Debian's /var/run/postgresql first, then /tmp).
 */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { DEFAULT_PORT, SOCKET_DIRECTORIES, resolveConnectOptions as resolvePure } from '../../conninfo/conninfo.js';
import type { ConnectOptions, ConnectOptionsInput, Env, LocalFacts } from '../../conninfo/conninfo.js';

/** The OS user name, or undefined (no passwd entry for this uid, e.g. an arbitrary container uid). */
function osUserName(): string | undefined {
  try {
    const name = userInfo().username;
    return name === '' ? undefined : name;
  } catch {
    return undefined;
  }
}

/**
 * The Unix socket directory used when no host is given: the first of SOCKET_DIRECTORIES holding a
 * socket for `port`, else the first that exists, else `/tmp` (libpq's compiled-in default; Debian
 * builds libpq with /var/run/postgresql).
 */
export function defaultSocketDirectory(port: number = DEFAULT_PORT): string {
  for (const dir of SOCKET_DIRECTORIES) if (existsSync(`${dir}/.s.PGSQL.${port}`)) return dir;
  for (const dir of SOCKET_DIRECTORIES) if (existsSync(dir)) return dir;
  return '/tmp';
}

/** This machine's facts, with `env` as its environment (default `process.env`). */
export function nodeLocalFacts(env: Env = process.env): LocalFacts {
  return { env, userName: osUserName, socketDirectory: defaultSocketDirectory, windows: process.platform === 'win32' };
}

/**
 * Resolves a connection string, an options object and the PG* environment (default `process.env`)
 * into ConnectOptions, with this machine's defaults (OS user, socket directory). Throws ConfigError
 * PGS_INVALID_CONNECTION_STRING; messages never contain a password or quote the input.
 */
export function resolveConnectOptions(connectionString?: string, input?: ConnectOptionsInput, env?: Env): ConnectOptions {
  return resolvePure(connectionString, input, env, nodeLocalFacts(env));
}
