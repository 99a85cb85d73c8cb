/**
 * Query-phase faults (RELIABILITY.md cases 16–18, 21, 22, 27–29) through the fault proxy
 * (test/support/fault-proxy.ts) in front of the suite's PostgreSQL 18, with the query layer in use.
 * Every row asserts the rule: the calls settle within their deadline, with a typed error and a
 * stable code; after a fatal error the library closes its socket (seen from the proxy) and every
 * pending call rejects exactly once; no unhandled rejection; heap bounded where data flows; and the
 * table is read afterwards over a direct connection, so that no write is reported done unless the
 * server did it (rows of a call told "committed" are there, rows of a call told "not done" are
 * not; PGS_OUTCOME_UNKNOWN is the one answer allowed either way).
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, ErrorCode, PgStreamError, ServerError } from '../../src/index.js';
import type { Connection, Result } from '../../src/index.js';
import { connectAs, pgServer } from '../support/facts.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import type { Action, Direction, FaultProxy, Plan, Rule, WireMessage } from '../support/fault-proxy.js';
import { openSuperuser } from '../support/query-connect.js';
import { trackUnhandled, within } from '../support/reliability-assert.js';
import { sampleMemory } from '../support/soak-memory.js';

trackUnhandled();

/** Cancel deadline of the proxied connections (the default 10 s would make a failing row slow). */
const CANCEL_MS = 2_000;
/** How long the library may take to close its socket after a fatal error. */
const SOCKET_CLOSE_MS = 1_000;
/** The deadline of a call that fails for a lost connection. */
const LOST_MS = 5_000;

/** Codes that say "the server did not do it". */
const NOT_DONE = new Set<string>([
  ErrorCode.CONNECTION_CLOSED, ErrorCode.SOCKET_ERROR, ErrorCode.PIPELINE_ABORTED, ErrorCode.PIPELINE_ROLLED_BACK, ErrorCode.TIMEOUT, ErrorCode.ABORTED,
]);

let admin: Connection;
beforeAll(async () => {
  admin = await openSuperuser();
});
afterAll(async () => {
  await admin?.close();
});

/** A fresh table `name (id int, v text)`, dropped first if left over. */
async function table(name: string, pk = true): Promise<string> {
  await admin.run(`DROP TABLE IF EXISTS ${name}`);
  await admin.run(`CREATE TABLE ${name} (id int${pk ? ' PRIMARY KEY' : ''}, v text)`);
  return name;
}

async function idsIn(name: string): Promise<Set<number>> {
  return new Set((await admin.run(`SELECT id FROM ${name}`)).rows.map((r) => r[0] as number));
}

function url(p: FaultProxy): string {
  const f = connectAs(pgServer());
  const e = encodeURIComponent;
  return `postgresql://${e(f.user)}:${e(f.password ?? '')}@${p.host}:${p.port}/${e(f.database)}?sslmode=disable`;
}

/** Runs `body` with a fault proxy of `rules` in front of the server, closed afterwards whatever happens. */
async function withProxy(rules: Rule[], body: (p: FaultProxy) => Promise<void>): Promise<void> {
  const p = await proxyWith(rules);
  try {
    await body(p);
  } finally {
    await p.close();
  }
}

/** A connection through `p` (the proxy's connection 0; cancel requests are later connections). */
async function openVia(p: FaultProxy, readTimeout = 0): Promise<Connection> {
  const { conn } = await connect(url(p), { cancelTimeoutMs: CANCEL_MS, readTimeout });
  return conn;
}

/**
 * A rule that fires on the `nth` message named `name` travelling in `direction` after `arm()` (the
 * startup's messages and anything before arming do not count).
 */
function armed(direction: Direction, name: string, action: Action, nth = 1): { rule: Rule; arm: () => void } {
  let on = false;
  let seen = 0;
  const rule: Rule = {
    direction,
    when: {
      match: (m: WireMessage) => on && m.name === name && ++seen === nth,
      once: true,
    },
    action,
  };
  return { rule, arm: () => (on = true) };
}

/** A proxy whose first connection follows `plan` (cancel connections pass untouched). */
function proxyWith(plan: Plan): Promise<FaultProxy> {
  return startFaultProxy({ target: pgServer(), plan: (i) => (i === 0 ? plan : []) });
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** Settles each promise, counting settlements (a promise settles once; this checks no call rejects twice through callbacks). */
async function settleAll<T>(ps: readonly Promise<T>[], ms: number): Promise<Settled<T>[]> {
  const out = await within(Promise.all(ps.map((p) => p.then((value): Settled<T> => ({ ok: true, value }), (error: unknown): Settled<T> => ({ ok: false, error })))), ms, 'every statement');
  return out;
}

function codeOf(s: Settled<unknown>): string {
  if (s.ok) return 'ok';
  const e = s.error;
  if (e instanceof ServerError) return `server:${e.sqlstate}`;
  if (e instanceof PgStreamError) return e.code;
  return `untyped:${String(e)}`;
}

/** The truth about writes: told-done rows are in the table, told-not-done rows are not. */
function expectTruth(told: ReadonlyMap<number, string>, found: ReadonlySet<number>): void {
  for (const [id, code] of told) {
    if (code === 'ok') expect(found.has(id), `row ${id} was reported committed but is not in the table`).toBe(true);
    else if (NOT_DONE.has(code) || code.startsWith('server:')) expect(found.has(id), `row ${id} was reported not done (${code}) but is in the table`).toBe(false);
    else expect(code, `row ${id}: unexpected outcome`).toBe(ErrorCode.OUTCOME_UNKNOWN);
  }
}

async function expectSocketClosed(p: FaultProxy): Promise<void> {
  await within(p.connections[0]!.clientClosed, SOCKET_CLOSE_MS, 'the library closing its socket');
}

describe('connection lost with pipelined statements in flight', () => {
  it('the ReadyForQuery of segment 2 of 3 is lost: segment 1 committed, segments 2–3 PGS_OUTCOME_UNKNOWN (never "closed": the server committed segment 2)', async () => {
    const t = await table('fq_lost_rfq');
    const cut = armed('backend', 'ReadyForQuery', { do: 'drop', how: 'fin' }, 2);
    await withProxy([cut.rule], async (p) => {
      const conn = await openVia(p);
      cut.arm();
      const pl = conn.pipeline();
      const rs: Promise<Result>[] = [];
      for (let seg = 0; seg < 3; seg++) {
        for (let i = 0; i < 50; i++) rs.push(pl.run(`INSERT INTO ${t} VALUES ($1, 'x')`, [seg * 100 + i]));
        pl.sync();
      }
      const settled = await settleAll(rs, LOST_MS);
      await within(pl.end(), LOST_MS, 'end()');
      const codes = settled.map(codeOf);
      expect(codes.slice(0, 50).every((c) => c === 'ok'), codes.slice(0, 50).join()).toBe(true);
      expect(codes.slice(50).every((c) => c === ErrorCode.OUTCOME_UNKNOWN), codes.slice(50).join()).toBe(true);
      const err = (settled[60] as { error: PgStreamError }).error;
      expect(err.fatal).toBe(true);
      expect(err.cause).toBeInstanceOf(PgStreamError);
      expect(conn.error).not.toBeNull();
      await expectSocketClosed(p);
      const found = await idsIn(t);
      expectTruth(new Map(settled.map((s, i) => [Math.floor(i / 50) * 100 + (i % 50), codeOf(s)])), found);
      // The server did commit segment 2: a "connection closed" there would have been a lie.
      for (let i = 0; i < 50; i++) expect(found.has(100 + i)).toBe(true);
      expect(p.errors).toEqual([]);
    });
  });

  it('run(): the ReadyForQuery after its Sync is lost (RST) → PGS_OUTCOME_UNKNOWN, and the row is there', async () => {
    const t = await table('fq_lost_run');
    const cut = armed('backend', 'ReadyForQuery', { do: 'drop', how: 'rst' });
    await withProxy([cut.rule], async (p) => {
      const conn = await openVia(p);
      cut.arm();
      const [s] = await settleAll([conn.run(`INSERT INTO ${t} VALUES (1, 'x')`)], LOST_MS);
      expect(codeOf(s!)).toBe(ErrorCode.OUTCOME_UNKNOWN);
      await expectSocketClosed(p);
      expect(await idsIn(t)).toEqual(new Set([1]));
      // Later calls reject with the connection's error at once.
      await expect(conn.run('SELECT 1')).rejects.toMatchObject({ fatal: true });
    });
  });

  it('lost before any Sync (the 30th Execute never arrives): all 50 reject once with a connection error, none in the table', async () => {
    const t = await table('fq_lost_nosync');
    const cut = armed('frontend', 'Execute', { do: 'drop', how: 'rst' }, 30);
    await withProxy([cut.rule], async (p) => {
      const conn = await openVia(p);
      cut.arm();
      const pl = conn.pipeline();
      const rs: Promise<Result>[] = [];
      for (let i = 0; i < 50; i++) rs.push(pl.run(`INSERT INTO ${t} VALUES ($1, 'x')`, [i]));
      const settled = await settleAll(rs, LOST_MS);
      const codes = new Set(settled.map(codeOf));
      expect([...codes].every((c) => c === ErrorCode.SOCKET_ERROR || c === ErrorCode.CONNECTION_CLOSED), [...codes].join()).toBe(true);
      await expectSocketClosed(p);
      expect((await idsIn(t)).size).toBe(0);
    });
  });

  it('a FATAL mid-pipeline (pg_terminate_backend while statement 2 of 4 sleeps): every statement rejects once with the server FATAL, none committed', async () => {
    const t = await table('fq_fatal_mid');
    await withProxy([], async (p) => {
      const conn = await openVia(p);
      const pl = conn.pipeline();
      const rs = [
        pl.run(`INSERT INTO ${t} VALUES (1, 'x')`),
        pl.run('SELECT pg_sleep(5)'),
        pl.run(`INSERT INTO ${t} VALUES (2, 'x')`),
      ];
      pl.sync();
      rs.push(pl.run(`INSERT INTO ${t} VALUES (3, 'x')`));
      pl.sync();
      await new Promise((r) => setTimeout(r, 200));
      await admin.run('SELECT pg_terminate_backend($1)', [conn.processId]);
      const settled = await settleAll(rs, LOST_MS);
      for (const s of settled) {
        expect(s.ok).toBe(false);
        const e = (s as { error: unknown }).error;
        // Statement 1 ran in the implicit transaction the FATAL rolled back; 2 was interrupted; 3 and 4 never ran.
        expect(e instanceof ServerError || (e instanceof PgStreamError && NOT_DONE.has(e.code)), String(e)).toBe(true);
      }
      expect(codeOf(settled[1]!)).toBe('server:57P01');
      await expectSocketClosed(p);
      expect((await idsIn(t)).size).toBe(0);
    });
  });
});

/** A Node Readable of `rows` COPY text rows `id\tv\n`, in chunks of `per` rows. */
function rowsReadable(rows: number, per = 500, from = 0): Readable {
  let i = from;
  const pad = 'y'.repeat(100);
  return new Readable({
    read() {
      if (i >= from + rows) {
        this.push(null);
        return;
      }
      let s = '';
      for (let k = 0; k < per && i < from + rows; k++, i++) s += `${i}\t${pad}\n`;
      this.push(s);
    },
  });
}

describe('COPY FROM under faults', () => {
  it('lost mid-COPY FROM (after 1 MB of data): rejects with a connection error, the source is destroyed, the table shows no COPY', async () => {
    const t = await table('fq_copy_lost');
    let on = false;
    let bytes = 0;
    await withProxy([{ direction: 'frontend', when: { match: (m) => on && m.name === 'CopyData' && (bytes += m.bytes.length) > 1_000_000, once: true }, action: { do: 'drop', how: 'rst' } }], async (p) => {
      const conn = await openVia(p);
      on = true;
      const source = rowsReadable(100_000);
      const [s] = await settleAll([conn.copyFrom(`COPY ${t} FROM STDIN`, source)], LOST_MS);
      expect([ErrorCode.SOCKET_ERROR, ErrorCode.CONNECTION_CLOSED]).toContain(codeOf(s!));
      expect((s as { error: PgStreamError }).error.fatal).toBe(true);
      expect(source.destroyed, 'the source must be released').toBe(true);
      await expectSocketClosed(p);
      expect((await idsIn(t)).size).toBe(0);
    });
  });

  it('an async-iterator source is released (return() called) when the connection is lost', async () => {
    const t = await table('fq_copy_lost_iter');
    const cut = armed('frontend', 'CopyData', { do: 'drop', how: 'fin' }, 3);
    await withProxy([cut.rule], async (p) => {
      const conn = await openVia(p);
      cut.arm();
      let returned = false;
      let i = 0;
      // Chunks of 2000 rows, 5 ms apart (a source that is still producing when the connection goes).
      const big: AsyncIterable<string> = {
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            await new Promise((r) => setTimeout(r, 5));
            const rows: string[] = [];
            for (let k = 0; k < 2000; k++) rows.push(`${i++}\t${'w'.repeat(40)}\n`);
            return { value: rows.join(''), done: false };
          },
          return: async () => {
            returned = true;
            return { value: undefined, done: true };
          },
        }),
      };
      const [s] = await settleAll([conn.copyFrom(`COPY ${t} FROM STDIN`, big)], LOST_MS);
      expect([ErrorCode.SOCKET_ERROR, ErrorCode.CONNECTION_CLOSED]).toContain(codeOf(s!));
      expect(returned, 'the iterator’s return() must be called').toBe(true);
      await expectSocketClosed(p);
      expect((await idsIn(t)).size).toBe(0);
    });
  });

  it('lost after CopyDone, before the server’s answer arrives → PGS_OUTCOME_UNKNOWN (the rows are there)', async () => {
    const t = await table('fq_copy_unknown');
    const cut = armed('backend', 'CommandComplete', { do: 'drop', how: 'fin' });
    await withProxy([cut.rule], async (p) => {
      const conn = await openVia(p);
      cut.arm();
      const [s] = await settleAll([conn.copyFrom(`COPY ${t} FROM STDIN`, rowsReadable(1000))], LOST_MS);
      expect(codeOf(s!)).toBe(ErrorCode.OUTCOME_UNKNOWN);
      await expectSocketClosed(p);
      expect((await idsIn(t)).size).toBe(1000);
    });
  });

  it('copyFrom({ timeout }) against a server that stalls (half-open) settles: PGS_TIMEOUT, fatal, socket closed, no rows', async () => {
    const t = await table('fq_copy_stall');
    const cut = armed('backend', 'CopyInResponse', { do: 'stall', both: true });
    await withProxy([cut.rule], async (p) => {
      const conn = await openVia(p);
      cut.arm();
      const t0 = performance.now();
      const [s] = await settleAll([conn.copyFrom(`COPY ${t} FROM STDIN`, rowsReadable(10_000), { timeout: 300 })], 300 + CANCEL_MS + 2_000);
      expect(codeOf(s!)).toBe(ErrorCode.TIMEOUT);
      expect((s as { error: PgStreamError }).error.fatal).toBe(true);
      expect(performance.now() - t0).toBeLessThan(300 + CANCEL_MS + 1_500);
      await expectSocketClosed(p);
      expect((await idsIn(t)).size).toBe(0);
    });
  });

  it('copyFrom({ timeout }) with a source that never yields: CopyFail, PGS_TIMEOUT, the connection stays usable, no rows', async () => {
    const t = await table('fq_copy_slow_source');
    await withProxy([], async (p) => {
      const conn = await openVia(p);
      let returned = false;
      const source: AsyncIterable<string> = {
        [Symbol.asyncIterator]: () => ({
          next: () => new Promise<IteratorResult<string>>(() => undefined),
          return: async () => {
            returned = true;
            return { value: undefined, done: true };
          },
        }),
      };
      const [s] = await settleAll([conn.copyFrom(`COPY ${t} FROM STDIN`, source, { timeout: 200 })], 3_000);
      expect(codeOf(s!)).toBe(ErrorCode.TIMEOUT);
      expect((s as { error: PgStreamError }).error.fatal).toBe(false);
      expect(returned).toBe(true);
      expect((await conn.run('SELECT 1')).rows).toEqual([[1]]);
      expect((await idsIn(t)).size).toBe(0);
      await conn.close();
    });
  });
});

describe('large results and large pipelines', () => {
  it('lost mid-stream of a large result: the loop throws a fatal connection error, heap bounded, socket closed', async () => {
    let on = false;
    await withProxy([{ direction: 'backend', when: { match: (m) => on && m.offset > 20_000_000, once: true }, action: { do: 'drop', how: 'rst' } }], async (p) => {
      const conn = await openVia(p);
      on = true;
      const heap0 = sampleMemory().heap;
      let rows = 0;
      let peak = 0;
      const err = await within(
        (async () => {
          try {
            for await (const row of conn.stream("SELECT i, repeat('s', 200) FROM generate_series(1, 1000000) i")) {
              if (row.isNull(0)) throw new Error('unexpected NULL');
              if (++rows % 100_000 === 0) peak = Math.max(peak, sampleMemory().heap);
            }
            return null;
          } catch (e) {
            return e;
          }
        })(),
        20_000,
        'the stream',
      );
      expect(err).toBeInstanceOf(PgStreamError);
      // Rows were still coming: the statement's end (and its Sync) may have passed on the server.
      expect((err as PgStreamError).code).toBe(ErrorCode.OUTCOME_UNKNOWN);
      expect((err as PgStreamError).fatal).toBe(true);
      expect([ErrorCode.SOCKET_ERROR, ErrorCode.CONNECTION_CLOSED]).toContain(((err as PgStreamError).cause as PgStreamError).code);
      expect(rows).toBeGreaterThan(50_000);
      expect(rows).toBeLessThan(1_000_000);
      expect(peak - heap0, 'heap retained while streaming').toBeLessThan(32 * 1024 * 1024);
      await expectSocketClosed(p);
    });
  });

  it('a server that stalls (half-open) while the client writes a 16 MB pipeline: no deadlock, by the read deadline every statement is committed, PGS_TIMEOUT or PGS_OUTCOME_UNKNOWN, as the table agrees', async () => {
    const t = await table('fq_stall_pipe');
    let on = false;
    await withProxy([{ direction: 'frontend', when: { match: (m) => on && m.offset > 2_000_000, once: true }, action: { do: 'stall', both: true } }], async (p) => {
      const conn = await openVia(p, 500);
      on = true;
      const pl = conn.pipeline();
      const rs: Promise<Result>[] = [];
      const v = 'p'.repeat(1000);
      for (let i = 0; i < 16_000; i++) {
        rs.push(pl.run(`INSERT INTO ${t} VALUES ($1, $2)`, [i, v]));
        if (i % 1000 === 999) pl.sync();
      }
      const settled = await settleAll(rs, 10_000);
      await within(pl.end(), 10_000, 'end()');
      const told = new Map(settled.map((s, i) => [i, codeOf(s)]));
      const codes = new Set(told.values());
      expect([...codes].every((c) => c === 'ok' || c === ErrorCode.TIMEOUT || c === ErrorCode.OUTCOME_UNKNOWN), [...codes].join()).toBe(true);
      expect(codes.has(ErrorCode.TIMEOUT) || codes.has(ErrorCode.OUTCOME_UNKNOWN)).toBe(true);
      await expectSocketClosed(p);
      await p.close();
      expectTruth(told, await idsIn(t));
    });
  });
});

describe('split, delayed, duplicated and reordered messages', () => {
  it('backend and frontend split into 1–7 byte pieces with delays: pipeline, stream and COPY give the exact results', async () => {
    const t = await table('fq_split');
    await withProxy([
      { direction: 'both', when: { always: true }, action: { do: 'split', seed: 7, min: 1, max: 7, gapMs: 0 } },
      { direction: 'backend', when: { message: 'ReadyForQuery', nth: 2 }, action: { do: 'delay', ms: 1 } },
    ], async (p) => {
      const conn = await openVia(p);
      const pl = conn.pipeline();
      const rs = Array.from({ length: 200 }, (_, i) => pl.run(`INSERT INTO ${t} VALUES ($1, $2)`, [i, `v${i}`]));
      await pl.end();
      expect((await settleAll(rs, 20_000)).every((s) => s.ok)).toBe(true);
      expect(await conn.copyFrom(`COPY ${t} FROM STDIN`, rowsReadable(300, 50, 1000))).toEqual({ rowCount: 300 });
      let n = 0;
      let sum = 0;
      for await (const row of conn.stream(`SELECT id FROM ${t}`)) {
        n++;
        sum += row.get(0) as number;
      }
      expect(n).toBe(500);
      expect(sum).toBe((199 * 200) / 2 + (1000 * 300 + (299 * 300) / 2));
      await conn.close();
    });
  });

  it('a duplicated DataRow is caught (CommandComplete row count): fatal PGS_UNEXPECTED_MESSAGE, no wrong result', async () => {
    const cut = armed('backend', 'DataRow', { do: 'duplicate' }, 3);
    await withProxy([cut.rule], async (p) => {
      const conn = await openVia(p);
      cut.arm();
      const [s] = await settleAll([conn.run('SELECT i FROM generate_series(1, 10) i')], LOST_MS);
      expect(s!.ok).toBe(false);
      const e = (s as { error: PgStreamError }).error;
      expect(e).toBeInstanceOf(PgStreamError);
      expect(e.fatal).toBe(true);
      // The desync came after the Sync went out: the statement's outcome is unknown, its cause the desync.
      expect(e.code).toBe(ErrorCode.OUTCOME_UNKNOWN);
      expect((e.cause as PgStreamError).code).toBe(ErrorCode.UNEXPECTED_MESSAGE);
      expect(conn.error?.code).toBe(ErrorCode.UNEXPECTED_MESSAGE);
      await expectSocketClosed(p);
    });
  });

  it('a duplicated Execute reaches the server twice: it refuses to run the portal again (55000), the segment rolls back, reported so, table empty', async () => {
    const t = await table('fq_dup_exec', false);
    const cut = armed('frontend', 'Execute', { do: 'duplicate' });
    await withProxy([cut.rule], async (p) => {
      const conn = await openVia(p);
      cut.arm();
      const [s] = await settleAll([conn.run(`INSERT INTO ${t} VALUES (1, 'x')`)], LOST_MS);
      expect(codeOf(s!)).toBe(ErrorCode.PIPELINE_ROLLED_BACK);
      expect(((s as { error: PgStreamError }).error.cause as ServerError).sqlstate).toBe('55000');
      expect((await idsIn(t)).size).toBe(0);
      expect((await conn.run('SELECT 1')).rows).toEqual([[1]]);
      await conn.close();
    });
  });

  it('reordered BindComplete/ParseComplete and a duplicated ReadyForQuery are fatal desyncs, never a wrong result', async () => {
    for (const [name, action] of [['ParseComplete', { do: 'reorder' }], ['ReadyForQuery', { do: 'duplicate' }]] as const) {
      const cut = armed('backend', name, action);
      await withProxy([cut.rule], async (p) => {
        const conn = await openVia(p);
        cut.arm();
        const rs = [conn.run('SELECT 1'), conn.run('SELECT 2')];
        const settled = await settleAll(rs, LOST_MS);
        const e = settled.find((s) => !s.ok) as { error: PgStreamError } | undefined;
        expect(e, `${name}: some call must fail`).toBeDefined();
        expect(e!.error.fatal).toBe(true);
        expect([ErrorCode.UNEXPECTED_MESSAGE, ErrorCode.OUTCOME_UNKNOWN]).toContain(e!.error.code);
        expect(conn.error?.code).toBe(ErrorCode.UNEXPECTED_MESSAGE);
        for (const s of settled) if (s.ok) expect(s.value.rows[0]![0]).toBe(settled.indexOf(s) + 1);
        await expectSocketClosed(p);
      });
    }
  });
});

describe('interrupts and idle failures', () => {
  it('an idle FATAL (pg_terminate_backend while nobody reads) surfaces as the server’s FATAL on the next call', async () => {
    await withProxy([], async (p) => {
      const conn = await openVia(p);
      await admin.run('SELECT pg_terminate_backend($1)', [conn.processId]);
      await within(p.connections[0]!.closed.catch(() => undefined).then(() => undefined).then(() => new Promise((r) => setTimeout(r, 100))), 3_000).catch(() => undefined);
      const [s] = await settleAll([conn.run('SELECT 1')], LOST_MS);
      expect(codeOf(s!)).toBe('server:57P01');
      expect((s as { error: PgStreamError }).error.fatal).toBe(true);
      expect(conn.error).toBeInstanceOf(ServerError);
      await expectSocketClosed(p);
    });
  });

  it('an idle FATAL while an idle reader is active (a notification handler) goes to the error handlers and to the next call', async () => {
    await withProxy([], async (p) => {
      const conn = await openVia(p);
      const seen: unknown[] = [];
      conn.on('notification', () => undefined);
      const events: string[] = [];
      conn.on('error', (e) => {
        events.push(e.event);
        seen.push(e.error);
      });
      await admin.run('SELECT pg_terminate_backend($1)', [conn.processId]);
      await within(
        (async () => {
          while (seen.length === 0) await new Promise((r) => setTimeout(r, 10));
        })(),
        3_000,
        'the error handler',
      );
      expect(seen[0]).toBeInstanceOf(ServerError);
      expect((seen[0] as ServerError).sqlstate).toBe('57P01');
      expect(events).toEqual(['connection']);
      await expect(conn.run('SELECT 1')).rejects.toMatchObject({ sqlstate: '57P01' });
      await expectSocketClosed(p);
    });
  });

  it('a pipeline statement that times out while waiting for its turn stays in its segment: the segment fails as a whole', async () => {
    const t = await table('fq_wait_timeout');
    await withProxy([], async (p) => {
      const conn = await openVia(p);
      // A COPY holds the connection for ~400 ms (a slow source).
      let k = 0;
      const slow: AsyncIterable<string> = {
        [Symbol.asyncIterator]: () => ({
          next: async () => {
            await new Promise((r) => setTimeout(r, 40));
            return k < 10 ? { value: `${1000 + k++}\tc\n`, done: false } : { value: undefined, done: true };
          },
        }),
      };
      const copy = conn.copyFrom(`COPY ${t} FROM STDIN`, slow);
      const pl = conn.pipeline();
      const rs = [
        pl.run(`INSERT INTO ${t} VALUES (1, 'a')`),
        pl.run(`INSERT INTO ${t} VALUES (2, 'b')`, [], { timeout: 50 }),
        pl.run(`INSERT INTO ${t} VALUES (3, 'c')`),
      ];
      pl.sync();
      const after = pl.run(`INSERT INTO ${t} VALUES (4, 'd')`);
      await pl.end();
      expect(await copy).toEqual({ rowCount: 10 });
      const settled = await settleAll([...rs, after], 5_000);
      expect(settled.map(codeOf)).toEqual([ErrorCode.PIPELINE_ROLLED_BACK, ErrorCode.TIMEOUT, ErrorCode.PIPELINE_ABORTED, 'ok']);
      const found = await idsIn(t);
      expect([1, 2, 3].some((id) => found.has(id))).toBe(false);
      expect(found.has(4)).toBe(true);
      await conn.close();
    });
  });

  it('a skipped statement’s timeout (error earlier in its segment) sends no CancelRequest that could hit the next segment', async () => {
    const t = await table('fq_skip_timeout');
    // From the first error on, every backend message is held 150 ms: the skipped statement's timeout
    // expires while its segment's ReadyForQuery is on its way and the next segment already runs.
    const slow = armed('backend', 'ErrorResponse', { do: 'delay', ms: 150 });
    await withProxy([slow.rule], async (p) => {
      const conn = await openVia(p);
      slow.arm();
      const pl = conn.pipeline();
      const a = pl.run('SELECT 1/0');
      const b = pl.run(`INSERT INTO ${t} VALUES (1, 'b')`, [], { timeout: 60 });
      pl.sync();
      const c = pl.run(`SELECT pg_sleep(0.6), 'next'`);
      const d = pl.run(`INSERT INTO ${t} VALUES (2, 'd')`);
      pl.sync();
      await pl.end();
      const settled = await settleAll([a, b, c, d], 8_000);
      expect(settled.map(codeOf)).toEqual(['server:22012', ErrorCode.TIMEOUT, 'ok', 'ok']);
      expect(p.connections.length, 'no CancelRequest connection').toBe(1);
      expect(await idsIn(t)).toEqual(new Set([2]));
      await conn.close();
    });
  });

  it('a CancelRequest that reaches the server before its statement runs is re-sent: PGS_TIMEOUT, not fatal, connection usable', async () => {
    // The statement's messages are held 400 ms on their way: the first cancel finds the backend idle (ignored).
    const slow = armed('frontend', 'Parse', { do: 'delay', ms: 100 });
    await withProxy([slow.rule], async (p) => {
      const conn = await openVia(p);
      slow.arm();
      const t0 = performance.now();
      const [s] = await settleAll([conn.run('SELECT pg_sleep(5)', [], { timeout: 50 })], 4_000);
      expect(codeOf(s!)).toBe(ErrorCode.TIMEOUT);
      expect((s as { error: PgStreamError }).error.fatal).toBe(false);
      expect(performance.now() - t0).toBeLessThan(CANCEL_MS + 500);
      expect(p.connections.length, 'more than one CancelRequest').toBeGreaterThan(2);
      expect((await conn.run('SELECT 1')).rows).toEqual([[1]]);
      await conn.close();
    });
  });
});
