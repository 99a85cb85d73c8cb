/**
 * Runs one fuzz target for a number of inputs or a time budget and reports what happened: inputs
 * tried, time, outcomes by code, and the first finding with what replays it (seed and path). On top
 * of each target's own checks it enforces the two properties an input cannot show alone: no input
 * may take longer than `slowMs` (a hang), and the heap (JS, external and array buffers, after a full
 * GC) may not grow by more than `maxGrowth` bytes between the end of the warm-up and the end.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import { setImmediate as tick } from 'node:timers/promises';
import fc from 'fast-check';
import { Finding, type FuzzTarget, type Outcome } from './target.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** How long one target runs. */
export interface RunOptions {
  readonly seed: number;
  /** Inputs to try (the in-test budget)... */
  readonly numRuns?: number;
  /** ...or a time budget in ms (`npm run fuzz`). */
  readonly timeMs?: number;
  /** One input taking longer than this is a finding (default 5 s). */
  readonly slowMs?: number;
  /** Heap growth allowed between the warm-up and the end (default 48 MiB). */
  readonly maxGrowth?: number;
  /** Replays one failing input (from a finding). */
  readonly path?: string;
}

/** A property violation, with what replays it. */
export interface FindingReport {
  readonly seed: number;
  readonly path: string | null;
  readonly message: string;
  /** The (shrunk) input, printed. */
  readonly input: string;
}

/** What one run of a target did. */
export interface RunReport {
  readonly target: string;
  readonly seed: number;
  readonly iterations: number;
  readonly ms: number;
  readonly outcomes: Map<Outcome, number>;
  /** Heap growth between the warm-up and the end, in bytes (null when the run stopped on a finding). */
  readonly growth: number | null;
  readonly finding: FindingReport | null;
}

/** Live bytes after full collections (WASM memories are only released a tick after the GC that found them dead). */
async function heap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await tick();
  }
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

/** Runs `t` under `options`. */
export async function runTarget<T>(t: FuzzTarget<T>, options: RunOptions): Promise<RunReport> {
  const slowMs = options.slowMs ?? 5_000;
  const maxGrowth = options.maxGrowth ?? 48 * 1024 * 1024;
  const outcomes = new Map<Outcome, number>();
  const start = performance.now();
  const warmUpAt = options.numRuns !== undefined ? Math.max(1, Math.floor(options.numRuns / 5)) : Infinity;
  const warmUpMs = options.timeMs !== undefined ? options.timeMs / 10 : Infinity;
  let iterations = 0;
  let warm: number | null = null;
  let shrinking = false;

  const property = fc.asyncProperty(t.arbitrary, async (input) => {
    if (!shrinking) iterations++;
    const t0 = performance.now();
    const outcome = await t.run(input);
    const took = performance.now() - t0;
    if (took > slowMs) throw new Finding(`one input took ${Math.round(took)} ms (limit ${slowMs} ms): a hang`);
    if (!shrinking) {
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
      if (warm === null && (iterations >= warmUpAt || performance.now() - start >= warmUpMs)) warm = await heap();
    }
  });
  const details = await fc.check(property, {
    seed: options.seed,
    numRuns: options.numRuns ?? 2 ** 31 - 1,
    ...(options.timeMs !== undefined ? { interruptAfterTimeLimit: options.timeMs, markInterruptAsFailure: false } : {}),
    ...(options.path !== undefined ? { path: options.path } : {}),
    // Shrinking re-runs inputs: not counted as iterations.
    reporter: undefined,
  });
  shrinking = true;
  let finding: FindingReport | null = null;
  let growth: number | null = null;
  if (details.failed) {
    const err = details.errorInstance;
    finding = {
      seed: options.seed,
      path: details.counterexamplePath,
      message: err instanceof Error ? `${err.message}${err.cause instanceof Error && err.cause.stack ? `\n${err.cause.stack}` : ''}` : String(err),
      input: fc.stringify(details.counterexample),
    };
  } else if (warm !== null) {
    growth = (await heap()) - warm;
    if (growth > maxGrowth) {
      finding = { seed: options.seed, path: null, message: `the heap grew by ${(growth / 2 ** 20).toFixed(1)} MiB across ${iterations} inputs (limit ${(maxGrowth / 2 ** 20).toFixed(0)} MiB)`, input: '' };
    }
  }
  return { target: t.name, seed: options.seed, iterations, ms: Math.round(performance.now() - start), outcomes, growth, finding };
}

/** A finding as text: what broke, and the command that replays it. */
export function describeFinding(r: RunReport): string {
  const f = r.finding;
  if (f === null) return 'none';
  const replay = `npm run fuzz -- --target ${r.target} --seed ${f.seed}${f.path !== null ? ` --path ${f.path}` : ''}`;
  return `${f.message}\n  input: ${f.input.slice(0, 2000)}\n  replay: ${replay}`;
}
