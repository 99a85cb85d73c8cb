/**
 * Captures for the trace page's browser test (test/browser/trace-page.test.ts): real sessions
 * recorded through the recording proxy (test/support/recording-proxy.ts) against the suite's newest
 * PostgreSQL, and synthetic ones written with the fixture capture writer (test/fixtures).
 */
import net from 'node:net';
import { AuthenticationMode, ConnectionBuilder } from '../../src/index.js';
import type { Connection } from '../../src/index.js';
import { authenticationOk, commandComplete, dataRow, readyForQuery, rowDescription } from '../fixtures/backend-bytes.js';
import { Conversation, frame, LINK_ETHERNET, writePcap } from '../fixtures/capture-writer.js';
import { fxQuery, fxStartupMessage, V3_0 } from '../fixtures/frontend-bytes.js';
import { pgServer, TEST_ROLES } from './facts.js';
import { startRecordingProxy } from './recording-proxy.js';

const SCRAM_USER = 'scram_user';

/** Reads messages up to ReadyForQuery. */
async function untilReady(conn: Connection): Promise<void> {
  for (;;) if ((await conn.recv()).type === 'ReadyForQuery') return;
}

/** Records sessions through a recording proxy to the newest server; returns the pcap. */
export async function record(sessions: ((port: number) => Promise<void>)[]): Promise<Uint8Array> {
  const server = pgServer();
  const proxy = await startRecordingProxy({ host: server.host, port: server.port });
  for (const session of sessions) await session(proxy.port);
  await proxy.close();
  return proxy.pcap();
}

/** SCRAM, a simple query, an extended query with a parameter, an error. */
export async function scramSession(port: number): Promise<void> {
  const { conn } = await new ConnectionBuilder(SCRAM_USER)
    .database('postgres')
    .auth(AuthenticationMode.password(TEST_ROLES.scram_user.password))
    .connect(net.connect(port, '127.0.0.1'));
  conn.query("SELECT 1 AS one, 'two' AS two");
  await conn.flush();
  await untilReady(conn);
  await conn.run('SELECT $1::int4 + 1 AS answer', [41]);
  conn.query('SELECT 1/0');
  await conn.flush();
  await untilReady(conn);
  await conn.close();
}

/** A second, short session (trust). */
export async function trustSession(port: number): Promise<void> {
  const { conn } = await new ConnectionBuilder('trust_user').database('postgres').connect(net.connect(port, '127.0.0.1'));
  await conn.run('SELECT current_user');
  await conn.close();
}

/** A session that asks for TLS and gets it: the capture holds SSLRequest, `S`, then encrypted bytes. */
export async function tlsSession(port: number): Promise<void> {
  const { conn } = await new ConnectionBuilder('trust_user').database('postgres').sslmode('require').connect(net.connect(port, '127.0.0.1'));
  await conn.run('SELECT 1');
  await conn.close();
}

/** A capture of one TCP connection that is not PostgreSQL (an HTTP request). */
export function httpCapture(): Uint8Array {
  const c = new Conversation({ address: '192.0.2.10', port: 40000 }, { address: '192.0.2.1', port: 80 }).handshake();
  c.send('client', new TextEncoder().encode('GET / HTTP/1.1\r\nHost: example\r\n\r\n')).send('server', new TextEncoder().encode('HTTP/1.1 204 No Content\r\n\r\n')).close();
  return writePcap({ linkType: LINK_ETHERNET }, c.segments.map((seg, i) => ({ ts: 1_700_000_000_000_000n + BigInt(i) * 1000n, data: frame(LINK_ETHERNET, c.ip(seg)) })));
}

/** A capture of a session whose one query returns `rows` rows (more than the page puts in the document at once). */
export function manyRowsCapture(rows: number): Uint8Array {
  const c = new Conversation({ address: '192.0.2.10', port: 40001 }, { address: '192.0.2.1', port: 5432 }).handshake();
  c.send('client', fxStartupMessage(V3_0, [['user', 'alice'], ['database', 'db']]));
  c.send('server', authenticationOk()).send('server', readyForQuery('I'));
  c.send('client', fxQuery(`SELECT g FROM generate_series(1, ${rows}) g`));
  c.send('server', rowDescription([{ name: 'g', tableOid: 0, columnAttr: 0, typeOid: 23, typeSize: 4, typeModifier: -1, format: 0 }]));
  for (let i = 1; i <= rows; i++) c.send('server', dataRow([String(i)]));
  c.send('server', commandComplete(`SELECT ${rows}`)).send('server', readyForQuery('I')).close();
  return writePcap({ linkType: LINK_ETHERNET }, c.segments.map((seg, i) => ({ ts: 1_700_000_000_000_000n + BigInt(i) * 1000n, data: frame(LINK_ETHERNET, c.ip(seg)) })));
}
