/**
 * The connection against real PostgreSQL: the extended protocol (Parse/Bind/Execute/Sync, as in the
 * seed README), FunctionCall with the OID looked up in pg_proc, a COPY round trip, notices and
 * ParameterStatus while a query runs, transaction status, cancel of pg_sleep (57014), protocol 3.2
 * with long cancel keys on 18 and the downgrade on older servers, and the main auth methods.
 */
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AuthenticationMode,
  ConnectionBuilder,
  ErrorCode,
  FormatCode,
  MessageCode,
  ProtocolVersion,
  ServerError,
  TransactionStatus,
  connect,
  int4,
  oid,
} from '../../src/index.js';
import type { BackendMessage, Connection, PgStreamError } from '../../src/index.js';
import { stopServers, testServer } from '../support/connection-helpers.js';

afterAll(stopServers);

/** Receives until ReadyForQuery; returns the message types and the text of every DataRow field. */
async function untilReady(conn: Connection): Promise<{ types: string[]; rows: (string | null)[][]; errors: string[] }> {
  const types: string[] = [];
  const rows: (string | null)[][] = [];
  const errors: string[] = [];
  for (;;) {
    const msg: BackendMessage = await conn.recv();
    types.push(msg.type);
    if (msg.type === 'DataRow') rows.push(Array.from({ length: msg.fieldCount }, (_, i) => msg.text(i)));
    if (msg.type === 'ErrorResponse') errors.push(msg.fields.get('C') ?? '');
    if (msg.code === MessageCode.READY_FOR_QUERY) return { types, rows, errors };
  }
}

async function open(user = 'trust_user', password?: string, major = 18): Promise<Awaited<ReturnType<ConnectionBuilder['connect']>>> {
  const server = await testServer(major);
  const b = new ConnectionBuilder(user).database('postgres');
  if (password !== undefined) b.auth(AuthenticationMode.password(password));
  return b.connect(net.connect(server.port, server.host));
}

async function failure(p: Promise<unknown>): Promise<PgStreamError> {
  try {
    await p;
  } catch (err) {
    return err as PgStreamError;
  }
  throw new Error('expected a rejection');
}

describe('extended protocol and function calls', () => {
  it('runs the seed README example: Parse, Bind, Execute, Sync of SELECT $1::int + $2::int', async () => {
    const { conn } = await open();
    conn.parse('my_stmt').query('SELECT $1::int + $2::int').paramTypes([oid.INT4, oid.INT4]).finish();
    await conn.flush();
    conn.bind(null).statement('my_stmt').finish([int4(5), int4(10)]).execute(null, 0).sync();
    await conn.flush();
    const r = await untilReady(conn);
    expect(r.types).toEqual(['ParseComplete', 'BindComplete', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
    expect(r.rows).toEqual([['15']]);
    await conn.close();
  });

  it('binary results come back as bytes', async () => {
    const { conn } = await open();
    conn.parse(null).query('SELECT $1::int4 * 2').finish()
      .bind(null).resultFormats(FormatCode.Binary).finish([int4(21)])
      .execute(null).sync();
    await conn.flush();
    let value: number | null = null;
    for (;;) {
      const msg = await conn.recv();
      if (msg.type === 'DataRow') {
        const b = msg.bytes(0)!;
        value = new DataView(b.buffer, b.byteOffset, b.length).getInt32(0);
      }
      if (msg.type === 'ReadyForQuery') break;
    }
    expect(value).toBe(42);
    await conn.close();
  });

  it('calls sqrt with FunctionCall, its OID looked up in pg_proc', async () => {
    const { conn } = await open();
    conn.query("SELECT 'sqrt(float8)'::regprocedure::oid");
    await conn.flush();
    const fn = Number((await untilReady(conn)).rows[0]![0]);
    expect(fn).toBeGreaterThan(0);
    conn.fnCall(fn).resultFormat(FormatCode.Text).finish(['9']);
    await conn.flush();
    let result = '';
    for (;;) {
      const msg = await conn.recv();
      if (msg.type === 'FunctionCallResponse') result = new TextDecoder().decode(msg.result!);
      if (msg.type === 'ReadyForQuery') break;
    }
    expect(result).toBe('3');
    await conn.close();
  });

  it('a pipeline with an error skips to Sync and the next Sync succeeds', async () => {
    const { conn } = await open();
    conn.query('SELECT 1/0');
    conn.parse(null).query('SELECT 2').finish().bind().finish().execute().sync();
    await conn.flush();
    const first = await untilReady(conn);
    expect(first.errors).toEqual(['22012']);
    const second = await untilReady(conn);
    expect(second.rows).toEqual([['2']]);
    await conn.close();
  });
});

describe('COPY, notices, parameters and transaction status', () => {
  it('round-trips rows through COPY FROM STDIN and COPY TO STDOUT', async () => {
    const { conn } = await open();
    conn.query('CREATE TEMP TABLE t (id int, name text)');
    await conn.flush();
    await untilReady(conn);
    conn.query('COPY t FROM STDIN');
    await conn.flush();
    expect((await conn.recv()).type).toBe('CopyInResponse');
    conn.copyData('1\tone\n').copyData(new TextEncoder().encode('2\ttwo\n3\t\\N\n')).copyDone();
    await conn.flush();
    const done = await untilReady(conn);
    expect(done.types).toEqual(['CommandComplete', 'ReadyForQuery']);
    conn.query('COPY (SELECT * FROM t ORDER BY id) TO STDOUT');
    await conn.flush();
    let out = '';
    for (;;) {
      const msg = await conn.recv();
      if (msg.type === 'CopyData') out += new TextDecoder().decode(msg.data);
      if (msg.type === 'ReadyForQuery') break;
    }
    expect(out).toBe('1\tone\n2\ttwo\n3\t\\N\n');
    await conn.close();
  });

  it('CopyFail aborts COPY FROM STDIN with the server error, and the session stays usable', async () => {
    const { conn } = await open();
    conn.query('CREATE TEMP TABLE t2 (id int)');
    await conn.flush();
    await untilReady(conn);
    conn.query('COPY t2 FROM STDIN');
    await conn.flush();
    expect((await conn.recv()).type).toBe('CopyInResponse');
    conn.copyData('1\n').copyFail('source failed');
    await conn.flush();
    expect((await untilReady(conn)).errors).toEqual(['57014']);
    conn.query('SELECT count(*) FROM t2');
    await conn.flush();
    expect((await untilReady(conn)).rows).toEqual([['0']]);
    await conn.close();
  });

  it('returns notices and ParameterStatus in order, and tracks the transaction status', async () => {
    const { conn } = await open();
    conn.query("BEGIN; SET application_name = 'pg-stream-test'; DO $$ BEGIN RAISE NOTICE 'hi there'; END $$");
    await conn.flush();
    const r = await untilReady(conn);
    expect(r.types).toContain('NoticeResponse');
    expect(r.types).toContain('ParameterStatus');
    expect(conn.parameters.get('application_name')).toBe('pg-stream-test');
    expect(conn.transactionStatus).toBe(TransactionStatus.IN_TRANSACTION);
    conn.query('SELECT nope');
    await conn.flush();
    await untilReady(conn);
    expect(conn.transactionStatus).toBe(TransactionStatus.FAILED);
    conn.query('ROLLBACK');
    await conn.flush();
    await untilReady(conn);
    expect(conn.transactionStatus).toBe(TransactionStatus.IDLE);
    await conn.close();
  });

  it('delivers LISTEN/NOTIFY notifications', async () => {
    const { conn } = await open();
    conn.query("LISTEN ch; NOTIFY ch, 'payload'");
    await conn.flush();
    const r = await untilReady(conn);
    expect(r.types).toContain('NotificationResponse');
    await conn.close();
  });

  it('tryRecv drains buffered messages without waiting', async () => {
    const { conn } = await open();
    conn.query('SELECT generate_series(1, 1000)');
    await conn.flush();
    let rows = 0;
    for (;;) {
      const msg = conn.tryRecv() ?? (await conn.recv());
      if (msg.type === 'DataRow') rows++;
      if (msg.type === 'ReadyForQuery') break;
    }
    expect(rows).toBe(1000);
    await conn.close();
  });

  it('streams a large result through the direct read path with bounded buffering', async () => {
    const server = await testServer();
    const { conn } = await connect({ host: server.host, port: server.port, user: 'trust_user', database: 'postgres', sslmode: 'disable' });
    conn.query("SELECT i, repeat('x', 200) FROM generate_series(1, 50000) i");
    await conn.flush();
    let rows = 0;
    let sum = 0;
    for (;;) {
      const msg = await conn.recv();
      if (msg.type === 'DataRow') {
        rows++;
        sum += Number(msg.text(0));
        expect(msg.fieldLength(1)).toBe(200);
      }
      if (msg.type === 'ReadyForQuery') break;
    }
    expect(rows).toBe(50000);
    expect(sum).toBe((50000 * 50001) / 2);
    await conn.close();
  });

  it('after close(), recv() and flush() reject with PGS_CONNECTION_CLOSED and close() is idempotent', async () => {
    const { conn } = await open();
    await Promise.all([conn.close(), conn.close()]);
    expect((await failure(conn.recv())).code).toBe(ErrorCode.CONNECTION_CLOSED);
    conn.query('SELECT 1');
    expect((await failure(conn.flush())).code).toBe(ErrorCode.CONNECTION_CLOSED);
    expect(conn.closed).toBe(true);
  });

  it('async iteration ends quietly when the connection is closed', async () => {
    const { conn } = await open();
    const seen: string[] = [];
    const loop = (async () => {
      for await (const msg of conn) seen.push(msg.type);
    })();
    conn.query('SELECT 1');
    await conn.flush();
    await new Promise((r) => setTimeout(r, 100));
    await conn.close();
    await loop;
    expect(seen).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
  });
});

describe('cancel', () => {
  it('cancels SELECT pg_sleep(10) quickly with 57014', async () => {
    const { conn } = await open();
    conn.query('SELECT pg_sleep(10)');
    await conn.flush();
    await new Promise((r) => setTimeout(r, 200));
    const t0 = performance.now();
    await conn.cancel();
    const r = await untilReady(conn);
    expect(r.errors).toEqual(['57014']);
    expect(performance.now() - t0).toBeLessThan(3000);
    await conn.close();
  });

  it('cancels with a long (3.2) key', async () => {
    const server = await testServer();
    const { conn, startup } = await new ConnectionBuilder('trust_user').database('postgres').protocol('3.2').connect(net.connect(server.port, server.host));
    expect(startup.protocol).toBe(ProtocolVersion.V3_2);
    expect(startup.secretKey.length).toBeGreaterThan(4);
    conn.query('SELECT pg_sleep(10)');
    await conn.flush();
    await new Promise((r) => setTimeout(r, 200));
    await conn.cancel();
    expect((await untilReady(conn)).errors).toEqual(['57014']);
    await conn.close();
  });

  it('a cancel to a server that never closes is bounded by the cancel timeout', async () => {
    const accepted: net.Socket[] = [];
    const silent = net.createServer((s) => accepted.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as net.AddressInfo).port;
    const server = await testServer();
    const { conn } = await new ConnectionBuilder('trust_user')
      .database('postgres')
      .cancelTimeout(300)
      .cancelConnector(() => net.connect(port, '127.0.0.1'))
      .connect(net.connect(server.port, server.host));
    const t0 = performance.now();
    const err = await failure(conn.cancel());
    expect(err.code).toBe(ErrorCode.TIMEOUT);
    expect(performance.now() - t0).toBeLessThan(2000);
    await conn.close();
    expect(accepted.length).toBe(1);
    for (const s of accepted) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  });
});

describe('protocol versions on real servers', () => {
  it('PostgreSQL 18 accepts 3.2', async () => {
    const server = await testServer(18);
    const { conn, startup } = await new ConnectionBuilder('trust_user').database('postgres').protocol('3.2').connect(net.connect(server.port, server.host));
    expect(startup.protocol).toBe(ProtocolVersion.V3_2);
    await conn.close();
  });

  it('an older server negotiates a 3.2 request down to 3.0', async () => {
    const server = await testServer(16);
    const { conn, startup } = await new ConnectionBuilder('trust_user').database('postgres').protocol('3.2').connect(net.connect(server.port, server.host));
    expect(startup.protocol).toBe(ProtocolVersion.V3_0);
    expect(startup.secretKey.length).toBe(4);
    conn.query('SELECT 1');
    await conn.flush();
    expect((await untilReady(conn)).rows).toEqual([['1']]);
    await conn.close();
  });
});

describe('authentication on a real server', () => {
  it('MD5', async () => {
    const { conn, startup } = await open('md5_user', 'md5-secret');
    expect(startup.authMethod).toBe('md5');
    await conn.close();
  });

  it('SCRAM-SHA-256 with a non-ASCII password (SASLprep)', async () => {
    const { conn, startup } = await open('scram_utf8', 'pässwörd-Ⅸ');
    expect(startup.authMethod).toBe('SCRAM-SHA-256');
    await conn.close();
  });

  it('a cleartext password over plaintext is refused unless allowed', async () => {
    const err = await failure(open('pw_user', 'pw-secret'));
    expect(err.code).toBe(ErrorCode.AUTH_CLEARTEXT_INSECURE);
    const server = await testServer();
    const { conn, startup } = await new ConnectionBuilder('pw_user').database('postgres')
      .auth(AuthenticationMode.password('pw-secret'))
      .allowCleartextOverPlaintext()
      .connect(net.connect(server.port, server.host));
    expect(startup.authMethod).toBe('password');
    await conn.close();
  });

  it('a wrong password is ServerError 28P01 and never shows the password', async () => {
    const err = await failure(open('scram_user', 'wrong-password-xyz'));
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).sqlstate).toBe('28P01');
    expect(`${err.message}${err.stack}`).not.toContain('wrong-password-xyz');
  });

  it('an unknown database is ServerError 3D000', async () => {
    const server = await testServer();
    const err = await failure(new ConnectionBuilder('trust_user').database('no_such_db').connect(net.connect(server.port, server.host)));
    expect((err as ServerError).sqlstate).toBe('3D000');
  });

  it('channel_binding=require over plaintext refuses before sending a password', async () => {
    const server = await testServer();
    const err = await failure(
      new ConnectionBuilder('scram_user').auth(AuthenticationMode.password('scram-secret')).channelBinding('require')
        .connect(net.connect(server.port, server.host)),
    );
    expect(err.code).toBe(ErrorCode.CHANNEL_BINDING);
  });
});

describe('connect() from a connection string', () => {
  it('connects over TCP with a URI and over the Unix socket, and tries hosts in order', async () => {
    const server = await testServer();
    const env = {};
    const tcp = await connect(`postgresql://scram_user:scram-secret@${server.host}:${server.port}/postgres?sslmode=disable`, { env });
    expect(tcp.startup.authMethod).toBe('SCRAM-SHA-256');
    await tcp.conn.close();
    const unix = await connect(`host=${server.socketDir} port=${server.port} user=pw_user dbname=postgres`, { env });
    expect(unix.startup.encrypted).toBe(false);
    await unix.conn.close();
    // A refused first host is skipped.
    const dead = net.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const deadPort = (dead.address() as net.AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const multi = await connect(`postgresql://trust_user@127.0.0.1:${deadPort},${server.host}:${server.port}/postgres?sslmode=disable`, { env });
    expect(multi.startup.parameters.get('server_version')).toMatch(/^18/);
    await multi.conn.close();
  });

  it('checks target_session_attrs (ParameterStatus on 18, a query on 13)', async () => {
    for (const major of [18, 13]) {
      const server = await testServer(major);
      const base = { host: server.host, port: server.port, user: 'trust_user', database: 'postgres', sslmode: 'disable' } as const;
      for (const attrs of ['read-write', 'primary', 'prefer-standby', 'any'] as const) {
        const { conn } = await connect({ ...base, targetSessionAttrs: attrs }, { env: {} });
        conn.query('SELECT 1');
        await conn.flush();
        expect((await untilReady(conn)).rows).toEqual([['1']]);
        await conn.close();
      }
      for (const attrs of ['read-only', 'standby'] as const) {
        const err = await failure(connect({ ...base, targetSessionAttrs: attrs }, { env: {} }));
        expect(err.code).toBe(ErrorCode.CONNECTION_CLOSED);
        expect(err.message).toContain('target_session_attrs');
      }
    }
  });

  it('cancels a query on a connection opened by connect()', async () => {
    const server = await testServer();
    const { conn } = await connect({ host: server.host, port: server.port, user: 'trust_user', database: 'postgres', sslmode: 'disable' }, { env: {} });
    conn.query('SELECT pg_sleep(10)');
    await conn.flush();
    await new Promise((r) => setTimeout(r, 200));
    await conn.cancel();
    expect((await untilReady(conn)).errors).toEqual(['57014']);
    await conn.close();
  });
});
