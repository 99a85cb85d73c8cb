// @ts-check
/**
 * The in-memory decode micro benchmark (PERFORMANCE.md, suite 1: rows5, a string per field) in a
 * real headless Chromium: ours (`pg-stream/browser`, the published bundle: WASM framing,
 * `BackendReader.push()` / `next()` / `text(i)`) against pg-protocol's `Parser` (what `pg` uses),
 * both bundled for the browser with esbuild (pg-protocol with a Buffer shim, buffer-shim.mjs), on
 * the same bytes, in interleaved runs inside one page. Prints a table; asserts nothing about time.
 *
 *   npm run build && node bench/browser/decode.mjs [--rows 1000000] [--rounds 7] [--warmup 2]
 *
 * Needs Debian's Chromium at /usr/bin/chromium. Not part of `npm test` or of bench/run.mjs; it writes
 * its table to bench/results-browser.md, which bench/run.mjs includes in RESULTS.md.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { median, numberArg, parseArgs } from '../lib/measure.mjs';
import { makeStream } from '../micro/streams.mjs';

/** @import { AddressInfo } from 'node:net' */

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const HERE = new URL('.', import.meta.url).pathname;
const ROOT = new URL('../..', import.meta.url).pathname;

const args = parseArgs();
const rows = numberArg(args, 'rows', 1_000_000);
const rounds = numberArg(args, 'rounds', 7);
const warmup = numberArg(args, 'warmup', 2);

if (!existsSync(CHROMIUM)) throw new Error(`this benchmark needs Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
if (!existsSync(`${ROOT}dist/bundle/browser.js`)) throw new Error('dist/bundle/browser.js is missing: run `npm run build` first');

const stream = makeStream('rows5', rows);
const bundle = await build({
  entryPoints: [`${HERE}decode-page.mjs`],
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  inject: [`${HERE}buffer-shim.mjs`],
  write: false,
  logLevel: 'silent',
});
/** @type {Map<string, { type: string, body: Uint8Array | string }>} */
const files = new Map([
  ['/', { type: 'text/html; charset=utf-8', body: '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="/app.js"></script>' }],
  ['/app.js', { type: 'text/javascript; charset=utf-8', body: bundle.outputFiles[0].contents }],
  ['/rows5.bin', { type: 'application/octet-stream', body: stream.bytes }],
]);
const server = createServer((req, res) => {
  const f = files.get(new URL(req.url ?? '/', 'http://page').pathname);
  if (f === undefined) res.writeHead(404).end();
  else res.writeHead(200, { 'content-type': f.type }).end(f.body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
const { port } = /** @type {AddressInfo} */ (server.address());

const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage();
  /** @type {string[]} */
  const errors = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => /** @type {{ bench?: unknown }} */ (globalThis).bench !== undefined, undefined, { timeout: 30_000 }).catch((err) => {
    throw new Error(`the benchmark page did not load: ${String(err)}\n${errors.join('\n')}`);
  });
  page.setDefaultTimeout(600_000);
  const r = await page.evaluate(
    ([n, w]) => /** @type {{ bench: { run(rounds: number, warmup: number): Promise<{ ours: number[], pgProtocol: number[], checks: { ours: unknown, pgProtocol: unknown }, bytes: number, userAgent: string }> } }} */ (/** @type {unknown} */ (globalThis)).bench.run(n, w),
    [rounds, warmup],
  );
  /** @type {string[]} */
  const out = [];
  const same = JSON.stringify(r.checks.ours) === JSON.stringify(r.checks.pgProtocol);
  const mb = r.bytes / 1e6;
  /** @param {number[]} xs */
  const line = (xs) => `${median(xs).toFixed(1)} | ${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)} | ${(mb / (median(xs) / 1000)).toFixed(0)}`;
  out.push(`rows5 decode in Chromium ${browser.version()} — ${rows} rows, ${mb.toFixed(1)} MB in 64 KiB chunks, a string per field; ${rounds} interleaved rounds after ${warmup} warm-up`);
  out.push('');
  out.push('| decoder | median ms | min–max ms | MB/s |');
  out.push('|---|---:|---:|---:|');
  out.push(`| ours (pg-stream/browser) | ${line(r.ours)} |`);
  out.push(`| pg-protocol Parser | ${line(r.pgProtocol)} |`);
  out.push('');
  out.push(`pg-protocol / ours: ${(median(r.pgProtocol) / median(r.ours)).toFixed(2)}× (above 1: ours is faster)`);
  out.push(`runs in order (ms): ours ${r.ours.map((x) => x.toFixed(0)).join(' ')}; pg-protocol ${r.pgProtocol.map((x) => x.toFixed(0)).join(' ')}`);
  out.push(`checks ${same ? 'agree' : 'DIFFER'}: ${JSON.stringify(r.checks.ours)}`);
  console.log(out.join('\n'));
  if (same) {
    let commit = 'unknown';
    try { commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(); } catch { /* not a git checkout */ }
    writeFileSync(`${ROOT}bench/results-browser.md`, [`Measured ${new Date().toISOString()} at commit ${commit} by \`npm run bench:browser\`.`, '', ...out, ''].join('\n'));
  }
  if (!same) {
    console.error(`pg-protocol's check: ${JSON.stringify(r.checks.pgProtocol)}`);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
  server.close();
}
