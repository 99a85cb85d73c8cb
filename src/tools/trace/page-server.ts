/**
 * `pg-stream trace --page`: serves the trace page (dist/trace-page, built by `npm run build`) on
 * loopback, with PGlite's files under `/pglite/` when `@electric-sql/pglite` is installed, so the
 * page's live mode finds PGlite where it looks by default (`./pglite/index.js`, page/live.ts).
 * Decoding captures needs no server (index.html works from a file:// address); the live mode
 * does: PGlite is an ES module that fetches its WebAssembly, which browsers refuse over file://.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder the page is built into, relative to dist/. */
const PAGE_FOLDER = 'trace-page';
/** Where the page finds PGlite on this server. */
const PGLITE_PREFIX = '/pglite/';
/** Folders above this module searched for dist/trace-page (the bundle, dist/tools/trace, src/tools/trace). */
const SEARCH_DEPTH = 4;
const HTTP_OK = 200;
const HTTP_NOT_FOUND = 404;
const HTTP_METHOD_NOT_ALLOWED = 405;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.data': 'application/octet-stream',
  '.gz': 'application/gzip',
};

/** A running page server. */
export interface PageServer {
  /** The page's address (`http://127.0.0.1:<port>/`). */
  readonly url: string;
  /** The built page's folder. */
  readonly pageDir: string;
  /** PGlite's `dist` folder served under /pglite/, or null when PGlite is not installed. */
  readonly pgliteDir: string | null;
  /** Stops listening. */
  close(): Promise<void>;
}

/** The built page's folder (…/dist/trace-page), searched upwards from this module; null when the page was not built. */
export function findPageDir(from: string = dirname(fileURLToPath(import.meta.url))): string | null {
  let dir = from;
  for (let i = 0; i < SEARCH_DEPTH; i++) {
    for (const candidate of [join(dir, PAGE_FOLDER), join(dir, 'dist', PAGE_FOLDER)]) {
      if (existsSync(join(candidate, 'index.html'))) return candidate;
    }
    dir = dirname(dir);
  }
  return null;
}

/** PGlite's `dist` folder, resolved as this package would import it, then from the working directory. */
export function findPgliteDir(): string | null {
  for (const base of [fileURLToPath(import.meta.url), join(process.cwd(), 'package.json')]) {
    try {
      // The package's require entry (dist/index.cjs) sits beside the ES module entry the page imports.
      const dir = dirname(createRequire(base).resolve('@electric-sql/pglite'));
      if (existsSync(join(dir, 'index.js'))) return dir;
    } catch {
      // Not installed where this base looks: try the next.
    }
  }
  return null;
}

/** The file under `root` that `path` (a URL path below it) names, or null (outside it, or not a file). */
function fileUnder(root: string, path: string): string | null {
  const file = resolve(root, `.${path}`);
  if (!file.startsWith(root + sep)) return null;
  try {
    return statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

/** Serves the page (and PGlite) on 127.0.0.1 at `port` (0: any free port). */
export async function servePage(options: { port?: number; pageDir?: string; pgliteDir?: string | null } = {}): Promise<PageServer> {
  const pageDir = options.pageDir ?? findPageDir();
  if (pageDir === null) throw new Error('the trace page is not built: dist/trace-page/index.html is missing (npm run build builds it)');
  const pgliteDir = options.pgliteDir === undefined ? findPgliteDir() : options.pgliteDir;
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(HTTP_METHOD_NOT_ALLOWED).end();
      return;
    }
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://page').pathname);
    } catch {
      res.writeHead(HTTP_NOT_FOUND).end();
      return;
    }
    const file = path.startsWith(PGLITE_PREFIX)
      ? pgliteDir === null ? null : fileUnder(pgliteDir, path.slice(PGLITE_PREFIX.length - 1))
      : fileUnder(pageDir, path === '/' ? '/index.html' : path);
    if (file === null) {
      res.writeHead(HTTP_NOT_FOUND, { 'content-type': 'text/plain; charset=utf-8' }).end(`not found: ${path}\n`);
      return;
    }
    res.writeHead(HTTP_OK, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', ok);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    pageDir,
    pgliteDir,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
