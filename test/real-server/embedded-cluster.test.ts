import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, test } from 'vitest';
import { availableServers } from '../support/embedded/binaries.js';
import { EmbeddedPostgresError, startCluster } from '../support/embedded/cluster.js';
import type { Cluster } from '../support/embedded/cluster.js';
import { DIR_PREFIX } from '../support/embedded/host.js';
import { authHba, TEST_ROLES } from '../support/embedded/roles.js';
import { startPrivateCluster } from '../support/facts.js';
import { alive, childrenOf, sslAnswer, waitFor } from '../support/probe.js';

const servers = await availableServers();
const started: Cluster[] = [];
afterAll(async () => {
  await Promise.all(started.map((c) => c.stop()));
});

async function start(opts: Parameters<typeof startCluster>[0]): Promise<Cluster> {
  const c = await startPrivateCluster(opts);
  started.push(c);
  return c;
}

test('the npm servers 18, 16 and 13 are available', () => {
  const majors = servers.map((s) => s.major);
  expect(majors).toEqual(expect.arrayContaining([18, 16, 13]));
  expect(majors).toEqual([...majors].sort((a, b) => b - a));
});

describe.each(servers.map((s) => [`${s.version} (${s.source})`, s] as const))('PostgreSQL %s', (_name, bins) => {
  test('starts with auth and TLS, answers S to SSLRequest over TCP, stops leaving no process', async () => {
    const c = await start({ version: bins.major, tls: true, auth: true });
    expect(c.version).toBe(bins.version);
    expect(c.major).toBe(bins.major);
    expect(c.host).toBe('127.0.0.1');
    expect(alive(c.pid)).toBe(true);
    expect(await sslAnswer({ host: c.host, port: c.port })).toBe('S');
    // Every test role exists (listed by pg_roles when the template was made).
    expect([...c.roles].sort()).toEqual(Object.keys(TEST_ROLES).sort());
    expect(readFileSync(join(c.dataDir, 'pg_hba.conf'), 'utf8')).toBe(authHba(true));

    const backends = childrenOf(c.pid);
    expect(backends.length).toBeGreaterThan(0);
    await c.stop();
    expect(alive(c.pid)).toBe(false);
    await waitFor(() => backends.every((p) => !alive(p)), 5000, 'backends to exit');
    expect(existsSync(c.dataDir)).toBe(false);
  });

  test('listens on its private unix socket (where TLS is never offered)', async () => {
    const c = await start({ version: bins.major });
    const socket = join(c.socketDir, `.s.PGSQL.${c.port}`);
    expect(existsSync(socket)).toBe(true);
    expect(await sslAnswer({ path: socket })).toBe('N');
    await c.stop();
  });
});

describe('PostgreSQL 18 cluster lifecycle', () => {
  test('without TLS the server answers N to SSLRequest', async () => {
    const c = await start({ version: 18 });
    expect(c.tls).toBe(false);
    expect(c.certs).toBeNull();
    expect(await sslAnswer({ host: c.host, port: c.port })).toBe('N');
    await c.stop();
  });

  test('keeps its pid file where CI looks for leftovers: <base>/pg-stream-test-*/<cluster>/postmaster.pid', async () => {
    const c = await start({ version: 18 });
    const pidFile = join(c.dataDir, 'postmaster.pid');
    expect(Number(readFileSync(pidFile, 'utf8').split('\n')[0])).toBe(c.pid);
    const session = dirname(c.dataDir);
    expect(basename(session).startsWith(DIR_PREFIX)).toBe(true);
    expect(['/dev/shm', tmpdir()]).toContain(dirname(session));
    await c.stop();
  });

  test('connectionInfo returns the role, its documented password and the socket directory', async () => {
    const c = await start({ version: 18, auth: true });
    expect(c.connectionInfo()).toEqual({
      host: '127.0.0.1',
      port: c.port,
      socketDir: c.socketDir,
      user: 'postgres',
      password: TEST_ROLES.postgres.password,
      database: 'postgres',
    });
    expect(c.connectionInfo('trust_user')).not.toHaveProperty('password');
    expect(c.connectionInfo('scram_user', 'other').password).toBe('other');
    expect(structuredClone(c.facts())).toEqual(c.facts());
    await c.stop();
  });

  test('moves to another port when the requested one is taken', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const c = await start({ version: 18, port: taken });
      expect(c.port).not.toBe(taken);
      expect(await sslAnswer({ host: c.host, port: c.port })).toBe('N');
      expect(c.logTail(200)).toMatch(/Address already in use/);
      await c.stop();
    } finally {
      blocker.close();
    }
  });

  test('a failed start rejects with the server log tail and leaves nothing behind', async () => {
    const err = await start({ version: 18, settings: { shared_buffers: "'not-a-size'" } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EmbeddedPostgresError);
    const e = err as EmbeddedPostgresError;
    expect(e.logTail).toMatch(/shared_buffers/);
    expect(e.message).toMatch(/failed to start/);
    expect(e.message).toContain(e.logTail);
    const dataDir = /data (\S+)\)/.exec(e.message)?.[1];
    expect(dataDir).toBeDefined();
    expect(existsSync(dataDir!)).toBe(false);
  });

  test('an unknown version rejects and names what is available', async () => {
    await expect(startCluster({ version: 9 })).rejects.toThrow(/not available; available: 18/);
  });

  test('stop() is idempotent and resolves when the server was already killed', async () => {
    const c = await start({ version: 18 });
    process.kill(c.pid, 'SIGKILL');
    await waitFor(() => !alive(c.pid), 5000, 'postmaster to die');
    const t0 = Date.now();
    await Promise.all([c.stop(), c.stop()]);
    await c.stop();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(existsSync(c.dataDir)).toBe(false);
  });

  test('stop() falls back to SIGKILL when the server ignores SIGINT', async () => {
    const c = await start({ version: 18, stopTimeoutMs: 300 });
    process.kill(c.pid, 'SIGSTOP');
    const t0 = Date.now();
    await c.stop();
    const took = Date.now() - t0;
    expect(alive(c.pid)).toBe(false);
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(4000);
  });

  test('logDir keeps the server log after stop', async () => {
    const logDir = join(tmpdir(), `${DIR_PREFIX}logs-${process.pid}`);
    const c = await start({ version: 18, logDir });
    expect(c.logFile.startsWith(logDir)).toBe(true);
    await c.stop();
    expect(readFileSync(c.logFile, 'utf8')).toMatch(/database system is ready to accept connections/);
    expect(readFileSync(c.logFile, 'utf8')).toMatch(/database system is shut down/);
    rmSync(logDir, { recursive: true, force: true });
  });
});
