/**
 * Vitest global setup: once per test run, start one PostgreSQL cluster per available version
 * (npm 18, 16, 13, plus the system's 15 when present) with TLS and every auth method, plus two
 * variants on the newest version (an expired server certificate; TLS off), and provide() their
 * connection facts to the tests (read them with the helpers in ./facts.ts). Teardown stops them all.
 *
 * Wire it in test/vitest.config.ts: `globalSetup: ['test/support/servers.ts']`.
 */
import type { TestProject } from 'vitest/node';
import { availableServers, NPM_ALIASES } from './embedded/binaries.js';
import type { PgBinaries } from './embedded/binaries.js';
import { testCertificates } from './embedded/certs.js';
import { startCluster } from './embedded/cluster.js';
import type { Cluster, ClusterFacts, ClusterOptions } from './embedded/cluster.js';
import { removeSessionDir } from './embedded/host.js';
import { templateCacheSettled, templateFor } from './embedded/template.js';
import type { Template } from './embedded/template.js';

/** What the global setup provides to every test file (vitest `inject(key)`). */
export interface ServerContext {
  /** One cluster per available version, newest first: auth: true, tls: true. */
  pgServers: ClusterFacts[];
  /** Newest version, TLS on, presenting an expired server certificate (verify-full must fail). */
  pgExpiredTls: ClusterFacts | null;
  /** Newest version, auth: true, ssl off (the server answers N to SSLRequest). */
  pgNoTls: ClusterFacts | null;
  /** Prepared template data directories, for private clusters started by tests (copy, not initdb). */
  pgTemplates: Template[];
  /** Why a required server could not start (empty when all is well). Tests needing it fail with this. */
  pgServerProblems: string[];
  /** Milliseconds the global setup took to start everything. */
  pgStartupMs: number;
}

declare module 'vitest' {
  export interface ProvidedContext extends ServerContext {}
}

/** Optional server logs directory for CI debugging (kept after the run). */
const LOG_DIR = process.env.PG_STREAM_TEST_LOG_DIR;

let started: Cluster[] = [];

function withLog(o: ClusterOptions): ClusterOptions {
  return LOG_DIR === undefined || LOG_DIR === '' ? o : { ...o, logDir: LOG_DIR };
}

/** npm-provided versions are required; system ones are extras whose failure is only reported. */
function required(b: PgBinaries): boolean {
  return (NPM_ALIASES as readonly string[]).includes(b.source);
}

/** Starts every server and provides their facts; on an unexpected error stops what it started. */
export async function setup(project: TestProject): Promise<void> {
  try {
    await startAll(project);
  } catch (err) {
    await teardown();
    throw err;
  }
}

async function startAll(project: TestProject): Promise<void> {
  const t0 = performance.now();
  const problems: string[] = [];
  const bins = await availableServers();
  for (const alias of NPM_ALIASES) {
    if (!bins.some((b) => b.source === alias)) problems.push(`npm package ${alias} is missing or its binaries do not run`);
  }
  const [templates] = await Promise.all([
    Promise.all(
      bins.map((b) =>
        templateFor(b).catch((err: unknown) => {
          if (required(b)) problems.push(`PostgreSQL ${b.version}: ${String(err)}`);
          return null;
        }),
      ),
    ),
    testCertificates(),
  ]);
  const usable = bins.filter((_, i) => templates[i] !== null);

  const startOne = async (o: ClusterOptions, mustWork: boolean, what: string): Promise<ClusterFacts | null> => {
    try {
      const c = await startCluster(withLog(o));
      started.push(c);
      return c.facts();
    } catch (err) {
      if (mustWork) problems.push(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
  };
  const newest = usable[0];
  const [expired, noTls, ...main] = await Promise.all([
    newest ? startOne({ version: newest.major, tls: true, auth: true, serverCert: 'expired' }, true, 'expired-certificate server') : null,
    newest ? startOne({ version: newest.major, tls: false, auth: true }, true, 'no-TLS server') : null,
    ...usable.map((b) => startOne({ version: b.major, tls: true, auth: true }, required(b), `PostgreSQL ${b.version}`)),
  ]);

  project.provide('pgServers', main.filter((f): f is ClusterFacts => f !== null));
  project.provide('pgExpiredTls', expired ?? null);
  project.provide('pgNoTls', noTls ?? null);
  project.provide('pgTemplates', templates.filter((t): t is Template => t !== null));
  project.provide('pgServerProblems', problems);
  project.provide('pgStartupMs', Math.round(performance.now() - t0));
}

/** Stops every server started by setup (also runs when tests failed). */
export async function teardown(): Promise<void> {
  const all = started;
  started = [];
  await Promise.allSettled(all.map((c) => c.stop()));
  // Templates built in this run are being copied to the cache from the session directory.
  await templateCacheSettled();
  removeSessionDir();
}
