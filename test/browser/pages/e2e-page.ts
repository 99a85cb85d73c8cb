/**
 * The page script of the browser end-to-end tests: bundled for the browser with `pg-stream/browser`
 * (the published entry) and PGlite, it runs the same scenario over either transport — PGlite in the
 * page, or a real server through a WebSocket bridge with the browser's own WebSocket — and returns
 * a JSON-safe report that the test asserts in Node (test/browser/*.test.ts).
 */
import { PGlite } from '@electric-sql/pglite';
import { AuthenticationMode, ConnectionBuilder, MessageCode, PGliteTransport, WebSocketTransport } from 'pg-stream/browser';
import type { Transport } from 'pg-stream/browser';

/** Where the scenario connects. */
export type Target =
  | { readonly kind: 'pglite' }
  | { readonly kind: 'websocket'; readonly url: string; readonly address: string; readonly user: string; readonly password: string; readonly database: string };

/** What the scenario saw (bigints as `<digits>n` strings, so it crosses page.evaluate). */
export interface Report {
  readonly serverVersion: string;
  readonly versionRow: string;
  readonly params: unknown[][];
  readonly pipeline: unknown[][][];
  readonly copyTo: { readonly lines: number; readonly first: string; readonly last: string };
  readonly copyFrom: { readonly rowCount: number; readonly check: unknown[][] };
  readonly ms: Record<string, number>;
}

/** A typed error as the page saw it. */
export interface ErrorReport {
  readonly name: string;
  readonly code: string;
  readonly message: string;
}

/** What the page exposes as `globalThis.pgs`. */
export interface PageApi {
  startPglite(): Promise<number>;
  scenario(target: Target): Promise<Report>;
  connectError(url: string): Promise<ErrorReport>;
}

let pglite: Promise<PGlite> | null = null;

function jsonSafe(rows: readonly (readonly unknown[])[]): unknown[][] {
  return rows.map((row) => row.map((v) => (typeof v === 'bigint' ? `${v}n` : v)));
}

async function transportFor(target: Target): Promise<Transport> {
  if (target.kind === 'pglite') {
    pglite ??= PGlite.create();
    return new PGliteTransport(await pglite);
  }
  return WebSocketTransport.open(target.url, { address: target.address });
}

async function scenario(target: Target): Promise<Report> {
  const ms: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    ms[name] = Math.round(now - t);
    t = now;
  };
  const transport = await transportFor(target);
  let builder = new ConnectionBuilder(target.kind === 'pglite' ? 'postgres' : target.user).database(target.kind === 'pglite' ? 'postgres' : target.database);
  if (target.kind === 'websocket') builder = builder.auth(AuthenticationMode.password(target.password)).requireAuth('scram-sha-256');
  const { conn, startup } = await builder.connectTransport(transport);
  lap('connect');

  // The seed's quick start.
  conn.query('SELECT version()');
  await conn.flush();
  let versionRow = '';
  for (;;) {
    const msg = await conn.recv();
    if (msg.code === MessageCode.DATA_ROW) versionRow = msg.text(0) ?? '';
    if (msg.code === MessageCode.READY_FOR_QUERY) break;
  }
  lap('quickStart');

  const params = await conn.run('SELECT $1::int4 + $2::int4 AS sum, $3::text AS t, $4::int8 AS big', [40, 2, 'héllo', 2n ** 60n]);
  lap('params');

  const p = conn.pipeline();
  const batch = [p.run('SELECT 1 AS a'), p.run('SELECT $1::text AS b', ['two']), p.run('SELECT g FROM generate_series(1, 3) g')];
  await p.end();
  const pipeline = (await Promise.all(batch)).map((r) => jsonSafe(r.rows));
  lap('pipeline');

  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of conn.copyTo("COPY (SELECT g, 'v' || g FROM generate_series(1, 5000) g) TO STDOUT")) text += decoder.decode(chunk, { stream: true });
  const lines = text.trimEnd().split('\n');
  lap('copyTo');

  await conn.run('CREATE TEMP TABLE page_copy (id int, v text)');
  const rows = Array.from({ length: 1000 }, (_, i) => `${i + 1}\tr${i + 1}\n`);
  const { rowCount } = await conn.copyFrom('COPY page_copy FROM STDIN', rows);
  const check = await conn.run('SELECT count(*), sum(id)::int8 FROM page_copy');
  lap('copyFrom');

  await conn.close();
  return {
    serverVersion: startup.parameters.get('server_version') ?? '',
    versionRow,
    params: jsonSafe(params.rows),
    pipeline,
    copyTo: { lines: lines.length, first: lines[0] ?? '', last: lines[lines.length - 1] ?? '' },
    copyFrom: { rowCount, check: jsonSafe(check.rows) },
    ms,
  };
}

async function connectError(url: string): Promise<ErrorReport> {
  try {
    await WebSocketTransport.open(url, { address: '127.0.0.1:1' });
  } catch (err) {
    const e = err as { name?: string; code?: string; message?: string };
    return { name: e.name ?? '', code: e.code ?? '', message: e.message ?? String(err) };
  }
  throw new Error(`a WebSocket to ${url} opened; it was expected to fail`);
}

const api: PageApi = {
  async startPglite() {
    const t0 = performance.now();
    pglite ??= PGlite.create();
    await pglite;
    return Math.round(performance.now() - t0);
  },
  scenario,
  connectError,
};
(globalThis as unknown as { pgs: PageApi }).pgs = api;
