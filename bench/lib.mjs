/**
 * Small shared helpers for the benchmark scripts: argument parsing, timing loops, the one-line
 * JSON result protocol between a benchmark process and bench/run.mjs, and loading our compiled
 * library from dist/ (a part that has not landed yet is reported as unavailable, never faked).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Repository root (bench/..). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Our compiled library: dist/, or the snapshot run.mjs took of it (BENCH_DIST), so that a build
 * running elsewhere during a long suite cannot change the code under measurement halfway.
 */
export const DIST = process.env.BENCH_DIST ?? join(ROOT, 'dist');

/** The prefix of the one stdout line run.mjs parses. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

/** `--key value` / `--flag` arguments into an object. */
export function parseArgs(argv = process.argv.slice(2)) {
  const args = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    const key = a.slice(2);
    const next = argv[i + 1];
    if (next === undefined || next.startsWith('--')) args[key] = true;
    else { args[key] = next; i++; }
  }
  return args;
}

/** Median of numbers (mean of the middle two for even counts). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs `fn` `warmup` times untimed, then `iters` times timed; returns each timed run's ms. A run
 * that times only part of its work returns `{ selfMs, check }`: its own figure and checksum.
 */
export async function timeRuns(fn, { warmup = 2, iters = 5 } = {}) {
  const gc = globalThis.gc;
  let last;
  for (let i = 0; i < warmup; i++) { gc?.(); last = await fn(); }
  const ms = [];
  for (let i = 0; i < iters; i++) {
    gc?.();
    const t0 = process.hrtime.bigint();
    last = await fn();
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
    ms.push(typeof last?.selfMs === 'number' ? last.selfMs : elapsed);
  }
  return { ms, last: typeof last?.selfMs === 'number' ? last.check : last };
}

/** Prints this process's result for run.mjs (one line, JSON). */
export function report(result) {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

/** Reports a case whose library part has not landed yet: run.mjs prints "not available yet". */
export function unavailable(name, reason) {
  report({ name, unavailable: String(reason?.message ?? reason).split('\n')[0] });
}

/**
 * Imports a compiled module of ours from dist/ (e.g. 'protocol/frame-reader.js').
 * Throws an Error whose message says what is missing, so callers can report it as unavailable.
 */
export async function loadOurs(rel) {
  const file = join(DIST, rel);
  if (!existsSync(file)) throw new Error(`dist/${rel} not built (run npm run build)`);
  return import(pathToFileURL(file).href);
}

/** Imports our module and checks it exports `names`; throws a descriptive Error otherwise. */
export async function requireOurs(rel, names) {
  const mod = await loadOurs(rel);
  const missing = names.filter((n) => !(n in mod));
  if (missing.length) throw new Error(`dist/${rel} does not export ${missing.join(', ')}`);
  return mod;
}

/**
 * Our library as a user imports it: the module package.json's `exports["."].import` names (a
 * bundle or dist/index.js), taken from the measured dist/ snapshot.
 */
export async function loadPackage() {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const target = pkg.exports?.['.']?.import ?? pkg.main ?? './dist/index.js';
  return loadOurs(target.replace(/^\.\/dist\//, ''));
}

/** `names` from the package entry when it exports them all, else from the module `fallback` of dist/. */
export async function ourExports(names, fallback) {
  try {
    const mod = await loadPackage();
    if (names.every((n) => n in mod)) return mod;
  } catch {
    // Fall back to the module itself (e.g. before the entry point existed).
  }
  return requireOurs(fallback, names);
}
