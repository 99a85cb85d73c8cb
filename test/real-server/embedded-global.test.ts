import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, test } from 'vitest';
import { availableServers } from '../support/embedded/binaries.js';
import { connectAs, pgExpiredTls, pgNoTls, pgServer, pgServers, TEST_ROLES } from '../support/facts.js';
import { alive, sslAnswer } from '../support/probe.js';

// Needs test/support/servers.ts as a globalSetup of the vitest config.
describe('servers provided by the global setup', () => {
  test('one running cluster per available version, with auth and TLS', async () => {
    const servers = pgServers();
    const expected = (await availableServers()).map((b) => b.version);
    expect(servers.map((s) => s.version)).toEqual(expected);
    for (const s of servers) {
      expect(s.auth && s.tls).toBe(true);
      expect(alive(s.pid)).toBe(true);
      expect(await sslAnswer({ host: s.host, port: s.port })).toBe('S');
      expect(existsSync(join(s.socketDir, `.s.PGSQL.${s.port}`))).toBe(true);
      expect(s.certs?.ca).toMatch(/BEGIN CERTIFICATE/);
      expect([...s.roles].sort()).toEqual(Object.keys(TEST_ROLES).sort());
    }
    expect(inject('pgServerProblems')).toEqual([]);
  });

  test('pgServer picks a version; the newest by default', () => {
    expect(pgServer().major).toBe(pgServers()[0]!.major);
    expect(pgServer(13).version).toMatch(/^13\./);
    expect(() => pgServer(9)).toThrow(/no running test server for PostgreSQL 9/);
  });

  test('variants: expired certificate, and TLS off', async () => {
    const expired = pgExpiredTls();
    expect(expired.certs?.presented).toBe('expired');
    expect(await sslAnswer({ host: expired.host, port: expired.port })).toBe('S');
    const plain = pgNoTls();
    expect(plain.tls).toBe(false);
    expect(await sslAnswer({ host: plain.host, port: plain.port })).toBe('N');
  });

  test('connectAs gives each role its documented password', () => {
    const s = pgServer(18);
    expect(connectAs(s, 'md5_user')).toMatchObject({ host: '127.0.0.1', port: s.port, user: 'md5_user', password: 'md5-secret' });
    expect(connectAs(s, 'certuser')).not.toHaveProperty('password');
  });
});
