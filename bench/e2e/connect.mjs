// @ts-check
/**
 * End to end: start + connect over TCP + TLS (certificate verified against the test CA) + SCRAM-SHA-256,
 * in a fresh process: the time from before importing the client library to a connection that has
 * answered `SELECT 1` (module loading and, for us, WASM instantiation included; every client runs
 * that one query, because postgres.js only connects on its first query), then the median of later
 * connections.
 *
 *   node bench/e2e/connect.mjs --case connect:ours|pg|postgresjs
 */
import { median } from '../lib/measure.mjs';
import { e2eMain, server } from './common.mjs';

/** @import { E2eSession } from '../lib/types.js' */

/** Connections after the first, whose median is the "warm" figure. */
const WARM = 20;
const now = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * Measures the first import + connect, then WARM more connects.
 * @template L
 * @param {() => Promise<L>} load imports the client library
 * @param {(lib: L) => Promise<() => Promise<unknown>>} open connects, runs SELECT 1, returns a closer
 * @returns {E2eSession}
 */
function session(load, open) {
  return {
    once: true,
    run: async () => {
      const t0 = now();
      const lib = await load();
      const t1 = now();
      const close = await open(lib);
      const t2 = now();
      await close();
      const warm = [];
      for (let i = 0; i < WARM; i++) {
        const a = now();
        const c = await open(lib);
        warm.push(now() - a);
        await c();
      }
      return { ms: t2 - t0, importMs: t1 - t0, connectMs: t2 - t1, warmMs: median(warm), check: null };
    },
  };
}

const s = server();
const tlsOptions = { ...(s.ca !== null ? { ca: s.ca } : {}), servername: 'localhost' };

await e2eMain({
  async pg() {
    return session(async () => (await import('pg')).default, async (pg) => {
      const c = new pg.Client({ host: s.host, port: s.port, user: s.user, password: s.password, database: s.database, ssl: tlsOptions });
      await c.connect();
      await c.query('SELECT 1');
      return () => c.end();
    });
  },
  async postgresjs() {
    return session(async () => (await import('postgres')).default, async (postgres) => {
      const sql = postgres({ host: s.host, port: s.port, user: s.user, pass: s.password, database: s.database, max: 1, ssl: tlsOptions, onnotice: () => {} });
      // postgres.js connects lazily, on the first query.
      await sql`SELECT 1`;
      return () => sql.end();
    });
  },
  async ours() {
    const { oursConnectLoader } = await import('./ours.mjs');
    const { load, open } = oursConnectLoader(s, { tls: true });
    return session(load, open);
  },
});
