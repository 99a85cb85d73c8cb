/**
 * The soak (test/soak/soak.ts runs it for minutes; a short one runs in the real-server tests):
 * several connections doing mixed work for a while — pipelined writes (with deliberate duplicate
 * keys and per-statement timeouts), streamed reads, COPY in (some sources fail) and out,
 * notifications, cancels — some of them through the fault proxy with a random fault per
 * connection (./soak-faults.ts); a connection that fails is replaced. Every call must settle
 * within its deadline with a typed error; every write is recorded in the ledger
 * (./soak-ledger.ts) with what the client was told, and compared with the table at the end; heap
 * and RSS are sampled after full collections. The result lists its figures and every violated
 * check (an empty list: the soak passed).
 */
import { connect, ErrorCode, PgStreamError } from '../../src/index.js';
import type { Connection, Result } from '../../src/index.js';
import { startFaultProxy } from './fault-proxy.js';
import type { FaultProxy } from './fault-proxy.js';
import { seededRandom } from './fault-plan.js';
import { drawPlan } from './soak-faults.js';
import type { FaultKind } from './soak-faults.js';
import { codeName, Ledger, toldOf, valueOf } from './soak-ledger.js';
import type { Reconciliation } from './soak-ledger.js';
import { mb, sampleMemory } from './soak-memory.js';
import type { MemorySample } from './soak-memory.js';

/** Where the soak runs and for how long. */
export interface SoakOptions {
  /** The server (a superuser's credentials). */
  readonly server: { readonly host: string; readonly port: number; readonly user: string; readonly password: string; readonly database: string };
  readonly durationMs: number;
  readonly seed: number;
  /** Connections straight to the server, and through the fault proxy. */
  readonly direct: number;
  readonly proxied: number;
  /** Table name (dropped and created). */
  readonly table?: string;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

/** What the soak measured. */
export interface SoakFigures {
  readonly seed: number;
  readonly durationMs: number;
  readonly connections: { readonly direct: number; readonly proxied: number; readonly opened: number; readonly connectFailures: number };
  readonly operations: Record<string, number>;
  /** Proxied connections by the fault drawn for them, and how many of those faults fired. */
  readonly faultsDrawn: Record<string, number>;
  readonly faultsInjected: Record<string, number>;
  readonly errorsByCode: Record<string, number>;
  readonly rows: Reconciliation;
  readonly notifications: { readonly sentOk: number; readonly received: number; readonly missing: number; readonly unexpected: number };
  readonly memory: { readonly start: MemorySample; readonly warm: MemorySample; readonly end: MemorySample; readonly peakHeap: number; readonly peakRss: number; readonly samples: number };
  readonly hangs: number;
  readonly unhandled: string[];
  readonly violations: string[];
}

/** A call that does not settle within this is a hang. */
const OP_DEADLINE_MS = 30_000;
/**
 * Read deadline of the proxied connections (a stall must end in PGS_TIMEOUT soon) and of the direct
 * ones (generous: a shared 2-core machine under the soak's own load can be slow; still bounded).
 */
const READ_TIMEOUT_MS = 3_000;
const DIRECT_READ_TIMEOUT_MS = 20_000;
const CANCEL_TIMEOUT_MS = 2_000;
/** Memory is sampled this often; the warm sample is the first taken after this share of the run. */
const SAMPLE_MS = 5_000;
const WARM_SHARE = 0.25;
/** Flat memory: the heap retained at the end may exceed the warm one by at most this. */
const HEAP_GROWTH_LIMIT = 16 * 1024 * 1024;
const RSS_GROWTH_LIMIT = 256 * 1024 * 1024;
const CHANNEL = 'soak';

class Hang extends Error {}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Hang(`did not settle within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function bump(counts: Record<string, number>, key: string, n = 1): void {
  counts[key] = (counts[key] ?? 0) + n;
}

/** Runs the soak; never throws for what the library did (that is a violation in the figures). */
export async function runSoak(o: SoakOptions): Promise<SoakFigures> {
  const log = o.log ?? ((): void => undefined);
  const random = seededRandom(o.seed);
  const int = (n: number): number => Math.floor(random() * n);
  const table = o.table ?? 'soak_w';
  const ledger = new Ledger();
  const operations: Record<string, number> = {};
  const errorsByCode: Record<string, number> = {};
  const violations: string[] = [];
  const unhandled: string[] = [];
  const violate = (what: string): void => {
    if (violations.length < 200) violations.push(what);
  };
  const failed = (err: unknown): void => {
    bump(errorsByCode, codeName(err));
    if (!(err instanceof PgStreamError)) violate(`an untyped error: ${String(err)}`);
  };
  let hangs = 0;
  let opened = 0;
  let connectFailures = 0;
  const onUnhandled = (e: unknown): void => {
    unhandled.push(String(e));
  };
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);

  const s = o.server;
  const e = encodeURIComponent;
  const urlOf = (host: string, port: number): string =>
    `postgresql://${e(s.user)}:${e(s.password)}@${host}:${port}/${e(s.database)}?sslmode=disable&connect_timeout=5`;
  const proxiedConns = new WeakSet<Connection>();
  const open = async (host: string, port: number): Promise<Connection> => {
    const direct = port === s.port;
    const { conn } = await connect(urlOf(host, port), { readTimeout: direct ? DIRECT_READ_TIMEOUT_MS : READ_TIMEOUT_MS, cancelTimeoutMs: CANCEL_TIMEOUT_MS });
    if (!direct) proxiedConns.add(conn);
    opened++;
    return conn;
  };

  const drawn: FaultKind[] = [];
  const proxy: FaultProxy = await startFaultProxy({
    target: { host: s.host, port: s.port },
    recordLimit: 0,
    plan: (i) => {
      const d = drawPlan(random);
      drawn[i] = d.kind;
      return d.plan;
    },
  });

  const admin = await open(s.host, s.port);
  await admin.run(`DROP TABLE IF EXISTS ${table}`);
  await admin.run(`CREATE TABLE ${table} (id int PRIMARY KEY, v int NOT NULL)`);

  // Notifications: one direct listener; a payload whose NOTIFY was told committed must arrive.
  const listener = await open(s.host, s.port);
  const received = new Set<string>();
  const attempted = new Set<string>();
  const sentOk = new Set<string>();
  await listener.listen(CHANNEL, (n) => received.add(n.payload));

  const start = sampleMemory();
  let warm: MemorySample | null = null;
  let peakHeap = start.heap;
  let peakRss = start.rss;
  let samples = 0;
  const t0 = performance.now();
  const end = t0 + o.durationMs;
  /** The proxy records every message name and write size: keep only what the figures need (what fired). */
  const trimProxyRecords = (): void => {
    for (const c of proxy.connections) {
      c.frontend.messages.length = 0;
      c.frontend.writes.length = 0;
      c.backend.messages.length = 0;
      c.backend.writes.length = 0;
      c.transcript.length = 0;
    }
  };
  const closedLinks = new Set<number>();
  let watched = 0;
  const sampler = setInterval(() => {
    trimProxyRecords();
    for (; watched < proxy.connections.length; watched++) {
      const c = proxy.connections[watched]!;
      void c.closed.then(() => closedLinks.add(c.index));
    }
    const m = sampleMemory();
    samples++;
    peakHeap = Math.max(peakHeap, m.heap);
    peakRss = Math.max(peakRss, m.rss);
    if (warm === null && performance.now() - t0 >= o.durationMs * WARM_SHARE) warm = m;
    log(`${((performance.now() - t0) / 1000).toFixed(0)} s: heap ${mb(m.heap)} MB, rss ${mb(m.rss)} MB, rows asked ${ledger.lastId}, ops ${Object.values(operations).reduce((a, b) => a + b, 0)}`);
  }, SAMPLE_MS);

  // ------------------------------------------------------------------ the operations

  const insert = `INSERT INTO ${table} VALUES ($1, $2)`;

  async function pipelined(conn: Connection): Promise<void> {
    const pl = conn.pipeline();
    const entries: { ids: number[]; duplicate: boolean; p: Promise<Result> }[] = [];
    const segments = 1 + int(3);
    for (let seg = 0; seg < segments; seg++) {
      const n = 1 + int(40);
      for (let i = 0; i < n; i++) {
        const options = random() < 0.05 ? { timeout: 1 + int(30) } : {};
        const dup = random() < 0.02 ? ledger.someCommitted(random) : null;
        if (dup !== null) {
          entries.push({ ids: [], duplicate: true, p: pl.run(insert, [dup, valueOf(dup)], options) });
        } else {
          const ids = ledger.allocate(1);
          entries.push({ ids, duplicate: false, p: pl.run(insert, [ids[0], valueOf(ids[0]!)], options) });
        }
      }
      pl.sync();
    }
    const ended = pl.end();
    for (const entry of entries) {
      try {
        const r = await entry.p;
        if (entry.duplicate) violate(`a duplicate key was reported inserted (${r.command})`);
        else ledger.tell(entry.ids, 'committed');
      } catch (err) {
        failed(err);
        ledger.tell(entry.ids, toldOf(err));
      }
    }
    await ended;
  }

  /** Rows of a large result: smaller through the proxy, whose split and delay faults queue every piece. */
  const bigRows = (conn: Connection, most: number): number => (proxiedConns.has(conn) ? 500 + int(2_500) : 10_000 + int(most));

  async function streamed(conn: Connection): Promise<void> {
    if (random() < 0.5) {
      const from = 1 + int(Math.max(1, ledger.lastId));
      let n = 0;
      for await (const row of conn.stream(`SELECT id, v FROM ${table} WHERE id >= $1 ORDER BY id LIMIT 2000`, [from])) {
        const id = row.get(0) as number;
        if (row.get(1) !== valueOf(id)) violate(`stream: row ${id} read with value ${String(row.get(1))}`);
        n++;
      }
      if (n > 2000) violate(`stream: ${n} rows for LIMIT 2000`);
    } else {
      const rows = bigRows(conn, 60_000);
      let n = 0;
      let wrong: string | null = null;
      // Rows reach the consumer as they come: a damaged stream (a duplicated row) must end in an
      // error — the row count of CommandComplete is checked — never complete as if it were whole.
      for await (const row of conn.stream("SELECT g, repeat('s', 100) FROM generate_series(1, $1) g", [rows])) {
        if (row.get(0) !== ++n) wrong ??= `row ${n} read as ${String(row.get(0))}`;
      }
      if (wrong !== null) violate(`stream: completed without an error, but ${wrong}`);
      if (n !== rows) violate(`stream: ${n} of ${rows} rows, and no error`);
    }
  }

  async function copyIn(conn: Connection): Promise<void> {
    const n = 100 + int(5_000);
    const ids = ledger.allocate(n);
    const failing = random() < 0.1;
    async function* source(): AsyncGenerator<string> {
      for (let i = 0; i < n; i += 500) {
        if (failing && i >= 1000) throw new Error('soak: a source that fails');
        let chunk = '';
        for (const id of ids.slice(i, i + 500)) chunk += `${id}\t${valueOf(id)}\n`;
        yield chunk;
      }
    }
    try {
      const r = await conn.copyFrom(`COPY ${table} FROM STDIN`, source());
      if (failing && n > 1000) violate('copyFrom resolved although its source failed');
      if (r.rowCount !== n) violate(`copyFrom reported ${r.rowCount} rows of ${n}`);
      ledger.tell(ids, 'committed');
    } catch (err) {
      failed(err);
      if (failing && !(err instanceof PgStreamError && (err.code === ErrorCode.COPY_SOURCE || err.fatal))) violate(`copyFrom with a failing source: ${codeName(err)}`);
      ledger.tell(ids, toldOf(err));
    }
  }

  async function copyOut(conn: Connection): Promise<void> {
    if (random() < 0.5) {
      // A slice of the table: about 1/50 of it directly, 1/5000 through the proxy.
      const m = proxiedConns.has(conn) ? 5_000 : 50;
      const k = int(m);
      let tail = '';
      const dec = new TextDecoder();
      for await (const chunk of conn.copyTo(`COPY (SELECT id, v FROM ${table} WHERE id % ${m} = ${k}) TO STDOUT`)) {
        const lines = (tail + dec.decode(chunk, { stream: true })).split('\n');
        tail = lines.pop()!;
        for (const line of lines) {
          const [id, v] = line.split('\t').map(Number);
          if (v !== valueOf(id!)) violate(`copyTo: row ${id} read with value ${v}`);
        }
      }
      if (tail !== '') violate('copyTo: the output ended mid-row without an error');
    } else {
      const rows = bigRows(conn, 90_000);
      let newlines = 0;
      for await (const chunk of conn.copyTo(`COPY (SELECT g FROM generate_series(1, ${rows}) g) TO STDOUT`)) {
        for (let i = 0; i < chunk.length; i++) if (chunk[i] === 10) newlines++;
      }
      if (newlines !== rows) violate(`copyTo: ${newlines} of ${rows} rows, and no error`);
    }
  }

  let notifySeq = 0;
  async function notify(conn: Connection): Promise<void> {
    const payload = `p${notifySeq++}`;
    attempted.add(payload);
    await conn.run('SELECT pg_notify($1, $2)', [CHANNEL, payload]);
    sentOk.add(payload);
  }

  async function cancel(conn: Connection): Promise<void> {
    const viaSignal = random() < 0.5;
    const ac = new AbortController();
    const timer = viaSignal ? setTimeout(() => ac.abort(), 10 + int(90)) : null;
    try {
      await conn.run('SELECT pg_sleep(5)', [], viaSignal ? { signal: ac.signal } : { timeout: 10 + int(90) });
      violate('a cancelled pg_sleep(5) resolved');
    } finally {
      if (timer !== null) clearTimeout(timer);
    }
  }

  const KINDS: readonly [string, number, (c: Connection) => Promise<void>][] = [
    ['pipeline', 40, pipelined],
    ['stream', 15, streamed],
    ['copy-in', 15, copyIn],
    ['copy-out', 10, copyOut],
    ['notify', 12, notify],
    ['cancel', 8, cancel],
  ];
  const totalWeight = KINDS.reduce((a, k) => a + k[1], 0);
  const pick = (): (typeof KINDS)[number] => {
    let r = random() * totalWeight;
    for (const k of KINDS) if ((r -= k[1]) < 0) return k;
    return KINDS[0]!;
  };

  /** What a hang left behind: the connection's state and the proxied links still open with a fault that fired. */
  function describe(conn: Connection): string {
    const open = proxy.connections
      .filter((c) => !closedLinks.has(c.index) && c.fired.length > 0)
      .map((c) => `#${c.index} ${drawn[c.index]} [${c.fired.join('; ')}] {${c.events.join(', ')}} backend in/out ${c.backend.bytesIn}/${c.backend.bytesOut}`);
    return `closed=${conn.closed} error=${conn.error?.code ?? 'none'} pending=${conn.session.pending}; open faulty links: ${open.join(' | ') || 'none'}`;
  }

  async function worker(proxied: boolean): Promise<void> {
    let conn: Connection | null = null;
    /** Operations left on a proxied connection before it is replaced (a fresh one draws a fresh fault). */
    let budget = 0;
    while (performance.now() < end) {
      if (proxied && conn !== null && !conn.closed && --budget <= 0) {
        await conn.close().catch(() => undefined);
        conn = null;
      }
      if (conn === null || conn.closed) {
        budget = 5 + int(40);
        try {
          conn = await within(proxied ? open(proxy.host, proxy.port) : open(s.host, s.port), OP_DEADLINE_MS);
        } catch (err) {
          if (err instanceof Hang) {
            hangs++;
            violate(`connect: ${err.message}`);
          } else {
            connectFailures++;
            bump(errorsByCode, `connect:${codeName(err)}`);
            if (!proxied) violate(`a direct connection failed: ${String(err)}`);
          }
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
      }
      const [name, , op] = pick();
      bump(operations, name);
      const began = performance.now();
      try {
        await within(op(conn), OP_DEADLINE_MS);
      } catch (err) {
        if (err instanceof Hang) {
          hangs++;
          violate(`${name} (${proxied ? 'proxied' : 'direct'}): ${err.message}; ${describe(conn)}`);
          conn.close().catch(() => undefined);
          conn = null;
        } else {
          failed(err);
          if (!proxied && err instanceof PgStreamError && err.fatal && name !== 'cancel') violate(`${name} on a direct connection failed fatally after ${Math.round(performance.now() - began)} ms: ${codeName(err)} ${err.message}`);
        }
      }
    }
    await conn?.close().catch(() => undefined);
  }

  const workers = [
    ...Array.from({ length: o.direct }, () => worker(false)),
    ...Array.from({ length: o.proxied }, () => worker(true)),
  ];
  await Promise.all(workers);
  const durationMs = performance.now() - t0;
  clearInterval(sampler);
  // The end sample: every worker's connection closed and the proxy (with its queues) gone, before
  // the checks read the table into memory.
  await proxy.close();
  trimProxyRecords();
  const endMemory = sampleMemory();

  // ------------------------------------------------------------------ the checks

  // Notifications told committed arrive (give the listener a moment).
  for (let i = 0; i < 100 && [...sentOk].some((p) => !received.has(p)); i++) await new Promise((r) => setTimeout(r, 30));
  const missing = [...sentOk].filter((p) => !received.has(p)).length;
  const unexpected = [...received].filter((p) => !attempted.has(p)).length;
  if (missing > 0) violate(`${missing} notifications told committed never arrived`);
  if (unexpected > 0) violate(`${unexpected} notifications arrived that were never sent`);

  const rows = new Map<number, number>();
  for await (const row of admin.stream(`SELECT id, v FROM ${table}`)) rows.set(row.get(0) as number, row.get(1) as number);
  const rec = ledger.reconcile(rows);
  if (rec.lostCommitted.length > 0) violate(`writes told committed are missing from the table: ${rec.lostCommitted.join(', ')}`);
  if (rec.phantomFailed.length > 0) violate(`writes told not done are in the table: ${rec.phantomFailed.join(', ')}`);
  if (rec.strangers.length > 0) violate(`rows nobody asked for: ${rec.strangers.join(', ')}`);
  if (rec.wrongValues.length > 0) violate(`rows with wrong values: ${rec.wrongValues.join(', ')}`);
  if (rec.rowsFound !== rec.rowsExpected) violate(`rows found ${rec.rowsFound} ≠ expected ${rec.rowsExpected}`);
  if (rec.checksumFound !== rec.checksumExpected) violate(`checksum found ${rec.checksumFound} ≠ expected ${rec.checksumExpected}`);

  await listener.close();
  await admin.close();
  const warmMemory = warm ?? start;
  if (endMemory.heap - warmMemory.heap > HEAP_GROWTH_LIMIT) violate(`heap grew from ${mb(warmMemory.heap)} MB (warm) to ${mb(endMemory.heap)} MB`);
  if (endMemory.rss - warmMemory.rss > RSS_GROWTH_LIMIT) violate(`RSS grew from ${mb(warmMemory.rss)} MB (warm) to ${mb(endMemory.rss)} MB`);
  if (hangs > 0) violate(`${hangs} calls did not settle within ${OP_DEADLINE_MS} ms`);
  // Let late rejections surface before counting them.
  await new Promise((r) => setTimeout(r, 100));
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
  if (unhandled.length > 0) violate(`${unhandled.length} unhandled rejections or exceptions: ${unhandled.slice(0, 5).join(' | ')}`);

  const faultsDrawn: Record<string, number> = {};
  const faultsInjected: Record<string, number> = {};
  proxy.connections.forEach((c, i) => {
    const kind = drawn[i] ?? 'none';
    bump(faultsDrawn, kind);
    if (kind !== 'none' && c.fired.length > 0) bump(faultsInjected, kind);
  });
  if (proxy.errors.length > 0) violate(`the fault proxy failed: ${proxy.errors.slice(0, 3).join(' | ')}`);

  return {
    seed: o.seed,
    durationMs,
    connections: { direct: o.direct, proxied: o.proxied, opened, connectFailures },
    operations,
    faultsDrawn,
    faultsInjected,
    errorsByCode,
    rows: rec,
    notifications: { sentOk: sentOk.size, received: received.size, missing, unexpected },
    memory: { start, warm: warmMemory, end: endMemory, peakHeap, peakRss, samples },
    hangs,
    unhandled: unhandled.slice(0, 20),
    violations,
  };
}
