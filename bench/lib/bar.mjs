// @ts-check
/**
 * PERFORMANCE.md's bar, figure by figure: each a ratio of medians measured in the same run (or,
 * for throughput and memory, a median itself), with the side that is good and how it is computed.
 */
import { metricOf } from './summaries.mjs';

/** @import { Figure, Summaries } from './types.js' */

/**
 * Why a figure has no value: the first case it needs that did not run, was unavailable or failed.
 * @param {Summaries} summaries
 * @param {readonly string[]} names
 */
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
 * @typedef {object} FigureSpec
 * @property {string} id
 * @property {string} label
 * @property {readonly string[]} needs the cases the figure reads
 * @property {(m: (name: string, key: string) => number) => number} compute the value (NaN when missing)
 * @property {'≥' | '≤'} op which side of the bar is good
 * @property {number} bar
 * @property {string} unit
 * @property {number} [digits]
 * @property {string} how
 */

/**
 * A figure of the bar. `evaluate` computes it from a run's summaries; `norm` (the value relative
 * to the bar, ≥ 1 when met) drives the chart.
 * @param {FigureSpec} spec
 * @returns {{ id: string, evaluate: (summaries: Summaries) => Figure }}
 */
function figure({ id, label, needs, compute, op, bar, unit, digits = 2, how }) {
  return {
    id,
    evaluate(summaries) {
      const value = compute((name, key) => metricOf(summaries, name, key));
      const barText = `${op} ${bar}${unit}`;
      if (!Number.isFinite(value)) {
        return { id, label, how, value: null, display: 'not available yet', bar, op, unit, barText, status: 'not available yet', reason: why(summaries, needs), norm: null };
      }
      const met = op === '≥' ? value >= bar : value <= bar;
      const norm = op === '≥' ? value / bar : bar / value;
      return { id, label, how, value, display: `${value.toFixed(digits)}${unit}`, bar, op, unit, barText, status: met ? 'met' : 'not met', norm };
    },
  };
}

/** PERFORMANCE.md's bar, figure by figure. */
export const FIGURES = [
  figure({
    id: 'rows5-strings', label: 'rows5 decode to strings vs pg-protocol', op: '≥', bar: 6, unit: '×',
    needs: ['rows5:pgprotocol:strings', 'rows5:ours:strings'],
    how: 'pg-protocol Parser time ÷ our BackendReader next() + DataRow text(i) time, same bytes, delivered as our sockets deliver them (through push() from caller buffers: see the decode table)',
    compute: (m) => m('rows5:pgprotocol:strings', 'ms') / m('rows5:ours:strings', 'ms'),
  }),
  figure({
    id: 'rows5-columnar', label: 'rows5 columnar typed decode vs pg-protocol strings', op: '≥', bar: 8, unit: '×',
    needs: ['rows5:pgprotocol:strings', 'rows5:ours:columnar'],
    how: 'pg-protocol Parser time ÷ our columnar decode time (int columns to typed arrays, text to strings)',
    compute: (m) => m('rows5:pgprotocol:strings', 'ms') / m('rows5:ours:columnar', 'ms'),
  }),
  figure({
    id: 'rows5-arrow', label: 'rows5 into Arrow columns vs pg-protocol strings', op: '≥', bar: 15, unit: '×',
    needs: ['rows5:pgprotocol:strings', 'rows5:ours:arrow'],
    how: 'pg-protocol Parser time ÷ our time framing the same bytes and building Arrow batches in WASM (validity, values, offsets + UTF-8; no JS value per field), as conn.batches() does; against our own text path (rows5:ours:strings) see the decode table',
    compute: (m) => m('rows5:pgprotocol:strings', 'ms') / m('rows5:ours:arrow', 'ms'),
  }),
  figure({
    id: 'binary7-arrow', label: 'binary7 into Arrow columns vs pg-protocol strings', op: '≥', bar: 15, unit: '×',
    needs: ['binary7:pgprotocol:strings', 'binary7:ours:arrow'],
    how: 'pg-protocol Parser time (a UTF-8 string per binary field, what pg does with binary results) ÷ our time building Arrow batches of the 7 binary columns (int4, int8, float8, bool, timestamptz, uuid, numeric) in WASM',
    compute: (m) => m('binary7:pgprotocol:strings', 'ms') / m('binary7:ours:arrow', 'ms'),
  }),
  figure({
    id: 'frame-index', label: 'frame + index throughput (rows5)', op: '≥', bar: 5, unit: ' GB/s',
    needs: ['rows5:ours:scan'],
    how: 'stream bytes ÷ time of the WASM core framing every message and indexing every DataRow field of bytes already in its memory, where our sockets read them (no JS objects; with the copy from caller buffers that push() makes: see the decode table)',
    compute: (m) => m('rows5:ours:scan', 'bytes') / (m('rows5:ours:scan', 'ms') * 1e6),
  }),
  figure({
    id: 'bind', label: 'Bind encode vs the bare JS writer (the floor)', op: '≤', bar: 1.2, unit: '×',
    needs: ['bind:ours', 'bind:bare'],
    how: 'our MessageBuffer bind().finish() time ÷ a bare, check-free JS writer of the same Bind messages (bench/micro/encode.mjs), 5 mixed parameters; the ratio to pg-protocol is in the encode table',
    compute: (m) => m('bind:ours', 'ms') / m('bind:bare', 'ms'),
  }),
  figure({
    id: 'select-cpu-pg', label: '1M-row SELECT, strings for every field: client CPU vs pg', op: '≤', bar: 0.25, unit: '×',
    needs: ['select:ours', 'select:pg'],
    how: 'our client CPU ÷ pg (rowMode array) client CPU for the same query',
    compute: (m) => m('select:ours', 'cpu') / m('select:pg', 'cpu'),
  }),
  figure({
    id: 'select-cpu-psql', label: 'same, client CPU vs psql (libpq)', op: '≤', bar: 0.5, unit: '×',
    needs: ['select:ours', 'select:psql'],
    how: 'our client CPU ÷ psql CPU (psql CPU includes its ~10 ms start and connect)',
    compute: (m) => m('select:ours', 'cpu') / m('select:psql', 'cpu'),
  }),
  figure({
    id: 'select-wall', label: 'same, wall time vs server floor', op: '≤', bar: 1.3, unit: '×',
    needs: ['select:ours', 'select:floor'],
    how: 'our wall time ÷ EXPLAIN (ANALYZE, SERIALIZE TEXT) of the same query (server work, nothing sent)',
    compute: (m) => m('select:ours', 'ms') / m('select:floor', 'ms'),
  }),
  figure({
    id: 'typed-stream-pg', label: '1M-row SELECT through stream(), typed values: client CPU vs pg', op: '≤', bar: 0.4, unit: '×',
    needs: ['typed:ours', 'typed:pg'],
    how: "client CPU of for await over conn.stream() reading every value by type ÷ pg (rowMode array, its default type parsers), same query (bench/e2e/typed.mjs)",
    compute: (m) => m('typed:ours', 'cpu') / m('typed:pg', 'cpu'),
  }),
  figure({
    id: 'layer-raw', label: 'the query layer vs the raw recv() loop (1M-row SELECT, strings)', op: '≤', bar: 1.1, unit: '×',
    needs: ['select:layer', 'select:ours'],
    how: 'client CPU of conn.stream() reading a string per field ÷ the raw recv() loop doing the same (bench/e2e/select.mjs)',
    compute: (m) => m('select:layer', 'cpu') / m('select:ours', 'cpu'),
  }),
  figure({
    id: 'arrow-batches-cpu', label: '1M-row mixed table into Arrow, batches(): client CPU per row vs ADBC', op: '≤', bar: 400, unit: ' ns', digits: 0,
    needs: ['batches:ours'],
    how: "client CPU per row of conn.batches('SELECT * FROM w7') ÷ rows, against the ADBC PostgreSQL driver's 0.40 µs/row on the same table shape (PERFORMANCE.md, measured 2026-12-04: ADBC needs Python packages this machine cannot install, so it is not re-run here)",
    compute: (m) => m('batches:ours', 'cpuNsPerRow'),
  }),
  figure({
    id: 'arrow-copy-cpu', label: 'same through copyTo().batches() (COPY BINARY): client CPU per row vs ADBC', op: '≤', bar: 400, unit: ' ns', digits: 0,
    needs: ['batches:copy'],
    how: "client CPU per row of conn.copyTo('COPY w7 TO STDOUT (FORMAT binary)').batches() (types described), against ADBC's 0.40 µs/row (PERFORMANCE.md)",
    compute: (m) => m('batches:copy', 'cpuNsPerRow'),
  }),
  figure({
    id: 'arrow-wall', label: 'same, batches(): wall vs the COPY BINARY floor', op: '≤', bar: 1.3, unit: '×',
    needs: ['batches:ours', 'batches:copyfloor'],
    how: "wall of conn.batches() ÷ COPY w7 TO '/dev/null' (FORMAT binary) run by the server",
    compute: (m) => m('batches:ours', 'ms') / m('batches:copyfloor', 'ms'),
  }),
  figure({
    id: 'arrow-copy-wall', label: 'same, copyTo().batches(): wall vs the COPY BINARY floor', op: '≤', bar: 1.3, unit: '×',
    needs: ['batches:copy', 'batches:copyfloor'],
    how: "wall of conn.copyTo(…).batches() ÷ COPY w7 TO '/dev/null' (FORMAT binary) run by the server",
    compute: (m) => m('batches:copy', 'ms') / m('batches:copyfloor', 'ms'),
  }),
  figure({
    id: 'pipe-sync-layer', label: 'pipeline(), a Sync per query, depth 100 vs postgres.js', op: '≥', bar: 1.5, unit: '×',
    needs: ['depth100:layer', 'depth100:postgresjs'],
    how: 'queries/s through conn.pipeline() (run + sync per query, 100 in flight) ÷ postgres.js queries/s, prepared SELECT $1::int',
    compute: (m) => m('depth100:layer', 'qps') / m('depth100:postgresjs', 'qps'),
  }),
  figure({
    id: 'pipe-batch-layer', label: 'pipeline(), one Sync per 100 vs pgbench', op: '≥', bar: 1, unit: '×',
    needs: ['batch100:layer', 'batch100:pgbench'],
    how: 'queries/s through conn.pipeline() (100 runs then one sync) ÷ pgbench -M prepared with \\startpipeline/\\endpipeline around 100 queries',
    compute: (m) => m('batch100:layer', 'qps') / m('batch100:pgbench', 'qps'),
  }),
  figure({
    id: 'pipe-sync', label: 'raw recv(): a Sync per query, depth 100 vs postgres.js', op: '≥', bar: 1.5, unit: '×',
    needs: ['depth100:ours', 'depth100:postgresjs'],
    how: 'our queries/s ÷ postgres.js queries/s, prepared SELECT $1::int',
    compute: (m) => m('depth100:ours', 'qps') / m('depth100:postgresjs', 'qps'),
  }),
  figure({
    id: 'pipe-batch', label: 'raw recv(): one Sync per 100 vs pgbench', op: '≥', bar: 1, unit: '×',
    needs: ['batch100:ours', 'batch100:pgbench'],
    how: 'our queries/s ÷ pgbench -M prepared with \\startpipeline/\\endpipeline around 100 queries',
    compute: (m) => m('batch100:ours', 'qps') / m('batch100:pgbench', 'qps'),
  }),
  figure({
    id: 'copyout-wall', label: 'COPY out: wall vs server floor', op: '≤', bar: 1.1, unit: '×',
    needs: ['copyout:ours', 'copyout:floor'],
    how: "our COPY w1 TO STDOUT wall ÷ COPY w1 TO '/dev/null' on the server",
    compute: (m) => m('copyout:ours', 'ms') / m('copyout:floor', 'ms'),
  }),
  figure({
    id: 'copyout-cpu', label: "COPY out: client CPU vs psql's", op: '≤', bar: 1, unit: '×',
    needs: ['copyout:ours', 'copyout:psql'],
    how: 'our client CPU ÷ psql CPU (COPY … TO STDOUT into /dev/null)',
    compute: (m) => m('copyout:ours', 'cpu') / m('copyout:psql', 'cpu'),
  }),
  figure({
    id: 'copyin-wall', label: 'COPY in: wall vs server floor', op: '≤', bar: 1.05, unit: '×',
    needs: ['copyin:ours', 'copyin:floor'],
    how: 'our COPY w1_in FROM STDIN wall ÷ COPY w1_in FROM a server-side file',
    compute: (m) => m('copyin:ours', 'ms') / m('copyin:floor', 'ms'),
  }),
  figure({
    id: 'copyin-cpu', label: "COPY in: client CPU vs pg-copy-streams'", op: '≤', bar: 1, unit: '×',
    needs: ['copyin:ours', 'copyin:pg'],
    how: 'our client CPU ÷ pg + pg-copy-streams client CPU',
    compute: (m) => m('copyin:ours', 'cpu') / m('copyin:pg', 'cpu'),
  }),
  figure({
    id: 'copyout-cpu-layer', label: "conn.copyTo(): client CPU vs psql's", op: '≤', bar: 1, unit: '×',
    needs: ['copyout:layer', 'copyout:psql'],
    how: 'client CPU of for await over conn.copyTo() ÷ psql CPU (COPY … TO STDOUT into /dev/null)',
    compute: (m) => m('copyout:layer', 'cpu') / m('copyout:psql', 'cpu'),
  }),
  figure({
    id: 'copyin-cpu-layer', label: "conn.copyFrom(): client CPU vs pg-copy-streams'", op: '≤', bar: 1, unit: '×',
    needs: ['copyin:layer', 'copyin:pg'],
    how: 'client CPU of conn.copyFrom() from an async iterable of chunks ÷ pg + pg-copy-streams client CPU',
    compute: (m) => m('copyin:layer', 'cpu') / m('copyin:pg', 'cpu'),
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
    compute: (m) => m('connect:ours', 'ms') / m('connect:pg', 'ms'),
  }),
];
