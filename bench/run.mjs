/**
 * The benchmark driver (PERFORMANCE.md): runs every case in SEPARATE fresh Node processes, several
 * runs each, interleaved (run 1 of every case, then run 2 …) so machine noise spreads evenly;
 * takes the median within each process and then the median over processes; computes every figure
 * as a ratio against an anchor measured in the same run; writes bench/RESULTS.md, bench/results.svg
 * and the raw bench/results.json.
 *
 *   node bench/run.mjs [--quick] [--only SUBSTRING[,SUBSTRING]] [--runs N] [--out PREFIX] [--no-e2e]
 *
 * --quick: fewer rows and runs (CI smoke, under a minute); writes bench/RESULTS-quick.md etc.
 * --only: keep cases whose name or group contains one of the substrings (e.g. `--only rows5`,
 *   `--only e2e`, `--only select:`).
 * Run `npm run build` first (the `bench` scripts of package.json do).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { FIGURES, buildCases } from './suite.mjs';
import { renderMarkdown, renderSvg } from './report.mjs';
import { DIST, median, parseArgs, RESULT_PREFIX, ROOT, loadOurs } from './lib.mjs';

const args = parseArgs();
const quick = args.quick === true;
const only = typeof args.only === 'string' ? args.only.split(',').filter(Boolean) : [];
const outPrefix = typeof args.out === 'string' ? args.out : quick ? 'RESULTS-quick' : 'RESULTS';
const BENCH = join(ROOT, 'bench');

function log(msg) {
  process.stderr.write(`${msg}\n`);
}

/** The commit measured, with `+dirty` when the working tree differs from it. */
function gitDescribe() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'assembly'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty (uncommitted changes in src/ or assembly/)` : head;
  } catch {
    return 'unknown';
  }
}

/** Runs one benchmark process; resolves with its parsed result line (or an error record). */
function runChild(c, env) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, ['--expose-gc', ...(c.nodeFlags ?? []), join(BENCH, c.script), '--case', c.name, ...c.args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), c.timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      let result;
      if (line) result = JSON.parse(line.slice(RESULT_PREFIX.length));
      else result = { name: c.name, error: `exit ${code ?? signal} after ${Date.now() - t0} ms, no result; stderr: ${err.trim().split('\n').slice(-5).join(' | ')}` };
      if (result.error && err.trim() && !result.error.includes(err.trim().slice(0, 40))) result.stderr = err.trim().split('\n').slice(-5).join(' | ');
      resolve(result);
    });
  });
}

/** Median of each numeric metric within one process result: arrays → their median, numbers kept. */
function perProcess(result) {
  const m = {};
  for (const [k, v] of Object.entries(result)) {
    if (Array.isArray(v) && v.every((x) => typeof x === 'number')) m[k] = median(v);
    else if (typeof v === 'number') m[k] = v;
  }
  return m;
}

/** Combines the runs of one case: per metric, the median over processes and its min/max. */
function combine(results) {
  const ok = results.filter((r) => !r.error && !r.unavailable);
  const first = results[0] ?? {};
  const summary = { name: first.name, runs: ok.length, metrics: {}, spread: {} };
  if (ok.length === 0) {
    const bad = results.find((r) => r.unavailable) ?? results.find((r) => r.error) ?? {};
    if (bad.unavailable) summary.unavailable = bad.unavailable;
    else summary.error = bad.error ?? 'no runs';
    return summary;
  }
  const per = ok.map(perProcess);
  for (const key of Object.keys(per[0])) {
    const vals = per.map((p) => p[key]).filter((x) => typeof x === 'number' && Number.isFinite(x));
    if (vals.length === 0) continue;
    summary.metrics[key] = median(vals);
    summary.spread[key] = [Math.min(...vals), Math.max(...vals)];
  }
  summary.check = ok[ok.length - 1].check;
  summary.info = ok[ok.length - 1].info;
  const errors = results.filter((r) => r.error);
  if (errors.length) summary.failedRuns = errors.map((e) => e.error.split('\n')[0]);
  return summary;
}

/** Starts PostgreSQL 18 with the test harness (test/support/embedded) and prepares the tables the end-to-end cases read. */
async function setupServer(sizes, logDir) {
  // TypeScript test support, run through the loader the bench scripts are started with (package.json).
  const { startEmbeddedPostgres } = await import('../test/support/embedded/index.ts');
  const server = await startEmbeddedPostgres({
    version: 18,
    tls: true,
    logDir,
    settings: { shared_buffers: "'256MB'", log_connections: 'off', log_disconnections: 'off', work_mem: "'64MB'" },
  });
  const shared = mkdtempSync('/dev/shm/pg-stream-bench-');
  chmodSync(shared, 0o777); // the server runs as another user and writes the COPY file here
  const pg = (await import('pg')).default;
  const client = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
  await client.connect();
  const version = (await client.query('SHOW server_version')).rows[0].server_version;
  const make = async (table, rows) => {
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.query(`CREATE UNLOGGED TABLE ${table} AS
      SELECT i::int8 AS id, (i % 1000)::int4 AS qty, md5(i::text) AS md5, 'tag' || (i % 100) AS tag, NULL::text AS nul
      FROM generate_series(1, ${rows}) AS i`);
    await client.query(`VACUUM ANALYZE ${table}`);
  };
  await make('w1', sizes.selectRows);
  await client.query('DROP TABLE IF EXISTS w1_in');
  await client.query('CREATE UNLOGGED TABLE w1_in (LIKE w1)');
  const copyFile = join(shared, 'w1.copy');
  await client.query(`COPY w1 TO '${copyFile}'`);
  chmodSync(copyFile, 0o644);
  // Warm the buffer cache so the first measured run is not the only one reading from disk.
  await client.query('SELECT count(*) FROM w1');
  await client.end();
  const facts = {
    host: server.host, port: server.port, user: server.user, password: server.password, database: server.database,
    socketDir: server.cluster.socketDir, version, copyFile, tls: true,
    ca: server.cluster.certs?.ca ?? null,
  };
  const stop = async () => { await server.stop(); rmSync(shared, { recursive: true, force: true }); };
  const alive = () => existsSync(`/proc/${server.cluster.pid}`);
  return { facts, stop, alive, logFile: server.cluster.logFile };
}

/** The last lines of a file, for a report on a server that died. */
function tail(file, lines = 15) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

async function main() {
  const { cases, sizes } = buildCases({ quick });
  const selected = cases.filter((c) => only.length === 0 || only.some((o) => c.name.includes(o) || c.group.includes(o)));
  const runsOverride = args.runs === undefined ? null : Number(args.runs);
  if (selected.length === 0) throw new Error(`no case matches --only ${only.join(',')}`);
  const wantsServer = selected.some((c) => c.needsServer) && args['no-e2e'] !== true;
  const active = selected.filter((c) => !c.needsServer || wantsServer);

  const started = new Date();
  const loadStart = loadavg()[0];
  const commit = gitDescribe();
  // Measure one fixed build: a snapshot of dist/ inside the repository (so node_modules resolves).
  const snapshot = join(BENCH, '.dist-snapshot');
  rmSync(snapshot, { recursive: true, force: true });
  if (existsSync(DIST)) cpSync(DIST, snapshot, { recursive: true });
  process.env.BENCH_DIST = snapshot;
  let server = null;
  let serverError = null;
  const incidents = [];
  const logDir = join(ROOT, 'bench', '.runs', started.toISOString().replace(/[:.]/g, '-'));
  const startServer = async () => {
    log('starting PostgreSQL 18 and preparing tables …');
    try {
      server = await setupServer(sizes, logDir);
      serverError = null;
      log(`PostgreSQL ${server.facts.version} on ${server.facts.host}:${server.facts.port}`);
    } catch (e) {
      server = null;
      serverError = `could not start the embedded server: ${String(e?.message ?? e).split('\n')[0]}`;
      log(serverError);
    }
  };
  if (wantsServer) await startServer();
  const env = () => (server ? { BENCH_PG: JSON.stringify(server.facts) } : {});
  /** Before each e2e case: a server that died is reported (with its log) and started again. */
  const ensureServer = async (caseName) => {
    if (server === null || server.alive()) return;
    const note = `the server died before ${caseName}; restarted. Server log tail:\n${tail(server.logFile)}`;
    incidents.push(note);
    log(note);
    await server.stop().catch(() => {});
    await startServer();
  };
  const raw = new Map(active.map((c) => [c.name, []]));
  const maxRuns = Math.max(...active.map((c) => runsOverride ?? c.runs));
  try {
    for (let run = 0; run < maxRuns; run++) {
      for (const c of active) {
        if (run >= (runsOverride ?? c.runs)) continue;
        if (c.needsServer) await ensureServer(`${c.name} run ${run + 1}`);
        if (c.needsServer && !server) { raw.get(c.name).push({ name: c.name, unavailable: serverError }); continue; }
        const r = await runChild(c, c.needsServer ? env() : {});
        raw.get(c.name).push(r);
        const brief = r.unavailable ? `not available yet (${r.unavailable})` : r.error ? `ERROR ${r.error.split('\n')[0]}` : c.describe(perProcess(r));
        log(`[${run + 1}/${runsOverride ?? c.runs}] ${c.name.padEnd(32)} ${brief}`);
      }
    }
    if (server && !server.alive()) incidents.push(`the server died during the last e2e case. Server log tail:\n${tail(server.logFile)}`);
  } finally {
    if (server) await server.stop();
    rmSync(snapshot, { recursive: true, force: true });
  }

  const summaries = {};
  for (const c of active) summaries[c.name] = { ...combine(raw.get(c.name)), group: c.group };
  const figures = FIGURES.map((f) => f.evaluate(summaries, sizes));
  const meta = {
    date: started.toISOString(),
    durationS: Math.round((Date.now() - started.getTime()) / 1000),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    postgres: server?.facts.version ?? null,
    commit,
    incidents,
    load: [loadStart, loadavg()[0]].map((x) => Math.round(x * 100) / 100),
    mode: quick ? 'quick' : 'full',
    only,
    sizes,
  };
  const data = { meta, figures, summaries, raw: Object.fromEntries(raw) };
  mkdirSync(BENCH, { recursive: true });
  const jsonName = outPrefix === 'RESULTS' ? 'results.json' : `${outPrefix.toLowerCase()}.json`;
  const svgName = outPrefix === 'RESULTS' ? 'results.svg' : `${outPrefix.toLowerCase()}.svg`;
  writeFileSync(join(BENCH, jsonName), `${JSON.stringify(data, null, 1)}\n`);
  writeFileSync(join(BENCH, svgName), renderSvg(data));
  writeFileSync(join(BENCH, `${outPrefix}.md`), renderMarkdown(data, svgName));
  log(`wrote bench/${outPrefix}.md, bench/${svgName}, bench/${jsonName} in ${meta.durationS} s`);
  for (const f of figures) log(`${f.status.padEnd(20)} ${f.label}: ${f.display} (bar ${f.barText})`);
}

main().catch((e) => {
  log(String(e?.stack ?? e));
  process.exitCode = 1;
});
