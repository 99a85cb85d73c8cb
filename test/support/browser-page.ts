/**
 * Running code in a real headless Chromium (Debian's, driven by playwright-core): a page script is
 * bundled with esbuild for the browser (`platform: 'browser'`, so `pg-stream/browser` resolves to the
 * package's published entry, dist/bundle/browser.js, through its self-reference), served with any
 * extra files (PGlite's runtime) by a small HTTP server on loopback, and loaded in a fresh browser.
 * A missing Chromium or a missing build FAILS the setup with what to do; nothing is skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join } from 'node:path';
import { build } from 'esbuild';
import type { Plugin } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`). */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ROOT = new URL('../..', import.meta.url).pathname;
/** PGlite's runtime files, fetched by its bundle next to itself (`new URL('./pglite.wasm', import.meta.url)`). */
const PGLITE_DIST = join(ROOT, 'node_modules/@electric-sql/pglite/dist');
const PGLITE_RUNTIME = ['pglite.wasm', 'pglite.data', 'initdb.wasm'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.data': 'application/octet-stream',
  '.map': 'application/json',
};

/** Launches Chromium with a fresh profile; throws (never skips) when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the browser tests need Chromium at ${CHROMIUM} (Debian/Ubuntu: apt-get install -y chromium) — it is missing`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/** Throws unless `npm run build` produced the browser entry with the transports this suite uses. */
export function assertBrowserEntryBuilt(): void {
  const entry = join(ROOT, 'dist/bundle/browser.js');
  const text = existsSync(entry) ? readFileSync(entry, 'utf8') : '';
  if (!/WebSocketTransport/.test(text) || !/PGliteTransport/.test(text)) {
    throw new Error(`${entry} is missing or stale: run \`npm run build\` first (npm test does)`);
  }
}

/**
 * PGlite's bundle reaches for Node modules behind run-time checks it never passes in a browser. Its
 * package.json maps the bare names to nothing for browsers (esbuild honours that); its `node:`
 * imports become empty modules here — for PGlite's files only, so a Node import anywhere else still
 * fails the build.
 */
const pgliteNodeImports: Plugin = {
  name: 'pglite-node-imports',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => (args.importer.includes('/@electric-sql/pglite/') ? { path: args.path, namespace: 'pglite-empty' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'pglite-empty' }, () => ({ contents: 'export default {};', loader: 'js' }));
  },
};

/** Files a page server serves, by path. */
export type PageFiles = Map<string, Uint8Array | string>;

/** Bundles `entry` (a page script) for the browser as `/app.js` (plus its chunks). */
export async function bundlePage(entry: string): Promise<PageFiles> {
  const result = await build({
    entryPoints: { app: entry },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    outdir: '/',
    write: false,
    logLevel: 'silent',
    plugins: [pgliteNodeImports],
  });
  const files: PageFiles = new Map();
  for (const f of result.outputFiles) files.set(`/${basename(f.path)}`, f.contents);
  return files;
}

/** PGlite's runtime files, served at the root next to the bundle. */
export function pgliteRuntime(): PageFiles {
  return new Map(PGLITE_RUNTIME.map((name) => [`/${name}`, readFileSync(join(PGLITE_DIST, name))]));
}

/** The page loading `/app.js` as a module. */
export const INDEX_HTML = '<!doctype html><meta charset="utf-8"><title>pg-stream</title><link rel="icon" href="data:,"><script type="module" src="/app.js"></script>';

/** A loopback HTTP server for `files` (`/` is INDEX_HTML unless given). */
export async function servePage(files: PageFiles): Promise<{ url: string; close(): Promise<void> }> {
  const all = new Map(files);
  if (!all.has('/')) all.set('/', INDEX_HTML);
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://page').pathname;
    const body = all.get(path);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(path) || '.html'] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Opens `url` in a new page and waits until the script set `globalThis[name]`; page errors are collected. */
export async function openPage(browser: Browser, url: string, name: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  await page.goto(url);
  await page.waitForFunction((n) => (globalThis as Record<string, unknown>)[n] !== undefined, name, { timeout: 30_000 }).catch((err: unknown) => {
    throw new Error(`the page did not load its script: ${String(err)}\npage errors:\n${errors.join('\n')}`);
  });
  return { page, errors };
}
