// @ts-check
/**
 * What every benchmark process shares: its arguments, the timing loop, and the one-line JSON
 * result it prints for bench/run.mjs (`BENCH_RESULT {json}`).
 */

/** @import { ProcessResult, Timed } from './types.js' */

/** The prefix of the one stdout line run.mjs parses. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

/**
 * `--key value` / `--flag` arguments into an object.
 * @param {readonly string[]} [argv]
 * @returns {Record<string, string | true>}
 */
export function parseArgs(argv = process.argv.slice(2)) {
  /** @type {Record<string, string | true>} */
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

/**
 * A numeric argument, or `fallback` when it is absent.
 * @param {Record<string, string | true>} args
 * @param {string} key
 * @param {number} fallback
 */
export function numberArg(args, key, fallback) {
  const v = args[key];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${key} wants a number, got ${String(v)}`);
  return n;
}

/**
 * Median of numbers (mean of the middle two for even counts); NaN for none.
 * @param {readonly number[]} xs
 */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs `fn` `warmup` times untimed, then `iters` times timed, each after a GC (the processes run
 * with --expose-gc). A run that times only part of its work reports `selfMs`, which is taken
 * instead of the time around the call.
 * @param {() => Timed | Promise<Timed>} fn
 * @param {{ warmup?: number, iters?: number }} [options]
 * @returns {Promise<{ ms: number[], check: Timed['check'] }>}
 */
export async function timeRuns(fn, { warmup = 2, iters = 5 } = {}) {
  const gc = globalThis.gc;
  /** @type {Timed} */
  let last = { check: null };
  for (let i = 0; i < warmup; i++) { gc?.(); last = await fn(); }
  const ms = [];
  for (let i = 0; i < iters; i++) {
    gc?.();
    const t0 = process.hrtime.bigint();
    last = await fn();
    const elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
    ms.push(last.selfMs ?? elapsed);
  }
  return { ms, check: last.check };
}

/**
 * Prints this process's result for run.mjs (one line, JSON).
 * @param {ProcessResult} result
 */
export function report(result) {
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

/**
 * The first line of an error's message (or of any thrown value).
 * @param {unknown} e
 */
export function firstLine(e) {
  return String(e instanceof Error ? e.message : e).split('\n')[0];
}

/**
 * Reports a case that cannot run (a part of our library that has not landed yet, a missing tool):
 * run.mjs prints "not available yet" for ours, "not available" for an anchor.
 * @param {string} name
 * @param {unknown} reason
 */
export function unavailable(name, reason) {
  report({ name, unavailable: firstLine(reason) });
}

/**
 * Reports a process that failed.
 * @param {string} name
 * @param {unknown} e
 */
export function failed(name, e) {
  report({ name, error: String(e instanceof Error ? e.stack ?? e.message : e) });
}
