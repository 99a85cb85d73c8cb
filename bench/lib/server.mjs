// @ts-check
/**
 * The server of the end-to-end cases: PostgreSQL 18 started with the test harness
 * (test/support/embedded, TypeScript, loaded through test/support/ts-loader.mjs), TLS on,
 * SCRAM-SHA-256 for the superuser, and the tables the cases read.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** @import { ServerFacts, Sizes } from './types.js' */

/**
 * A running server: the facts the e2e processes receive, and its lifecycle.
 * @typedef {object} BenchServer
 * @property {ServerFacts} facts
 * @property {() => Promise<void>} stop stops the server and removes its shared directory
 * @property {() => boolean} alive whether the postmaster still runs
 * @property {(lines: number) => string} logTail the end of the server log
 */

/**
 * The unlogged table `name` of `rows` rows: id int8, qty int4, md5 text, tag text, NULL.
 * @param {number} rows
 */
const tableSql = (rows) => `SELECT i::int8 AS id, (i % 1000)::int4 AS qty, md5(i::text) AS md5, 'tag' || (i % 100) AS tag, NULL::text AS nul
  FROM generate_series(1, ${rows}) AS i`;

/**
 * Starts the server and prepares w1 (`sizes.selectRows` rows), the empty w1_in of the same shape,
 * and w1's COPY text in a file the server can read (the COPY FROM floor and the COPY in payload).
 * @param {Sizes} sizes
 * @param {string} logDir where the server log is kept
 * @returns {Promise<BenchServer>}
 */
export async function startServer(sizes, logDir) {
  // The harness is TypeScript: register the loader the bench scripts of package.json start with
  // (a module already imported by `--import` is not evaluated twice), so `node bench/run.mjs` works too.
  await import('../../test/support/ts-loader.mjs');
  const { startEmbeddedPostgres } = await import('../../test/support/embedded/index.ts');
  const server = await startEmbeddedPostgres({
    version: 18,
    tls: true,
    logDir,
    settings: { shared_buffers: "'256MB'", log_connections: 'off', log_disconnections: 'off', work_mem: "'64MB'" },
  });
  const shared = mkdtempSync('/dev/shm/pg-stream-bench-');
  chmodSync(shared, 0o777); // the server runs as another user and writes the COPY file here
  const stop = async () => { await server.stop(); rmSync(shared, { recursive: true, force: true }); };
  try {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
    await client.connect();
    await client.query('DROP TABLE IF EXISTS w1');
    await client.query(`CREATE UNLOGGED TABLE w1 AS ${tableSql(sizes.selectRows)}`);
    await client.query('VACUUM ANALYZE w1');
    await client.query('DROP TABLE IF EXISTS w1_in');
    await client.query('CREATE UNLOGGED TABLE w1_in (LIKE w1)');
    const copyFile = join(shared, 'w1.copy');
    await client.query(`COPY w1 TO '${copyFile}'`);
    chmodSync(copyFile, 0o644);
    // Warm the buffer cache so the first measured run is not the only one reading from disk.
    await client.query('SELECT count(*) FROM w1');
    await client.end();
    /** @type {ServerFacts} */
    const facts = {
      host: server.host, port: server.port, user: server.user, password: server.password, database: server.database,
      socketDir: server.cluster.socketDir, version: server.version, copyFile, tls: true,
      ca: server.cluster.certs?.ca ?? null,
    };
    return { facts, stop, alive: () => existsSync(`/proc/${server.cluster.pid}`), logTail: (lines) => server.cluster.logTail(lines) };
  } catch (e) {
    await stop();
    throw e;
  }
}

/**
 * The server across a whole run: started once, checked before every e2e case, restarted (with an
 * incident noting the log's tail) when it died, stopped at the end.
 */
export class ServerKeeper {
  /** @type {BenchServer | null} */
  server = null;
  /** Why the server is not running, for the cases that needed it. */
  error = '';
  /** @type {string[]} */
  incidents = [];
  /** The server's version, once it started (kept after stop(), for the report). @type {string | null} */
  version = null;

  /**
   * @param {Sizes} sizes
   * @param {string} logDir
   * @param {(msg: string) => void} log
   */
  constructor(sizes, logDir, log) {
    this.sizes = sizes;
    this.logDir = logDir;
    this.log = log;
  }

  /** Starts the server; on failure, `server` stays null and `error` says why. */
  async start() {
    this.log('starting PostgreSQL 18 and preparing tables …');
    try {
      this.server = await startServer(this.sizes, this.logDir);
      this.version = this.server.facts.version;
      this.log(`PostgreSQL ${this.server.facts.version} on ${this.server.facts.host}:${this.server.facts.port}`);
    } catch (e) {
      this.server = null;
      this.error = `could not start the embedded server: ${String(e instanceof Error ? e.message : e).split('\n')[0]}`;
      this.log(this.error);
    }
  }

  /**
   * Before case `caseName`: a server that died is reported with its log and started again.
   * @param {string} caseName
   */
  async ensure(caseName) {
    if (this.server === null || this.server.alive()) return;
    this.incident(`the server died before ${caseName}; restarted`);
    await this.server.stop().catch(() => {});
    await this.start();
  }

  /** After the last case: a server that died during it is reported; then it is stopped. */
  async stop() {
    if (this.server === null) return;
    if (!this.server.alive()) this.incident('the server died during the last e2e case');
    await this.server.stop();
    this.server = null;
  }

  /**
   * @param {string} what
   */
  incident(what) {
    const note = `${what}. Server log tail:\n${this.server?.logTail(15) ?? '(no server log)'}`;
    this.incidents.push(note);
    this.log(note);
  }
}
