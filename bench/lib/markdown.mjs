// @ts-check
/**
 * bench/RESULTS.md for one run (bench/run.mjs): the bar, then a table per part of the suite with
 * medians, spreads, ratios against the anchors and checksum warnings.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fmt as f, metricOf as m } from './summaries.mjs';

/** @import { RunData, RunMeta, Summaries, Summary } from './types.js' */

const NA = 'not available yet';

/**
 * Why a case has no figure ("not run", "not available yet (…)", "error: …"), null when it has one.
 * @param {Summary | undefined} s
 */
function state(s) {
  if (!s) return 'not run';
  if (s.unavailable) return `${s.name.includes(':ours') ? NA : 'not available'} (${s.unavailable})`;
  if (s.error) return `error: ${s.error.split('\n')[0].slice(0, 160)}`;
  return null;
}

/**
 * The min–max of the per-process medians of a metric.
 * @param {Summaries} sums
 * @param {string} name
 * @param {string} key
 * @param {number} [d] decimals
 */
const spread = (sums, name, key, d = 1) => {
  const r = sums[name]?.spread[key];
  return r ? `${f(r[0], d)}–${f(r[1], d)}` : '';
};
/** @param {number} x */
const times = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');

/** @type {Record<string, string>} */
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
  'ours:arrow': '**ours**, Arrow columns built in WASM (as conn.batches() builds them)',
};
/** @type {Record<string, string>} */
const STREAM_LABEL = {
  rows5: 'rows5 (5 text fields incl. NULL)',
  rows5_utf8: 'rows5, 10% non-ASCII rows',
  text1k: 'one 1 KiB text field',
  cols40: '40 short text columns',
  binary7: 'binary: int4, int8, float8, bool, timestamptz, uuid, numeric',
};
/** @type {Record<string, string>} */
const ENCODE_LABEL = { ours: '**ours** (MessageBuffer)', bare: 'bare JS writer, no checks (the floor)', pgprotocol: 'pg-protocol serialize' };
/** @type {Record<string, string>} */
const CLIENT = {
  floor: 'server floor', ours: '**ours**, raw `recv()`', layer: '**ours**, query layer', pg: '`pg` 8.23', postgresjs: 'postgres.js 3.4', psql: 'psql (libpq)', pgbench: 'pgbench -M prepared (libpq)',
};

/**
 * A checksum as text with its keys sorted: implementations may report the same fields in any order.
 * @param {object} check
 */
const checkText = (check) => JSON.stringify(Object.fromEntries(Object.entries(check).sort(([a], [b]) => a.localeCompare(b))));

/**
 * A warning when implementations of the same levels of stream `prefix` report different checksums.
 * @param {Summaries} sums
 * @param {string} prefix
 * @param {readonly string[]} levels
 */
function checkAgreement(sums, prefix, levels) {
  const checks = Object.values(sums)
    .flatMap((s) => (s.name?.startsWith(`${prefix}:`) && levels.some((l) => s.name.endsWith(`:${l}`)) && s.check ? [{ name: s.name, check: s.check }] : []))
    .map((s) => [s.name, checkText(s.check)]);
  if (checks.length < 2) return '';
  return new Set(checks.map((c) => c[1])).size === 1 ? '' : ` ⚠ checksums differ: ${checks.map(([n, c]) => `${n}=${c}`).join('; ')}`;
}

/**
 * A warning line when the clients that ran report different checksums (rows, characters, bytes).
 * @param {Summaries} sums
 * @param {readonly string[]} names
 */
function sameChecks(sums, names) {
  const checks = names.flatMap((n) => { const c = sums[n]?.check; return c ? [[n, checkText(c)]] : []; });
  if (checks.length < 2 || new Set(checks.map((c) => c[1])).size === 1) return '';
  return `⚠ the clients' checksums differ: ${checks.map(([n, c]) => `${n} ${c}`).join('; ')}`;
}

/**
 * The in-memory decode table.
 * @param {Summaries} sums
 */
function decodeTable(sums) {
  const rows = [];
  const decode = Object.values(sums).filter((s) => s.group === 'decode');
  const streams = [...new Set(decode.map((s) => s.name.split(':')[0]))];
  for (const stream of streams) {
    const names = decode.filter((s) => s.name.startsWith(`${stream}:`)).map((s) => s.name);
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

/**
 * The encode table.
 * @param {Summaries} sums
 */
function encodeTable(sums) {
  const rows = [];
  /** @type {Record<string, string>} */
  const WORK = { bind: 'Bind, 5 mixed parameters', chain: 'Parse+Bind+Describe+Execute+Sync', copy: 'CopyData, small rows' };
  for (const work of ['bind', 'chain', 'copy']) {
    const anchor = m(sums, `${work}:pgprotocol`, 'ms');
    for (const impl of ['pgprotocol', 'bare', 'ours']) {
      const name = `${work}:${impl}`;
      if (!sums[name]) continue;
      const st = state(sums[name]);
      const label = ENCODE_LABEL[impl];
      if (st) { rows.push(`| ${WORK[work]} | ${label} | ${st} | | | |`); continue; }
      const t = m(sums, name, 'ms');
      const n = m(sums, name, 'count');
      rows.push(`| ${WORK[work]} | ${label} | ${f(t)} (${spread(sums, name, 'ms')}) | ${f((t * 1e6) / n, 0)} | ${anchor ? times(anchor / t) : '–'} | ${sums[name].runs} |`);
    }
  }
  if (!rows.length) return '';
  return ['## Encode', '', '| workload (count in the raw JSON) | implementation | ms | ns per message/chain | vs pg-protocol | runs |', '|---|---|---|---|---|---|', ...rows, ''].join('\n');
}

/**
 * The end-to-end tables, one per workload that ran.
 * @param {Summaries} sums
 * @param {RunMeta} meta
 */
function e2eTables(sums, meta) {
  const out = [];
  /** @param {string} prefix */
  const have = (prefix) => Object.keys(sums).some((n) => n.startsWith(prefix));
  const rowsN = meta.sizes.selectRows;
  if (have('select:')) {
    const pgCpu = m(sums, 'select:pg', 'cpu');
    const floor = m(sums, 'select:floor', 'ms');
    out.push(`### ${rowsN.toLocaleString('en')}-row SELECT * FROM w1 (id int8, qty int4, md5 text, tag text, NULL), a string for every field`, '',
      '| client | wall ms | client CPU ms | CPU µs/row | rows/s | wall vs floor | CPU vs pg |', '|---|---|---|---|---|---|---|');
    for (const impl of ['floor', 'ours', 'layer', 'pg', 'postgresjs', 'psql']) {
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
    out.push('', 'Server floor: `EXPLAIN (ANALYZE, SERIALIZE TEXT)` of the same query — the server reads every row and converts it to text, and sends nothing. psql: `psql -c` into /dev/null; its CPU includes its own start and connect (~10 ms). Query layer: `for await (const row of conn.stream(sql))` with `row.text(i)`.', '');
  }
  if (have('typed:')) {
    const pgCpu = m(sums, 'typed:pg', 'cpu');
    const pgRowsCpu = m(sums, 'typed:pgrows', 'cpu');
    out.push(`### ${rowsN.toLocaleString('en')}-row SELECT * FROM w1, every field a typed value by each client's default rules`, '',
      '| client, API | wall ms | client CPU ms | CPU µs/row | CPU vs pg (same API shape) |', '|---|---|---|---|---|');
    /** @type {Record<string, [string, 'stream' | 'rows']>} */
    const TYPED = {
      ours: ['**ours**, `for await … of conn.stream(sql)`, `row.get(i)`', 'stream'],
      each: ['**ours**, `conn.stream(sql).forEach(row => row.get(i))`', 'stream'],
      pg: ["`pg` 8.23, rowMode 'array', a 'row' listener (nothing kept)", 'stream'],
      postgresjs: ['postgres.js 3.4, `.values().forEach`', 'stream'],
      run: ['**ours**, `(await conn.run(sql)).rows` (every row kept)', 'rows'],
      pgrows: ["`pg` 8.23, `(await client.query({ rowMode: 'array' })).rows`", 'rows'],
      postgresjsrows: ['postgres.js 3.4, `await sql.unsafe(sql).values()`', 'rows'],
    };
    for (const [impl, [label, shape]] of Object.entries(TYPED)) {
      const name = `typed:${impl}`;
      if (!sums[name]) continue;
      const st = state(sums[name]);
      if (st) { out.push(`| ${label} | ${st} | | | |`); continue; }
      const wall = m(sums, name, 'ms');
      const cpu = m(sums, name, 'cpu');
      const anchor = shape === 'stream' ? pgCpu : pgRowsCpu;
      out.push(`| ${label} | ${f(wall, 0)} (${spread(sums, name, 'ms', 0)}) | ${f(cpu, 0)} | ${f((cpu * 1e3) / rowsN, 3)} | ${anchor && impl !== 'pg' && impl !== 'pgrows' ? times(cpu / anchor) : '–'} |`);
    }
    out.push('', 'Ours decodes int8 to `bigint` and reads binary where a decoder exists (the statement cache binds binary from the second run); `pg` and postgres.js give int8 as a string. Keeping 1M rows costs every client the same order of GC work (~250 bytes a row here): compare `run` with the other clients that keep their rows.', '');
  }
  if (have('batches:')) {
    const floor = m(sums, 'batches:copyfloor', 'ms');
    out.push(`### ${rowsN.toLocaleString('en')}-row mixed table w7 (int8, int4, float8, bool, timestamptz, uuid, text) into Arrow columns`, '',
      '| client, API | wall ms | client CPU ns/row | rows/s | wall vs COPY BINARY floor |', '|---|---|---|---|---|');
    /** @type {Record<string, string>} */
    const ARROW = {
      copyfloor: "server floor: `COPY w7 TO '/dev/null' (FORMAT binary)`",
      floor: 'server floor: `EXPLAIN (ANALYZE, SERIALIZE BINARY)`',
      ours: '**ours**, `conn.batches(sql)` (DataRows → Arrow in WASM)',
      copy: "**ours**, `conn.copyTo('COPY … (FORMAT binary)').batches()`",
      stream: '**ours**, `conn.stream(sql)` with `row.get(i)` (JS values)',
      pg: '`pg` 8.23, rows as objects, default type parsers',
    };
    for (const [impl, label] of Object.entries(ARROW)) {
      const name = `batches:${impl}`;
      if (!sums[name]) continue;
      const st = state(sums[name]);
      if (st) { out.push(`| ${label} | ${st} | | | |`); continue; }
      const wall = m(sums, name, 'ms');
      const floorRow = impl === 'floor' || impl === 'copyfloor';
      out.push(`| ${label} | ${f(wall, 0)} (${spread(sums, name, 'ms', 0)}) | ${floorRow ? '–' : f(m(sums, name, 'cpuNsPerRow'), 0)} | ${floorRow ? '–' : `${f(rowsN / wall / 1e3, 2)}M`} | ${floor ? times(wall / floor) : '–'} |`);
    }
    out.push('', "The ADBC PostgreSQL driver (C++, COPY BINARY → Arrow) read the same table shape in 512 ms at 0.40 µs client CPU per row (PERFORMANCE.md, measured on this machine 2026-12-04; it is not re-run here: its Python packages are not installable on this machine).", '');
  }
  if (have('depth1:') || have('depth100:') || have('batch100:')) {
    out.push(`### Pipelined prepared point queries, \`SELECT $1::int\` × ${meta.sizes.pipelineCount.toLocaleString('en')}`, '',
      '| mode | client | queries/s | vs postgres.js | vs pgbench |', '|---|---|---|---|---|');
    /** @type {Record<string, string>} */
    const MODE = { depth1: 'one at a time (a Sync each)', depth100: '100 in flight, a Sync per query', batch100: '100 in flight, one Sync per 100' };
    for (const mode of ['depth1', 'depth100', 'batch100']) {
      const pgjs = m(sums, `${mode}:postgresjs`, 'qps');
      const bench = m(sums, `${mode}:pgbench`, 'qps');
      for (const impl of ['ours', 'layer', 'pg', 'postgresjs', 'pgbench']) {
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
    for (const impl of ['floor', 'ours', 'layer', 'pg', 'postgresjs', 'psql']) {
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

/**
 * A section listing runs that failed (left out of the medians), deduplicated per case.
 * @param {Summaries} sums
 */
function failedRuns(sums) {
  const lines = [];
  for (const s of Object.values(sums)) {
    const errs = [...new Set([...(s.failedRuns ?? []), ...(s.error ? [s.error.split('\n')[0]] : [])])];
    if (errs.length) lines.push(`- \`${s.name}\`: ${errs.map((e) => e.slice(0, 200)).join('; ')}`);
  }
  return lines.length ? ['## Failed runs (left out of the medians)', '', ...lines, ''] : [];
}

/**
 * The in-Chromium decode run (bench/browser/decode.mjs writes bench/results-browser.md; it needs a
 * browser, so it runs apart from this suite): included as it was last measured, with its own date.
 * @returns {string[]}
 */
function browserSection() {
  const file = new URL('../results-browser.md', import.meta.url);
  if (!existsSync(file)) return ['## Decode in headless Chromium', '', 'Not measured yet: `npm run bench:browser`.', ''];
  return ['## Decode in headless Chromium (`npm run bench:browser`)', '', readFileSync(file, 'utf8').trimEnd(), ''];
}

/**
 * RESULTS.md for one run.
 * @param {RunData} data
 * @param {string} svgName the chart's file name, next to it
 */
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
    ...(meta.updates ?? []).map((u) => `| re-measured ${u.date} at ${u.commit} (load ${u.load.join(' / ')}) | ${u.cases.map((c) => `\`${c}\``).join(', ')} |`),
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
    ...browserSection(),
    '## How to run',
    '',
    '- `npm run bench` — the full suite (about 20 minutes on 2 cores); writes this file, `results.svg` and the raw `results.json`.',
    '- `npm run bench:quick` — fewer rows and runs (a CI smoke of about a minute); writes `RESULTS-quick.md` (not committed).',
    '- `node bench/run.mjs --only rows5,bind` — only cases whose name contains one of the words (`decode`, `encode`, `e2e`, `select:`, `depth100` …); `--runs N` overrides the number of processes per case.',
    '- One case by hand: `node --expose-gc bench/micro/decode.mjs --case rows5:ours:strings`; the e2e scripts need the server facts run.mjs passes in `BENCH_PG`.',
    '',
    'The end-to-end cases start their own PostgreSQL 18 (the test harness in test/support/embedded, TLS on, SCRAM-SHA-256 for the superuser) with `shared_buffers=256MB`, and create the unlogged table `w1` (id int8, qty int4, md5 text, tag text, NULL). psql and pgbench come from the system\'s postgresql-client when installed, otherwise their rows say so.',
    '',
    '## Anchors',
    '',
    '- **pg-protocol** `Parser` / `serialize` (node-postgres\'s codec): one string per field, one Buffer per outgoing message.',
    '- **pure-JS anchor** (bench/micro/js-anchor.mjs): the planning prototype\'s design in plain JS — DataView framing, a typed-array field index, one latin1 string per 64 KiB batch and `substring` per ASCII field — what equally optimised JavaScript reaches.',
    '- **pg** 8.23 (`rowMode: \'array\'`, `pipeline: true` where pipelined), **postgres.js** 3.4 (`.values()`, its default pipelining), **pg-copy-streams**, **psql**/**pgbench** (libpq, C) from the system\'s postgresql-client. Every anchor runs with its defaults (e.g. postgres.js does not set TCP_NODELAY); `pg` and postgres.js get identity type parsers so that every field stays a string, like ours.',
    '',
  ];
  return `${lines.filter((l) => l !== undefined).join('\n')}\n`;
}

