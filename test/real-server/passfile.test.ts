/**
 * The password file with a real server: `connect()` without a password finds it in the file named
 * by `passfile` / PGPASSFILE (matched by host, port, database and user, as libpq does), and refuses
 * a named file that its group or others can read.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, connect } from '../../src/index.js';
import { connectAs, pgServer } from '../support/facts.js';

const dir = mkdtempSync(join(tmpdir(), 'pg-stream-passfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the password file against PostgreSQL 18', () => {
  const f = connectAs(pgServer(18), 'scram_user');

  it('connect() without a password takes it from the file (first matching line)', async () => {
    const file = join(dir, 'pgpass');
    writeFileSync(file, [`otherhost:*:*:*:wrong`, `${f.host}:${f.port}:${f.database}:${f.user}:${f.password}`, `*:*:*:*:wrong`].join('\n'));
    chmodSync(file, 0o600);
    const { conn, startup } = await connect({ host: f.host, port: f.port, user: f.user, database: f.database, sslmode: 'disable', passfile: file }, { env: {} });
    expect(startup.authMethod).toBe('SCRAM-SHA-256');
    await conn.close();
    const viaEnv = await connect(`host=${f.host} port=${f.port} user=${f.user} dbname=${f.database} sslmode=disable`, { env: { PGPASSFILE: file } });
    await viaEnv.conn.close();
  });

  it('a named file readable by others is refused, without showing its contents', async () => {
    const file = join(dir, 'open');
    writeFileSync(file, `*:*:*:*:${f.password}\n`);
    chmodSync(file, 0o644);
    const err = await connect({ host: f.host, port: f.port, user: f.user, database: f.database, sslmode: 'disable', passfile: file }, { env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(String((err as Error).message)).toMatch(/permissions should be u=rw \(0600\) or less/);
    expect(String((err as Error).message)).not.toContain(f.password!);
  });
});
