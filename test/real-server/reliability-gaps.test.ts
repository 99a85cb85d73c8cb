/**
 * RELIABILITY.md cases that had no test against a real server (test/RELIABILITY.md maps every
 * case): large pipelined writes while the server streams large results back (case 17: no
 * deadlock); a 10-million-row result streamed to a slow consumer with the process's memory flat
 * (case 23); column names such as `__proto__` through every query-layer path (JS object pollution);
 * a value the default codecs refuse (a timestamptz past the JS Date range), which must fail only its
 * call ("K"); the read deadline (case 28), which bounds waits on the server, not the time the client
 * itself takes (a slow COPY source, a slow stream consumer). Against PostgreSQL 18 from the suite's
 * global setup. Rows named "BUG: …" are known bugs (it.fails), listed in test/RELIABILITY.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, PgStreamError, connect } from '../../src/index.js';
import type { Connection, Result } from '../../src/index.js';
import { within } from '../support/fake-assert.js';
import { connectAs, pgServer } from '../support/facts.js';
import { openSuperuser } from '../support/query-connect.js';

let conn: Connection;
beforeAll(async () => {
  conn = await openSuperuser(pgServer(18));
});
afterAll(async () => {
  await conn?.close();
});

const MiB = 1 << 20;

describe('case 17: large pipelined writes while the server streams large results', () => {
  it('64 statements of 1 MiB each way in one flush: every result intact, no deadlock', async () => {
    // 64 MiB out and 64 MiB back, far beyond both sockets' buffers: a client that wrote everything
    // before reading would block the server on its output, and the server would stop reading.
    const N = 64;
    const p = conn.pipeline();
    const results: Promise<Result>[] = [];
    for (let i = 0; i < N; i++) {
      const value = String.fromCharCode(97 + (i % 26)).repeat(MiB - 8) + String(i).padStart(8, '0');
      results.push(p.run('SELECT $1::text AS v, length($1::text) AS n', [value], { format: 'text' }));
    }
    await within(p.end(), 120_000, 'the pipeline');
    const settled = await Promise.all(results);
    for (let i = 0; i < N; i++) {
      const [v, n] = settled[i]!.rows[0]!;
      expect(n).toBe(MiB);
      expect((v as string).slice(-8)).toBe(String(i).padStart(8, '0'));
      expect((v as string).charCodeAt(0)).toBe(97 + (i % 26));
    }
    expect((await conn.run('SELECT 1 AS one')).rows).toEqual([[1]]);
  }, 180_000);
});

describe('case 23: a 10-million-row result streamed to a slow consumer keeps memory flat', () => {
  it('conn.stream of 10,000,000 rows with pauses: every row seen, RSS and heap bounded', async () => {
    const N = 10_000_000;
    global.gc?.();
    const base = process.memoryUsage();
    let peakRss = base.rss;
    let peakHeap = base.heapUsed;
    let rows = 0;
    let sum = 0;
    for await (const row of conn.stream('SELECT g FROM generate_series(1, $1::int) g', [N])) {
      sum += row.get(0) as number;
      if (++rows % 250_000 === 0) {
        // The consumer falls behind: the server keeps sending, the client must pause the socket.
        await new Promise((r) => setTimeout(r, 20));
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakHeap = Math.max(peakHeap, m.heapUsed);
      }
    }
    expect(rows).toBe(N);
    expect(sum).toBe((N * (N + 1)) / 2);
    // ~150 MB crossed the wire; a client that buffered what the consumer had not read would hold it.
    expect(peakRss - base.rss).toBeLessThan(96 * MiB);
    expect(peakHeap - base.heapUsed).toBeLessThan(64 * MiB);
  }, 300_000);
});

describe('JS object pollution: column names such as __proto__ stay data', () => {
  const SQL = `SELECT 1 AS "__proto__", 2 AS "constructor", 3 AS "prototype", '{"__proto__":{"polluted":1}}'::jsonb AS "hasOwnProperty"`;
  const names = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty'];

  const unpolluted = (): void => {
    const probe: Record<string, unknown> = {};
    expect(probe.polluted).toBeUndefined();
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
    expect(typeof ({} as { hasOwnProperty: unknown }).hasOwnProperty).toBe('function');
  };

  it('conn.run, conn.stream and conn.cursor keep the names as field names and the values as values', async () => {
    const r = await conn.run(SQL);
    expect(r.fields.map((f) => f.name)).toEqual(names);
    expect(r.rows[0]!.slice(0, 3)).toEqual([1, 2, 3]);
    const doc = r.rows[0]![3] as Record<string, unknown>;
    expect(Object.keys(doc)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    unpolluted();

    for await (const row of conn.stream(SQL)) {
      expect(row.fields.map((f) => f.name)).toEqual(names);
      expect(row.values().slice(0, 3)).toEqual([1, 2, 3]);
    }
    unpolluted();

    let batches = 0;
    for await (const batch of conn.cursor(SQL, [], { batchRows: 10 })) {
      batches++;
      expect(batch.map((r) => r.slice(0, 3))).toEqual([[1, 2, 3]]);
    }
    expect(batches).toBe(1);
    unpolluted();
  });
});

describe('a value the default codecs refuse: the call fails, the connection stays usable (K)', () => {
  const SQL = "SELECT '294276-12-31 00:00:00+00'::timestamptz AS t";

  it('a timestamptz past the JS Date range rejects with a non-fatal PGS_VALUE_OUT_OF_RANGE', async () => {
    const c = await openSuperuser(pgServer(18));
    try {
      const err = await within(c.run(SQL).then(() => null, (e: unknown) => e), 10_000);
      expect(err).toBeInstanceOf(PgStreamError);
      expect((err as PgStreamError).code).toBe(ErrorCode.VALUE_OUT_OF_RANGE);
      expect((err as PgStreamError).fatal).toBe(false);
      expect(c.closed).toBe(false);
    } finally {
      await c.close();
    }
  });

  // A value the codec refuses fails its statement only: the connection goes on.
  it('after a timestamptz past the JS Date range (PGS_VALUE_OUT_OF_RANGE, not fatal), the connection stays usable', async () => {
    const c = await openSuperuser(pgServer(18));
    try {
      await c.run(SQL).catch(() => undefined);
      const next = await within(c.run('SELECT 1 AS one').then((r) => r.rows, (e: unknown) => (e as PgStreamError).code), 10_000);
      expect(next).toEqual([[1]]);
    } finally {
      await c.close();
    }
  });
});

describe('case 28: the read deadline bounds waits on the server, not the client\'s own pace', () => {
  /** A COPY source that pauses `ms` between its two rows: the server waits for the client meanwhile. */
  async function* slowSource(ms: number): AsyncGenerator<string> {
    yield '1\n';
    await new Promise((r) => setTimeout(r, ms));
    yield '2\n';
  }

  it('readTimeout among the connect() options (PRODUCT.md): a server silent for 2 s fails the call by then (PGS_OUTCOME_UNKNOWN caused by PGS_TIMEOUT)', async () => {
    const f = connectAs(pgServer(18));
    const { conn: c } = await connect({ host: f.host, port: f.port, user: f.user, password: f.password, database: f.database, sslmode: 'disable', readTimeout: 300 });
    const t0 = performance.now();
    // The statement and its Sync were sent: its outcome is unknown, caused by the deadline.
    await expect(c.run('SELECT pg_sleep(2)')).rejects.toMatchObject({ code: ErrorCode.OUTCOME_UNKNOWN, cause: { code: ErrorCode.TIMEOUT } });
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(c.error?.code).toBe(ErrorCode.TIMEOUT);
    await c.close();
    // Given as a libpq keyword it is refused, as every unknown one is: it lives only in the object form.
    await expect(connect(`host=${f.host} port=${f.port} readTimeout=300`)).rejects.toMatchObject({ code: ErrorCode.INVALID_CONNECTION_STRING });
  });

  it('control, no read deadline: a COPY FROM source that pauses 1.5 s completes', async () => {
    const c = await openSuperuser(pgServer(18));
    try {
      await c.run('CREATE TEMP TABLE slow_src (v int)');
      expect((await c.copyFrom('COPY slow_src FROM STDIN', slowSource(1_500))).rowCount).toBe(2);
    } finally {
      await c.close();
    }
  });

  // While the client streams COPY data the server owes no answer (it waits for CopyData/CopyDone):
  // the read deadline does not run then (QueryContext.clientTurn).
  it('readTimeout(500) and a COPY FROM source that pauses 1.5 s: the deadline does not fire while the server waits for the client', async () => {
    const c = await openSuperuser(pgServer(18), { readTimeout: 500 });
    try {
      await c.run('CREATE TEMP TABLE slow_src (v int)');
      const r = await within(c.copyFrom('COPY slow_src FROM STDIN', slowSource(1_500)).then((x) => x.rowCount, (e: unknown) => (e as PgStreamError).code), 10_000);
      expect(r).toBe(2);
      expect(c.closed).toBe(false);
    } finally {
      await c.close();
    }
  });

  it('readTimeout(500) and a slow consumer of 300,000 rows pausing 1.2 s four times: every row arrives, the deadline does not fire', async () => {
    // The socket is paused while the consumer sleeps and the server blocks on its output: no silent
    // server owes anything, so the read deadline must not fire.
    const c = await openSuperuser(pgServer(18), { readTimeout: 500 });
    try {
      let n = 0;
      for await (const _row of c.stream('SELECT g FROM generate_series(1, 300000) g')) {
        if (++n % 75_000 === 0) await new Promise((r) => setTimeout(r, 1_200));
      }
      expect(n).toBe(300_000);
      expect(c.closed).toBe(false);
      expect((await c.run('SELECT 1 AS one')).rows).toEqual([[1]]);
    } finally {
      await c.close();
    }
  }, 60_000);
});
