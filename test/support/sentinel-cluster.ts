/**
 * A private PostgreSQL cluster (TLS and every auth method, ./facts.ts startPrivateCluster) whose
 * password roles get a fresh, unique password — a sentinel — for each test, so that a secret-leak
 * check searches for a string that exists nowhere else. The shared clusters of the global setup
 * cannot be used for this: other test files log in with their fixed passwords concurrently.
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { ConnectionBuilder } from '../../src/index.js';
import type { Connection } from '../../src/index.js';
import { startPrivateCluster } from './facts.js';
import type { Cluster } from './facts.js';
import { query } from './fake-client.js';

/** The roles whose password a test may replace, with how the server stores it. */
export const SENTINEL_ROLES = {
  scram_user: 'scram-sha-256',
  pw_user: 'scram-sha-256',
  md5_user: 'md5',
} as const;

/** A role `SentinelCluster.sentinel()` can give a fresh password. */
export type SentinelRole = keyof typeof SENTINEL_ROLES;

/** Random bytes in a sentinel (hex-encoded: ASCII, so SASLprep leaves it unchanged). */
const SENTINEL_BYTES = 12;

/** A private cluster plus a superuser session over its Unix socket (trusted) to change passwords. */
export class SentinelCluster {
  readonly cluster: Cluster;
  readonly #admin: Connection;

  private constructor(cluster: Cluster, admin: Connection) {
    this.cluster = cluster;
    this.#admin = admin;
  }

  /** Starts a cluster of `version` with TLS and the test roles. */
  static async start(version: number): Promise<SentinelCluster> {
    const cluster = await startPrivateCluster({ version, auth: true, tls: true });
    try {
      const socket = net.connect({ path: `${cluster.socketDir}/.s.PGSQL.${cluster.port}` });
      const { conn } = await new ConnectionBuilder('postgres').database(cluster.database).connectTimeout(10_000).connect(socket);
      return new SentinelCluster(cluster, conn);
    } catch (err) {
      await cluster.stop();
      throw err;
    }
  }

  /** Gives `role` a new unique password and returns it. */
  async sentinel(role: SentinelRole): Promise<string> {
    const password = `sentinel-${randomBytes(SENTINEL_BYTES).toString('hex')}`;
    await query(this.#admin, `SET password_encryption = '${SENTINEL_ROLES[role]}'`);
    await query(this.#admin, `ALTER ROLE ${role} PASSWORD '${password}'`);
    return password;
  }

  /** Closes the session and stops the cluster; never rejects. */
  async stop(): Promise<void> {
    await this.#admin.close().catch(() => undefined);
    await this.cluster.stop();
  }
}
