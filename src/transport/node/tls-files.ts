/**
 * The TLS files a libpq connection string names, read the way libpq reads them
 * (https://www.postgresql.org/docs/current/libpq-ssl.html#LIBPQ-SSL-FILE-USAGE):
 * - sslrootcert, default `~/.postgresql/root.crt` when it exists; `system` = the platform's roots.
 *   A missing file is not an error by itself: verify-ca/verify-full then fail for lack of roots,
 *   `require` then encrypts without verifying (as libpq);
 * - sslcert/sslkey, default `~/.postgresql/postgresql.crt`/`.key`, sent only when present (a
 *   certificate without its key is an error); sslcertmode=disable never sends one;
 * - sslcrl (default `~/.postgresql/root.crl` when present) and every file in sslcrldir.
 * Inline PEMs given to `connect()` take precedence over the files.
 */
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ErrorCode } from '../../errors.js';
import type { TlsOptions } from './settings.js';
import type { ConnectOptions } from '../../conninfo/conninfo.js';

const DEFAULT_DIR = '.postgresql';
const DEFAULT_ROOT = 'root.crt';
const DEFAULT_CERT = 'postgresql.crt';
const DEFAULT_KEY = 'postgresql.key';
const DEFAULT_CRL = 'root.crl';

function defaultPath(name: string): string | undefined {
  try {
    return join(homedir(), DEFAULT_DIR, name);
  } catch {
    return undefined;
  }
}

function fileError(what: string, err: unknown): ConfigError {
  const code = (err as { code?: unknown } | null)?.code;
  return new ConfigError(ErrorCode.INVALID_ARGUMENT, `could not read the ${what} file${typeof code === 'string' ? ` (${code})` : ''}`, {
    cause: err,
  });
}

/** The file's contents, or undefined when it does not exist; other failures are ConfigErrors. */
async function readIfExists(path: string | undefined, what: string): Promise<Buffer | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path);
  } catch (err) {
    if ((err as { code?: unknown }).code === 'ENOENT') return undefined;
    throw fileError(what, err);
  }
}

async function readCrlDir(dir: string): Promise<Buffer[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw fileError('sslcrldir', err);
  }
  const out: Buffer[] = [];
  for (const name of names.sort()) {
    const b = await readIfExists(join(dir, name), 'sslcrldir');
    if (b !== undefined) out.push(b);
  }
  return out;
}

/** Resolves the TLS material of `options` (files read, defaults applied), with `inline` overriding. */
export async function loadTlsFiles(options: ConnectOptions, inline: TlsOptions): Promise<TlsOptions> {
  const out: { -readonly [K in keyof TlsOptions]: TlsOptions[K] } = {
    sni: options.sslsni,
    minVersion: options.sslMinProtocolVersion,
    maxVersion: options.sslMaxProtocolVersion,
    passphrase: options.sslpassword,
  };
  if (options.sslmode !== 'disable') await readFiles(options, out);
  for (const key of Object.keys(out) as (keyof TlsOptions)[]) if (out[key] === undefined) delete out[key];
  return { ...out, ...inline };
}

/** Reads the certificate, key and CRL files into `out`. */
async function readFiles(options: ConnectOptions, out: { -readonly [K in keyof TlsOptions]: TlsOptions[K] }): Promise<void> {
  if (options.sslrootcert === 'system') out.rootCert = 'system';
  else out.rootCert = await readIfExists(options.sslrootcert ?? defaultPath(DEFAULT_ROOT), 'sslrootcert');

  if (options.sslcertmode === 'require') {
    throw new ConfigError(ErrorCode.INVALID_ARGUMENT, 'sslcertmode=require is not supported: Node cannot tell whether the server asked for a certificate');
  }
  if (options.sslcertmode !== 'disable') {
    const cert = await readIfExists(options.sslcert ?? defaultPath(DEFAULT_CERT), 'sslcert');
    if (cert !== undefined) {
      const key = await readIfExists(options.sslkey ?? defaultPath(DEFAULT_KEY), 'sslkey');
      if (key === undefined) {
        throw new ConfigError(ErrorCode.INVALID_ARGUMENT, 'a client certificate is present, but not its private key (sslkey)');
      }
      out.cert = cert;
      out.key = key;
    }
  }
  const crls: Buffer[] = [];
  const crl = await readIfExists(options.sslcrl ?? (options.sslcrldir === undefined ? defaultPath(DEFAULT_CRL) : undefined), 'sslcrl');
  if (crl !== undefined) crls.push(crl);
  if (options.sslcrldir !== undefined) crls.push(...(await readCrlDir(options.sslcrldir)));
  if (crls.length > 0) out.crl = Buffer.concat(crls);
}
