// @ts-check
/**
 * End to end: `SELECT * FROM w1` (id int8, qty int4, md5 text, tag text, NULL), every field decoded
 * to a typed JS value by each client's default rules, consumed the same way; wall time and this
 * process's CPU for the query only.
 *
 *   node bench/e2e/typed.mjs --case typed:ours|each|run|pg|postgresjs --rows N
 *
 * ours: `for await (const row of conn.stream(sql))` with `row.get(i)` (format 'auto': binary where
 * a decoder exists; int8 as bigint); each: the same with `stream().forEach`; run: `conn.run(sql)`,
 * every row collected as an array of values; pg: rowMode 'array' with its default type parsers (int8
 * as a string), rows handed to a 'row' listener (nothing kept); postgres.js: its default types (int8
 * as a string), `.values().forEach`. pgrows / postgresjsrows: the same clients collecting every row
 * (`await client.query(…)`, `await sql.unsafe(…).values()`): the anchors of `run`, which keeps
 * every row too.
 */
import { e2eMain, measure, oursConnect, pgClient, server } from './common.mjs';

const SQL = 'SELECT * FROM w1';

/** Consumes one row of values the same way for every client (so no one gets dead-code help). */
function makeSink() {
  const sink = {
    rows: 0,
    nulls: 0,
    /** A running value so no decoded field is dead. */
    mix: 0,
    /** @param {unknown} v */
    value: (v) => {
      if (v === null) sink.nulls++;
      else if (typeof v === 'string') sink.mix += v.length;
      else if (typeof v === 'number') sink.mix += v & 1;
      else if (typeof v === 'bigint') sink.mix += Number(v & 1n);
    },
    /** @param {readonly unknown[]} fields */
    row: (fields) => {
      sink.rows++;
      for (let i = 0; i < fields.length; i++) sink.value(fields[i]);
    },
  };
  return sink;
}

/** @param {ReturnType<typeof makeSink>} sink */
const checkOf = (sink) => ({ rows: sink.rows, nulls: sink.nulls });

/**
 * Our session on the query layer.
 * @param {(conn: import('pg-stream').Connection, sink: ReturnType<typeof makeSink>) => Promise<void>} read
 * @param {string} api
 */
async function ours(read, api) {
  const session = await oursConnect();
  const conn = session.connection;
  // The statement cache: the warm-up run parses and describes; the measured ones bind in binary.
  return {
    run: () => measure(async () => {
      const sink = makeSink();
      await read(conn, sink);
      return checkOf(sink);
    }),
    close: () => session.close(),
    info: { api },
  };
}

/** postgres.js with its default types (common.mjs's postgresJs() keeps numbers as text). */
async function postgresJsDefault() {
  const postgres = (await import('postgres')).default;
  const s = server();
  const sql = postgres({ host: s.host, port: s.port, user: s.user, pass: s.password, database: s.database, max: 1, onnotice: () => {} });
  await sql`SELECT 1`;
  return sql;
}

await e2eMain({
  ours: () => ours(async (conn, sink) => {
    for await (const row of conn.stream(SQL)) {
      sink.rows++;
      const n = row.length;
      for (let i = 0; i < n; i++) sink.value(row.get(i));
    }
  }, 'for await (const row of conn.stream(sql)) row.get(i)'),
  each: () => ours(async (conn, sink) => {
    await conn.stream(SQL).forEach((row) => {
      sink.rows++;
      const n = row.length;
      for (let i = 0; i < n; i++) sink.value(row.get(i));
    });
  }, 'conn.stream(sql).forEach(row => row.get(i))'),
  run: () => ours(async (conn, sink) => {
    for (const row of (await conn.run(SQL)).rows) sink.row(row);
  }, 'conn.run(sql): every row collected'),
  async pg() {
    const pg = (await import('pg')).default;
    const client = await pgClient();
    return {
      run: () => measure(() => new Promise((resolve, reject) => {
        const sink = makeSink();
        const q = new pg.Query({ text: SQL, rowMode: 'array' });
        q.on('row', sink.row);
        q.on('error', reject);
        q.on('end', () => resolve(checkOf(sink)));
        client.query(q);
      })),
      close: () => client.end(),
    };
  },
  async pgrows() {
    const client = await pgClient();
    return {
      run: () => measure(async () => {
        const sink = makeSink();
        const result = await client.query({ text: SQL, rowMode: 'array' });
        for (const row of result.rows) sink.row(row);
        return checkOf(sink);
      }),
      close: () => client.end(),
    };
  },
  async postgresjsrows() {
    const sql = await postgresJsDefault();
    return {
      run: () => measure(async () => {
        const sink = makeSink();
        for (const row of await sql.unsafe(SQL).values()) sink.row(row);
        return checkOf(sink);
      }),
      close: () => sql.end(),
    };
  },
  async postgresjs() {
    const sql = await postgresJsDefault();
    return {
      run: () => measure(async () => {
        const sink = makeSink();
        await sql.unsafe(SQL).values().forEach(sink.row);
        return checkOf(sink);
      }),
      close: () => sql.end(),
    };
  },
});
