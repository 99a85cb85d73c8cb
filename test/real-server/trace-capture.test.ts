/**
 * The trace tool on a real session: a client of this library talks to the suite's PostgreSQL
 * (newest version) through a recording proxy (test/support/recording-proxy.ts) that writes what
 * went by as a pcap — startup, SCRAM with a password role, a simple and an extended query, an
 * error, COPY FROM STDIN, COPY TO STDOUT, LISTEN and a notification sent from another session. The
 * capture is decoded by our trace tool and by Wireshark's tshark, the independent decoder: both
 * must see the same messages (direction, type byte, length) in the same order. Our lines must also
 * equal the library's own PQtrace of the session, direction by direction, and `pg-stream trace`
 * must print them with the capture times. A second capture records SSLRequest answered `N` by the
 * server that runs with ssl=off.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationMode, ConnectionBuilder, int4, oid } from '../../src/index.js';
import type { BackendMessage, Connection } from '../../src/index.js';
import { collectTrace, scanCapture, traceCaptureSession } from '../../src/tools/trace/index.js';
import { pgNoTls, pgServer, TEST_ROLES } from '../support/facts.js';
import { startRecordingProxy } from '../support/recording-proxy.js';
import { ensureTshark, tsharkMessages, type TsharkMessage } from '../support/tshark.js';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pg-stream-trace-real-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Protocol type bytes of the messages named in PQtrace lines (protocol-message-formats.html). */
const TYPE_BYTES: Record<'F' | 'B', Record<string, string | null>> = {
  F: {
    StartupMessage: null, SSLRequest: null, Query: 'Q', Parse: 'P', Bind: 'B', Execute: 'E', Describe: 'D', Sync: 'S', Flush: 'H',
    Close: 'C', Terminate: 'X', CopyData: 'd', CopyDone: 'c', CopyFail: 'f', FunctionCall: 'F',
    SASLInitialResponse: 'p', SASLResponse: 'p', PasswordMessage: 'p', GSSResponse: 'p',
  },
  B: {
    AuthenticationOk: 'R', AuthenticationSASL: 'R', AuthenticationSASLContinue: 'R', AuthenticationSASLFinal: 'R',
    ParameterStatus: 'S', BackendKeyData: 'K', ReadyForQuery: 'Z', RowDescription: 'T', DataRow: 'D', CommandComplete: 'C',
    ErrorResponse: 'E', NoticeResponse: 'N', ParseComplete: '1', BindComplete: '2', CloseComplete: '3', NoData: 'n',
    ParameterDescription: 't', CopyInResponse: 'G', CopyOutResponse: 'H', CopyData: 'd', CopyDone: 'c', NotificationResponse: 'A',
    EmptyQueryResponse: 'I', PortalSuspended: 's', NegotiateProtocolVersion: 'v',
  },
};

/** Direction, type byte and length of a PQtrace line, as tshark reports a message. */
function asMessage(line: string): TsharkMessage {
  const [direction, length, name] = line.split('\t') as ['F' | 'B', string, string];
  const type = TYPE_BYTES[direction][name];
  if (type === undefined) throw new Error(`no type byte known for ${direction} ${name}`);
  return { frontend: direction === 'F', type, length: Number(length) };
}

async function untilReady(conn: Connection): Promise<string[]> {
  const types: string[] = [];
  for (;;) {
    const msg: BackendMessage = await conn.recv();
    types.push(msg.type);
    if (msg.type === 'ReadyForQuery') return types;
  }
}

const SCRAM_USER = 'scram_user';

describe('a real session through a recording proxy', () => {
  let tshark = '';
  let capture = '';
  let serverPort = 0;
  let libraryTrace: string[] = [];
  let started = 0;
  let finished = 0;

  beforeAll(async () => {
    tshark = ensureTshark();
    const server = pgServer();
    const proxy = await startRecordingProxy({ host: server.host, port: server.port });
    serverPort = proxy.serverPort;
    started = Date.now();
    const trace: string[] = [];
    const { conn } = await new ConnectionBuilder(SCRAM_USER)
      .database('postgres')
      .auth(AuthenticationMode.password(TEST_ROLES.scram_user.password))
      .trace((line) => trace.push(line))
      .connect(net.connect(proxy.port, '127.0.0.1'));

    conn.query("SELECT 1 AS one, 'two' AS two");
    await conn.flush();
    await untilReady(conn);

    conn.parse('s1').query('SELECT $1::int4 + 1').paramTypes([oid.INT4]).finish().bind(null).statement('s1').finish([int4(41)]).execute(null).sync();
    await conn.flush();
    await untilReady(conn);

    conn.query('SELECT 1/0');
    await conn.flush();
    expect(await untilReady(conn)).toEqual(['ErrorResponse', 'ReadyForQuery']);

    conn.query('CREATE TEMP TABLE t (id int, name text)');
    await conn.flush();
    await untilReady(conn);
    conn.query('COPY t FROM STDIN');
    await conn.flush();
    expect((await conn.recv()).type).toBe('CopyInResponse');
    conn.copyData('1\tone\n').copyData('2\ttwo\n').copyDone();
    await conn.flush();
    await untilReady(conn);

    conn.query('COPY t TO STDOUT');
    await conn.flush();
    await untilReady(conn);

    conn.query('LISTEN jobs');
    await conn.flush();
    await untilReady(conn);
    // Another session notifies: the NotificationResponse arrives while this one is idle.
    const { conn: other } = await new ConnectionBuilder(SCRAM_USER).database('postgres')
      .auth(AuthenticationMode.password(TEST_ROLES.scram_user.password))
      .connect(net.connect(server.port, server.host));
    other.query("NOTIFY jobs, 'done'");
    await other.flush();
    await untilReady(other);
    await other.close();
    const note = await conn.recv();
    expect(note.type).toBe('NotificationResponse');

    await conn.close();
    await proxy.close();
    finished = Date.now();
    libraryTrace = trace;
    capture = join(dir, 'session.pcap');
    writeFileSync(capture, proxy.pcap());
  }, 600_000);

  const ours = (): string[] => {
    const scan = scanCapture(readFileSync(capture));
    expect(scan.error).toBeNull();
    expect(scan.sessions).toHaveLength(1);
    const r = collectTrace(traceCaptureSession(scan.sessions[0]!, { timestamps: false }));
    expect(r.error).toBeNull();
    return r.lines;
  };

  it('our trace has every message of the session', () => {
    const names = ours().map((l) => `${l.split('\t')[0]} ${l.split('\t')[2]}`).filter((n) => n !== 'B ParameterStatus');
    expect(names).toEqual([
      'F StartupMessage', 'B AuthenticationSASL', 'F SASLInitialResponse', 'B AuthenticationSASLContinue', 'F SASLResponse',
      'B AuthenticationSASLFinal', 'B AuthenticationOk', 'B BackendKeyData', 'B ReadyForQuery',
      'F Query', 'B RowDescription', 'B DataRow', 'B CommandComplete', 'B ReadyForQuery',
      'F Parse', 'F Bind', 'F Execute', 'F Sync', 'B ParseComplete', 'B BindComplete', 'B DataRow', 'B CommandComplete', 'B ReadyForQuery',
      'F Query', 'B ErrorResponse', 'B ReadyForQuery',
      'F Query', 'B CommandComplete', 'B ReadyForQuery',
      'F Query', 'B CopyInResponse', 'F CopyData', 'F CopyData', 'F CopyDone', 'B CommandComplete', 'B ReadyForQuery',
      'F Query', 'B CopyOutResponse', 'B CopyData', 'B CopyData', 'B CopyDone', 'B CommandComplete', 'B ReadyForQuery',
      'F Query', 'B CommandComplete', 'B ReadyForQuery',
      'B NotificationResponse',
      'F Terminate',
    ]);
    const lines = ours();
    expect(lines[0]).toMatch(/^F\t\d+\tStartupMessage\t 3 0 .*"user" "scram_user" .*"database" "postgres"/);
    expect(lines).toContain('F\t34\tQuery\t "SELECT 1 AS one, \'two\' AS two"');
    expect(lines).toContain('B\t18\tDataRow\t 2 1 \'1\' 3 \'two\'');
    expect(lines).toContain('F\t33\tParse\t "s1" "SELECT $1::int4 + 1" 1 23');
    expect(lines).toContain("F\t24\tBind\t \"\" \"s1\" 1 1 1 4 '\\x00\\x00\\x00)' 0");
    expect(lines).toContain("B\t12\tDataRow\t 1 2 '42'");
    expect(lines.find((l) => l.includes('ErrorResponse'))).toMatch(/ C "22012" M "division by zero"/);
    expect(lines).toContain("F\t10\tCopyData\t '1\\x09one\\x0a'");
    expect(lines).toContain("B\t10\tCopyData\t '2\\x09two\\x0a'");
    expect(lines.find((l) => l.includes('NotificationResponse'))).toMatch(/^B\t\d+\tNotificationResponse\t \d+ "jobs" "done"$/);
  });

  it('tshark, the independent decoder, sees the same messages in the same order', () => {
    expect(tshark).toMatch(/TShark/);
    const theirs = tsharkMessages(capture, serverPort);
    expect(theirs.length).toBeGreaterThan(40);
    expect(ours().map(asMessage)).toEqual(theirs);
  });

  it("our trace equals the library's own PQtrace of the session, direction by direction", () => {
    const side = (lines: string[], d: string): string[] => lines.filter((l) => l.startsWith(`${d}\t`));
    expect(libraryTrace.length).toBeGreaterThan(40);
    expect(side(ours(), 'F')).toEqual(side(libraryTrace, 'F'));
    expect(side(ours(), 'B')).toEqual(side(libraryTrace, 'B'));
  });

  it('pg-stream trace prints the session with the capture times', () => {
    const r = spawnSync(process.execPath, ['--import', './test/support/ts-loader.mjs', 'src/tools/trace/cli.ts', 'trace', capture], {
      cwd: root, env: { ...process.env, TZ: 'UTC' }, encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const printed = r.stdout.split('\n').filter((l) => l !== '');
    const stamp = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})\t/;
    expect(printed.map((l) => l.replace(stamp, ''))).toEqual(ours());
    const times = printed.map((l) => Date.parse(`${stamp.exec(l)![1]!.replace(' ', 'T')}Z`));
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThanOrEqual(times[i - 1]!);
    expect(times[0]!).toBeGreaterThanOrEqual(started - 1);
    expect(times[times.length - 1]!).toBeLessThanOrEqual(finished + 1);
  });
});

describe('SSLRequest answered N by a real server', () => {
  it('traces SSLRequest and SSLResponse N, then the plaintext session; tshark agrees on the messages', async () => {
    ensureTshark();
    const server = pgNoTls();
    const proxy = await startRecordingProxy({ host: server.host, port: server.port });
    const { conn } = await new ConnectionBuilder(SCRAM_USER)
      .database('postgres')
      .auth(AuthenticationMode.password(TEST_ROLES.scram_user.password))
      .sslmode('prefer')
      .connect(net.connect(proxy.port, '127.0.0.1'));
    conn.query('SELECT 42');
    await conn.flush();
    await untilReady(conn);
    await conn.close();
    await proxy.close();
    const path = join(dir, 'ssl-n.pcap');
    writeFileSync(path, proxy.pcap());
    const scan = scanCapture(readFileSync(path));
    const r = collectTrace(traceCaptureSession(scan.sessions[0]!, { timestamps: false }));
    expect(r.error).toBeNull();
    expect(r.lines.slice(0, 3).map((l) => l.split('\t').slice(0, 3).join(' '))).toEqual(['F 8 SSLRequest', 'B 1 SSLResponse', 'F ' + r.lines[2]!.split('\t')[1] + ' StartupMessage']);
    expect(r.lines[1]).toBe('B\t1\tSSLResponse\t N');
    expect(r.lines).toContain('F\t14\tQuery\t "SELECT 42"');
    // tshark dissects the SSLRequest as a message and the one-byte answer not at all.
    const theirs = tsharkMessages(path, proxy.serverPort);
    expect(r.lines.filter((l) => !l.includes('SSLResponse')).map(asMessage)).toEqual(theirs);
  }, 120_000);
});
