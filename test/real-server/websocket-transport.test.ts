/**
 * WebSocketTransport against the suite's PostgreSQL 18 through a WebSocket-to-TCP bridge
 * (test/support/ws-bridge.ts, on the `ws` package, whose WebSocket class stands in for the browser's
 * in Node 20): SCRAM startup, the seed's quick start, the query layer (run with parameters, a
 * pipeline, COPY TO and COPY FROM), a cancel through a second WebSocket, both bridge conventions
 * (Neon's `?address=`, websockify's fixed target and `binary` subprotocol), frames split at every
 * byte, and the typed errors: a failed connect, a bridge that drops the server mid-result, a text
 * frame, and a server flooding a consumer that does not read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import {
  AuthenticationMode,
  ConnectionBuilder,
  ConnectionError,
  ErrorCode,
  MessageCode,
  ServerError,
  WebSocketTransport,
} from '../../src/index.js';
import type { Connection, WebSocketTransportOptions } from '../../src/index.js';
import { connectAs, pgServer } from '../support/facts.js';
import type { ConnectionFacts } from '../support/facts.js';
import { startBridge } from '../support/ws-bridge.js';
import type { Bridge } from '../support/ws-bridge.js';

let facts: ConnectionFacts;
let bridge: Bridge;

beforeAll(async () => {
  facts = connectAs(pgServer(18));
  bridge = await startBridge();
});
afterAll(async () => {
  await bridge?.close();
});

/** Options of a transport to the test server through `?address=` (Neon's convention). */
function viaAddress(extra: WebSocketTransportOptions = {}): WebSocketTransportOptions {
  return { WebSocket, address: `${facts.host}:${facts.port}`, ...extra };
}

/** A SCRAM session over `transport`. */
async function session(transport: WebSocketTransport): Promise<Connection> {
  const { conn } = await new ConnectionBuilder(facts.user)
    .database(facts.database)
    .auth(AuthenticationMode.password(facts.password!))
    .requireAuth('scram-sha-256')
    .connectTransport(transport);
  return conn;
}

describe('WebSocketTransport through a ?address= bridge to PostgreSQL 18', () => {
  let conn: Connection;
  let transport: WebSocketTransport;
  beforeAll(async () => {
    transport = await WebSocketTransport.open(bridge.url, viaAddress());
    conn = await session(transport);
  });
  afterAll(async () => {
    await conn?.close();
  });

  it('runs the seed quick start over SCRAM', async () => {
    expect(transport.encrypted).toBe(false);
    const t = await WebSocketTransport.open(bridge.url, viaAddress());
    const { conn: c, startup } = await new ConnectionBuilder(facts.user)
      .database(facts.database)
      .auth(AuthenticationMode.password(facts.password!))
      .connectTransport(t);
    expect(startup.parameters.get('server_version')).toMatch(/^18\./);
    c.query('SELECT version()');
    await c.flush();
    const seen: string[] = [];
    for (;;) {
      const msg = await c.recv();
      if (msg.code === MessageCode.DATA_ROW) seen.push(msg.text(0)!);
      if (msg.code === MessageCode.READY_FOR_QUERY) break;
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^PostgreSQL 18\./);
    await c.close();
    expect(t.error).toBeNull();
  });

  it('conn.run with parameters, and a server error leaves the session usable', async () => {
    const r = await conn.run('SELECT $1::int4 + $2::int4 AS sum, $3::text AS t, $4::int8 AS big', [40, 2, 'héllo', 2n ** 60n]);
    expect(r.rows).toEqual([[42, 'héllo', 2n ** 60n]]);
    const err = await conn.run('SELECT 1/0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).sqlstate).toBe('22012');
    expect((await conn.run('SELECT 7 AS x')).rows).toEqual([[7]]);
  });

  it('a pipeline: results in order, one round trip', async () => {
    const p = conn.pipeline();
    const a = p.run('SELECT 1 AS a');
    const b = p.run('SELECT $1::text AS b', ['two']);
    const c = p.run('SELECT g FROM generate_series(1, 3) g');
    await p.end();
    expect((await a).rows).toEqual([[1]]);
    expect((await b).rows).toEqual([['two']]);
    expect((await c).rows).toEqual([[1], [2], [3]]);
  });

  it('COPY TO STDOUT: every row, in chunks not aligned to frames', async () => {
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of conn.copyTo("COPY (SELECT g, repeat('x', 50) FROM generate_series(1, 20000) g) TO STDOUT")) {
      text += decoder.decode(chunk, { stream: true });
    }
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(20000);
    expect(lines[0]).toBe(`1\t${'x'.repeat(50)}`);
    expect(lines[19999]).toBe(`20000\t${'x'.repeat(50)}`);
  });

  it('COPY FROM STDIN: strings and bytes, counted by the server', async () => {
    await conn.run('CREATE TEMP TABLE ws_copy (id int, v text)');
    function* rows(): Generator<string | Uint8Array> {
      for (let i = 1; i <= 5000; i++) yield i % 2 === 0 ? `${i}\tv${i}\n` : new TextEncoder().encode(`${i}\tv${i}\n`);
    }
    const { rowCount } = await conn.copyFrom('COPY ws_copy FROM STDIN', rows());
    expect(rowCount).toBe(5000);
    expect((await conn.run('SELECT count(*), sum(id)::int8 FROM ws_copy')).rows).toEqual([[5000n, 12502500n]]);
  });

  it('COPY FROM with large chunks: the writes of a tick leave as one frame; bufferedAmount paces the writer', async () => {
    const b = await startBridge();
    try {
      const t = await WebSocketTransport.open(b.url, viaAddress({ highWaterMark: 1024 }));
      const c = await session(t);
      await c.run('CREATE TEMP TABLE ws_big (id int, v text)');
      const line = (i: number): string => `${i}\t${'z'.repeat(90)}\n`;
      const chunks = Array.from({ length: 40 }, (_, k) => new TextEncoder().encode(Array.from({ length: 400 }, (_, i) => line(k * 400 + i)).join('')));
      expect(chunks[0]!.length).toBeGreaterThan(32 * 1024);
      const before = b.received.frames;
      const { rowCount } = await c.copyFrom('COPY ws_big FROM STDIN', chunks);
      // Each large chunk goes behind its own CopyData header, written separately in the same tick:
      // one frame per chunk (not two), plus the Query and the CopyDone.
      expect(b.received.frames - before).toBeLessThanOrEqual(chunks.length + 2);
      expect(rowCount).toBe(16000);
      expect((await c.run('SELECT count(*), max(id) FROM ws_big')).rows).toEqual([[16000n, 15999]]);
      await c.close();
    } finally {
      await b.close();
    }
  });

  it('conn.cancel() stops pg_sleep(10) through a second WebSocket', async () => {
    const before = bridge.connections;
    const started = Date.now();
    const sleeping = conn.run('SELECT pg_sleep(10)').catch((e: unknown) => e);
    // Let the statement reach the server before cancelling it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await conn.cancel();
    const err = await sleeping;
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).sqlstate).toBe('57014');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(bridge.connections).toBe(before + 1);
    expect((await conn.run('SELECT 1 AS still')).rows).toEqual([[1]]);
  });
});

describe('WebSocketTransport: bridge conventions and frame boundaries', () => {
  it('websockify style: a fixed target and the binary subprotocol (required by the bridge)', async () => {
    const b = await startBridge({ target: { host: facts.host, port: facts.port }, protocol: 'binary' });
    try {
      const refused = await WebSocketTransport.open(b.url, { WebSocket }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ConnectionError);
      expect((refused as ConnectionError).code).toBe(ErrorCode.SOCKET_ERROR);
      const t = await WebSocketTransport.open(b.url, { WebSocket, protocols: ['binary'] });
      expect(t.protocol).toBe('binary');
      const conn = await session(t);
      expect((await conn.run('SELECT $1::int4 * 2 AS d', [21])).rows).toEqual([[42]]);
      await conn.close();
    } finally {
      await b.close();
    }
  });

  it('frames split at every byte: a short session works', async () => {
    const b = await startBridge({ frameSize: 1 });
    try {
      const t = new WebSocketTransport(b.url, viaAddress());
      const conn = await session(t);
      const r = await conn.run("SELECT $1::text || 'z' AS s, g FROM generate_series(1, 20) g", ['a']);
      expect(r.rows).toHaveLength(20);
      expect(r.rows[19]).toEqual(['az', 20]);
      await conn.close();
      expect(b.relayed.bytes).toBeGreaterThan(500);
      expect(b.relayed.frames).toBe(b.relayed.bytes);
    } finally {
      await b.close();
    }
  });
});

describe('WebSocketTransport: failures are typed', () => {
  it('a connect that fails: PGS_SOCKET_ERROR with the close code', async () => {
    const dead = await startBridge();
    const url = dead.url;
    await dead.close();
    const err = await WebSocketTransport.open(url, viaAddress()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).code).toBe(ErrorCode.SOCKET_ERROR);
    expect((err as Error).message).toMatch(/close code 1006/);
  });

  it('a bridge that cannot reach the target: the session fails with a typed error', async () => {
    const t = new WebSocketTransport(bridge.url, { WebSocket, address: '127.0.0.1:1' });
    const err = await session(t).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as ConnectionError).code).toBe(ErrorCode.SOCKET_ERROR);
    expect((err as Error).message).toMatch(/close code 1011: target error/);
  });

  it('the bridge drops the server mid-result: PGS_OUTCOME_UNKNOWN caused by PGS_CONNECTION_CLOSED, later calls fail with the close', async () => {
    const b = await startBridge();
    try {
      const t = await WebSocketTransport.open(b.url, viaAddress());
      const conn = await session(t);
      b.armDrop(50_000);
      const err = await conn.run("SELECT g, repeat('y', 200) FROM generate_series(1, 10000) g").catch((e: unknown) => e);
      // The statement went out with its Sync and its answer was cut: whether it ran is unknown.
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as ConnectionError).code).toBe(ErrorCode.OUTCOME_UNKNOWN);
      const closed = (err as Error).cause as ConnectionError;
      expect(closed.code).toBe(ErrorCode.CONNECTION_CLOSED);
      expect(closed.message).toMatch(/close code 1000/);
      expect(t.error).toBe(closed);
      await expect(conn.run('SELECT 1')).rejects.toBe(closed);
    } finally {
      await b.close();
    }
  });

  it('a server flooding a session that does not read: PGS_SOCKET_ERROR past maxQueuedBytes', async () => {
    const t = await WebSocketTransport.open(bridge.url, viaAddress({ maxQueuedBytes: 256 * 1024 }));
    const conn = await session(t);
    conn.query("SELECT repeat('f', 1000) FROM generate_series(1, 5000)");
    await conn.flush();
    // Nobody reads: the reader fills, then the queue passes its bound.
    for (let i = 0; i < 200 && t.error === null; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(t.error).toBeInstanceOf(ConnectionError);
    expect(t.error!.code).toBe(ErrorCode.SOCKET_ERROR);
    expect(t.error!.message).toMatch(/more than 262144 bytes/);
    // What was received before the failure is still readable; then the failure, before the last row.
    let rows = 0;
    const err = await (async () => {
      for (;;) if ((await conn.recv()).code === MessageCode.DATA_ROW) rows++;
    })().catch((e: unknown) => e);
    expect(err).toBe(t.error);
    expect(rows).toBeLessThan(5000);
    await conn.close();
  });

  it('a text frame from the bridge: PGS_SOCKET_ERROR', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (ws) => ws.send('not binary'));
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    try {
      const t = new WebSocketTransport(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`, { WebSocket });
      const err = await session(t).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as ConnectionError).code).toBe(ErrorCode.SOCKET_ERROR);
      expect((err as Error).message).toMatch(/text frame/);
    } finally {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    }
  });

  it('bad options are refused before anything is opened', () => {
    expect(() => new WebSocketTransport('http://x/', { WebSocket })).toThrow(/ws: or wss:/);
    expect(() => new WebSocketTransport('ws://x/', { WebSocket, address: '' })).toThrow(/address/);
    expect(() => new WebSocketTransport('ws://x/', { WebSocket, maxQueuedBytes: -1 })).toThrow(/maxQueuedBytes/);
    // Without a class and without a global one (Node 20): told what to pass.
    const g = globalThis as { WebSocket?: unknown };
    const saved = g.WebSocket;
    g.WebSocket = undefined;
    try {
      expect(() => new WebSocketTransport('ws://x/')).toThrow(/no WebSocket class/);
    } finally {
      g.WebSocket = saved;
    }
  });
});
