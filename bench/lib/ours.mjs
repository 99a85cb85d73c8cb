// @ts-check
/**
 * Loading our library the way a user does: the module `package.json`'s `exports["."]` names (the
 * esbuild bundle), from the dist/ snapshot run.mjs measures. What the entry does not export comes
 * from the compiled module files. A part that has not landed yet throws an Error saying what is
 * missing, which the scripts report as "not available yet" — never estimated.
 *
 * Types come from the sources (bench/tsconfig.json maps `pg-stream` to src/index.ts, whose
 * declarations the published dist/index.d.ts is built from).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** @import * as PgStream from 'pg-stream' */

/** Our package entry's exports. @typedef {typeof PgStream} Package */

/**
 * The compiled modules beyond the package entry that the benchmarks read, by path under dist/:
 * the core's memory layout, for timing the WASM scan alone, and the column builder and type codecs
 * behind `conn.batches()` and `run()`, for decoding in memory (bench/micro/decode.mjs).
 * @typedef {{
 *   'wasm/layout.js': typeof import('../../src/wasm/layout.js'),
 *   'types/arrow/column-builder.js': typeof import('../../src/types/arrow/column-builder.js'),
 *   'query/batch-columns.js': typeof import('../../src/query/batch-columns.js'),
 *   'types/registry.js': typeof import('../../src/types/registry.js'),
 * }} Internals
 */

/** Repository root (bench/lib/../..). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Our compiled library: dist/, or the snapshot run.mjs took of it (BENCH_DIST), so that a build
 * running elsewhere during a long suite cannot change the code under measurement halfway.
 */
export const DIST = process.env.BENCH_DIST ?? join(ROOT, 'dist');

/**
 * Imports a compiled module of ours from dist/ (e.g. 'protocol/backend-reader.js').
 * @param {string} rel
 * @returns {Promise<object>}
 */
export async function loadOurs(rel) {
  const file = join(DIST, rel);
  if (!existsSync(file)) throw new Error(`dist/${rel} not built (run npm run build)`);
  return import(pathToFileURL(file).href);
}

/**
 * Our library as a user imports it: the module `exports["."].import` of package.json names.
 * @returns {Promise<Package>}
 */
export async function loadPackage() {
  /** @type {{ exports?: { '.'?: { import?: string } }, main?: string }} */
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const target = pkg.exports?.['.']?.import ?? pkg.main ?? './dist/index.js';
  return /** @type {Package} */ (await loadOurs(target.replace(/^\.\/dist\//, '')));
}

/**
 * `names` from the package entry when it exports them all, else from the compiled modules
 * `fallbacks` (paths under dist/, e.g. 'protocol/backend-reader.js') that the entry re-exports.
 * @template {keyof Package} K
 * @param {readonly K[]} names
 * @param {readonly string[]} fallbacks
 * @returns {Promise<Pick<Package, K>>}
 */
export async function ourExports(names, fallbacks) {
  try {
    const mod = await loadPackage();
    if (names.every((n) => n in mod)) return mod;
  } catch {
    // The entry does not load (not built, or broken): the modules themselves may still.
  }
  /** @type {object} */
  const merged = Object.assign({}, ...(await Promise.all(fallbacks.map(loadOurs))));
  const missing = names.filter((n) => !(n in merged));
  if (missing.length) throw new Error(`our library does not export ${missing.join(', ')} (looked in the package entry and dist/${fallbacks.join(', dist/')})`);
  return /** @type {Pick<Package, K>} */ (merged);
}

/**
 * A compiled module beyond the package entry (see Internals), checked to export `names`.
 * @template {keyof Internals} P
 * @param {P} rel
 * @param {readonly (keyof Internals[P])[]} names
 * @returns {Promise<Internals[P]>}
 */
export async function internal(rel, names) {
  const mod = await loadOurs(rel);
  const missing = names.map(String).filter((n) => !(n in mod));
  if (missing.length) throw new Error(`dist/${rel} does not export ${missing.join(', ')}`);
  return /** @type {Internals[P]} */ (mod);
}
