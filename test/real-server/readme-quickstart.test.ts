/**
 * The README's quick start, executed exactly as printed: the first ```ts block under the
 * "Quick start" heading of README.md (PRODUCT.md's quick start until the README exists) is written
 * to a .mjs file inside the package, so that `import … from 'pg-stream'` resolves through the
 * package's self-reference to the built dist/index.js (`npm test` builds first), and run with node
 * in a child process against a private PostgreSQL listening where the snippet dials:
 * localhost:5432, role `postgres` with password `secret`, database `mydb`.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from '../support/embedded/cluster.js';
import { startPrivateCluster } from '../support/facts.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const PORT = 5432;

/** The quick-start block: README.md's "Quick start" section, else PRODUCT.md's. */
function quickStart(): { source: string; code: string } {
  const readme = join(ROOT, 'README.md');
  if (existsSync(readme)) {
    const text = readFileSync(readme, 'utf8');
    const heading = /^#{1,6}\s+Quick start\s*$/im.exec(text);
    if (heading === null) throw new Error('README.md has no "Quick start" heading');
    const block = /```ts\n([\s\S]*?)```/.exec(text.slice(heading.index));
    if (block === null) throw new Error('README.md has no ```ts block under "Quick start"');
    return { source: 'README.md', code: block[1]! };
  }
  for (const dir of ['/work/shared/docs', join(ROOT, '../shared/docs')]) {
    const product = join(dir, 'PRODUCT.md');
    if (!existsSync(product)) continue;
    const text = readFileSync(product, 'utf8');
    const at = text.search(/quick start/i);
    const block = /```ts\n([\s\S]*?)```/.exec(text.slice(Math.max(0, at)));
    if (block !== null) return { source: product, code: block[1]! };
  }
  throw new Error('neither README.md nor PRODUCT.md with a quick-start block was found');
}

/** Rejects with a clear message when something already listens on 127.0.0.1:5432. */
function checkPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new Error(
          `the README quick start dials localhost:${port}, but port ${port} is busy (${err.code}); ` +
            'stop whatever listens there (e.g. a local PostgreSQL) to run this test',
        ),
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

let cluster: Cluster | null = null;
let serverVersion = '';

beforeAll(async () => {
  await checkPortFree(PORT);
  cluster = await startPrivateCluster({ version: 18, auth: true, tls: false, port: PORT });
  if (cluster.port !== PORT) throw new Error(`the private cluster could not get port ${PORT} (got ${cluster.port})`);
  // Set the quick start's credentials up over the trusted Unix socket, with an independent client.
  const admin = postgres({ path: join(cluster.socketDir, `.s.PGSQL.${cluster.port}`), user: 'postgres', database: 'postgres', max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`SET password_encryption = 'scram-sha-256'`);
    await admin.unsafe(`ALTER ROLE postgres PASSWORD 'secret'`);
    await admin.unsafe('CREATE DATABASE mydb');
    const rows = await admin.unsafe<{ server_version: string }[]>('SHOW server_version');
    serverVersion = rows[0]!.server_version;
  } finally {
    await admin.end({ timeout: 5 });
  }
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

/** Runs `file` with node; resolves with its exit code and output (killed after `ms`). */
function runNode(file: string, ms: number): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG') && !k.startsWith('VITEST')) env[k] = v;
    const child = spawn(process.execPath, [file], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, ms);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
}

describe('README quick start', () => {
  it('runs exactly as printed against a real server, prints the server version and exits 0', async () => {
    const { source, code } = quickStart();
    expect(code).toContain("from 'pg-stream'");
    const dist = join(ROOT, 'dist', 'index.js');
    if (!existsSync(dist)) throw new Error('dist/index.js is missing: run `npm run build` first (`npm test` does)');
    // Inside dist/ (git-ignored): the package scope, so 'pg-stream' resolves to this package itself.
    const file = join(ROOT, 'dist', `.readme-quickstart-${process.pid}.mjs`);
    writeFileSync(file, code);
    try {
      const run = await runNode(file, 10_000);
      const detail = `(${source}) exit ${run.code} ${run.signal ?? ''}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
      expect(run.timedOut, `the quick start did not exit within 10 s — does it leave the connection open? ${detail}`).toBe(false);
      expect(run.code, detail).toBe(0);
      expect(run.stdout).toBe(`Connected to server version: ${serverVersion}\n`);
      expect(serverVersion).toMatch(/^18\./);
    } finally {
      rmSync(file, { force: true });
    }
  }, 60_000);
});
