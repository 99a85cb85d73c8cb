/**
 * PGliteTransport against a real in-process PGlite (PostgreSQL in WebAssembly, started once for the
 * file: it takes seconds): the seed's quick start, `run` with parameters, a pipeline, COPY TO, COPY
 * FROM STDIN (held and run in one call, inside and outside a transaction block; a failing source; bad
 * data; the refused cases answered by the server instead of ending PGlite), an SSLRequest answered
 * `N` before PGlite sees it, one session at a time with a clean backend for the next, no cancel, and
 * PGlite itself gone.
 */
import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClientError,
  ConnectionBuilder,
  ConnectionError,
  EncryptionResponse,
  ErrorCode,
  MessageCode,
  MessageWriter,
  PGliteTransport,
  QueryError,
  ServerError,
  encodeSSLRequest,
  encodeStartupMessage,
  ProtocolVersion,
} from '../../src/index.js';
import type { ByteSink, Connection, PGliteLike } from '../../src/index.js';

let db: PGlite;

beforeAll(async () => {
  db = await PGlite.create();
});
afterAll(async () => {
  if (!db.closed) await db.close();
});

async function open(): Promise<Connection> {
  const { conn } = await new ConnectionBuilder('postgres').database('postgres').connectTransport(new PGliteTransport(db));
  return conn;
}

describe('PGliteTransport: the session and the query layer over an in-process PGlite', () => {
  let conn: Connection;
  beforeAll(async () => {
    conn = await open();
  });
  afterAll(async () => {
    await conn?.close();
  });

  it('runs the seed quick start', async () => {
    conn.query('SELECT version()');
    await conn.flush();
    const seen: string[] = [];
    for (;;) {
      const msg = await conn.recv();
      if (msg.code === MessageCode.DATA_ROW) seen.push(msg.text(0)!);
      if (msg.code === MessageCode.READY_FOR_QUERY) break;
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatch(/^PostgreSQL \d+/);
  });

  it('conn.run with parameters; a server error leaves the session usable', async () => {
    const r = await conn.run('SELECT $1::int4 + $2::int4 AS sum, $3::text AS t, $4::int8 AS big', [40, 2, 'héllo', 2n ** 60n]);
    expect(r.rows).toEqual([[42, 'héllo', 2n ** 60n]]);
    const err = await conn.run('SELECT 1/0').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).sqlstate).toBe('22012');
    expect((await conn.run('SELECT 7 AS x')).rows).toEqual([[7]]);
  });

  it('a pipeline: results in order; a failing segment skips the rest of it', async () => {
    const p = conn.pipeline();
    const a = p.run('SELECT 1 AS a');
    const b = p.run('SELECT $1::text AS b', ['two']);
    p.sync();
    const bad = p.run('SELECT 1/0');
    const skipped = p.run('SELECT 3');
    p.sync();
    const c = p.run('SELECT g FROM generate_series(1, 3) g');
    await p.end();
    expect((await a).rows).toEqual([[1]]);
    expect((await b).rows).toEqual([['two']]);
    await expect(bad).rejects.toBeInstanceOf(ServerError);
    await expect(skipped).rejects.toMatchObject({ code: ErrorCode.PIPELINE_ABORTED });
    expect((await c).rows).toEqual([[1], [2], [3]]);
  });

  it('COPY TO STDOUT', async () => {
    let text = '';
    const decoder = new TextDecoder();
    for await (const chunk of conn.copyTo("COPY (SELECT g, 'v' || g FROM generate_series(1, 3000) g) TO STDOUT")) {
      text += decoder.decode(chunk, { stream: true });
    }
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3000);
    expect(lines[2999]).toBe('3000\tv3000');
  });

  it('COPY FROM STDIN: the whole COPY runs in one call, counted by the server', async () => {
    await conn.run('CREATE TABLE pgl_copy (id int, v text)');
    function* rows(): Generator<string | Uint8Array> {
      for (let i = 1; i <= 20000; i++) yield i % 2 === 0 ? `${i}\tv${i}\n` : new TextEncoder().encode(`${i}\tv${i}\n`);
    }
    const { rowCount } = await conn.copyFrom('COPY pgl_copy FROM STDIN', rows());
    expect(rowCount).toBe(20000);
    expect((await conn.run('SELECT count(*), sum(id)::int8 FROM pgl_copy')).rows).toEqual([[20000n, 200010000n]]);
  });

  it('COPY FROM STDIN inside a transaction block: the block survives the probe, ROLLBACK undoes the COPY', async () => {
    await conn.run('CREATE TABLE pgl_tx (id int)');
    await conn.run('BEGIN');
    await conn.run('INSERT INTO pgl_tx VALUES (0)');
    expect((await conn.copyFrom('COPY pgl_tx FROM STDIN', ['1\n2\n', '3\n'])).rowCount).toBe(3);
    expect((await conn.run('SELECT count(*) FROM pgl_tx')).rows).toEqual([[4n]]);
    await conn.run('ROLLBACK');
    expect((await conn.run('SELECT count(*) FROM pgl_tx')).rows).toEqual([[0n]]);
    await conn.run('BEGIN');
    expect((await conn.copyFrom('COPY pgl_tx FROM STDIN', ['5\n'])).rowCount).toBe(1);
    await conn.run('COMMIT');
    expect((await conn.run('SELECT array_agg(id) FROM pgl_tx')).rows).toEqual([[[5]]]);
  });

  it('COPY FROM STDIN with a failing source: CopyFail, nothing copied, the session usable', async () => {
    await conn.run('CREATE TABLE pgl_fail (id int)');
    const boom = new Error('source exploded');
    async function* failing(): AsyncGenerator<string> {
      for (let i = 0; i < 100; i++) yield `${i}\n`;
      throw boom;
    }
    const err = await conn.copyFrom('COPY pgl_fail FROM STDIN', failing()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QueryError);
    expect((err as QueryError).code).toBe(ErrorCode.COPY_SOURCE);
    expect((err as QueryError).cause).toBe(boom);
    expect((await conn.run('SELECT count(*) FROM pgl_fail')).rows).toEqual([[0n]]);
    const bad = await conn.copyFrom('COPY pgl_fail FROM STDIN', ['1\n', 'not-a-number\n']).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ServerError);
    expect((bad as ServerError).sqlstate).toBe('22P02');
    expect((await conn.run('SELECT count(*) FROM pgl_fail')).rows).toEqual([[0n]]);
  });

  it('refused COPY FROM STDIN cases get a server error, and PGlite lives on', async () => {
    await conn.run('CREATE TABLE pgl_refused (id int)');
    // Through the extended protocol (conn.run): the guard's CopyFail ends it.
    const ext = await conn.run('COPY pgl_refused FROM STDIN').catch((e: unknown) => e);
    expect(ext).toBeInstanceOf(ServerError);
    expect((ext as ServerError).sqlstate).toBe('57014');
    expect((ext as ServerError).message).toMatch(/over PGlite, COPY FROM STDIN runs only as the first statement/);
    // After another statement in the same Query: that statement would run twice, so it is refused.
    const multi = await conn.copyFrom('INSERT INTO pgl_refused VALUES (1); COPY pgl_refused FROM STDIN', ['2\n']).catch((e: unknown) => e);
    expect(multi).toBeInstanceOf(ServerError);
    expect((multi as ServerError).sqlstate).toBe('57014');
    expect((await conn.run('SELECT count(*) FROM pgl_refused')).rows).toEqual([[0n]]);
    // A COPY TO whose Query also names STDIN goes through the probe and comes out whole.
    let out = '';
    for await (const chunk of conn.copyTo("COPY (SELECT 'copy from stdin') TO STDOUT")) out += new TextDecoder().decode(chunk);
    expect(out).toBe('copy from stdin\n');
  });

  it('a Query naming COPY and STDIN that is no COPY runs exactly once, also inside a block', async () => {
    await conn.run('CREATE TABLE pgl_once (v text)');
    for (const block of [false, true]) {
      if (block) await conn.run('BEGIN');
      conn.query("INSERT INTO pgl_once VALUES ('copy from stdin')");
      await conn.flush();
      for (;;) if ((await conn.recv()).code === MessageCode.READY_FOR_QUERY) break;
      if (block) await conn.run('COMMIT');
    }
    expect((await conn.run('SELECT count(*) FROM pgl_once')).rows).toEqual([[2n]]);
  });

  it('no cancel: conn.cancel() is refused (there is no second connection)', async () => {
    await expect(conn.cancel()).rejects.toBeInstanceOf(ClientError);
  });
});

describe('PGliteTransport: one session at a time, startup-phase requests', () => {
  it('a second transport on a busy instance is refused; the next session finds a clean backend', async () => {
    const first = await open();
    expect(() => new PGliteTransport(db)).toThrow(/already has an open session/);
    await first.run('CREATE TEMP TABLE pgl_session (id int)');
    await first.run('PREPARE pgl_stmt AS SELECT 1');
    await first.run('BEGIN');
    await first.close();
    const second = await open();
    // DISCARD ALL at the end of the first session: no temp table, no prepared statement, no open block.
    await expect(second.run('SELECT * FROM pgl_session')).rejects.toMatchObject({ sqlstate: '42P01' });
    await expect(second.run('EXECUTE pgl_stmt')).rejects.toMatchObject({ sqlstate: '26000' });
    expect((await second.run("SELECT 'ok' AS s")).rows).toEqual([['ok']]);
    await second.close();
  });

  it('an SSLRequest is answered N before PGlite sees it; the startup then proceeds', async () => {
    const t = new PGliteTransport(db);
    const received: number[] = [];
    const sink: ByteSink = {
      writable: () => new Uint8Array(0),
      commit: () => undefined,
      push: (chunk) => {
        received.push(...chunk);
        return chunk.length;
      },
      free: 1 << 20,
    };
    t.attach(sink);
    const w = new MessageWriter(64);
    encodeSSLRequest(w);
    await t.write(w.toBytes());
    await t.fill();
    expect(received).toEqual([EncryptionResponse.REJECT]);
    w.clear();
    encodeStartupMessage(w, { protocol: ProtocolVersion.V3_0, parameters: { user: 'postgres', database: 'postgres' } });
    await t.write(w.toBytes());
    await t.fill();
    expect(received[1]).toBe(MessageCode.AUTHENTICATION);
    await t.end();
    await expect(t.fill()).rejects.toMatchObject({ code: ErrorCode.CONNECTION_CLOSED });
  });

  it('protocol 3.2 is negotiated or accepted', async () => {
    const { conn, startup } = await new ConnectionBuilder('postgres').protocol('3.2').connectTransport(new PGliteTransport(db));
    expect(startup.parameters.get('server_version')).toMatch(/^\d+/);
    expect((await conn.run('SELECT 1 AS one')).rows).toEqual([[1]]);
    await conn.close();
  });

  it('a real PGlite instance fits the structural type', () => {
    const asLike: PGliteLike = db;
    expect(typeof asLike.execProtocolRawStream).toBe('function');
  });

  it('PGlite closed under a session: calls fail with a typed error', async () => {
    const conn = await open();
    await db.close();
    const err = await conn.run('SELECT 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    // The statement and its Sync were written when the transport failed: PGS_OUTCOME_UNKNOWN, caused by the close.
    expect((err as ConnectionError).code).toBe(ErrorCode.OUTCOME_UNKNOWN);
    expect([ErrorCode.SOCKET_ERROR, ErrorCode.CONNECTION_CLOSED]).toContain(((err as ConnectionError).cause as ConnectionError).code);
    await conn.close();
  });
});
