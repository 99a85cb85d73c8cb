/**
 * Renders a run (bench/run.mjs) as Markdown (bench/RESULTS.md) and as a hand-written SVG chart of
 * the ratios against the bar and against the anchors (bench/results.svg). No dependencies.
 */

const f = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
const NA = 'not available yet';

function state(s) {
  if (!s) return 'not run';
  if (s.unavailable) return `${s.name?.includes(':ours') ? NA : 'not available'} (${s.unavailable})`;
  if (s.error) return `error: ${s.error.split('\n')[0].slice(0, 160)}`;
  return null;
}

const m = (sums, name, key) => {
  const s = sums[name];
  return s && !s.unavailable && !s.error ? s.metrics[key] : undefined;
};
const spread = (sums, name, key, d = 1) => {
  const r = sums[name]?.spread?.[key];
  return r ? `${f(r[0], d)}–${f(r[1], d)}` : '';
};
const times = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');

const DECODE_LABEL = {
  'pgprotocol:strings': 'pg-protocol Parser, strings',
  'js:index': 'pure-JS anchor, frame + index',
  'js:strings': 'pure-JS anchor, strings',
  'js:columnar': 'pure-JS anchor, columnar',
  'js:typed': 'pure-JS anchor, typed values',
  'ours:scan': '**ours**, WASM core frame + index (bytes in its memory, as our sockets deliver them)',
  'ours:scancopy': '**ours**, WASM core frame + index, chunks copied in (as push() does)',
  'ours:index': '**ours**, BackendReader.next() loop',
  'ours:index-push': '**ours**, BackendReader.next() loop, through push()',
  'ours:strings': '**ours**, strings',
  'ours:strings-push': '**ours**, strings, through push()',
  'ours:columnar': '**ours**, columnar',
  'ours:typed': '**ours**, typed values',
};
const STREAM_LABEL = {
  rows5: 'rows5 (5 text fields incl. NULL)',
  rows5_utf8: 'rows5, 10% non-ASCII rows',
  text1k: 'one 1 KiB text field',
  cols40: '40 short text columns',
  binary7: 'binary: int4, int8, float8, bool, timestamptz, uuid, numeric',
};
const CLIENT = {
  floor: 'server floor', ours: '**ours**', pg: '`pg` 8.23', postgresjs: 'postgres.js 3.4', psql: 'psql (libpq)', pgbench: 'pgbench -M prepared (libpq)',
};

function checkAgreement(sums, prefix, levels) {
  const checks = Object.values(sums)
    .filter((s) => s.name?.startsWith(`${prefix}:`) && levels.some((l) => s.name.endsWith(`:${l}`)) && s.check)
    .map((s) => [s.name, JSON.stringify(s.check)]);
  if (checks.length < 2) return '';
  return new Set(checks.map((c) => c[1])).size === 1 ? '' : ` ⚠ checksums differ: ${checks.map(([n, c]) => `${n}=${c}`).join('; ')}`;
}

/** A warning line when the clients that ran report different checksums (rows, characters, bytes). */
function sameChecks(sums, names) {
  const checks = names.filter((n) => sums[n]?.check).map((n) => [n, JSON.stringify(sums[n].check)]);
  if (checks.length < 2 || new Set(checks.map((c) => c[1])).size === 1) return '';
  return `⚠ the clients' checksums differ: ${checks.map(([n, c]) => `${n} ${c}`).join('; ')}`;
}

function decodeTable(sums) {
  const rows = [];
  const streams = [...new Set(Object.values(sums).filter((s) => s.group === 'decode').map((s) => s.name.split(':')[0]))];
  for (const stream of streams) {
    const names = Object.keys(sums).filter((n) => n.startsWith(`${stream}:`) && sums[n].group === 'decode');
    const anchor = m(sums, `${stream}:pgprotocol:strings`, 'ms');
    for (const name of names) {
      const impl = name.slice(stream.length + 1);
      const level = impl.split(':')[1].replace(/-push$/, '');
      const st = state(sums[name]);
      const label = DECODE_LABEL[impl] ?? impl;
      if (st) { rows.push(`| ${STREAM_LABEL[stream] ?? stream} | ${label} | ${st} | | | | |`); continue; }
      const t = m(sums, name, 'ms');
      const bytes = m(sums, name, 'bytes');
      const js = m(sums, `${stream}:js:${level}`, 'ms');
      const vsPg = anchor && level !== 'index' && !impl.startsWith('pgprotocol') ? times(anchor / t) : '–';
      const jsSame = level === 'scan' || level === 'scancopy' ? m(sums, `${stream}:js:index`, 'ms') : js;
      const vsJs = impl.startsWith('ours:') && jsSame ? times(jsSame / t) : '–';
      rows.push(`| ${STREAM_LABEL[stream] ?? stream} | ${label} | ${f(t)} (${spread(sums, name, 'ms')}) | ${f(bytes / t / 1e3, 0)} | ${vsPg} | ${vsJs} | ${sums[name].runs} |`);
    }
    for (const levels of [['scan', 'scancopy', 'index', 'index-push'], ['strings', 'strings-push'], ['columnar'], ['typed']]) {
      const warn = checkAgreement(sums, stream, levels);
      if (warn) rows.push(`| ${stream} | ${levels.join('/')} | ${warn} | | | | |`);
    }
  }
  if (!rows.length) return '';
  return [
    '## Decode, in memory (64 KiB chunks)',
    '',
    'Median ms over processes (min–max of the per-process medians); "vs pg-protocol" = pg-protocol Parser time ÷ this time on the same bytes; "vs JS" = the pure-JS anchor at the same level ÷ this time. Every implementation reports a checksum (rows, characters, NULLs…) that must agree across implementations of a level. Delivery: pg-protocol is handed the 64 KiB Buffers; the JS anchor and our "through push()" rows copy them into their own buffer (timed); our other rows take the bytes where our TCP sockets put them (Node\'s onread reads straight into WASM memory: the stand-in copy for the kernel\'s is not timed, as it is not for pg-protocol).',
    '',
    '| stream | implementation, level | ms | MB/s | vs pg-protocol | vs JS anchor | runs |',
    '|---|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

function encodeTable(sums) {
  const rows = [];
  const WORK = { bind: 'Bind, 5 mixed parameters', chain: 'Parse+Bind+Describe+Execute+Sync', copy: 'CopyData, small rows' };
  for (const work of ['bind', 'chain', 'copy']) {
    const anchor = m(sums, `${work}:pgprotocol`, 'ms');
    for (const impl of ['pgprotocol', 'bare', 'ours']) {
      const name = `${work}:${impl}`;
      if (!sums[name]) continue;
      const st = state(sums[name]);
      const label = { ours: '**ours** (MessageBuffer)', bare: 'bare JS writer, no checks (the floor)', pgprotocol: 'pg-protocol serialize' }[impl];
      if (st) { rows.push(`| ${WORK[work]} | ${label} | ${st} | | | |`); continue; }
      const t = m(sums, name, 'ms');
      const n = m(sums, name, 'count');
      rows.push(`| ${WORK[work]} | ${label} | ${f(t)} (${spread(sums, name, 'ms')}) | ${f((t * 1e6) / n, 0)} | ${anchor ? times(anchor / t) : '–'} | ${sums[name].runs} |`);
    }
  }
  if (!rows.length) return '';
  return ['## Encode', '', '| workload (count in the raw JSON) | implementation | ms | ns per message/chain | vs pg-protocol | runs |', '|---|---|---|---|---|---|', ...rows, ''].join('\n');
}

function e2eTables(sums, meta) {
  const out = [];
  const have = (prefix) => Object.keys(sums).some((n) => n.startsWith(prefix));
  const rowsN = meta.sizes.selectRows;
  if (have('select:')) {
    const pgCpu = m(sums, 'select:pg', 'cpu');
    const floor = m(sums, 'select:floor', 'ms');
    out.push(`### ${rowsN.toLocaleString('en')}-row SELECT * FROM w1 (id int8, qty int4, md5 text, tag text, NULL), a string for every field`, '',
      '| client | wall ms | client CPU ms | CPU µs/row | rows/s | wall vs floor | CPU vs pg |', '|---|---|---|---|---|---|---|');
    for (const impl of ['floor', 'ours', 'pg', 'postgresjs', 'psql']) {
      const name = `select:${impl}`;
      if (!sums[name]) continue;
      const st = state(sums[name]);
      if (st) { out.push(`| ${CLIENT[impl]} | ${st} | | | | | |`); continue; }
      const wall = m(sums, name, 'ms');
      const cpu = m(sums, name, 'cpu');
      out.push(`| ${CLIENT[impl]} | ${f(wall, 0)} (${spread(sums, name, 'ms', 0)}) | ${impl === 'floor' ? '–' : f(cpu, 0)} | ${impl === 'floor' ? '–' : f((cpu * 1e3) / rowsN, 3)} | ${f(rowsN / wall / 1e3, 2)}M | ${floor ? times(wall / floor) : '–'} | ${impl === 'floor' || !pgCpu ? '–' : times(cpu / pgCpu)} |`);
    }
    const agree = sameChecks(sums, ['select:ours', 'select:pg', 'select:postgresjs']);
    if (agree) out.push('', agree);
    out.push('', 'Server floor: `EXPLAIN (ANALYZE, SERIALIZE TEXT)` of the same query — the server reads every row and converts it to text, and sends nothing. psql: `psql -c` into /dev/null; its CPU includes its own start and connect (~10 ms).', '');
  }
  if (have('depth1:') || have('depth100:') || have('batch100:')) {
    out.push(`### Pipelined prepared point queries, \`SELECT $1::int\` × ${meta.sizes.pipelineCount.toLocaleString('en')}`, '',
      '| mode | client | queries/s | vs postgres.js | vs pgbench |', '|---|---|---|---|---|');
    const MODE = { depth1: 'one at a time (a Sync each)', depth100: '100 in flight, a Sync per query', batch100: '100 in flight, one Sync per 100' };
    for (const mode of ['depth1', 'depth100', 'batch100']) {
      const pgjs = m(sums, `${mode}:postgresjs`, 'qps');
      const bench = m(sums, `${mode}:pgbench`, 'qps');
      for (const impl of ['ours', 'pg', 'postgresjs', 'pgbench']) {
        const name = `${mode}:${impl}`;
        if (!sums[name]) continue;
        const st = state(sums[name]);
        const label = impl === 'pg' && mode !== 'depth1' ? '`pg` 8.23 (`pipeline: true`)' : CLIENT[impl];
        if (st) { out.push(`| ${MODE[mode]} | ${label} | ${st} | | |`); continue; }
        const q = m(sums, name, 'qps');
        out.push(`| ${MODE[mode]} | ${label} | ${f(q / 1e3, 1)}k (${spread(sums, name, 'qps', 0)}) | ${pgjs && impl !== 'postgresjs' ? times(q / pgjs) : '–'} | ${bench && impl !== 'pgbench' ? times(q / bench) : '–'} |`);
      }
    }
    out.push('');
  }
  for (const dir of ['copyout', 'copyin']) {
    if (!have(`${dir}:`)) continue;
    const floor = m(sums, `${dir}:floor`, 'ms');
    out.push(dir === 'copyout' ? '### COPY w1 TO STDOUT (text)' : '### COPY w1_in FROM STDIN (text, unlogged table)', '',
      '| client | wall ms | client CPU ms | MB/s | wall vs floor |', '|---|---|---|---|---|');
    for (const impl of ['floor', 'ours', 'pg', 'postgresjs', 'psql']) {
      const name = `${dir}:${impl}`;
      if (!sums[name]) continue;
      const st = state(sums[name]);
      const label = impl === 'pg' ? '`pg` + pg-copy-streams' : impl === 'postgresjs' ? `postgres.js ${dir === 'copyout' ? '.readable()' : '.writable()'}` : CLIENT[impl];
      if (st) { out.push(`| ${label} | ${st} | | | |`); continue; }
      const wall = m(sums, name, 'ms');
      out.push(`| ${label} | ${f(wall, 0)} (${spread(sums, name, 'ms', 0)}) | ${impl === 'floor' ? '–' : f(m(sums, name, 'cpu'), 0)} | ${f(m(sums, name, 'bytes') / wall / 1e3, 0)} | ${floor ? times(wall / floor) : '–'} |`);
    }
    const agree = sameChecks(sums, [`${dir}:ours`, `${dir}:pg`, `${dir}:postgresjs`]);
    if (agree) out.push('', agree);
    out.push('', dir === 'copyout' ? "Server floor: `COPY w1 TO '/dev/null'` run by the server itself." : 'Server floor: `COPY w1_in FROM` a server-side file holding the same bytes. The table is truncated before every run.', '');
  }
  if (have('connect:')) {
    const pg = m(sums, 'connect:pg', 'ms');
    out.push('### Start + connect (TCP + TLS + SCRAM-SHA-256), fresh process', '', '| client | import + first connect ms | of which import | later connects ms | vs pg |', '|---|---|---|---|---|');
    for (const impl of ['ours', 'pg', 'postgresjs']) {
      const name = `connect:${impl}`;
      if (!sums[name]) continue;
      const st = state(sums[name]);
      if (st) { out.push(`| ${CLIENT[impl]} | ${st} | | | |`); continue; }
      const t = m(sums, name, 'ms');
      out.push(`| ${CLIENT[impl]} | ${f(t, 1)} (${spread(sums, name, 'ms', 1)}) | ${f(m(sums, name, 'importMs'), 1)} | ${f(m(sums, name, 'warmMs'), 2)} | ${pg ? times(t / pg) : '–'} |`);
    }
    out.push('');
  }
  if (have('rss:')) {
    out.push(`### Peak RSS streaming ${meta.sizes.rssRows.toLocaleString('en')} rows to a slow consumer`, '', '| client | API | RSS after connect MB | peak RSS MB | above baseline MB |', '|---|---|---|---|---|');
    for (const impl of ['ours', 'ours+semi4', 'pg', 'postgresjs']) {
      const name = `rss:${impl}`;
      if (!sums[name]) continue;
      const st = state(sums[name]);
      const label = impl === 'ours+semi4' ? '**ours**, node --max-semi-space-size=4' : CLIENT[impl];
      if (st) { out.push(`| ${label} | | ${st} | | |`); continue; }
      out.push(`| ${label} | ${sums[name].info?.api ?? ''} | ${f(m(sums, name, 'baseMB'))} | ${f(m(sums, name, 'peakMB'))} | ${f(m(sums, name, 'aboveMB'))} |`);
    }
    out.push('', "The consumer pauses 10 ms after every 10,000 rows. Baseline: RSS after import, connect and a GC. With V8's young generation capped at 4 MB the remaining growth is what the client itself holds; the default lets V8 grow the young generation under allocation pressure whatever allocates.", '');
  }
  if (!out.length) return '';
  return [`## End to end, PostgreSQL ${meta.postgres ?? '18'} started by the bench (same server, same run)`, '', ...out].join('\n');
}

/** A section listing runs that failed (left out of the medians), deduplicated per case. */
function failedRuns(sums) {
  const lines = [];
  for (const s of Object.values(sums)) {
    const errs = [...new Set([...(s.failedRuns ?? []), ...(s.error ? [s.error.split('\n')[0]] : [])])];
    if (errs.length) lines.push(`- \`${s.name}\`: ${errs.map((e) => e.slice(0, 200)).join('; ')}`);
  }
  return lines.length ? ['## Failed runs (left out of the medians)', '', ...lines, ''] : [];
}

/** RESULTS.md for one run. */
export function renderMarkdown(data, svgName) {
  const { meta, figures, summaries } = data;
  const lines = [
    '# pg-stream benchmark results',
    '',
    `Generated by \`node bench/run.mjs${meta.mode === 'quick' ? ' --quick' : ''}${meta.only.length ? ` --only ${meta.only.join(',')}` : ''}\` — do not edit by hand.`,
    '',
    '| | |',
    '|---|---|',
    `| date | ${meta.date} (${meta.durationS} s) |`,
    `| commit | ${meta.commit ?? 'unknown'} |`,
    `| Node | ${meta.node} |`,
    `| machine | ${meta.cpu}, ${meta.cores} cores, ${meta.memGiB} GiB, ${meta.os} |`,
    `| load average (1 min) at start / end | ${meta.load?.join(' / ') ?? '–'} (other work on the machine widens the spreads; ratios are taken within one run) |`,
    `| PostgreSQL | ${meta.postgres ?? 'not started'} |`,
    `| mode | ${meta.mode} |`,
    '',
    'Every figure is a ratio of medians measured in this run, against an anchor measured on the same bytes or the same server. Each case runs in several fresh Node processes (interleaved with the other cases); the median is taken within a process, then over processes.',
    '',
    ...(meta.incidents?.length ? ['**Incidents during this run** (runs affected are listed as errors below and left out of the medians):', '', ...meta.incidents.map((i) => `- ${i.split('\n')[0]}\n\n  \`\`\`\n${i.split('\n').slice(1).map((l) => `  ${l}`).join('\n')}\n  \`\`\``), ''] : []),
    `![ratios against the bar and the anchors](${svgName})`,
    '',
    '## The bar (PERFORMANCE.md)',
    '',
    '| figure | measured | bar | status | how |',
    '|---|---|---|---|---|',
    ...figures.map((x) => `| ${x.label} | ${x.display}${x.reason ? ` (${x.reason})` : ''} | ${x.barText} | ${x.status === 'met' ? '✅ met' : x.status === 'not met' ? '❌ not met' : '⏳ not available yet'} | ${x.how} |`),
    '',
    decodeTable(summaries),
    encodeTable(summaries),
    e2eTables(summaries, meta),
    ...failedRuns(summaries),
    '## How to run',
    '',
    '- `npm run bench` — the full suite (about 20 minutes on 2 cores); writes this file, `results.svg` and the raw `results.json`.',
    '- `npm run bench:quick` — fewer rows and runs (a CI smoke of about a minute); writes `RESULTS-quick.md` (not committed).',
    '- `node bench/run.mjs --only rows5,bind` — only cases whose name contains one of the words (`decode`, `encode`, `e2e`, `select:`, `depth100` …); `--runs N` overrides the number of processes per case.',
    '- One case by hand: `node --expose-gc bench/decode.mjs --case rows5:ours:strings`; the e2e scripts need the server facts run.mjs passes in `BENCH_PG`.',
    '',
    'The end-to-end cases start their own PostgreSQL 18 (the test harness in test/support/embedded, TLS on, SCRAM-SHA-256 for the superuser) with `shared_buffers=256MB`, and create the unlogged table `w1` (id int8, qty int4, md5 text, tag text, NULL). psql and pgbench come from the system\'s postgresql-client when installed, otherwise their rows say so.',
    '',
    '## Anchors',
    '',
    '- **pg-protocol** `Parser` / `serialize` (node-postgres\'s codec): one string per field, one Buffer per outgoing message.',
    '- **pure-JS anchor** (bench/js-anchor.mjs): the planning prototype\'s design in plain JS — DataView framing, a typed-array field index, one latin1 string per 64 KiB batch and `substring` per ASCII field — what equally optimised JavaScript reaches.',
    '- **pg** 8.23 (`rowMode: \'array\'`, `pipeline: true` where pipelined), **postgres.js** 3.4 (`.values()`, its default pipelining), **pg-copy-streams**, **psql**/**pgbench** (libpq, C) from the system\'s postgresql-client. Every anchor runs with its defaults (e.g. postgres.js does not set TCP_NODELAY); `pg` and postgres.js get identity type parsers so that every field stays a string, like ours.',
    '',
  ];
  return `${lines.filter((l) => l !== undefined).join('\n')}\n`;
}

// ------------------------------------------------------------------ SVG

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Speed-ups of ours over the anchors (anchor cost ÷ our cost; > 1 means we are faster). */
function speedups(sums) {
  const list = [];
  const add = (label, anchorName, oursName, key, higherIsBetter = false) => {
    const a = m(sums, anchorName, key);
    const o = m(sums, oursName, key);
    if (!sums[oursName] && !sums[anchorName]) return;
    const value = a && o ? (higherIsBetter ? o / a : a / o) : null;
    list.push({ label, value });
  };
  for (const s of ['rows5', 'rows5_utf8', 'text1k', 'cols40']) {
    add(`${s} strings vs pg-protocol`, `${s}:pgprotocol:strings`, `${s}:ours:strings`, 'ms');
    add(`${s} strings vs pure JS`, `${s}:js:strings`, `${s}:ours:strings`, 'ms');
  }
  add('rows5 WASM frame + index (chunks copied in) vs pure JS', 'rows5:js:index', 'rows5:ours:scancopy', 'ms');
  add('binary7 typed vs pure JS', 'binary7:js:typed', 'binary7:ours:typed', 'ms');
  for (const w of ['bind', 'chain', 'copy']) add(`${w} encode vs pg-protocol`, `${w}:pgprotocol`, `${w}:ours`, 'ms');
  add('bind: bare JS floor vs pg-protocol', 'bind:pgprotocol', 'bind:bare', 'ms');
  add('SELECT client CPU vs pg', 'select:pg', 'select:ours', 'cpu');
  add('SELECT client CPU vs postgres.js', 'select:postgresjs', 'select:ours', 'cpu');
  add('depth 1 q/s vs pg', 'depth1:pg', 'depth1:ours', 'qps', true);
  add('depth 100 q/s vs postgres.js', 'depth100:postgresjs', 'depth100:ours', 'qps', true);
  add('COPY out CPU vs pg-copy-streams', 'copyout:pg', 'copyout:ours', 'cpu');
  add('COPY in CPU vs pg-copy-streams', 'copyin:pg', 'copyin:ours', 'cpu');
  return list;
}

/** A horizontal bar chart on a log2 axis; `rows` = [{label, value (ratio or null), good, text}]. */
function chart(title, subtitle, rows, y0, { min, max, lineLabel }) {
  const W = 900;
  const left = 370;
  const right = W - 170;
  const rowH = 22;
  const lx = (v) => left + ((Math.log2(Math.min(Math.max(v, min), max)) - Math.log2(min)) / (Math.log2(max) - Math.log2(min))) * (right - left);
  const parts = [];
  parts.push(`<text x="10" y="${y0 + 18}" font-size="15" font-weight="bold">${esc(title)}</text>`);
  parts.push(`<text x="10" y="${y0 + 36}" font-size="11" fill="#555">${esc(subtitle)}</text>`);
  const top = y0 + 48;
  const bottom = top + rows.length * rowH;
  for (let t = min; t <= max; t *= 2) {
    const x = lx(t).toFixed(1);
    parts.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${x}" y="${bottom + 14}" font-size="10" text-anchor="middle" fill="#777">${t >= 1 ? t : `1/${1 / t}`}×</text>`);
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    parts.push(`<text x="${left - 8}" y="${y + 15}" font-size="11" text-anchor="end">${esc(r.label)}</text>`);
    if (r.value === null || !Number.isFinite(r.value)) {
      parts.push(`<text x="${left + 4}" y="${y + 15}" font-size="11" fill="#999" font-style="italic">not available yet</text>`);
      return;
    }
    // Bars grow from the reference line: right = better than the reference, left = worse.
    const x1 = lx(1);
    const x2 = lx(r.value);
    parts.push(`<rect x="${Math.min(x1, x2).toFixed(1)}" y="${y + 4}" width="${Math.max(1, Math.abs(x2 - x1)).toFixed(1)}" height="${rowH - 8}" fill="${r.good ? '#3a9d5d' : '#d0543f'}"/>`);
    parts.push(`<text x="${(Math.max(x2, x1) + 5).toFixed(1)}" y="${y + 15}" font-size="11">${esc(r.text)}</text>`);
  });
  const x1 = lx(1).toFixed(1);
  parts.push(`<line x1="${x1}" y1="${top - 4}" x2="${x1}" y2="${bottom}" stroke="#222" stroke-width="1.5" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${x1}" y="${top - 7}" font-size="10" text-anchor="middle">${esc(lineLabel)}</text>`);
  return { svg: parts.join('\n'), height: bottom + 24 - y0 };
}

/** results.svg: the bar (measured ÷ bar, log scale) and the speed-ups over the anchors. */
export function renderSvg(data) {
  const { meta, figures, summaries } = data;
  const W = 900;
  const barRows = figures.map((x) => ({
    label: x.label.length > 60 ? `${x.label.slice(0, 58)}…` : x.label,
    value: x.norm,
    good: x.status === 'met',
    text: `${x.display} (bar ${x.barText})`,
  }));
  let y = 34;
  const a = chart('The bar: measured relative to the bar (right of the dashed line = met)', '≥ figures: measured ÷ bar; ≤ figures: bar ÷ measured', barRows, y, { min: 1 / 16, max: 16, lineLabel: 'the bar' });
  y += a.height + 10;
  const sp = speedups(summaries).map((r) => ({ label: r.label, value: r.value, good: r.value !== null && r.value >= 1, text: r.value === null ? '' : `${r.value.toFixed(2)}×` }));
  const b = chart('Speed-up over the anchors (cost of the anchor ÷ our cost; right of the line = faster)', 'same bytes or same server, same run', sp, y, { min: 1 / 8, max: 32, lineLabel: '1× (parity)' });
  y += b.height + 10;
  const head = `<text x="10" y="20" font-size="12" fill="#333">pg-stream bench — ${esc(meta.date.slice(0, 16).replace('T', ' '))} UTC, Node ${esc(meta.node)}, ${esc(meta.cpu)} ×${meta.cores}, PostgreSQL ${esc(meta.postgres ?? '–')}, ${esc(meta.mode)} run</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="Helvetica, Arial, sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
${head}
${a.svg}
${b.svg}
</svg>
`;
}
