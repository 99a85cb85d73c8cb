/**
 * RELIABILITY.md cases that had no test at the level the rule speaks of (test/RELIABILITY.md maps
 * every case): hostile bytes that arrive mid-result, after startup, through the query layer over a
 * real loopback socket — an unknown type, bad lengths (CVE-2026-32286 / CVE-2026-6477 class), bodies
 * that run past their length, desynchronised answers, counts the body cannot hold, a 1.5 GiB header —
 * each fatal: every pending call rejected exactly once with one typed error and a stable code, within
 * its deadline, the socket destroyed, the cancel key nowhere in the error; the connection lost (RST)
 * with N pipelined statements in flight; outbound limits refused by the query layer before anything
 * is sent, the connection staying usable; notices, parameter changes and notifications at every point
 * changing no result, a throwing handler isolated; a value its decoder refuses failing only its call.
 * Rows named "BUG: …" are known bugs (it.fails), listed in test/RELIABILITY.md.
 */
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientError, ConnectionBuilder, ErrorCode, PgStreamError, ProtocolError } from '../../src/index.js';
import type { Result } from '../../src/index.js';
import type { Connection, Notice, Notification, ParameterChange, StartupResult } from '../../src/index.js';
import { MessageCode } from '../../src/protocol/codes.js';
import type { BackendMessage } from '../../src/protocol/messages.js';
import { Bytes } from '../fixtures/bytes.js';
import { expectNoSecrets, trackUnhandled, within } from '../support/fake-assert.js';
import { serveExtended } from '../support/fake-extended.js';
import type { ExtendedScript } from '../support/fake-extended.js';
import { readyForQuery, startFakeServer } from '../support/fake-server.js';
import type { FakeServer, FakeSession } from '../support/fake-server.js';

trackUnhandled();

/** The cancel key the fake server hands out: a secret that must appear in no error. */
const KEY = Uint8Array.of(0x5e, 0xc2, 0xe7, 0x4b);
/** How long a fatal failure may take to reach every pending call. */
const WITHIN_MS = 2_000;

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** A trust startup over a loopback socket, then the extended-protocol fake of `script`. */
async function open(script: ExtendedScript, build: (b: ConnectionBuilder) => ConnectionBuilder = (b) => b): Promise<{ conn: Connection; socket: net.Socket }> {
  server = await startFakeServer(async (s) => {
    await s.expect('StartupMessage');
    s.sendReady({ secretKey: KEY });
    await serveExtended(s, script);
  });
  const socket = server.dial();
  const { conn } = await build(new ConnectionBuilder('u').database('db')).connect(socket);
  return { conn, socket };
}

/** Records how often, and how, a promise settled. */
interface Watched {
  settled: number;
  outcome: unknown;
  fulfilled: boolean;
}
function watch(p: Promise<unknown>): Watched {
  const w: Watched = { settled: 0, outcome: undefined, fulfilled: false };
  p.then(
    (v) => {
      w.settled++;
      w.fulfilled = true;
      w.outcome = v;
    },
    (e: unknown) => {
      w.settled++;
      w.outcome = e;
    },
  );
  return w;
}

/** Waits until every watched call settled, or fails after `ms`. */
async function allSettled(calls: readonly Watched[], ms: number): Promise<void> {
  const t0 = performance.now();
  while (calls.some((c) => c.settled === 0)) {
    if (performance.now() - t0 > ms) throw new Error(`${calls.filter((c) => c.settled === 0).length} calls did not settle within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
  // A few more turns: a second settlement would show here.
  for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 5));
}

const frame = (type: string, body: Bytes): Uint8Array => body.frame(type);
const commandComplete = (tag: string): BackendMessage => ({ type: 'CommandComplete', code: MessageCode.COMMAND_COMPLETE, tag, rows: 1 });

/**
 * One hostile answer to the third of five pipelined statements (the first two got their rows,
 * ReadyForQuery is still owed): the bytes, and the typed error every pending call must get.
 */
interface Row {
  name: string;
  /** RELIABILITY.md case(s) the row checks. */
  cases: string;
  bytes: () => Uint8Array;
  code: ErrorCode;
}

const rows: Row[] = [
  { name: 'an unknown message type', cases: '2', bytes: () => frame('!', new Bytes().i32(0)), code: ErrorCode.UNKNOWN_MESSAGE },
  { name: 'a message length below 4', cases: '1', bytes: () => Uint8Array.of(0x44, 0, 0, 0, 3), code: ErrorCode.FRAME_LENGTH_TOO_SHORT },
  { name: 'a BindComplete (fixed size) with a body', cases: '1', bytes: () => frame('2', new Bytes().u8(0)), code: ErrorCode.FRAME_LENGTH_MISMATCH },
  { name: 'a DataRow field length of -2', cases: 'inbound lengths (CVE-2026-32286 class)', bytes: () => frame('D', new Bytes().i16(1).i32(-2)), code: ErrorCode.MALFORMED_MESSAGE },
  { name: 'a DataRow field longer than what remains', cases: 'inbound lengths (CVE-2026-6477 class)', bytes: () => frame('D', new Bytes().i16(1).i32(1000).str('12')), code: ErrorCode.MALFORMED_MESSAGE },
  { name: 'a DataRow with a byte left over after its last field', cases: '4', bytes: () => frame('D', new Bytes().i16(1).i32(1).str('1').u8(0)), code: ErrorCode.MALFORMED_MESSAGE },
  { name: 'a CommandComplete tag without its NUL', cases: '4', bytes: () => frame('C', new Bytes().str('SELECT 1')), code: ErrorCode.MALFORMED_MESSAGE },
  { name: 'a DataRow of 2 fields for a 1-column RowDescription', cases: '5', bytes: () => frame('D', new Bytes().i16(2).i32(1).str('1').i32(1).str('2')), code: ErrorCode.UNEXPECTED_MESSAGE },
  { name: 'a RowDescription claiming 65535 columns in a 10-byte body', cases: '6', bytes: () => frame('T', new Bytes().i16(65535).i32(0).i32(0)), code: ErrorCode.MALFORMED_MESSAGE },
  { name: 'a ReadyForQuery owed to nothing before the Sync', cases: '5', bytes: () => frame('Z', new Bytes().u8(0x49)), code: ErrorCode.UNEXPECTED_MESSAGE },
  { name: 'a ParseComplete with nothing pending', cases: '5', bytes: () => frame('1', new Bytes()), code: ErrorCode.UNEXPECTED_MESSAGE },
  {
    name: 'a DataRow header announcing 1.5 GiB (refused from the header, nothing allocated)',
    cases: '24',
    bytes: () => Uint8Array.of(0x44, 0x60, 0, 0, 0, 0, 1),
    code: ErrorCode.FRAME_TOO_LARGE,
  },
];

describe('hostile bytes mid-pipeline, after startup: fatal, every call rejected once', () => {
  it.each(rows.map((r) => [`${r.name} (case ${r.cases}) → ProtocolError ${r.code}`, r] as const))('%s', async (_title, row) => {
    let n = 0;
    const { conn, socket } = await open({
      onExecute: (s) => {
        if (++n !== 3) return 'continue';
        s.sendRaw(row.bytes());
        return 'stall';
      },
    });
    const external0 = process.memoryUsage().arrayBuffers;
    const p = conn.pipeline();
    const calls = Array.from({ length: 5 }, (_, i) => watch(p.run(`SELECT ${i}`, [], { format: 'text' })));
    const ended = watch(p.end());
    await allSettled([...calls, ended], WITHIN_MS);
    expect(calls.map((c) => c.settled)).toEqual([1, 1, 1, 1, 1]);
    // Nothing resolved: the segment never reached its ReadyForQuery, so nothing is reported as done.
    expect(calls.map((c) => c.fulfilled)).toEqual([false, false, false, false, false]);
    // The segment's Sync had gone out: nobody can know whether the server committed it, so every
    // statement rejects with PGS_OUTCOME_UNKNOWN, caused by the connection's own error.
    const err = conn.error;
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as PgStreamError).code).toBe(row.code);
    expect((err as PgStreamError).fatal).toBe(true);
    for (const c of calls) {
      expect((c.outcome as PgStreamError).code).toBe(ErrorCode.OUTCOME_UNKNOWN);
      expect((c.outcome as PgStreamError).fatal).toBe(true);
      expect((c.outcome as Error).cause).toBe(err);
      expectNoSecrets(c.outcome, [KEY]);
    }
    expect(conn.closed).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(socket.destroyed, 'the socket must be destroyed').toBe(true);
    // A later call fails at once with the same error.
    await expect(within(conn.run('SELECT 9'), WITHIN_MS)).rejects.toBe(err);
    // Bounded memory: no reservation for the announced length.
    expect(process.memoryUsage().arrayBuffers - external0).toBeLessThan(64 << 20);
  });
});

describe('case 16: the connection lost (RST) with N pipelined statements in flight', () => {
  it('all N reject exactly once with PGS_OUTCOME_UNKNOWN (caused by PGS_CONNECTION_CLOSED or PGS_SOCKET_ERROR); none resolves', async () => {
    let n = 0;
    const { conn, socket } = await open({
      onExecute: (s) => {
        if (++n !== 4) return 'continue';
        s.destroy();
        return 'stall';
      },
    });
    const p = conn.pipeline();
    const calls = Array.from({ length: 8 }, (_, i) => watch(p.run(`SELECT ${i}`, [], { format: 'text' })));
    void p.end().catch(() => undefined);
    await allSettled(calls, WITHIN_MS);
    expect(calls.map((c) => c.settled)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(calls.some((c) => c.fulfilled)).toBe(false);
    // The Sync was sent with the statements: the outcome is unknown, never "not done".
    const err = conn.error!;
    expect(err).toBeInstanceOf(PgStreamError);
    expect([ErrorCode.CONNECTION_CLOSED, ErrorCode.SOCKET_ERROR]).toContain(err.code);
    for (const c of calls) {
      expect((c.outcome as PgStreamError).code).toBe(ErrorCode.OUTCOME_UNKNOWN);
      expect((c.outcome as Error).cause).toBe(err);
    }
    expect(conn.closed).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(socket.destroyed).toBe(true);
  });
});

describe('outbound limits through the query layer: refused before anything is sent, connection usable', () => {
  /** Counts the bytes the fake server received after startup. */
  const received = (s: FakeSession): number => s.chunks.reduce((a, c) => a + c.length, 0);

  it('conn.run with 65536 parameters → ClientError PGS_TOO_MANY_PARAMETERS, not fatal', async () => {
    const { conn } = await open({});
    const s = await server!.session();
    expect((await conn.run('SELECT 1', [], { format: 'text' })).rows).toEqual([[1]]);
    const before = received(s);
    const params = Array.from({ length: 65536 }, () => 'x');
    const err = await within(conn.run('SELECT 1', params, { format: 'text' }).then(() => null, (e: unknown) => e), WITHIN_MS);
    expect(err).toBeInstanceOf(ClientError);
    expect((err as PgStreamError).code).toBe(ErrorCode.TOO_MANY_PARAMETERS);
    expect((err as PgStreamError).fatal).toBe(false);
    expect(conn.closed).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(received(s) - before, 'nothing is sent for a refused statement').toBe(0);
    expect((await conn.run('SELECT 2', [], { format: 'text' })).rows).toEqual([[1]]);
    await conn.close();
  });

  it('a pipeline statement over the parameter limit is refused alone; the others run', async () => {
    const { conn } = await open({});
    const p = conn.pipeline();
    const a = watch(p.run('SELECT 1', [], { format: 'text' }));
    const bad = watch(p.run('SELECT 2', Array.from({ length: 65536 }, () => null), { format: 'text' }));
    const c = watch(p.run('SELECT 3', [], { format: 'text' }));
    await within(p.end(), WITHIN_MS);
    await allSettled([a, bad, c], WITHIN_MS);
    expect(bad.fulfilled).toBe(false);
    expect((bad.outcome as PgStreamError).code).toBe(ErrorCode.TOO_MANY_PARAMETERS);
    expect([a.fulfilled, c.fulfilled]).toEqual([true, true]);
    expect(conn.closed).toBe(false);
    await conn.close();
  });

  it('a parameter declaring more than 1 GiB → ClientError PGS_MESSAGE_TOO_LARGE before it is encoded, not fatal', async () => {
    const { conn } = await open({});
    const s = await server!.session();
    expect((await conn.run('SELECT 1', [], { format: 'text' })).rows).toEqual([[1]]);
    const before = received(s);
    let encoded = false;
    const huge = { format: 1 as const, encodedLength: (): number => 1 << 30, encode: (): void => void (encoded = true) };
    const err = await within(conn.run('SELECT $1::bytea', [huge], { format: 'text' }).then(() => null, (e: unknown) => e), WITHIN_MS);
    expect(err).toBeInstanceOf(ClientError);
    expect((err as PgStreamError).code).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect(encoded).toBe(false);
    expect(conn.closed).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    expect(received(s) - before, 'nothing is sent for a refused statement').toBe(0);
    expect((await conn.run('SELECT 2', [], { format: 'text' })).rows).toEqual([[1]]);
    await conn.close();
  });
});

describe('case 20: notices, parameter changes and notifications at every point change no result', () => {
  const notice = (m: string): BackendMessage => ({
    type: 'NoticeResponse',
    code: MessageCode.NOTICE_RESPONSE,
    fields: new Map([['S', 'NOTICE'], ['V', 'NOTICE'], ['C', '00000'], ['M', m]]),
  });
  const param = (name: string, value: string): BackendMessage => ({ type: 'ParameterStatus', code: MessageCode.PARAMETER_STATUS, name, value });
  const note = (channel: string, payload: string): BackendMessage => ({ type: 'NotificationResponse', code: MessageCode.NOTIFICATION_RESPONSE, processId: 77, channel, payload });

  it('between DataRows, before CommandComplete and before ReadyForQuery: delivered in order, rows and tags unchanged', async () => {
    const { conn } = await open({
      rows: () => ['1', '2', '3'],
      onExecute: (s, _sql, r) => {
        s.sendRow([r[0]!]);
        s.send(note('c1', 'between rows'), notice('n1'));
        s.sendRow([r[1]!]);
        s.send(param('application_name', 'p1'));
        s.sendRow([r[2]!]);
        s.send(note('c2', 'before complete'));
        s.send(commandComplete('SELECT 3'));
        s.send(notice('n2'), note('c3', 'after complete'));
        return 'handled';
      },
    });
    const seen: string[] = [];
    conn
      .on('notification', (n: Notification) => seen.push(`A:${n.channel}:${n.payload}`))
      .on('notice', (n: Notice) => seen.push(`N:${n.message}`))
      .on('parameter', (p: ParameterChange) => seen.push(`S:${p.name}=${p.value}`));
    const r = await within(conn.run('SELECT v', [], { format: 'text' }), WITHIN_MS);
    expect(r.rows).toEqual([[1], [2], [3]]);
    expect(r.rowCount).toBe(3);
    expect(r.command).toBe('SELECT 3');
    expect(seen).toEqual(['A:c1:between rows', 'N:n1', 'S:application_name=p1', 'A:c2:before complete', 'N:n2', 'A:c3:after complete']);
    expect(conn.parameters.get('application_name')).toBe('p1');
    await conn.close();
  });

  it('while idle: delivered to an attached handler, and the next result is unchanged', async () => {
    let sent = false;
    const { conn } = await open({
      afterReady: (s) => {
        if (sent) return;
        sent = true;
        setTimeout(() => s.send(note('idle', 'x'), notice('idle notice'), param('TimeZone', 'UTC')), 20);
      },
    });
    const seen: string[] = [];
    conn.on('notification', (n: Notification) => seen.push(`A:${n.payload}`)).on('notice', (n: Notice) => seen.push(`N:${n.message}`));
    expect((await conn.run('SELECT 1', [], { format: 'text' })).rows).toEqual([[1]]);
    await expect.poll(() => seen.length, { timeout: WITHIN_MS }).toBe(2);
    expect(seen).toEqual(['A:x', 'N:idle notice']);
    expect((await conn.run('SELECT 2', [], { format: 'text' })).rows).toEqual([[1]]);
    expect(conn.parameters.get('TimeZone')).toBe('UTC');
    await conn.close();
  });

  it('right after AuthenticationOk: notices and parameters during startup are kept, the connection works', async () => {
    server = await startFakeServer(async (s) => {
      await s.expect('StartupMessage');
      s.send({ type: 'AuthenticationOk', code: MessageCode.AUTHENTICATION, auth: 0 }, notice('right after auth'), param('server_version', '18.0'));
      s.send(param('client_encoding', 'UTF8'), notice('before key'), { type: 'BackendKeyData', code: MessageCode.BACKEND_KEY_DATA, processId: 1, secretKey: KEY });
      s.send(notice('before ready'), readyForQuery());
      await serveExtended(s, {});
    });
    const { conn, startup } = await new ConnectionBuilder('u').database('db').connect(server.dial());
    expect(startup.notices.map((n) => n.get('M'))).toEqual(['right after auth', 'before key', 'before ready']);
    expect(conn.parameters.get('server_version')).toBe('18.0');
    expect((await conn.run('SELECT 1', [], { format: 'text' })).rows).toEqual([[1]]);
    await conn.close();
  });

  // Case 20 lists "right after AuthenticationOk" among the points where notifications must be
  // delivered and change no result: the startup keeps them in StartupResult.notifications (no
  // handler can be attached yet). A PostgreSQL backend has no LISTEN before ReadyForQuery; libpq's
  // parser accepts one anyway.
  it('a NotificationResponse right after AuthenticationOk is kept in the startup result, the connection works', async () => {
    server = await startFakeServer(async (s) => {
      await s.expect('StartupMessage');
      s.send({ type: 'AuthenticationOk', code: MessageCode.AUTHENTICATION, auth: 0 }, note('early', 'right after auth'), param('server_version', '18.0'));
      s.send({ type: 'BackendKeyData', code: MessageCode.BACKEND_KEY_DATA, processId: 1, secretKey: KEY }, readyForQuery());
      await serveExtended(s, {});
    });
    const connected = await within(new ConnectionBuilder('u').database('db').connect(server.dial()).then((c) => c, (e: unknown) => e as PgStreamError), WITHIN_MS);
    expect(connected).not.toBeInstanceOf(PgStreamError);
    const { conn, startup } = connected as { conn: Connection; startup: StartupResult };
    expect(startup.notifications).toEqual([{ channel: 'early', payload: 'right after auth', processId: expect.any(Number) }]);
    expect((await conn.run('SELECT 1', [], { format: 'text' })).rows).toEqual([[1]]);
    await conn.close();
  });

  it('a notification handler that throws is isolated: reported once, the other handler and the result unaffected', async () => {
    const { conn } = await open({
      rows: () => ['1', '2'],
      onExecute: (s, _sql, r) => {
        s.sendRow([r[0]!]);
        s.send(note('c', 'boom'));
        s.sendRow([r[1]!]);
        s.send(commandComplete('SELECT 2'));
        return 'handled';
      },
    });
    const boom = new Error('handler failure');
    const reported: unknown[] = [];
    const seen: string[] = [];
    conn.on('error', (e: { error: unknown }) => void reported.push(e.error));
    conn.on('notification', () => {
      throw boom;
    });
    conn.on('notification', (n: Notification) => seen.push(n.payload));
    const r = await within(conn.run('SELECT v', [], { format: 'text' }), WITHIN_MS);
    expect(r.rows).toEqual([[1], [2]]);
    expect(seen).toEqual(['boom']);
    expect(reported).toEqual([boom]);
    expect(conn.closed).toBe(false);
    expect((await conn.run('SELECT 3', [], { format: 'text' })).rows).toEqual([[1], [2]]);
    await conn.close();
  });
});

describe('a value its column decoder refuses (PGS_INVALID_VALUE): K, the framing is intact', () => {
  /** A server whose answer to the `bad`-th Execute is one int4 row of text "1\xff2" (no int4, not UTF-8). */
  const badValueAt = (bad: number): ExtendedScript => {
    let n = 0;
    return {
      onExecute: (s) => {
        if (++n !== bad) return 'continue';
        s.sendRaw(frame('D', new Bytes().i16(1).i32(3).u8(0x31).u8(0xff).u8(0x32)));
        s.send(commandComplete('SELECT 1'));
        return 'handled';
      },
    };
  };

  it('the call rejects with a non-fatal PGS_INVALID_VALUE, within its deadline', async () => {
    const { conn } = await open(badValueAt(1));
    const err = await within(conn.run('SELECT v', [], { format: 'text' }).then(() => null, (e: unknown) => e), WITHIN_MS);
    expect(err).toBeInstanceOf(PgStreamError);
    expect((err as PgStreamError).code).toBe(ErrorCode.INVALID_VALUE);
    expect((err as PgStreamError).fatal).toBe(false);
    expect(conn.closed).toBe(false);
    await conn.close();
  });

  // A value the codec refuses fails its statement only (src/query/statement-op.ts): the rest of
  // its rows are read and dropped, the message stream stays in step, the connection goes on.
  it('after a value its decoder refuses (PGS_INVALID_VALUE, not fatal), the connection stays usable', async () => {
    const { conn } = await open(badValueAt(1));
    await conn.run('SELECT v', [], { format: 'text' }).catch(() => undefined);
    expect(conn.closed).toBe(false);
    const next = await within(conn.run('SELECT 2', [], { format: 'text' }).then((r) => r.rows, (e: unknown) => (e as PgStreamError).code), WITHIN_MS);
    expect(next).toEqual([[1]]);
    await conn.close();
  });

  // The others are settled by their segment's outcome, as if nothing had happened to statement 2.
  it('a value the decoder refuses in statement 2 of a 3-statement pipeline fails statement 2 only', async () => {
    const { conn } = await open(badValueAt(2));
    const p = conn.pipeline();
    const calls = [1, 2, 3].map((i) => watch(p.run(`SELECT ${i}`, [], { format: 'text' })));
    void p.end().catch(() => undefined);
    await allSettled(calls, WITHIN_MS);
    expect((calls[1]!.outcome as PgStreamError).code).toBe(ErrorCode.INVALID_VALUE);
    expect([calls[0]!.fulfilled, calls[2]!.fulfilled]).toEqual([true, true]);
    expect((calls[0]!.outcome as Result).rows).toEqual([[1]]);
    await conn.close();
  });
});
