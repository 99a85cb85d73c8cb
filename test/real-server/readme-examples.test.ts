/**
 * Every code example of README.md, run exactly as printed: each ```ts block is written to a file
 * inside the package (so that `import … from 'pg-stream'` resolves through the package's
 * self-reference to the built bundle; `npm test` builds first) and run with node and the project's
 * TypeScript loader (test/support/ts-loader.mjs: transpile only) in a child process, in order,
 * against a private PostgreSQL 18 listening where the examples dial: localhost:5432, role
 * `postgres` with password `secret`, database `mydb`. Each must exit 0 within its time; where a
 * ```text block follows an example, its output must be exactly that text. The quick start's
 * output is checked against the server's version.
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

/** One ```ts block of the README, with the ```text block right after it (if any). */
interface Example {
  readonly heading: string;
  readonly code: string;
  readonly output: string | null;
}

/** The README's examples, in order, each under the nearest heading above it. */
function examples(): Example[] {
  const text = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const out: Example[] = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```\s*$/gm;
  let heading = '';
  let last = 0;
  let pending: { heading: string; code: string } | null = null;
  for (const m of text.matchAll(fence)) {
    const before = text.slice(last, m.index);
    const headings = [...before.matchAll(/^#{1,6}\s+(.+)$/gm)];
    if (headings.length > 0) heading = headings[headings.length - 1]![1]!;
    const between = before.trim();
    if (pending !== null) {
      const follows = m[1] === 'text' && between === '';
      out.push({ ...pending, output: follows ? m[2]! : null });
      pending = null;
      if (follows) {
        last = m.index! + m[0].length;
        continue;
      }
    }
    if (m[1] === 'ts') pending = { heading, code: m[2]! };
    last = m.index! + m[0].length;
  }
  if (pending !== null) out.push({ ...pending, output: null });
  return out;
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

const LOADER = join(ROOT, 'test', 'support', 'ts-loader.mjs');

/** Runs `file` with node (and the TS loader); resolves with its exit code and output (killed after `ms`). */
function runNode(file: string, ms: number): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG') && !k.startsWith('VITEST')) env[k] = v;
    const child = spawn(process.execPath, ['--import', LOADER, file], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
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

const all = examples();

describe('README examples', () => {
  it('finds the examples (the quick start first)', () => {
    expect(all.length).toBeGreaterThan(8);
    expect(all[0]!.heading).toBe('Quick start');
    expect(all[0]!.code).toContain("from 'pg-stream'");
  });

  all.forEach((ex, i) => {
    it(`example ${i + 1} (${ex.heading}) runs exactly as printed${ex.output === null ? '' : ' and prints what the README shows'}`, async () => {
      if (!existsSync(join(ROOT, 'dist', 'bundle', 'index.js'))) throw new Error('dist/bundle/index.js is missing: run `npm run build` first (`npm test` does)');
      // Inside dist/ (git-ignored): the package scope, so 'pg-stream' resolves to this package itself.
      const file = join(ROOT, 'dist', `.readme-example-${process.pid}-${i + 1}.ts`);
      writeFileSync(file, ex.code);
      try {
        const run = await runNode(file, 60_000);
        const detail = `(README example ${i + 1}, "${ex.heading}") exit ${run.code} ${run.signal ?? ''}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;
        expect(run.timedOut, `the example did not exit within 60 s — does it leave a connection open? ${detail}`).toBe(false);
        expect(run.code, detail).toBe(0);
        if (i === 0) {
          expect(run.stdout).toBe(`Connected to server version: ${serverVersion}\n`);
          expect(serverVersion).toMatch(/^18\./);
        } else if (ex.output !== null) {
          expect(run.stdout, detail).toBe(ex.output);
        }
      } finally {
        rmSync(file, { force: true });
      }
    }, 90_000);
  });
});
