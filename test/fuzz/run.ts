/**
 * `npm run fuzz`: the fuzz targets of test/fuzz/all.ts with random seeds for a time budget, each in
 * its own child process (a hang is killed and reported; the heap check sees one target alone).
 *
 *   npm run fuzz -- --minutes 20                 all targets, the budget split evenly
 *   npm run fuzz -- --target framer --minutes 5  one target (or a comma list)
 *   npm run fuzz -- --target framer --seed 123 --path 4:1:0   replay a finding
 *
 * Prints per target: runs (seeds), iterations, time, outcomes, findings with the command that
 * replays each; ends with a Markdown table (for test/fuzz/RESULTS.md). Exit code 1 when anything was found.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TARGETS } from './all.js';
import { describeFinding, runTarget, type RunReport } from './harness.js';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '2' },
    seed: { type: 'string' },
    target: { type: 'string' },
    path: { type: 'string' },
    child: { type: 'boolean', default: false },
    ms: { type: 'string' },
  },
});

/** A report as JSON (Map → object). */
const toJson = (r: RunReport): string => JSON.stringify({ ...r, outcomes: Object.fromEntries(r.outcomes) });

if (args.child) {
  // One run of one target: print the report as the last line.
  const t = TARGETS.find((x) => x.name === args.target);
  if (t === undefined) throw new Error(`no target ${args.target}`);
  const r = await runTarget(t, { seed: Number(args.seed), timeMs: Number(args.ms), ...(args.path !== undefined ? { path: args.path, numRuns: 1 } : {}) });
  process.stdout.write(`\n${toJson(r)}\n`);
  process.exit(0);
}

const chosen = args.target === undefined ? TARGETS : TARGETS.filter((t) => args.target!.split(',').includes(t.name));
if (chosen.length === 0) throw new Error(`no target among ${args.target}; targets: ${TARGETS.map((t) => t.name).join(', ')}`);
const budgetMs = Number(args.minutes) * 60_000;
const perTarget = budgetMs / chosen.length;
/** One child's share: several seeds per target, so that one finding does not end its time. */
const ROUND_MS = Math.min(perTarget, 120_000);
const self = fileURLToPath(import.meta.url);
const loader = new URL('../support/ts-loader.mjs', import.meta.url).href;

interface ChildResult {
  report: (Omit<RunReport, 'outcomes'> & { outcomes: Record<string, number> }) | null;
  error: string | null;
}

function runChild(target: string, seed: number, ms: number, path?: string): Promise<ChildResult> {
  return new Promise((resolve) => {
    const argv = ['--import', loader, self, '--child', '--target', target, '--seed', String(seed), '--ms', String(ms), ...(path !== undefined ? ['--path', path] : [])];
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // fast-check checks the time between inputs: a child far past its budget is stuck in one input.
    const watchdog = setTimeout(() => child.kill('SIGKILL'), ms + 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(watchdog);
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code === 0 && last.startsWith('{')) resolve({ report: JSON.parse(last) as ChildResult['report'], error: null });
      else resolve({ report: null, error: signal === 'SIGKILL' ? `hang: no result ${Math.round((ms + 60_000) / 1000)} s after start (seed ${seed})` : `child exited ${code ?? signal}: ${err.slice(-2000)}` });
    });
  });
}

const baseSeed = args.seed !== undefined ? Number(args.seed) : Math.floor(Math.random() * 2 ** 31);
const started = new Date();
console.log(`npm run fuzz: ${chosen.length} targets, ${args.minutes} min, base seed ${baseSeed}, node ${process.version}, ${started.toISOString()}`);
const rows: string[] = [];
let anyFinding = false;
for (const [i, t] of chosen.entries()) {
  const t0 = performance.now();
  let iterations = 0;
  let runs = 0;
  const outcomes = new Map<string, number>();
  const findings: string[] = [];
  let maxGrowth = 0;
  while (performance.now() - t0 < perTarget - 1_000) {
    const seed = (baseSeed + i * 1_000_003 + runs * 7_919) % 2 ** 31;
    const ms = args.path !== undefined ? 60_000 : Math.min(ROUND_MS, perTarget - (performance.now() - t0));
    const r = await runChild(t.name, seed, ms, args.path);
    runs++;
    if (r.report === null) {
      findings.push(r.error!);
    } else {
      iterations += r.report.iterations;
      for (const [k, v] of Object.entries(r.report.outcomes)) outcomes.set(k, (outcomes.get(k) ?? 0) + v);
      maxGrowth = Math.max(maxGrowth, r.report.growth ?? 0);
      if (r.report.finding !== null) findings.push(describeFinding({ ...r.report, outcomes: new Map() }));
    }
    if (args.path !== undefined) break;
  }
  const secs = (performance.now() - t0) / 1000;
  anyFinding ||= findings.length > 0;
  const top = [...outcomes].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  console.log(`\n${t.name}: ${iterations} inputs in ${secs.toFixed(0)} s over ${runs} seeds, heap growth ≤ ${(maxGrowth / 2 ** 20).toFixed(1)} MiB`);
  console.log(`  outcomes: ${top}`);
  console.log(`  findings: ${findings.length === 0 ? 'none' : `\n  - ${findings.join('\n  - ')}`}`);
  rows.push(`| ${t.name} | ${iterations} | ${secs.toFixed(0)} s | ${runs} | ${outcomes.size} | ${findings.length === 0 ? 'none' : `${findings.length} (see below)`} |`);
}
console.log(`\n| target | inputs | time | seeds | distinct outcomes | findings |\n| --- | --- | --- | --- | --- | --- |\n${rows.join('\n')}`);
console.log(`\nfinished ${new Date().toISOString()}`);
process.exit(anyFinding ? 1 : 0);
