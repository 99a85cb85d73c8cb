import { defineConfig } from 'vitest/config';

/** Test configuration: tests import the TypeScript sources directly; `npm test` builds first. */
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    // Real PostgreSQL clusters (18, 16, 13, and Debian's 15 when present), started once per run.
    globalSetup: ['test/support/servers.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
