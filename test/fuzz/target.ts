/**
 * A fuzz target: an input generator (fast-check) and a function that feeds one input to the code
 * under test. The property every target shares (RELIABILITY.md, "Fuzzing targets"): the code returns
 * a value or throws a PgStreamError with a stable code. Anything else is a finding: another kind of
 * exception, a WASM trap (even one wrapped as PGS_WASM_FAULT), a broken invariant the target checks,
 * a hang (one input taking longer than `SLOW_INPUT_MS`), or memory that grows across iterations.
 *
 * The same targets run in two places: test/property/fuzz-*.test.ts (a fixed seed, a bounded number
 * of runs, inside `npm test`) and test/fuzz/run.ts (`npm run fuzz`: random seeds, a time budget).
 */
import type fc from 'fast-check';
import { PgStreamError } from '../../src/errors.js';

/** What one input led to: 'ok' (a value) or the code of the typed error. */
export type Outcome = string;

/** One fuzz target. */
export interface FuzzTarget<T = unknown> {
  /** Short stable name (`npm run fuzz -- --target <name>`). */
  readonly name: string;
  /** What is fed to what, in one line. */
  readonly about: string;
  /** The inputs: biased towards mutations of valid inputs (see mutate.ts). */
  readonly arbitrary: fc.Arbitrary<T>;
  /** Feeds one input; returns the outcome, throws a Finding (or anything untyped) on a violation. */
  readonly run: (input: T) => Outcome | Promise<Outcome>;
  /** Runs inside `npm test` (fixed seed); sized so that all targets together take ~1–2 minutes on 2 busy cores. */
  readonly testRuns: number;
  /**
   * Outcomes the in-test runs must reach (checked by the tests): proof that the generator really
   * produces the malformed inputs it claims, not only valid ones.
   */
  readonly reaches: readonly (Outcome | RegExp)[];
  /** Distinct error codes (outcomes ending in a PGS_ code) the in-test runs must reach, at least. */
  readonly minCodes?: number;
}

/** A target of any input type (lists of targets). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyTarget = FuzzTarget<any>;

/** A violation of the fuzz property that is not an exception of the code under test. */
export class Finding extends Error {
  override readonly name = 'Finding';
}

/** Declares a target (keeps the input type). */
export function target<T>(t: FuzzTarget<T>): FuzzTarget<T> {
  return t;
}

/** A trap of the WASM core, raw or wrapped into a typed error. */
function isTrap(err: unknown): boolean {
  for (let e = err, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof WebAssembly.RuntimeError) return true;
  }
  return false;
}

/**
 * A JS bug hidden behind a catch-all wrapper (the reader's and the column builder's poison turn
 * any exception into a typed error): a TypeError, RangeError or ReferenceError as the cause. The
 * one expected cause of that kind is TextDecoder's TypeError behind PGS_INVALID_UTF8.
 */
function hiddenBug(err: PgStreamError): unknown {
  for (let e = err.cause, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof PgStreamError) return undefined;
    if (e instanceof RangeError || e instanceof ReferenceError) return e;
    if (e instanceof TypeError && err.code !== 'PGS_INVALID_UTF8') return e;
  }
  return undefined;
}

/**
 * The outcome of a thrown value: the code of a PgStreamError; anything else (another class, a
 * PgStreamError without a code, a WASM trap) is rethrown as a finding.
 */
export function typedCode(err: unknown): Outcome {
  if (err instanceof Finding) throw err;
  if (isTrap(err)) throw new Finding(`WASM trap: ${String(err)}`, { cause: err });
  if (!(err instanceof PgStreamError)) throw new Finding(`untyped exception: ${String((err as Error)?.stack ?? err)}`, { cause: err });
  if (typeof err.code !== 'string' || !err.code.startsWith('PGS_')) throw new Finding(`PgStreamError without a stable code: ${String(err.code)}`, { cause: err });
  const bug = hiddenBug(err);
  if (bug !== undefined) throw new Finding(`${err.code} wraps an untyped exception: ${String((bug as Error).stack ?? bug)}`, { cause: err });
  return err.code;
}

/** Runs `fn`: 'ok' when it returns, the error's code when it throws a typed error, a Finding otherwise. */
export function outcomeOf(fn: () => unknown): Outcome {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return typedCode(err);
  }
}

/** The async form of `outcomeOf`. */
export async function outcomeOfAsync(fn: () => Promise<unknown>): Promise<Outcome> {
  try {
    await fn();
    return 'ok';
  } catch (err) {
    return typedCode(err);
  }
}

/** Throws a Finding unless `ok`. */
export function check(ok: boolean, what: string): void {
  if (!ok) throw new Finding(what);
}
