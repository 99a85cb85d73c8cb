import { defineConfig } from 'vitest/config';

/** Test configuration: tests import the TypeScript sources directly; `npm test` builds first. */
export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
