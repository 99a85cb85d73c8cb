import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { findServer } from '../support/embedded/binaries.js';
import type { PgBinaries } from '../support/embedded/binaries.js';
import { startCluster } from '../support/embedded/cluster.js';
import { sessionDir } from '../support/embedded/host.js';
import { TEST_ROLES } from '../support/embedded/roles.js';
import { loadCachedTemplate, storeCachedTemplate } from '../support/embedded/template-cache.js';
import { adoptTemplate, buildTemplate, templateRecipe } from '../support/embedded/template.js';
import type { Template } from '../support/embedded/template.js';
import { sslAnswer } from '../support/probe.js';

describe('template data directories', () => {
  let bins: PgBinaries;
  let built: Template;
  let root: string;
  const saved = process.env.PG_STREAM_TEMPLATE_CACHE;
  beforeAll(async () => {
    bins = await findServer(18);
    built = await buildTemplate(bins);
    root = join(sessionDir(), 'cache-under-test');
    process.env.PG_STREAM_TEMPLATE_CACHE = root;
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.PG_STREAM_TEMPLATE_CACHE;
    else process.env.PG_STREAM_TEMPLATE_CACHE = saved;
  });

  test('a built template has every test role and the server version', () => {
    expect(built.version).toBe(bins.version);
    expect([...built.roles].sort()).toEqual(Object.keys(TEST_ROLES).sort());
    expect(existsSync(join(built.dir, 'PG_VERSION'))).toBe(true);
  });

  test('the cache misses, stores atomically, hits, and drops older recipes of the same binaries', async () => {
    const recipe = templateRecipe(bins);
    expect(loadCachedTemplate(bins, recipe)).toBeNull();
    // A half-written entry left by a dead process is cleaned up on the next store.
    mkdirSync(join(root, '.tmp-999999999-dead'), { recursive: true });
    const old = await storeCachedTemplate(bins, `${recipe} (older)`, built);
    expect(old).not.toBeNull();
    const stored = await storeCachedTemplate(bins, recipe, built);
    expect(stored).not.toBeNull();
    expect(stored!.dir.startsWith(root)).toBe(true);
    expect(stored!.roles).toEqual(built.roles);
    expect(loadCachedTemplate(bins, recipe)).toEqual(stored);
    expect(loadCachedTemplate(bins, `${recipe} (older)`)).toBeNull();
    expect(readdirSync(root)).toEqual([stored!.dir.slice(root.length + 1)]);
    // Storing the same entry again (a concurrent run) keeps the existing one.
    expect(await storeCachedTemplate(bins, recipe, built)).toEqual(stored);
  });

  test('a cluster starts from the cached template', async () => {
    const cached = loadCachedTemplate(bins, templateRecipe(bins))!;
    expect(adoptTemplate(bins, cached)).toBe(true);
    const c = await startCluster({ version: 18, template: cached });
    try {
      expect(await sslAnswer({ host: c.host, port: c.port })).toBe('N');
    } finally {
      await c.stop();
    }
  });

  test('PG_STREAM_TEMPLATE_CACHE=0 turns the cache off', async () => {
    process.env.PG_STREAM_TEMPLATE_CACHE = '0';
    expect(loadCachedTemplate(bins, templateRecipe(bins))).toBeNull();
    expect(await storeCachedTemplate(bins, templateRecipe(bins), built)).toBeNull();
    process.env.PG_STREAM_TEMPLATE_CACHE = root;
    rmSync(root, { recursive: true, force: true });
  });
});
