import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import type { TestProjectInlineConfiguration } from 'vitest/config';

/** The repository root: tests import the TypeScript sources directly; `npm test` builds first. */
const root = new URL('..', import.meta.url).pathname;

/** The kinds of test, one vitest project each, named after the folder under test/ that holds them (test/README.md). */
const KINDS = ['unit', 'property', 'hostile', 'real-server', 'browser'] as const;
type Kind = (typeof KINDS)[number];

/** The project running every `*.test.ts` under test/<kind>/. */
function project(kind: Kind, globalSetup: string[] = []): TestProjectInlineConfiguration {
  return {
    test: {
      name: kind,
      root,
      include: [`test/${kind}/**/*.test.ts`],
      globalSetup,
      testTimeout: 30_000,
      hookTimeout: 120_000,
      pool: 'forks',
    },
  };
}

// A test file in no project's folder would silently never run: refuse to start instead.
const stray = readdirSync(new URL('.', import.meta.url), { recursive: true, encoding: 'utf8' }).filter(
  (f) => f.endsWith('.test.ts') && !KINDS.some((k) => f.startsWith(`${k}/`)),
);
if (stray.length > 0) {
  throw new Error(`test/vitest.config.ts: no project runs ${stray.map((f) => `test/${f}`).join(', ')} (move it under test/{${KINDS.join(',')}}/ or add a project)`);
}

export default defineConfig({
  test: {
    root,
    projects: [
      project('unit'),
      project('property'),
      project('hostile'),
      // Real PostgreSQL clusters (18, 16, 13, and Debian's 15 when present), started once per run,
      // and only when this project has files to run (`--project unit` starts none).
      project('real-server', ['test/support/servers.ts']),
      // Headless Chromium pages (PGlite in the page, PostgreSQL 18 through a WebSocket bridge).
      project('browser', ['test/support/servers.ts']),
    ],
  },
});
