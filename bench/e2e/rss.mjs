// @ts-check
/**
 * End to end: peak RSS while streaming `--rows` generated rows (id int8, qty int4, md5 text, tag text,
 * NULL) to a SLOW consumer — one that pauses 10 ms after every 10,000 rows, as a writer to a slow
 * sink would. A client with backpressure stays flat; one without buffers what the consumer has not
 * taken yet. Reported: RSS after import + connect (the baseline), peak RSS, and the difference.
 *
 *   node --expose-gc bench/e2e/rss.mjs --case rss:ours|pg|postgresjs --rows N
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { numberArg, parseArgs } from '../lib/measure.mjs';
import { e2eMain, oursConnect, pgClient, pgTextTypes, postgresJs } from './common.mjs';

/** @import { E2eSession, Info } from '../lib/types.js' */

const rows = numberArg(parseArgs(), 'rows', 10_000_000);
const SQL = `SELECT i::int8 AS id, (i % 1000)::int4 AS qty, md5(i::text) AS md5, 'tag' || (i % 100) AS tag, NULL::text AS nul FROM generate_series(1, ${rows}) AS i`;
const PAUSE_EVERY = 10_000;
const PAUSE_MS = 10;
const MB = 1024 * 1024;
/** What a consumed row of the pg queue is replaced with. @type {readonly (string | null)[]} */
const TAKEN = [];

/** Tracks rows and samples RSS as the consumer goes. */
function tracker() {
  const t = {
    rows: 0,
    chars: 0,
    peak: 0,
    sample: () => { const r = process.memoryUsage.rss(); if (r > t.peak) t.peak = r; },
    /** @param {readonly (string | null)[]} fields */
    take: (fields) => {
      t.rows++;
      for (let i = 0; i < fields.length; i++) { const v = fields[i]; if (v !== null) t.chars += v.length; }
    },
    /** The slow part: true when the consumer must now pause. */
    due: () => t.rows % PAUSE_EVERY === 0,
  };
  return t;
}

/**
 * Baseline after connecting, then one streamed query; RSS = max of samples and the kernel's maxRSS.
 * @param {Info} info
 * @param {(t: ReturnType<typeof tracker>) => Promise<void>} stream
 * @param {() => Promise<unknown>} close
 * @returns {E2eSession}
 */
function session(info, stream, close) {
  return {
    once: true,
    info,
    run: async () => {
      globalThis.gc?.();
      await sleep(50);
      const base = process.memoryUsage.rss();
      const t = tracker();
      const t0 = process.hrtime.bigint();
      await stream(t);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      t.sample();
      const peak = Math.max(t.peak, process.resourceUsage().maxRSS * 1024);
      return { ms, baseMB: base / MB, peakMB: peak / MB, aboveMB: (peak - base) / MB, check: { rows: t.rows, chars: t.chars } };
    },
    close,
  };
}

await e2eMain({
  async pg() {
    const pg = (await import('pg')).default;
    const client = await pgClient();
    // Row events cannot be paused: rows the slow consumer has not taken yet wait in a queue.
    return session({ api: 'row events + queue (no backpressure)' }, (t) => new Promise((resolve, reject) => {
      /** @type {(readonly (string | null)[])[]} */
      const queue = [];
      let ended = false;
      let head = 0;
      const q = new pg.Query({ text: SQL, rowMode: 'array', types: pgTextTypes });
      q.on('row', (row) => queue.push(row));
      q.on('error', reject);
      q.on('end', () => { ended = true; });
      client.query(q);
      const consume = async () => {
        for (;;) {
          while (head < queue.length) {
            t.take(queue[head]);
            queue[head++] = TAKEN; // drop the reference to a row already consumed
            if (t.due()) { t.sample(); await sleep(PAUSE_MS); }
          }
          if (head > 100_000) { queue.splice(0, head); head = 0; }
          if (ended && head >= queue.length) break;
          await sleep(1);
        }
        resolve();
      };
      consume().catch(reject);
    }), () => client.end());
  },
  async postgresjs() {
    const sql = await postgresJs();
    await sql`SELECT 1`;
    // A cursor awaits the callback before fetching more: backpressure, at a round trip per batch.
    return session({ api: 'cursor(1000) (backpressure)' }, async (t) => {
      await sql.unsafe(SQL).values().cursor(1000, async (batch) => {
        for (const row of batch) {
          t.take(row);
          if (t.due()) { t.sample(); await sleep(PAUSE_MS); }
        }
      });
    }, () => sql.end());
  },
  async ours() {
    const conn = await oursConnect();
    return session({ api: conn.info?.api ?? 'recv() loop' }, async (t) => {
      await conn.selectText(SQL, (row, n) => {
        t.rows++;
        for (let i = 0; i < n; i++) { const v = row.text(i); if (v !== null) t.chars += v.length; }
        if (t.due()) { t.sample(); return sleep(PAUSE_MS); }
        return undefined;
      });
    }, () => conn.close());
  },
});
