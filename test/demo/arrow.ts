/**
 * The demo's Arrow step: a table read into Arrow `ColumnBatch`es two ways — `conn.batches()`
 * (DataRows decoded column by column in WebAssembly) and `conn.copyTo(…).batches()` (COPY BINARY,
 * the column types learned by describing the table) — written to an Arrow IPC file in a temp
 * directory, read back with apache-arrow and checked against sums the server computes, rows/s shown.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { ColumnBatch, connect } from 'pg-stream';
import type { ConnectOptionsInput } from 'pg-stream';
import type { QueryLayerTarget } from './query-layer.js';

const ROWS = 200_000;

/** Rows per second, rounded for reading. */
function rate(rows: number, ms: number): string {
  return `${(rows / (ms / 1000) / 1e6).toFixed(2)}M rows/s`;
}

/** Runs the step, printing what happens; throws when a check fails. */
export async function arrowStep(t: QueryLayerTarget, log: (...args: unknown[]) => void): Promise<void> {
  log('\n7. Columns: PostgreSQL into Apache Arrow, built in WebAssembly');
  const host = t.path !== undefined ? t.path.replace(/\/\.s\.PGSQL\.\d+$/, '') : t.host;
  const options: ConnectOptionsInput = { host, port: t.port, user: t.user, database: t.database, sslmode: 'disable', ...(t.password === undefined ? {} : { password: t.password }) };
  const { conn } = await connect(options, { env: {} });
  const dir = mkdtempSync(join(tmpdir(), 'pg-stream-demo-'));
  try {
    await conn.run(`CREATE TEMP TABLE demo_cols AS
      SELECT g::int8 AS id, (g % 1000)::int4 AS small, g / 3.0::float8 AS ratio, g % 2 = 0 AS even,
        TIMESTAMPTZ '2024-01-01 00:00:00+00' + g * interval '1 second' AS at, md5(g::text)::uuid AS u, 'item ' || g AS label
      FROM generate_series(1, ${ROWS}) g`);

    let t0 = performance.now();
    const batches: ColumnBatch[] = [];
    for await (const batch of conn.batches('SELECT * FROM demo_cols ORDER BY id', [], { batchRows: 65_536 })) batches.push(batch);
    const selectMs = performance.now() - t0;
    log(`  batches(): ${batches.length} batches, ${batches.reduce((n, b) => n + b.numRows, 0)} rows in ${Math.round(selectMs)} ms (${rate(ROWS, selectMs)})`);
    log(`  columns: ${batches[0]!.fields.map((f) => `${f.name} ${f.arrowType.typeId}`).join(', ')}`);

    t0 = performance.now();
    let copied = 0;
    for await (const batch of conn.copyTo('COPY demo_cols TO STDOUT (FORMAT binary)').batches()) copied += batch.numRows;
    const copyMs = performance.now() - t0;
    log(`  copyTo().batches(): ${copied} rows in ${Math.round(copyMs)} ms (${rate(copied, copyMs)})`);

    const file = join(dir, 'demo_cols.arrow');
    writeFileSync(file, ColumnBatch.toIPCFile(batches));
    const table = tableFromIPC(readFileSync(file));
    const ids = table.getChild('id')!;
    let idSum = 0n;
    for (const v of ids) idSum += v as bigint;
    let evens = 0;
    for (const v of table.getChild('even')!) if (v === true) evens++;
    const server = (await conn.run('SELECT sum(id)::int8, count(*) FILTER (WHERE even)::int4, max(label) FROM demo_cols')).rows[0]!;
    const label = table.getChild('label')!.get(ROWS - 1) as string;
    const ok = table.numRows === ROWS && idSum === server[0] && evens === server[1] && label === `item ${ROWS}`;
    log(`  wrote ${file.replace(dir, '<tmp>')} (${(readFileSync(file).length / 1e6).toFixed(1)} MB); apache-arrow read ${table.numRows} rows back`);
    log(`  check: sum(id) ${idSum} = ${String(server[0])}, even rows ${evens} = ${String(server[1])}, last label '${label}': ${ok ? 'ok' : 'MISMATCH'}`);
    if (!ok) throw new Error('the Arrow file read back does not match the table');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await conn.close();
  }
}
