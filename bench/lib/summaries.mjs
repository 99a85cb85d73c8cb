// @ts-check
/**
 * From process results to per-case figures: the median within a process, then the median over
 * processes (with its min–max), and the one accessor the bar, RESULTS.md and the chart read them by.
 */
import { median } from './measure.mjs';

/** @import { Metrics, ProcessResult, Summaries, Summary, Group } from './types.js' */

/**
 * Median of each numeric metric within one process result: arrays of numbers → their median,
 * numbers kept, anything else (name, check, info) left out.
 * @param {ProcessResult} result
 * @returns {Metrics}
 */
export function perProcess(result) {
  /** @type {Record<string, number>} */
  const m = {};
  for (const [k, v] of Object.entries(result)) {
    if (Array.isArray(v) && v.every((x) => typeof x === 'number')) m[k] = median(v);
    else if (typeof v === 'number') m[k] = v;
  }
  return m;
}

/**
 * Combines the runs of one case: per metric, the median over processes and its min/max.
 * @param {string} name
 * @param {Group} group
 * @param {readonly ProcessResult[]} results
 * @returns {Summary}
 */
export function combine(name, group, results) {
  const ok = results.filter((r) => !r.error && !r.unavailable);
  if (ok.length === 0) {
    const bad = results.find((r) => r.unavailable) ?? results.find((r) => r.error);
    const empty = { name, group, runs: 0, metrics: {}, spread: {} };
    return bad?.unavailable ? { ...empty, unavailable: bad.unavailable } : { ...empty, error: bad?.error ?? 'no runs' };
  }
  const per = ok.map(perProcess);
  /** @type {Record<string, number>} */
  const metrics = {};
  /** @type {Record<string, [number, number]>} */
  const spread = {};
  for (const key of Object.keys(per[0] ?? {})) {
    const vals = per.map((p) => p[key]).filter((x) => typeof x === 'number' && Number.isFinite(x));
    if (vals.length === 0) continue;
    metrics[key] = median(vals);
    spread[key] = [Math.min(...vals), Math.max(...vals)];
  }
  const last = ok[ok.length - 1];
  const failedRuns = results.flatMap((r) => (r.error ? [r.error.split('\n')[0]] : []));
  return {
    name, group, runs: ok.length, metrics, spread,
    ...(last?.check !== undefined ? { check: last.check } : {}),
    ...(last?.info !== undefined ? { info: last.info } : {}),
    ...(failedRuns.length ? { failedRuns } : {}),
  };
}

/**
 * Metric `key` of case `name`, NaN when the case did not run, failed, or has no such metric
 * (NaN prints as "–" and is falsy, so a missing anchor leaves a ratio out).
 * @param {Summaries} summaries
 * @param {string} name
 * @param {string} key
 * @returns {number}
 */
export function metricOf(summaries, name, key) {
  const s = summaries[name];
  if (!s || s.unavailable || s.error) return NaN;
  const v = s.metrics[key];
  return v !== undefined && Number.isFinite(v) ? v : NaN;
}

/**
 * A number with `digits` decimals, "–" when it is not finite.
 * @param {number | undefined} x
 * @param {number} [digits]
 */
export const fmt = (x, digits = 1) => (x !== undefined && Number.isFinite(x) ? x.toFixed(digits) : '–');
