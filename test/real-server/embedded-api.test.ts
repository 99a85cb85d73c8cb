import { readFileSync, statSync } from 'node:fs';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { availableServers } from '../support/embedded/binaries.js';
import { startEmbeddedPostgres, TEST_ROLES } from '../support/embedded/index.js';
import type { EmbeddedPostgres } from '../support/embedded/index.js';
import { alive } from '../support/probe.js';

// postgres.js is used here only as an independent client to check what this harness set up.
function client(db: EmbeddedPostgres, password = db.password): postgres.Sql {
  return postgres({ host: db.host, port: db.port, user: db.user, password, database: db.database, max: 1, onnotice: () => undefined });
}

describe('startEmbeddedPostgres', () => {
  let db: EmbeddedPostgres;
  beforeAll(async () => {
    db = await startEmbeddedPostgres({ version: 18 });
  });
  afterAll(async () => {
    await db?.stop();
  });

  test('the superuser logs in over TCP with its password (SCRAM) and the server is 18', async () => {
    expect(db.host).toBe('127.0.0.1');
    expect(db.user).toBe('postgres');
    expect(db.version).toMatch(/^18\./);
    const sql = client(db);
    try {
      const [row] = await sql<{ u: string; v: string }[]>`SELECT current_user AS u, current_setting('server_version') AS v`;
      expect(row).toEqual({ u: 'postgres', v: db.version });
      // log_connections (PostgreSQL 18 format) names the method that authenticated the session.
      expect(db.cluster.logTail(200)).toMatch(/connection authenticated: identity="postgres" method=scram-sha-256/);
    } finally {
      await sql.end();
    }
  });

  test('a wrong password is refused (28P01)', async () => {
    const sql = client(db, 'wrong');
    try {
      await expect(sql`SELECT 1`).rejects.toMatchObject({ code: '28P01' });
    } finally {
      await sql.end();
    }
  });

  test('stop() ends the server', async () => {
    const other = await startEmbeddedPostgres({ version: 18 });
    expect(alive(other.cluster.pid)).toBe(true);
    await other.stop();
    expect(alive(other.cluster.pid)).toBe(false);
  });
});

const majors = (await availableServers()).map((b) => b.major);

describe.each(majors.map((m) => [m]))('PostgreSQL %i: roles and their password storage', (major) => {
  let db: EmbeddedPostgres;
  beforeAll(async () => {
    db = await startEmbeddedPostgres({ version: major, tls: true });
  });
  afterAll(async () => {
    await db?.stop();
  });

  test('md5_user is stored as MD5, every other password as SCRAM (13 defaults to MD5)', async () => {
    const sql = client(db);
    try {
      const rows = await sql<{ rolname: string; kind: string | null }[]>`
        SELECT rolname, CASE WHEN rolpassword LIKE 'md5%' THEN 'md5'
                             WHEN rolpassword LIKE 'SCRAM-SHA-256$%' THEN 'scram-sha-256' END AS kind
          FROM pg_authid WHERE rolname IN ${sql(Object.keys(TEST_ROLES))} ORDER BY rolname`;
      const got = Object.fromEntries(rows.map((row) => [row.rolname, row.kind]));
      const want = Object.fromEntries(Object.entries(TEST_ROLES).map(([name, role]) => [name, role.storage]));
      expect(got).toEqual(want);
    } finally {
      await sql.end();
    }
  });

  test('TLS files: the server key is 0600 and owned by the server user; client files exist', () => {
    const certs = db.cluster.certs!;
    const key = statSync(certs.files.keyFile);
    expect(key.mode & 0o777).toBe(0o600);
    if (process.getuid?.() === 0) expect(key.uid).not.toBe(0);
    expect(readFileSync(certs.clientFiles.caFile, 'utf8')).toBe(certs.ca);
    expect(readFileSync(certs.clientFiles.clients.certuser!.keyFile, 'utf8')).toBe(certs.clients.certuser!.key);
    expect(statSync(certs.clientFiles.clients.certuser!.keyFile).mode & 0o777).toBe(0o600);
  });
});
