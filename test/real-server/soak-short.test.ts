/**
 * A short soak (test/support/soak-run.ts) inside `npm test`: 10 seconds of mixed pipelined writes,
 * streams, COPY in and out, notifications and cancels on the shared PostgreSQL 18, two connections
 * direct and two through the fault proxy with random faults. Every call settles in time with a
 * typed error, the table agrees with what the client was told (PGS_OUTCOME_UNKNOWN reconciled),
 * notifications told sent arrive, no unhandled rejection. The long run is `npm run soak`.
 */
import { expect, it } from 'vitest';
import { connectAs, pgServer } from '../support/facts.js';
import { runSoak } from '../support/soak-run.js';

it('a 10-second soak loses no write, tells no lie, and settles every call', async () => {
  const f = connectAs(pgServer());
  const figures = await runSoak({
    server: { host: f.host, port: f.port, user: f.user, password: f.password ?? '', database: f.database },
    durationMs: 10_000,
    seed: 12,
    direct: 2,
    proxied: 2,
    table: 'soak_short',
  });
  expect(figures.violations).toEqual([]);
  expect(figures.rows.asked).toBeGreaterThan(1_000);
  expect(figures.rows.lostCommitted).toEqual([]);
  expect(figures.rows.phantomFailed).toEqual([]);
  expect(figures.rows.rowsFound).toBe(figures.rows.rowsExpected);
  expect(Object.values(figures.operations).reduce((a, b) => a + b, 0)).toBeGreaterThan(20);
}, 60_000);
