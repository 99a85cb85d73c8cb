/**
 * Runs fuzz targets (test/fuzz/targets) inside vitest: a fixed seed, the target's in-test budget,
 * no finding, and every outcome the target claims to reach reached (so a generator that stopped
 * producing malformed inputs fails the test instead of passing quietly).
 */
import { expect, it } from 'vitest';
import { describeFinding, runTarget } from '../fuzz/harness.js';
import type { AnyTarget } from '../fuzz/target.js';

/** The seed of every in-test fuzz run (`npm run fuzz` picks random ones). */
export const FUZZ_SEED = 20261205;

/** One vitest test per target. */
export function fuzzTests(targets: readonly AnyTarget[]): void {
  for (const t of targets) {
    it(`${t.name}: ${t.about} (${t.testRuns} inputs, seed ${FUZZ_SEED})`, async () => {
      const r = await runTarget(t, { seed: FUZZ_SEED, numRuns: t.testRuns });
      expect(describeFinding(r), 'a finding').toBe('none');
      expect(r.iterations).toBe(t.testRuns);
      const seen = [...r.outcomes.keys()];
      for (const want of t.reaches) {
        expect(seen.some((o) => (typeof want === 'string' ? o === want : want.test(o))), `outcome ${String(want)} reached; seen ${seen.join(', ')}`).toBe(true);
      }
      const codes = new Set(seen.map((o) => /PGS_[A-Z0-9_]+$/.exec(o)?.[0]).filter((c) => c !== undefined));
      expect(codes.size, `distinct codes: ${[...codes].join(', ')}`).toBeGreaterThanOrEqual(t.minCodes ?? 1);
    }, 120_000);
  }
}
