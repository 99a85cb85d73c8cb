/**
 * A page built by Vite with no configuration, as an application using `pg-stream/browser` would be
 * (PRODUCT.md: the browser entry "bundles with esbuild and Vite with no configuration"): a fresh
 * project directory holding only index.html, a copy of the page module as its script (a copy: inside
 * this repository the module would fall under our package.json's `"sideEffects": false` and a bare
 * import of it be dropped), and `node_modules/pg-stream` linked to this repository (so `pg-stream/browser` resolves through the
 * package's exports to the published bundle, dist/bundle/browser.js). `vite build` runs with
 * `configFile: false` and Vite's defaults; the output files are returned for `servePage`.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build } from 'vite';
import type { PageFiles } from './browser-page.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Builds a Vite app whose script is `entry` (a page module importing only packages); returns every output file by URL path. */
export async function viteBuildPage(entry: string): Promise<{ files: PageFiles; warnings: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'pg-stream-vite-'));
  try {
    mkdirSync(join(dir, 'node_modules/@electric-sql'), { recursive: true });
    symlinkSync(ROOT, join(dir, 'node_modules/pg-stream'), 'dir');
    symlinkSync(join(ROOT, 'node_modules/@electric-sql/pglite'), join(dir, 'node_modules/@electric-sql/pglite'), 'dir');
    writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>pg-stream</title><link rel="icon" href="data:,"><script type="module" src="/main.ts"></script>');
    writeFileSync(join(dir, 'main.ts'), readFileSync(entry));
    const warnings: string[] = [];
    await build({
      root: dir,
      configFile: false,
      logLevel: 'silent',
      customLogger: {
        info: () => undefined,
        warn: (msg) => warnings.push(msg),
        warnOnce: (msg) => warnings.push(msg),
        error: (msg) => warnings.push(msg),
        clearScreen: () => undefined,
        hasErrorLogged: () => false,
        hasWarned: false,
      },
    });
    const out = join(dir, 'dist');
    const files: PageFiles = new Map();
    const walk = (d: string): void => {
      for (const name of readdirSync(d)) {
        const path = join(d, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.set(`/${relative(out, path)}`, readFileSync(path));
      }
    };
    walk(out);
    files.set('/', files.get('/index.html')!);
    return { files, warnings };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
