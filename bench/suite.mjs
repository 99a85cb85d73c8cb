/**
 * What the suite runs (every case, with its sizes for full and quick runs) and the figures of
 * PERFORMANCE.md's bar, each computed as a ratio of medians measured in the same run.
 */

const fmt = (x, digits = 1) => (Number.isFinite(x) ? x.toFixed(digits) : '–');

/** Sizes and repetitions of a full run and of a quick (CI smoke) run. */
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

const ms = (m) => `${fmt(m.ms, 1)} ms`;

/** Every case, in the order they run within one round. */
export function buildCases({ quick }) {
  const s = sizesFor(quick);
  const cases = [];
  const add = (c) => cases.push({ timeoutMs: quick ? 120_000 : 300_000, needsServer: false, describe: ms, ...c });
  const it = (x) => ['--iters', String(x.iters), '--warmup', String(x.warmup)];

  const decodeImpls = {
    rows5: ['pgprotocol:strings', 'js:index', 'js:strings', 'js:columnar', 'ours:scan', 'ours:scancopy', 'ours:index', 'ours:index-push', 'ours:strings', 'ours:strings-push', 'ours:columnar'],
    rows5_utf8: ['pgprotocol:strings', 'js:strings', 'ours:strings'],
    text1k: ['pgprotocol:strings', 'js:strings', 'ours:strings'],
    cols40: ['pgprotocol:strings', 'js:index', 'js:strings', 'ours:scan', 'ours:index', 'ours:strings'],
    binary7: ['js:index', 'js:typed', 'ours:scan', 'ours:index', 'ours:typed'],
  };
  for (const [stream, impls] of Object.entries(decodeImpls)) {
    for (const impl of impls) {
      add({
        group: 'decode', name: `${stream}:${impl}`, script: 'decode.mjs', runs: s.decode.runs,
        args: ['--rows', String(s.decodeRows[stream]), ...it(s.decode)],
        describe: (m) => `${fmt(m.ms, 1)} ms, ${fmt(m.bytes / m.ms / 1e3, 0)} MB/s`,
      });
    }
  }
  for (const work of ['bind', 'chain', 'copy']) {
    for (const impl of work === 'bind' ? ['pgprotocol', 'bare', 'ours'] : ['pgprotocol', 'ours']) {
      add({ group: 'encode', name: `${work}:${impl}`, script: 'encode.mjs', runs: s.encode.runs, args: ['--count', String(s.encodeCount[work]), ...it(s.encode)] });
    }
  }
  const e2e = (name, script, extra = [], runs = s.e2e.runs, describe = undefined) =>
    add({ group: 'e2e', name, script, runs, needsServer: true, args: [...extra, ...it(s.e2e)], ...(describe ? { describe } : {}) });
  const wallCpu = (m) => `wall ${fmt(m.ms, 0)} ms, client CPU ${fmt(m.cpu, 0)} ms`;
  for (const impl of ['floor', 'ours', 'pg', 'postgresjs', 'psql']) e2e(`select:${impl}`, 'e2e-select.mjs', ['--rows', String(s.selectRows)], undefined, wallCpu);
  const qps = (m) => `${fmt(m.qps / 1e3, 1)}k q/s`;
  for (const mode of ['depth1', 'depth100', 'batch100']) {
    const impls = mode === 'batch100' ? ['ours', 'pgbench'] : mode === 'depth100' ? ['ours', 'pg', 'postgresjs'] : ['ours', 'pg', 'postgresjs', 'pgbench'];
    // One at a time is slow (~10k q/s): fewer runs keep a full suite within ~20 minutes.
    const runs = mode === 'depth1' ? Math.min(3, s.e2e.runs) : s.e2e.runs;
    for (const impl of impls) e2e(`${mode}:${impl}`, 'e2e-pipeline.mjs', ['--count', String(s.pipelineCount)], runs, qps);
  }
  for (const dir of ['copyout', 'copyin']) {
    for (const impl of ['floor', 'ours', 'pg', 'postgresjs', 'psql']) e2e(`${dir}:${impl}`, 'e2e-copy.mjs', [], undefined, wallCpu);
  }
  for (const impl of ['ours', 'pg', 'postgresjs']) {
    e2e(`connect:${impl}`, 'e2e-connect.mjs', [], s.connectRuns, (m) => `first ${fmt(m.ms, 1)} ms (import ${fmt(m.importMs, 1)}), warm ${fmt(m.warmMs, 2)} ms`);
  }
  const rss = (m) => `peak RSS ${fmt(m.peakMB, 1)} MB, +${fmt(m.aboveMB, 1)} MB over baseline`;
  for (const impl of ['ours', 'pg', 'postgresjs']) e2e(`rss:${impl}`, 'e2e-rss.mjs', ['--rows', String(s.rssRows)], quick ? 1 : 3, rss);
  // The same run of ours with V8's young generation capped at 4 MB: what is left is the library's own.
  if (!quick) {
    add({
      group: 'e2e', name: 'rss:ours+semi4', script: 'e2e-rss.mjs', runs: 3, needsServer: true, nodeFlags: ['--max-semi-space-size=4'],
      args: ['--rows', String(s.rssRows), ...it(s.e2e)], describe: rss,
    });
  }
  return { cases, sizes: s };
}

// ------------------------------------------------------------------ the bar

/** Reads metric `key` of case `name` from the run's summaries (undefined when missing). */
function metric(summaries, name, key) {
  const s = summaries[name];
  if (!s || s.unavailable || s.error) return undefined;
  const v = s.metrics[key];
  return Number.isFinite(v) ? v : undefined;
}

function why(summaries, names) {
  for (const n of names) {
    const s = summaries[n];
    if (!s) return `${n} not run`;
    if (s.unavailable) return `${n}: ${s.unavailable}`;
    if (s.error) return `${n}: error`;
  }
  return 'missing metric';
}

/**
 * A figure of the bar. `compute` returns the measured value from the summaries (or undefined),
 * `op` says which side is good, `unit` how to print it. `norm` (value relative to the bar, ≥ 1
 * means met) drives the chart.
 */
function figure({ id, label, needs, compute, op, bar, unit, digits = 2, how }) {
  return {
    id,
    evaluate(summaries) {
      const value = compute((name, key) => metric(summaries, name, key));
      const barText = `${op} ${bar}${unit}`;
      if (value === undefined || !Number.isFinite(value)) {
        return { id, label, how, value: null, display: 'not available yet', bar, op, unit, barText, status: 'not available yet', reason: why(summaries, needs), norm: null };
      }
      const met = op === '≥' ? value >= bar : value <= bar;
      const norm = op === '≥' ? value / bar : bar / value;
      return { id, label, how, value, display: `${value.toFixed(digits)}${unit}`, bar, op, unit, barText, status: met ? 'met' : 'not met', norm };
    },
  };
}

const ratio = (a, b) => (a === undefined || b === undefined ? undefined : a / b);

/** PERFORMANCE.md's bar, figure by figure. */
export const FIGURES = [
  figure({
    id: 'rows5-strings', label: 'rows5 decode to strings vs pg-protocol', op: '≥', bar: 6, unit: '×',
    needs: ['rows5:pgprotocol:strings', 'rows5:ours:strings'],
    how: 'pg-protocol Parser time ÷ our BackendReader next() + DataRow text(i) time, same bytes, delivered as our sockets deliver them (through push() from caller buffers: see the decode table)',
    compute: (m) => ratio(m('rows5:pgprotocol:strings', 'ms'), m('rows5:ours:strings', 'ms')),
  }),
  figure({
    id: 'rows5-columnar', label: 'rows5 columnar typed decode vs pg-protocol strings', op: '≥', bar: 8, unit: '×',
    needs: ['rows5:pgprotocol:strings', 'rows5:ours:columnar'],
    how: 'pg-protocol Parser time ÷ our columnar decode time (int columns to typed arrays, text to strings)',
    compute: (m) => ratio(m('rows5:pgprotocol:strings', 'ms'), m('rows5:ours:columnar', 'ms')),
  }),
  figure({
    id: 'frame-index', label: 'frame + index throughput (rows5)', op: '≥', bar: 5, unit: ' GB/s',
    needs: ['rows5:ours:scan'],
    how: 'stream bytes ÷ time of the WASM core framing every message and indexing every DataRow field of bytes already in its memory, where our sockets read them (no JS objects; with the copy from caller buffers that push() makes: see the decode table)',
    compute: (m) => ratio(m('rows5:ours:scan', 'bytes'), m('rows5:ours:scan', 'ms') * 1e6),
  }),
  figure({
    id: 'bind', label: 'Bind encode vs pg-protocol', op: '≥', bar: 15, unit: '×',
    needs: ['bind:pgprotocol', 'bind:ours'],
    how: 'pg-protocol serialize.bind time ÷ our MessageBuffer bind().finish() time, 5 mixed parameters',
    compute: (m) => ratio(m('bind:pgprotocol', 'ms'), m('bind:ours', 'ms')),
  }),
  figure({
    id: 'select-cpu-pg', label: '1M-row SELECT, strings for every field: client CPU vs pg', op: '≤', bar: 0.25, unit: '×',
    needs: ['select:ours', 'select:pg'],
    how: 'our client CPU ÷ pg (rowMode array) client CPU for the same query',
    compute: (m) => ratio(m('select:ours', 'cpu'), m('select:pg', 'cpu')),
  }),
  figure({
    id: 'select-cpu-psql', label: 'same, client CPU vs psql (libpq)', op: '≤', bar: 0.5, unit: '×',
    needs: ['select:ours', 'select:psql'],
    how: 'our client CPU ÷ psql CPU (psql CPU includes its ~10 ms start and connect)',
    compute: (m) => ratio(m('select:ours', 'cpu'), m('select:psql', 'cpu')),
  }),
  figure({
    id: 'select-wall', label: 'same, wall time vs server floor', op: '≤', bar: 1.3, unit: '×',
    needs: ['select:ours', 'select:floor'],
    how: 'our wall time ÷ EXPLAIN (ANALYZE, SERIALIZE TEXT) of the same query (server work, nothing sent)',
    compute: (m) => ratio(m('select:ours', 'ms'), m('select:floor', 'ms')),
  }),
  figure({
    id: 'pipe-sync', label: 'pipelined, a Sync per query, depth 100 vs postgres.js', op: '≥', bar: 1.5, unit: '×',
    needs: ['depth100:ours', 'depth100:postgresjs'],
    how: 'our queries/s ÷ postgres.js queries/s, prepared SELECT $1::int',
    compute: (m) => ratio(m('depth100:ours', 'qps'), m('depth100:postgresjs', 'qps')),
  }),
  figure({
    id: 'pipe-batch', label: 'pipelined, one Sync per 100 vs pgbench', op: '≥', bar: 1, unit: '×',
    needs: ['batch100:ours', 'batch100:pgbench'],
    how: 'our queries/s ÷ pgbench -M prepared with \\startpipeline/\\endpipeline around 100 queries',
    compute: (m) => ratio(m('batch100:ours', 'qps'), m('batch100:pgbench', 'qps')),
  }),
  figure({
    id: 'copyout-wall', label: 'COPY out: wall vs server floor', op: '≤', bar: 1.1, unit: '×',
    needs: ['copyout:ours', 'copyout:floor'],
    how: "our COPY w1 TO STDOUT wall ÷ COPY w1 TO '/dev/null' on the server",
    compute: (m) => ratio(m('copyout:ours', 'ms'), m('copyout:floor', 'ms')),
  }),
  figure({
    id: 'copyout-cpu', label: "COPY out: client CPU vs psql's", op: '≤', bar: 1, unit: '×',
    needs: ['copyout:ours', 'copyout:psql'],
    how: 'our client CPU ÷ psql CPU (COPY … TO STDOUT into /dev/null)',
    compute: (m) => ratio(m('copyout:ours', 'cpu'), m('copyout:psql', 'cpu')),
  }),
  figure({
    id: 'copyin-wall', label: 'COPY in: wall vs server floor', op: '≤', bar: 1.05, unit: '×',
    needs: ['copyin:ours', 'copyin:floor'],
    how: 'our COPY w1_in FROM STDIN wall ÷ COPY w1_in FROM a server-side file',
    compute: (m) => ratio(m('copyin:ours', 'ms'), m('copyin:floor', 'ms')),
  }),
  figure({
    id: 'copyin-cpu', label: "COPY in: client CPU vs pg-copy-streams'", op: '≤', bar: 1, unit: '×',
    needs: ['copyin:ours', 'copyin:pg'],
    how: 'our client CPU ÷ pg + pg-copy-streams client CPU',
    compute: (m) => ratio(m('copyin:ours', 'cpu'), m('copyin:pg', 'cpu')),
  }),
  figure({
    id: 'rss', label: 'RSS streaming to a slow consumer, above the Node baseline', op: '≤', bar: 15, unit: ' MB', digits: 1,
    needs: ['rss:ours'],
    how: 'peak RSS during the stream minus RSS after import + connect, same process',
    compute: (m) => m('rss:ours', 'aboveMB'),
  }),
  figure({
    id: 'connect', label: 'start + connect (TLS + SCRAM) vs pg', op: '≤', bar: 1.1, unit: '×',
    needs: ['connect:ours', 'connect:pg'],
    how: 'import + first connection in a fresh process (WASM instantiation included), ours ÷ pg',
    compute: (m) => ratio(m('connect:ours', 'ms'), m('connect:pg', 'ms')),
  }),
];
