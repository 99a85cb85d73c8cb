// @ts-check
/**
 * End to end: `SELECT * FROM w1` (id int8, qty int4, md5 text, tag text, NULL; rows set by run.mjs),
 * streamed, a string for every field; wall time and this process's CPU for the query only.
 *
 *   node bench/e2e/select.mjs --case select:ours|layer|pg|postgresjs|psql|floor --rows N
 *
 * ours: the raw recv()/tryRecv() loop; layer: the same work through the query layer
 * (`conn.stream(sql, [], { format: 'text' }).forEach(row => row.text(i))`), so the two give the
 * layer's cost over the raw API.
 * floor: EXPLAIN (ANALYZE, SERIALIZE TEXT) of the same query — the server reads and serializes
 * every row but sends none (PostgreSQL 17+), i.e. the server's share of the wall time.
 */
import { e2eMain, haveTool, measure, oursConnect, pgClient, pgTextTypes, postgresJs, runTool } from './common.mjs';

const SQL = 'SELECT * FROM w1';

/** Consumes one row of strings the same way for every client (so no one gets dead-code help). */
function makeSink() {
  const sink = {
    rows: 0,
    chars: 0,
    nulls: 0,
    /** @param {readonly (string | null)[]} fields */
    row: (fields) => {
      sink.rows++;
      for (let i = 0; i < fields.length; i++) {
        const v = fields[i];
        if (v === null) sink.nulls++;
        else sink.chars += v.length;
      }
    },
  };
  return sink;
}

await e2eMain({
  async floor() {
    const client = await pgClient();
    return {
      run: () => measure(async () => {
        const r = await client.query(`EXPLAIN (ANALYZE, SERIALIZE TEXT, TIMING OFF, BUFFERS OFF) ${SQL}`);
        const lines = r.rows.map((x) => x['QUERY PLAN']);
        return { serialization: lines.find((l) => l?.startsWith('Serialization')) ?? null };
      }),
      close: () => client.end(),
    };
  },
  async pg() {
    const pg = (await import('pg')).default;
    const client = await pgClient();
    return {
      run: () => measure(() => new Promise((resolve, reject) => {
        const sink = makeSink();
        const q = new pg.Query({ text: SQL, rowMode: 'array', types: pgTextTypes });
        q.on('row', sink.row);
        q.on('error', reject);
        q.on('end', () => resolve({ rows: sink.rows, chars: sink.chars, nulls: sink.nulls }));
        client.query(q);
      })),
      close: () => client.end(),
    };
  },
  async postgresjs() {
    const sql = await postgresJs();
    await sql`SELECT 1`;
    return {
      run: () => measure(async () => {
        const sink = makeSink();
        await sql.unsafe(SQL).values().forEach(sink.row);
        return { rows: sink.rows, chars: sink.chars, nulls: sink.nulls };
      }),
      close: () => sql.end(),
    };
  },
  async psql() {
    if (!(await haveTool('psql'))) throw new Error('psql is not installed (Debian: postgresql-client)');
    return {
      run: async () => {
        const r = await runTool(`psql -X -q -A -t -c '${SQL}' -o /dev/null`);
        return { ms: r.wallMs, cpu: r.cpuMs, check: null };
      },
    };
  },
  async ours() {
    const conn = await oursConnect();
    return {
      run: () => measure(async () => {
        const sink = { rows: 0, chars: 0, nulls: 0 };
        await conn.selectText(SQL, (row, n) => {
          sink.rows++;
          for (let i = 0; i < n; i++) {
            const v = row.text(i);
            if (v === null) sink.nulls++;
            else sink.chars += v.length;
          }
        });
        return sink;
      }),
      close: () => conn.close(),
      info: conn.info,
    };
  },
  async layer() {
    const session = await oursConnect();
    const conn = session.connection;
    return {
      run: () => measure(async () => {
        const sink = { rows: 0, chars: 0, nulls: 0 };
        await conn.stream(SQL, [], { format: 'text' }).forEach((row) => {
          sink.rows++;
          const n = row.length;
          for (let i = 0; i < n; i++) {
            const v = row.text(i);
            if (v === null) sink.nulls++;
            else sink.chars += v.length;
          }
        });
        return sink;
      }),
      close: () => session.close(),
      info: { api: 'query layer: stream(sql, [], { format: "text" }).forEach, row.text(i)' },
    };
  },
});
