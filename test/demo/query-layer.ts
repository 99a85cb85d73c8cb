/**
 * The demo's query-layer step: `run` with parameters, a pipeline whose failing statement shows the
 * never-lose-a-write rule (what was reported done is exactly what is in the table), COPY in and
 * out, and a streamed result — through the library as a user imports it.
 */
import { connect } from 'pg-stream';
import type { ConnectOptionsInput } from 'pg-stream';

/** Where the demo connects (the fields `connect()` needs). */
export interface QueryLayerTarget {
  host: string;
  port: number;
  path?: string;
  user: string;
  password?: string;
  database: string;
}

/** Runs the step, printing what happens. */
export async function queryLayer(t: QueryLayerTarget, log: (...args: unknown[]) => void): Promise<void> {
  log('\n6. The query layer: run, a pipeline that never loses a write, COPY, stream');
  const host = t.path !== undefined ? t.path.replace(/\/\.s\.PGSQL\.\d+$/, '') : t.host;
  const options: ConnectOptionsInput = { host, port: t.port, user: t.user, database: t.database, sslmode: 'disable', ...(t.password === undefined ? {} : { password: t.password }) };
  const { conn } = await connect(options, { env: {} });
  try {
    const sum = await conn.run('SELECT $1::int + $2::int AS sum', [5, 10]);
    log(`  run: ${sum.fields[0]!.name} = ${String(sum.rows[0]![0])}`);
    await conn.run('CREATE TEMP TABLE demo_items (id int PRIMARY KEY)');
    const p = conn.pipeline();
    const ids = [1, 2, 3, 3, 5, 6];
    const first = ids.map((id) => p.run('INSERT INTO demo_items VALUES ($1)', [id]));
    p.sync();
    const second = [7, 8].map((id) => p.run('INSERT INTO demo_items VALUES ($1)', [id]));
    await p.end();
    const outcome = async (r: Promise<unknown>): Promise<string> => r.then(() => 'done', (e: { sqlstate?: string; code?: string }) => e.sqlstate ?? e.code ?? 'error');
    log('  pipeline, segment 1 (ids 1 2 3 3 5 6):', (await Promise.all(first.map(outcome))).join(', '));
    log('  pipeline, segment 2 (ids 7 8):', (await Promise.all(second.map(outcome))).join(', '));
    const inTable = (await conn.run('SELECT array_agg(id ORDER BY id) FROM demo_items')).rows[0]![0];
    log('  in the table:', JSON.stringify(inTable), '— exactly what was reported done');
    async function* lines(): AsyncGenerator<string> {
      for (let i = 100; i < 100_100; i++) yield `${i}\n`;
    }
    const t0 = performance.now();
    const { rowCount } = await conn.copyFrom('COPY demo_items FROM STDIN', lines());
    let bytes = 0;
    for await (const chunk of conn.copyTo('COPY demo_items TO STDOUT')) bytes += chunk.length;
    log(`  COPY FROM: ${rowCount} rows; COPY TO: ${bytes} bytes (${Math.round(performance.now() - t0)} ms)`);
    let total = 0n;
    let n = 0;
    for await (const row of conn.stream('SELECT id::int8 FROM demo_items')) {
      total += row.get(0) as bigint;
      n++;
    }
    log(`  stream: ${n} rows, sum ${total}`);
  } finally {
    await conn.close();
  }
}
