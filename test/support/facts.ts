/**
 * Helpers for tests that need a real PostgreSQL server: read what the global setup
 * (./servers.ts) started, or start a private throwaway cluster from its prepared templates.
 */
import { inject } from 'vitest';
import { findServer } from './embedded/binaries.js';
import { connectionFacts, startCluster } from './embedded/cluster.js';
import type { Cluster, ClusterFacts, ClusterOptions, ConnectionFacts } from './embedded/cluster.js';
import { adoptTemplate } from './embedded/template.js';
import type { ServerContext } from './servers.js';

export type { Cluster, ClusterFacts, ClusterOptions, ConnectionFacts };
export { TEST_ROLES } from './embedded/roles.js';

const NOT_WIRED = 'test/support/servers.ts is not a globalSetup of this vitest config';

function provided<K extends keyof ServerContext>(key: K): ServerContext[K] {
  const v = inject(key) as ServerContext[K] | undefined;
  if (v === undefined) throw new Error(`${NOT_WIRED} (nothing provided for ${key})`);
  return v;
}

function problems(): string {
  const p = provided('pgServerProblems');
  return p.length === 0 ? '' : `\nserver problems:\n${p.join('\n')}`;
}

/** Every shared cluster (auth + TLS), newest first; throws if a required version failed to start. */
export function pgServers(): ClusterFacts[] {
  const servers = provided('pgServers');
  const p = problems();
  if (p !== '' || servers.length === 0) throw new Error(`not every test server is running${p}`);
  return servers;
}

/** The shared cluster of one major version (default: the newest); throws if it is not running. */
export function pgServer(major?: number): ClusterFacts {
  const servers = provided('pgServers');
  const hit = major === undefined ? servers[0] : servers.find((s) => s.major === major);
  if (hit === undefined) throw new Error(`no running test server for PostgreSQL ${major ?? '(newest)'}${problems()}`);
  return hit;
}

/** Newest version with TLS presenting an expired server certificate (for verify-full failures). */
export function pgExpiredTls(): ClusterFacts {
  const s = provided('pgExpiredTls');
  if (s === null) throw new Error(`the expired-certificate server is not running${problems()}`);
  return s;
}

/** Newest version with auth but ssl=off (answers N to SSLRequest). */
export function pgNoTls(): ClusterFacts {
  const s = provided('pgNoTls');
  if (s === null) throw new Error(`the no-TLS server is not running${problems()}`);
  return s;
}

/** Connection facts for `user` on a shared cluster (password from TEST_ROLES unless given). */
export function connectAs(server: ClusterFacts, user?: string, password?: string): ConnectionFacts {
  return connectionFacts(server, user, password);
}

/**
 * Starts a private cluster for a test that must break or reconfigure it (restart, kill, special
 * settings). Copies the global setup's template when there is one (≈ 80 ms), else runs initdb.
 * The caller must `await cluster.stop()` (leftovers are killed when the worker exits).
 */
export async function startPrivateCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const templates = inject('pgTemplates') as ServerContext['pgTemplates'] | undefined;
  if (templates !== undefined) {
    const bins = await findServer(opts.version ?? 18);
    for (const t of templates) adoptTemplate(bins, t);
  }
  return startCluster(opts);
}
