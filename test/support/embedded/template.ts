/**
 * A template data directory per server version: `initdb` once, the test roles created in
 * single-user mode (no client needed: https://www.postgresql.org/docs/current/app-postgres.html
 * "Single-User Mode"), then copied for every cluster (a copy takes tens of milliseconds, initdb
 * most of a second). Templates are kept across runs by template-cache.ts.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { PgBinaries } from './binaries.js';
import { sessionDir, spawnServer } from './host.js';
import { loadCachedTemplate, storeCachedTemplate } from './template-cache.js';
import { roleSql, TEST_ROLES } from './roles.js';

/** A prepared data directory and what was verified in it. */
export interface Template {
  dir: string;
  /** Full server version, e.g. `18.4`. */
  version: string;
  major: number;
  /** Test roles found in `pg_roles` after creating them (proof they exist). */
  roles: string[];
}

/** Output and exit status of a finished child. */
interface Finished {
  code: number | null;
  output: string;
}

/** Runs a child to completion, feeding `input` on stdin, with a deadline. */
function runToEnd(child: ChildProcess, input: string, what: string, timeoutMs = 60_000): Promise<Finished> {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} timed out after ${timeoutMs} ms\n${output.slice(-4000)}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`${what} could not start: ${err.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/**
 * initdb's options: trust locally; --no-sync is safe for throwaway data; 1 MB WAL segments instead
 * of 16 MB make every copy of the data directory 15 MB smaller.
 */
function initdbArgs(bins: PgBinaries): string[] {
  const args = ['-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync', '--wal-segsize=1'];
  if (bins.major >= 14) args.push('--no-instructions');
  return args;
}

/** Everything that decides a template's content: the cache key is a hash of it. */
export function templateRecipe(bins: PgBinaries): string {
  return JSON.stringify({ binDir: bins.binDir, version: bins.version, initdb: initdbArgs(bins), roles: roleSql() });
}

/** Runs initdb into `dir`. */
async function initdb(bins: PgBinaries, dir: string): Promise<void> {
  const args = ['-D', dir, ...initdbArgs(bins)];
  const r = await runToEnd(spawnServer(bins.initdb, args, { cwd: sessionDir() }), '', 'initdb');
  if (r.code !== 0) throw new Error(`initdb (${bins.version}) failed with status ${r.code}:\n${r.output.slice(-4000)}`);
}

/** Creates the test roles in single-user mode and returns the role names the server then lists. */
async function createRoles(bins: PgBinaries, dir: string): Promise<string[]> {
  const names = Object.keys(TEST_ROLES);
  const check = `SELECT rolname FROM pg_roles WHERE rolname IN (${names.map((n) => `'${n}'`).join(', ')}) ORDER BY 1;`;
  const sql = [...roleSql(), check].join('\n') + '\n';
  const args = ['--single', '-D', dir, '-F', '-c', 'exit_on_error=true', '-c', 'log_min_messages=error', 'postgres'];
  const r = await runToEnd(spawnServer(bins.postgres, args, { cwd: sessionDir() }), sql, 'postgres --single');
  if (r.code !== 0) throw new Error(`creating test roles (${bins.version}) failed with status ${r.code}:\n${r.output.slice(-4000)}`);
  const found = [...r.output.matchAll(/rolname = "([^"]+)"/g)].map((m) => m[1]!);
  const missing = names.filter((n) => !found.includes(n));
  if (missing.length > 0) throw new Error(`roles missing after creation (${bins.version}): ${missing.join(', ')}\n${r.output.slice(-4000)}`);
  return found;
}

/** Builds a fresh template for `bins` in this process's session directory. */
export async function buildTemplate(bins: PgBinaries): Promise<Template> {
  const dir = join(sessionDir(), `template-${bins.major}-${randomBytes(3).toString('hex')}`);
  await initdb(bins, dir);
  const roles = await createRoles(bins, dir);
  return { dir, version: bins.version, major: bins.major, roles };
}

const templates = new Map<string, Promise<Template>>();

/**
 * A template from the on-disk cache (template-cache.ts), else built now in the session directory
 * and stored in the cache in the background (copying to disk can take seconds on a busy machine).
 */
async function cachedOrBuilt(bins: PgBinaries): Promise<Template> {
  const recipe = templateRecipe(bins);
  const hit = loadCachedTemplate(bins, recipe);
  if (hit !== null) return hit;
  const built = await buildTemplate(bins);
  pendingStores.add(storeCachedTemplate(bins, recipe, built).catch(() => null));
  return built;
}

const pendingStores = new Set<Promise<unknown>>();

/** Waits for background cache writes of this process (e.g. before a test checks the cache). */
export async function templateCacheSettled(): Promise<void> {
  await Promise.all(pendingStores);
}

/** The template for `bins`: cached, or built on first use in this process. */
export function templateFor(bins: PgBinaries): Promise<Template> {
  let t = templates.get(bins.binDir);
  if (t === undefined) {
    t = cachedOrBuilt(bins);
    templates.set(bins.binDir, t);
    t.catch(() => templates.delete(bins.binDir));
  }
  return t;
}

/** Adopts a template another process built (e.g. vitest's global setup), if it still exists. */
export function adoptTemplate(bins: PgBinaries, template: Template): boolean {
  if (template.major !== bins.major || !existsSync(join(template.dir, 'PG_VERSION'))) return false;
  if (!templates.has(bins.binDir)) templates.set(bins.binDir, Promise.resolve(template));
  return true;
}
