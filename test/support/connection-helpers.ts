/**
 * Real servers for the connection tests: the global setup's shared clusters (test/support/servers.ts)
 * when it is wired into the vitest config, otherwise one private cluster per test file (PostgreSQL
 * 18, every auth method, TLS) started on first use and stopped by `stopServers()` in afterAll.
 */
import { inject } from 'vitest';
import { startCluster } from './embedded/cluster.js';
import type { Cluster, ClusterFacts } from './embedded/cluster.js';

const privates = new Map<string, Promise<Cluster>>();

function shared(): ClusterFacts[] {
  try {
    return (inject('pgServers' as never) as ClusterFacts[] | undefined) ?? [];
  } catch {
    return [];
  }
}

/** A running server of `major` (default 18) with TLS and the test roles. */
export async function testServer(major = 18): Promise<ClusterFacts> {
  const hit = shared().find((s) => s.major === major);
  if (hit !== undefined) return hit;
  const key = `v${major}`;
  let p = privates.get(key);
  if (p === undefined) {
    p = startCluster({ version: major, auth: true, tls: true });
    privates.set(key, p);
  }
  return p;
}

/** Stops the private clusters this file started. */
export async function stopServers(): Promise<void> {
  const all = [...privates.values()];
  privates.clear();
  await Promise.all(all.map(async (p) => (await p).stop()));
}
