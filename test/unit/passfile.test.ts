/**
 * The password file: libpq's matching rules (conninfo/passfile.ts) and the Node reader's
 * permission check (transport/node/passfile.ts), as https://www.postgresql.org/docs/current/libpq-pgpass.html
 * describes them.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lookupPassfile, passfileHost } from '../../src/conninfo/passfile.js';
import { ConfigError, ErrorCode } from '../../src/errors.js';
import { resolveConnectOptions } from '../../src/transport/node/local-facts.js';
import { readPassfile } from '../../src/transport/node/passfile.js';

const key = { host: 'db.internal', port: 5432, database: 'app', user: 'etl' };

describe('password file matching', () => {
  it('takes the first matching line, with * wildcards', () => {
    const text = ['other:5432:app:etl:wrong', 'db.internal:5432:*:etl:first', 'db.internal:5432:app:etl:second'].join('\n');
    expect(lookupPassfile(text, key)).toBe('first');
    expect(lookupPassfile('*:*:*:*:any', key)).toBe('any');
    expect(lookupPassfile('*:5433:*:*:x', key)).toBeUndefined();
    expect(lookupPassfile('*:*:*:other:x', key)).toBeUndefined();
  });

  it('unescapes \\: and \\\\, skips comments, blank and short lines, and CRLF endings', () => {
    const text = ['# a comment', '', 'too:few:fields', 'db.internal:5432:app:etl:pa\\:ss\\\\word\r'].join('\n');
    expect(lookupPassfile(text, key)).toBe('pa:ss\\word');
    expect(lookupPassfile('h\\:x:5432:app:etl:p', { ...key, host: 'h:x' })).toBe('p');
    // Colons after the fourth field belong to the password.
    expect(lookupPassfile('*:*:*:*:a:b:c', key)).toBe('a:b:c');
  });

  it('matches the default socket directory as localhost, a hostaddr-only host by its address', () => {
    expect(passfileHost({ host: '/var/run/postgresql', port: 5432, isUnixSocket: true })).toBe('localhost');
    expect(passfileHost({ host: '/tmp', port: 5432, isUnixSocket: true })).toBe('localhost');
    expect(passfileHost({ host: '/srv/pg', port: 5432, isUnixSocket: true })).toBe('/srv/pg');
    expect(passfileHost({ host: 'db', hostaddr: '10.0.0.1', port: 5432, isUnixSocket: false })).toBe('db');
  });

  it('passfile and PGPASSFILE are connection settings', () => {
    expect(resolveConnectOptions('host=h user=u passfile=/x').passfile).toBe('/x');
    expect(resolveConnectOptions('host=h user=u', undefined, { PGPASSFILE: '/y' }).passfile).toBe('/y');
    expect(resolveConnectOptions('host=h user=u', undefined, {}).passfile).toBeUndefined();
  });
});

describe('reading the password file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pg-stream-pgpass-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a file only its owner can read', async () => {
    const file = join(dir, 'good');
    writeFileSync(file, '*:*:*:*:secret\n');
    chmodSync(file, 0o600);
    expect(await readPassfile(file)).toBe('*:*:*:*:secret\n');
  });

  it('refuses a named file the group or others can read, without showing its contents', async () => {
    const file = join(dir, 'open');
    writeFileSync(file, '*:*:*:*:sentinel-secret\n');
    chmodSync(file, 0o644);
    const err = await readPassfile(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe(ErrorCode.INVALID_CONNECTION_STRING);
    expect((err as Error).message).toMatch(/group or world access; permissions should be u=rw \(0600\) or less/);
    expect((err as Error).message).not.toContain('sentinel-secret');
  });

  it('refuses a named path that is not a plain file; a missing file means no password', async () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    await expect(readPassfile(sub)).rejects.toBeInstanceOf(ConfigError);
    expect(await readPassfile(join(dir, 'missing'))).toBeUndefined();
  });
});
