// @ts-check
/**
 * What the suite runs: every case, with its sizes for a full run and a quick (CI smoke) run, in
 * the order the cases run within one round. The figures of the bar are in bar.mjs.
 */

import { fmt } from './summaries.mjs';

/** @import { Case, EncodeWork, Metrics, Repeats, Sizes, StreamName } from './types.js' */

/**
 * Sizes and repetitions of a full run and of a quick (CI smoke) run.
 * @param {boolean} quick
 * @returns {Sizes}
 */
export function sizesFor(quick) {
  return quick
    ? {
        decodeRows: { rows5: 100_000, rows5_utf8: 100_000, text1k: 20_000, cols40: 20_000, binary7: 100_000 },
        decode: { runs: 2, iters: 3, warmup: 1 },
        encodeCount: { bind: 100_000, chain: 20_000, copy: 100_000 },
        encode: { runs: 2, iters: 3, warmup: 1 },
        selectRows: 100_000,
        pipelineCount: 5_000,
        rssRows: 300_000,
        e2e: { runs: 1, iters: 1, warmup: 0 },
        connectRuns: 2,
      }
    : {
        decodeRows: { rows5: 1_000_000, rows5_utf8: 1_000_000, text1k: 100_000, cols40: 100_000, binary7: 1_000_000 },
        decode: { runs: 5, iters: 5, warmup: 2 },
        encodeCount: { bind: 1_000_000, chain: 200_000, copy: 1_000_000 },
        encode: { runs: 5, iters: 5, warmup: 2 },
        selectRows: 1_000_000,
        pipelineCount: 100_000,
        rssRows: 10_000_000,
        e2e: { runs: 5, iters: 1, warmup: 1 },
        connectRuns: 9,
      };
}

/**
 * Implementations and levels of the decode cases, per stream (bench/micro/decode.mjs).
 * @satisfies {Record<StreamName, readonly string[]>}
 */
const DECODE_CASES = {
  rows5: ['pgprotocol:strings', 'js:index', 'js:strings', 'js:columnar', 'ours:scan', 'ours:scancopy', 'ours:index', 'ours:index-push', 'ours:strings', 'ours:strings-push', 'ours:columnar', 'ours:arrow'],
  rows5_utf8: ['pgprotocol:strings', 'js:strings', 'ours:strings'],
  text1k: ['pgprotocol:strings', 'js:strings', 'ours:strings'],
  cols40: ['pgprotocol:strings', 'js:index', 'js:strings', 'ours:scan', 'ours:index', 'ours:strings'],
  binary7: ['pgprotocol:strings', 'js:index', 'js:typed', 'ours:scan', 'ours:index', 'ours:typed', 'ours:arrow'],
};

/**
 * Implementations of the encode cases, per workload (bench/micro/encode.mjs).
 * @satisfies {Record<EncodeWork, readonly string[]>}
 */
const ENCODE_CASES = {
  bind: ['pgprotocol', 'bare', 'ours'],
  chain: ['pgprotocol', 'ours'],
  copy: ['pgprotocol', 'ours'],
};

/**
 * The `--iters` / `--warmup` arguments of a script.
 * @param {Repeats} r
 */
const repeats = (r) => ['--iters', String(r.iters), '--warmup', String(r.warmup)];

/** @param {Metrics} m */
const ms = (m) => `${fmt(m.ms, 1)} ms`;
/** @param {Metrics} m */
const wallCpu = (m) => `wall ${fmt(m.ms, 0)} ms, client CPU ${fmt(m.cpu, 0)} ms`;
/** @param {Metrics} m */
const qps = (m) => `${fmt(m.qps / 1e3, 1)}k q/s`;
/** @param {Metrics} m */
const rss = (m) => `peak RSS ${fmt(m.peakMB, 1)} MB, +${fmt(m.aboveMB, 1)} MB over baseline`;

/**
 * Every case, in the order they run within one round, and the sizes they were built with.
 * @param {{ quick: boolean }} options
 * @returns {{ cases: Case[], sizes: Sizes }}
 */
export function buildCases({ quick }) {
  const s = sizesFor(quick);
  /** @type {Case[]} */
  const cases = [];
  /** @param {Pick<Case, 'group' | 'name' | 'script' | 'args' | 'runs'> & Partial<Case>} c */
  const add = (c) => cases.push({ timeoutMs: quick ? 120_000 : 300_000, needsServer: false, describe: ms, ...c });

  for (const [stream, impls] of /** @type {[StreamName, readonly string[]][]} */ (Object.entries(DECODE_CASES))) {
    for (const impl of impls) {
      add({
        group: 'decode', name: `${stream}:${impl}`, script: 'micro/decode.mjs', runs: s.decode.runs,
        args: ['--rows', String(s.decodeRows[stream]), ...repeats(s.decode)],
        describe: (m) => `${fmt(m.ms, 1)} ms, ${fmt(m.bytes / m.ms / 1e3, 0)} MB/s`,
      });
    }
  }
  for (const [work, impls] of /** @type {[EncodeWork, readonly string[]][]} */ (Object.entries(ENCODE_CASES))) {
    for (const impl of impls) {
      add({ group: 'encode', name: `${work}:${impl}`, script: 'micro/encode.mjs', runs: s.encode.runs, args: ['--count', String(s.encodeCount[work]), ...repeats(s.encode)] });
    }
  }

  /**
   * An end-to-end case (against the server run.mjs starts).
   * @param {string} name
   * @param {string} script
   * @param {readonly string[]} extra
   * @param {number} runs
   * @param {(m: Metrics) => string} describe
   * @param {readonly string[]} [nodeFlags]
   */
  const e2e = (name, script, extra, runs, describe, nodeFlags) =>
    add({ group: 'e2e', name, script: `e2e/${script}`, runs, needsServer: true, args: [...extra, ...repeats(s.e2e)], describe, ...(nodeFlags ? { nodeFlags } : {}) });

  for (const impl of ['floor', 'ours', 'layer', 'pg', 'postgresjs', 'psql']) e2e(`select:${impl}`, 'select.mjs', ['--rows', String(s.selectRows)], s.e2e.runs, wallCpu);
  for (const impl of ['ours', 'each', 'run', 'pg', 'pgrows', 'postgresjs', 'postgresjsrows']) e2e(`typed:${impl}`, 'typed.mjs', ['--rows', String(s.selectRows)], s.e2e.runs, wallCpu);
  for (const mode of ['depth1', 'depth100', 'batch100']) {
    const impls = mode === 'batch100' ? ['ours', 'layer', 'pgbench'] : mode === 'depth100' ? ['ours', 'layer', 'pg', 'postgresjs'] : ['ours', 'layer', 'pg', 'postgresjs', 'pgbench'];
    // One at a time is slow (~10k q/s): fewer runs keep a full suite within ~20 minutes.
    const runs = mode === 'depth1' ? Math.min(3, s.e2e.runs) : s.e2e.runs;
    for (const impl of impls) e2e(`${mode}:${impl}`, 'pipeline.mjs', ['--count', String(s.pipelineCount)], runs, qps);
  }
  for (const dir of ['copyout', 'copyin']) {
    for (const impl of ['floor', 'ours', 'layer', 'pg', 'postgresjs', 'psql']) e2e(`${dir}:${impl}`, 'copy.mjs', [], s.e2e.runs, wallCpu);
  }
  // A 1M-row table of mixed binary types read into Arrow batches (batches(), copyTo().batches()) against rows.
  for (const impl of ['copyfloor', 'floor', 'ours', 'copy', 'stream', 'pg']) {
    e2e(`batches:${impl}`, 'batches.mjs', ['--rows', String(s.selectRows)], s.e2e.runs, (m) => `${wallCpu(m)}, ${fmt((m.rowsPerSec ?? 0) / 1e6, 2)}M rows/s, ${fmt(m.cpuNsPerRow ?? 0, 0)} ns CPU/row`);
  }
  for (const impl of ['ours', 'pg', 'postgresjs']) {
    e2e(`connect:${impl}`, 'connect.mjs', [], s.connectRuns, (m) => `first ${fmt(m.ms, 1)} ms (import ${fmt(m.importMs, 1)}), warm ${fmt(m.warmMs, 2)} ms`);
  }
  for (const impl of ['ours', 'pg', 'postgresjs']) e2e(`rss:${impl}`, 'rss.mjs', ['--rows', String(s.rssRows)], quick ? 1 : 3, rss);
  // The same run of ours with V8's young generation capped at 4 MB: what is left is the library's own.
  if (!quick) e2e('rss:ours+semi4', 'rss.mjs', ['--rows', String(s.rssRows)], 3, rss, ['--max-semi-space-size=4']);
  return { cases, sizes: s };
}
