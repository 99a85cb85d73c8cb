/**
 * Keeps prepared template data directories across runs (initdb plus role creation costs about a
 * second per version, several on a busy machine), in `node_modules/.cache/pg-stream-templates`
 * next to the server packages. An entry's name is a hash of everything that decides its content
 * (binaries, version, initdb options, role SQL), so a change makes a new entry and older entries
 * for the same binaries are removed. Entries appear by an atomic rename: readers never see a
 * half-written one. `PG_STREAM_TEMPLATE_CACHE=0` turns the cache off; any other value is a directory.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import type { PgBinaries } from './binaries.js';
import { NPM_ALIASES } from './binaries.js';
import { copyDataDirAsync } from './copy.js';
import { processAlive } from './host.js';
import type { Template } from './template.js';

/** File inside a cached data directory describing it (PostgreSQL ignores unknown files there). */
const META = 'pg-stream-template.json';

const require = createRequire(import.meta.url);

/** The cache directory, or null when caching is off or there is nowhere to put it. */
function cacheRoot(): string | null {
  const env = process.env.PG_STREAM_TEMPLATE_CACHE;
  if (env === '0') return null;
  if (env !== undefined && env !== '') return resolve(env);
  for (const alias of NPM_ALIASES) {
    try {
      // <node_modules>/<alias>/dist/index.js → <node_modules>/.cache/pg-stream-templates
      const nodeModules = resolve(dirname(require.resolve(alias)), '..', '..');
      return join(nodeModules, '.cache', 'pg-stream-templates');
    } catch {
      // Try the next alias.
    }
  }
  return null;
}

function digest(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Entry name: `<major>-<hash of binDir>-<hash of recipe>`. */
function entryName(bins: PgBinaries, recipe: string): { prefix: string; name: string } {
  const prefix = `${bins.major}-${digest(bins.binDir).slice(0, 10)}-`;
  return { prefix, name: prefix + digest(recipe).slice(0, 16) };
}

/** The cached template for this recipe, or null. */
export function loadCachedTemplate(bins: PgBinaries, recipe: string): Template | null {
  const root = cacheRoot();
  if (root === null) return null;
  const dir = join(root, entryName(bins, recipe).name);
  try {
    const meta = JSON.parse(readFileSync(join(dir, META), 'utf8')) as Template;
    if (!existsSync(join(dir, 'PG_VERSION'))) return null;
    return { dir, version: meta.version, major: meta.major, roles: meta.roles };
  } catch {
    return null;
  }
}

/**
 * Stores a freshly built template (asynchronously: it can run in the background while clusters
 * start) and returns the cached copy, or null when the cache is off or not writable. If another
 * process stored the same entry first, its copy is kept.
 */
export async function storeCachedTemplate(bins: PgBinaries, recipe: string, built: Template): Promise<Template | null> {
  const root = cacheRoot();
  if (root === null) return null;
  const { prefix, name } = entryName(bins, recipe);
  const tmp = join(root, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(root, { recursive: true });
    await copyDataDirAsync(built.dir, tmp);
    await writeFile(join(tmp, META), JSON.stringify({ version: built.version, major: built.major, roles: built.roles }));
    const target = join(root, name);
    if (existsSync(target) && loadCachedTemplate(bins, recipe) === null) await rm(target, { recursive: true, force: true });
    try {
      await rename(tmp, target);
    } catch {
      // Already stored by a concurrent run: keep theirs.
      await rm(tmp, { recursive: true, force: true });
    }
    for (const other of await readdir(root)) {
      const tmpOwner = /^\.tmp-(\d+)-/.exec(other);
      const stale = other.startsWith(prefix) ? other !== name : tmpOwner !== null && !processAlive(Number(tmpOwner[1]));
      if (stale) await rm(join(root, other), { recursive: true, force: true });
    }
  } catch {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    return null;
  }
  return loadCachedTemplate(bins, recipe);
}
