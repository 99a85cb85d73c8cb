// @ts-check
/**
 * End to end: a table of mixed binary types (id int8, qty int4, ratio float8, flag bool, at
 * timestamptz, u uuid, label text; `--rows N`, made once per server as w7) read whole; wall time,
 * this process's CPU and rows/s for the read only.
 *
 *   node bench/e2e/batches.mjs --case batches:ours|copy|stream|pg|floor|copyfloor --rows N
 *
 * ours: `conn.batches(sql)` — DataRows decoded column by column in WebAssembly into Arrow batches;
 * copy: `conn.copyTo('COPY w7 TO STDOUT (FORMAT binary)').batches()` (types described); stream:
 * `conn.stream(sql)` with `row.get(i)` for every field; pg: node-postgres, rows as objects with its
 * default type parsers. Floors: `EXPLAIN (ANALYZE, SERIALIZE BINARY)` of the SELECT (PostgreSQL 17+:
 * the server's execution and binary output, nothing sent) and `COPY w7 TO '/dev/null' (FORMAT binary)`.
 */
import { cpuMs, e2eMain, oursConnect, pgClient } from './common.mjs';
import { numberArg, parseArgs } from '../lib/measure.mjs';

/** @import { ColumnBatch, Connection } from 'pg-stream' */
/** @import { E2eRun, E2eSession } from '../lib/types.js' */

const ROWS = numberArg(parseArgs(), 'rows', 1_000_000);
const SQL = 'SELECT * FROM w7';
const COPY = 'COPY w7 TO STDOUT (FORMAT binary)';

/** Makes w7 once per server (outside any measurement). */
async function ensureTable() {
  const client = await pgClient();
  try {
    const have = await client.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'w7'");
    const rows = Number(have.rows[0].n) === 1 ? Number((await client.query('SELECT count(*) AS n FROM w7')).rows[0].n) : -1;
    if (rows === ROWS) return;
    await client.query('DROP TABLE IF EXISTS w7');
    await client.query(`CREATE UNLOGGED TABLE w7 AS SELECT i::int8 AS id, (i % 1000)::int4 AS qty, i / 7.0::float8 AS ratio, i % 3 = 0 AS flag,
      TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * interval '1 second' AS at, md5(i::text)::uuid AS u, 'label ' || i AS label
      FROM generate_series(1, ${ROWS}) AS i`);
    await client.query('VACUUM ANALYZE w7');
  } finally {
    await client.end();
  }
}

/**
 * Wall ms, CPU ms and rows/s of `fn`, which resolves to the rows read and a checksum.
 * @param {() => Promise<{ rows: number, mix: number }>} fn
 * @returns {Promise<E2eRun>}
 */
async function measureRows(fn) {
  const c0 = cpuMs();
  const t0 = process.hrtime.bigint();
  const { rows, mix } = await fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, cpu: cpuMs() - c0, rowsPerSec: (rows / ms) * 1000, cpuNsPerRow: ((cpuMs() - c0) * 1e6) / rows, check: { rows, mix } };
}

/**
 * Touches every batch so no decoding is dead: rows, and the first id of each batch.
 * @param {ColumnBatch} b
 */
const touch = (b) => Number((/** @type {BigInt64Array} */ (b.column(0).values))[0] ?? 0n) & 1;

/**
 * A session of ours reading with `read`.
 * @param {(conn: Connection) => Promise<{ rows: number, mix: number }>} read
 * @param {string} api
 * @returns {Promise<E2eSession>}
 */
async function ours(read, api) {
  await ensureTable();
  const session = await oursConnect();
  const conn = session.connection;
  return { run: () => measureRows(() => read(conn)), close: () => session.close(), info: { api } };
}

await e2eMain({
  ours: () => ours(async (conn) => {
    let rows = 0;
    let mix = 0;
    for await (const b of conn.batches(SQL)) {
      rows += b.numRows;
      mix += touch(b);
    }
    return { rows, mix };
  }, 'for await (const batch of conn.batches(sql))'),
  copy: () => ours(async (conn) => {
    let rows = 0;
    let mix = 0;
    for await (const b of conn.copyTo(COPY).batches()) {
      rows += b.numRows;
      mix += touch(b);
    }
    return { rows, mix };
  }, 'for await (const batch of conn.copyTo(copySql).batches())'),
  stream: () => ours(async (conn) => {
    let rows = 0;
    let mix = 0;
    await conn.stream(SQL).forEach((row) => {
      rows++;
      for (let i = 0; i < row.length; i++) if (row.get(i) !== null) mix++;
    });
    return { rows, mix };
  }, 'conn.stream(sql).forEach(row => row.get(i))'),
  async pg() {
    await ensureTable();
    const pg = (await import('pg')).default;
    const client = await pgClient();
    return {
      run: () => measureRows(() => new Promise((resolve, reject) => {
        let rows = 0;
        let mix = 0;
        const q = new pg.Query({ text: SQL });
        q.on('row', (/** @type {unknown} */ row) => {
          rows++;
          if ((/** @type {Record<string, unknown>} */ (row)).id !== null) mix++;
        });
        q.on('error', reject);
        q.on('end', () => resolve({ rows, mix }));
        client.query(q);
      })),
      close: () => client.end(),
      info: { api: "pg: client.query(new Query(sql)) 'row' events (rows as objects)" },
    };
  },
  async floor() {
    await ensureTable();
    const client = await pgClient();
    const version = Number((await client.query('SHOW server_version_num')).rows[0].server_version_num);
    if (version < 170000) throw new Error('EXPLAIN (SERIALIZE) needs PostgreSQL 17');
    return {
      run: () => measureRows(async () => {
        await client.query(`EXPLAIN (ANALYZE, SERIALIZE BINARY, TIMING OFF) ${SQL}`);
        return { rows: ROWS, mix: 0 };
      }),
      close: () => client.end(),
    };
  },
  async copyfloor() {
    await ensureTable();
    const client = await pgClient();
    return {
      run: () => measureRows(async () => {
        await client.query("COPY w7 TO '/dev/null' (FORMAT binary)");
        return { rows: ROWS, mix: 0 };
      }),
      close: () => client.end(),
    };
  },
});
