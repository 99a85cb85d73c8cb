// @ts-check
/**
 * The benchmark driver (PERFORMANCE.md): runs every case of lib/cases.mjs in SEPARATE fresh Node
 * processes, several runs each, interleaved (run 1 of every case, then run 2 …) so that machine
 * noise spreads evenly; takes the median within each process and then the median over processes
 * (lib/summaries.mjs); evaluates the bar (lib/bar.mjs) as ratios against anchors measured in the
 * same run; writes bench/RESULTS.md (lib/markdown.mjs), bench/results.svg (lib/chart.mjs) and the
 * raw bench/results.json.
 *
 *   node bench/run.mjs [--quick] [--only WORD[,WORD]] [--merge] [--runs N] [--out PREFIX] [--no-e2e]
 *
 * --quick: fewer rows and runs (CI smoke); writes bench/RESULTS-quick.md, results-quick.svg/.json.
 * --only: keep cases whose name or group contains one of the words (`rows5`, `e2e`, `select:` …).
 * --merge (with --only): the cases of this run replace theirs in the existing results; every other
 *   case keeps the figures of the run it was measured in, and RESULTS.md lists which cases came from
 *   which later run (date, commit, load). For adding or re-measuring a few cases without a full run.
 * --render: measure nothing; render RESULTS.md and the chart again from the results file (after a
 *   change to the tables or the bar).
 * --runs: processes per case, instead of each case's own count.
 * --no-e2e: leave out the cases that need a server.
 * Run `npm run build` first (the `bench` scripts of package.json do).
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { FIGURES } from './lib/bar.mjs';
import { buildCases } from './lib/cases.mjs';
import { renderSvg } from './lib/chart.mjs';
import { renderMarkdown } from './lib/markdown.mjs';
import { firstLine, numberArg, parseArgs, RESULT_PREFIX } from './lib/measure.mjs';
import { DIST, ROOT } from './lib/ours.mjs';
import { ServerKeeper } from './lib/server.mjs';
import { combine, perProcess } from './lib/summaries.mjs';

/** @import { Case, ProcessResult, RunData, RunMeta, Summary } from './lib/types.js' */

const args = parseArgs();
const quick = args.quick === true;
const only = typeof args.only === 'string' ? args.only.split(',').filter(Boolean) : [];
const outPrefix = typeof args.out === 'string' ? args.out : quick ? 'RESULTS-quick' : 'RESULTS';
const merge = args.merge === true;
const runsOverride = args.runs === undefined ? null : numberArg(args, 'runs', 1);
const BENCH = join(ROOT, 'bench');

/** @param {string} msg */
function log(msg) {
  process.stderr.write(`${msg}\n`);
}

/** The commit measured, with `+dirty` when src/ or assembly/ differ from it. */
function gitDescribe() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'assembly'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+dirty (uncommitted changes in src/ or assembly/)` : head;
  } catch {
    return 'unknown';
  }
}

/**
 * The last lines of a child's stderr, on one line.
 * @param {string} err
 */
const stderrTail = (err) => err.trim().split('\n').slice(-5).join(' | ');

/**
 * Runs one benchmark process; resolves with its result line, or an error record when it printed none.
 * @param {Case} c
 * @param {Record<string, string>} env
 * @returns {Promise<ProcessResult>}
 */
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
      if (!line) {
        resolve({ name: c.name, error: `exit ${code ?? signal} after ${Date.now() - t0} ms, no result; stderr: ${stderrTail(err)}` });
        return;
      }
      /** @type {ProcessResult} */
      const result = JSON.parse(line.slice(RESULT_PREFIX.length));
      const withStderr = result.error && err.trim() && !result.error.includes(err.trim().slice(0, 40));
      resolve(withStderr ? { ...result, stderr: stderrTail(err) } : result);
    });
  });
}

/**
 * Renders the results file `jsonName` again (--render): the bar re-evaluated, the tables redrawn.
 * @param {string} jsonName
 * @param {string} svgName
 */
function render(jsonName, svgName) {
  /** @type {RunData} */
  const stored = JSON.parse(readFileSync(join(BENCH, jsonName), 'utf8'));
  const data = { ...stored, figures: FIGURES.map((f) => f.evaluate(stored.summaries)) };
  writeFileSync(join(BENCH, jsonName), `${JSON.stringify(data, null, 1)}\n`);
  writeFileSync(join(BENCH, svgName), renderSvg(data));
  writeFileSync(join(BENCH, `${outPrefix}.md`), renderMarkdown(data, svgName));
  log(`rendered bench/${outPrefix}.md and bench/${svgName} from bench/${jsonName}`);
}

async function main() {
  const jsonName = outPrefix === 'RESULTS' ? 'results.json' : `${outPrefix.toLowerCase()}.json`;
  const svgName = outPrefix === 'RESULTS' ? 'results.svg' : `${outPrefix.toLowerCase()}.svg`;
  if (args.render === true) {
    render(jsonName, svgName);
    return;
  }
  const { cases, sizes } = buildCases({ quick });
  const selected = cases.filter((c) => only.length === 0 || only.some((o) => c.name.includes(o) || c.group.includes(o)));
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
  const keeper = new ServerKeeper(sizes, join(BENCH, '.runs', started.toISOString().replace(/[:.]/g, '-')), log);
  if (wantsServer) await keeper.start();

  /** @type {Map<string, ProcessResult[]>} */
  const raw = new Map(active.map((c) => [c.name, []]));
  const maxRuns = Math.max(...active.map((c) => runsOverride ?? c.runs));
  try {
    for (let run = 0; run < maxRuns; run++) {
      for (const c of active) {
        const runs = runsOverride ?? c.runs;
        if (run >= runs) continue;
        const results = raw.get(c.name) ?? [];
        /** @type {Record<string, string>} */
        const env = {};
        if (c.needsServer) {
          await keeper.ensure(`${c.name} run ${run + 1}`);
          if (keeper.server === null) { results.push({ name: c.name, unavailable: keeper.error }); continue; }
          env.BENCH_PG = JSON.stringify(keeper.server.facts);
        }
        const r = await runChild(c, env);
        results.push(r);
        const brief = r.unavailable ? `not available yet (${r.unavailable})` : r.error ? `ERROR ${firstLine(r.error)}` : c.describe(perProcess(r));
        log(`[${run + 1}/${runs}] ${c.name.padEnd(32)} ${brief}`);
      }
    }
  } finally {
    await keeper.stop();
    rmSync(snapshot, { recursive: true, force: true });
  }

  /** @type {RunData | null} */
  const base = merge ? JSON.parse(readFileSync(join(BENCH, jsonName), 'utf8')) : null;
  /** @type {Record<string, Summary>} */
  const summaries = { ...base?.summaries };
  for (const c of active) summaries[c.name] = combine(c.name, c.group, raw.get(c.name) ?? []);
  const figures = FIGURES.map((f) => f.evaluate(summaries));
  /** @type {RunMeta} */
  const thisRun = {
    date: started.toISOString(),
    durationS: Math.round((Date.now() - started.getTime()) / 1000),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    postgres: keeper.version,
    commit,
    incidents: keeper.incidents,
    load: [loadStart, loadavg()[0]].map((x) => Math.round(x * 100) / 100),
    mode: quick ? 'quick' : 'full',
    only,
    sizes,
  };
  const later = { date: thisRun.date, commit, load: thisRun.load, cases: active.map((c) => c.name) };
  /** @type {RunMeta} */
  const meta = base === null ? thisRun : { ...base.meta, updates: [...(base.meta.updates ?? []), later] };
  /** @type {RunData} */
  const data = { meta, figures, summaries, raw: { ...base?.raw, ...Object.fromEntries(raw) } };
  mkdirSync(BENCH, { recursive: true });
  writeFileSync(join(BENCH, jsonName), `${JSON.stringify(data, null, 1)}\n`);
  writeFileSync(join(BENCH, svgName), renderSvg(data));
  writeFileSync(join(BENCH, `${outPrefix}.md`), renderMarkdown(data, svgName));
  log(`wrote bench/${outPrefix}.md, bench/${svgName}, bench/${jsonName} in ${thisRun.durationS} s`);
  for (const f of figures) log(`${f.status.padEnd(20)} ${f.label}: ${f.display} (bar ${f.barText})`);
}

main().catch((e) => {
  log(String(e instanceof Error ? e.stack : e));
  process.exitCode = 1;
});
