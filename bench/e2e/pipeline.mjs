// @ts-check
/**
 * End to end: prepared point queries `SELECT $1::int`, `--count` of them, in three modes:
 *   depth1   — one at a time, Bind/Execute/Sync, wait for ReadyForQuery, next
 *   depth100 — 100 in flight, a Sync per query
 *   batch100 — 100 in flight, one Sync per 100 queries
 *
 *   node bench/e2e/pipeline.mjs --case depth100:ours|pg|postgresjs|pgbench --count N
 *
 * Anchors: pg 8.23 (`pipeline: true` when in flight), postgres.js (pipelines by default),
 * pgbench -M prepared (libpq; \startpipeline … \endpipeline for batch100).
 * ours: the raw builders and recv() loop; layer: the query layer — `conn.run(stmt, [v])` one at a
 * time (depth1), `conn.pipeline()` with a window of 100 statements in flight and a `sync()` after
 * each (depth100) or after every 100 (batch100), the statement prepared with `conn.prepare`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numberArg, parseArgs } from '../lib/measure.mjs';
import { cpuMs, e2eMain, haveTool, oursConnect, pgClient, postgresJs, runTool } from './common.mjs';

/** @import { Check } from '../lib/types.js' */

const SQL = 'SELECT $1::int';
const DEPTH = 100;
const count = numberArg(parseArgs(), 'count', 100_000);
/** Queries of the warm-up round (JIT, statement caches), not timed. */
const WARM = 3_000;

/**
 * Wall ms, CPU ms and queries/s of `fn` (which runs `count` queries), with its checksum.
 * @param {() => Promise<Check>} fn
 */
const measure = async (fn) => {
  const c0 = cpuMs();
  const t0 = process.hrtime.bigint();
  const check = await fn();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, cpu: cpuMs() - c0, qps: (count * 1000) / ms, check };
};

/**
 * Runs `count` calls of `one(i)` with `depth` of them in flight (depth workers, each sequential).
 * @param {number} depth
 * @param {(i: number) => Promise<number>} one
 * @param {number} count
 */
async function inFlight(depth, one, count) {
  let next = 0;
  let sum = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      sum += await one(i);
    }
  };
  await Promise.all(Array.from({ length: depth }, worker));
  return { sum };
}

await e2eMain({
  async pg(_args, mode) {
    if (mode === 'batch100') throw new Error('pg has no way to send one Sync per 100 queries');
    const client = await pgClient(mode === 'depth100' ? { pipeline: true } : {});
    /** @param {number} i */
    const one = (i) => client.query({ name: 'point', text: SQL, values: [i & 1023], rowMode: 'array' }).then((r) => Number(r.rows[0][0]));
    await one(0);
    const depth = mode === 'depth1' ? 1 : DEPTH;
    return { warm: () => inFlight(depth, one, WARM), run: () => measure(() => inFlight(depth, one, count)), close: () => client.end() };
  },
  async postgresjs(_args, mode) {
    if (mode === 'batch100') throw new Error('postgres.js has no way to send one Sync per 100 queries');
    const sql = await postgresJs();
    /** @param {number} i */
    const one = (i) => sql.unsafe(SQL, [i & 1023], { prepare: true }).values().then((r) => Number(r[0][0]));
    await one(0);
    const depth = mode === 'depth1' ? 1 : DEPTH;
    return { warm: () => inFlight(depth, one, WARM), run: () => measure(() => inFlight(depth, one, count)), close: () => sql.end() };
  },
  async pgbench(_args, mode) {
    if (mode === 'depth100') throw new Error('pgbench pipelines only with one Sync per \\endpipeline');
    if (!(await haveTool('pgbench'))) throw new Error('pgbench is not installed (Debian: postgresql-contrib or postgresql-client)');
    const dir = mkdtempSync(join(tmpdir(), 'pgbench-'));
    const file = join(dir, 'point.sql');
    const perTx = mode === 'batch100' ? DEPTH : 1;
    const body = '\\set v random(0, 1023)\n'
      + (mode === 'batch100' ? `\\startpipeline\n${'SELECT :v::int;\n'.repeat(DEPTH)}\\endpipeline\n` : 'SELECT :v::int;\n');
    writeFileSync(file, body);
    return {
      warm: () => runTool(`pgbench -n -M prepared -c 1 -j 1 -t ${Math.round(WARM / perTx)} -f ${file}`),
      run: async () => {
        const r = await runTool(`pgbench -n -M prepared -c 1 -j 1 -t ${Math.round(count / perTx)} -f ${file}`);
        const tps = Number(/tps = ([\d.]+)/.exec(r.stdout)?.[1]);
        if (!Number.isFinite(tps)) throw new Error(`cannot read tps from pgbench: ${r.stdout.slice(-300)}`);
        const qps = tps * perTx;
        return { ms: (count * 1000) / qps, cpu: r.cpuMs, qps, check: null };
      },
      close: () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  async layer(_args, mode) {
    const session = await oursConnect();
    const conn = session.connection;
    const stmt = await conn.prepare('point', SQL);
    /** @param {number} n */
    const work = async (n) => {
      let sum = 0;
      if (mode === 'depth1') {
        for (let i = 0; i < n; i++) sum += /** @type {number} */ ((await conn.run(stmt, [i & 1023])).rows[0][0]);
        return { sum };
      }
      const syncEvery = mode === 'batch100' ? DEPTH : 1;
      // Windows of DEPTH statements in flight: the next window is written as the previous settles.
      for (let start = 0; start < n; start += DEPTH) {
        const p = conn.pipeline();
        const end = Math.min(n, start + DEPTH);
        const results = [];
        for (let i = start; i < end; i++) {
          results.push(p.run(stmt, [i & 1023]));
          if ((i - start + 1) % syncEvery === 0) p.sync();
        }
        await p.end();
        for (const r of results) sum += /** @type {number} */ ((await r).rows[0][0]);
      }
      return { sum };
    };
    return {
      warm: () => work(WARM),
      run: () => measure(() => work(count)),
      close: () => session.close(),
      info: { api: mode === 'depth1' ? 'query layer: conn.run(stmt, [v])' : `query layer: conn.pipeline(), ${DEPTH} in flight, sync() every ${mode === 'batch100' ? DEPTH : 1}` },
    };
  },
  async ours(_args, mode) {
    const conn = await oursConnect();
    const depth = mode === 'depth1' ? 1 : DEPTH;
    const syncEvery = mode === 'batch100' ? DEPTH : 1;
    await conn.prepare('point', SQL);
    return {
      warm: () => conn.pointQueries('point', WARM, depth, syncEvery),
      run: () => measure(() => conn.pointQueries('point', count, depth, syncEvery)),
      close: () => conn.close(),
      info: conn.info,
    };
  },
});
