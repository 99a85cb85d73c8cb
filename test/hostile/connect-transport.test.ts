/**
 * `ConnectionBuilder.connectTransport(transport)`: the transport-neutral session over a carrier
 * that is not a Node socket — the in-memory pair of test/support/memory-transport.ts, with the
 * project's fake server on the other end. Runs the README's quick start through it, and checks
 * that the transport's properties (confidential, sendCancelRequest) reach authentication and
 * cancel, and that a failing transport rejects the connect with a typed error.
 */
import { describe, expect, it } from 'vitest';
import { AuthenticationMode, ConnectionBuilder, ErrorCode, MessageCode, PgStreamError } from '../../src/browser.js';
import type { BackendMessage } from '../../src/browser.js';
import { StartupCode } from '../../src/protocol/codes.js';
import { auth } from '../support/fake-server.js';
import { trustAndServe } from '../support/fake-client.js';
import { memoryPair } from '../support/memory-transport.js';

describe('connectTransport over an in-memory transport', () => {
  it('runs the quick start: startup, server_version, SELECT to ReadyForQuery', async () => {
    const pair = memoryPair(trustAndServe);
    const { conn, startup } = await new ConnectionBuilder('postgres')
      .database('mydb')
      .auth(AuthenticationMode.password('secret'))
      .connectTransport(pair.transport);
    expect(startup.parameters.get('server_version')).toBe('18.0 (fake)');
    conn.query('SELECT version()');
    await conn.flush();
    const seen: string[] = [];
    for (;;) {
      const msg: BackendMessage = conn.tryRecv() ?? (await conn.recv());
      seen.push(msg.type);
      if (msg.code === MessageCode.READY_FOR_QUERY) break;
    }
    expect(seen).toEqual(['RowDescription', 'DataRow', 'CommandComplete', 'ReadyForQuery']);
    await conn.close();
    const session = await pair.finished;
    expect(session.error).toBeUndefined();
    expect(session.types).toEqual(['StartupMessage', 'Query', 'Terminate']);
    const first = session.received[0];
    expect(first?.type === 'StartupMessage' ? [...first.parameters] : []).toEqual([
      ['user', 'postgres'],
      ['client_encoding', 'UTF8'],
      ['database', 'mydb'],
    ]);
  });

  it('refuses a cleartext password over a transport that is neither encrypted nor confidential', async () => {
    const pair = memoryPair(async (s) => {
      await s.expect('StartupMessage');
      s.send(auth.cleartext());
      await s.silence();
    });
    const err = await new ConnectionBuilder('u').auth(AuthenticationMode.password('sentinel-pw')).connectTransport(pair.transport).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PgStreamError);
    expect((err as PgStreamError).code).toBe(ErrorCode.AUTH_CLEARTEXT_INSECURE);
    expect(String((err as Error).stack)).not.toContain('sentinel-pw');
    expect(pair.transport.error).not.toBeNull();
  });

  it('sends a cleartext password over a confidential transport (like a Unix socket)', async () => {
    const pair = memoryPair(async (s) => {
      await s.expect('StartupMessage');
      s.send(auth.cleartext());
      const pw = await s.expect('PasswordMessage');
      expect(pw.password).toBe('pw');
      s.sendReady({ authOk: true });
      await s.serveQueries();
    });
    Object.defineProperty(pair.transport, 'confidential', { value: true });
    const { conn, startup } = await new ConnectionBuilder('u').auth(AuthenticationMode.password('pw')).connectTransport(pair.transport);
    expect(startup.authMethod).toBe('password');
    await conn.close();
    expect((await pair.finished).error).toBeUndefined();
  });

  it('cancels through the transport\'s own sender, with the key from BackendKeyData', async () => {
    const pair = memoryPair(async (s) => {
      await s.expect('StartupMessage');
      s.sendReady({ processId: 777, secretKey: Uint8Array.of(9, 8, 7, 6) });
      await s.serveQueries();
    });
    const packets: Uint8Array[] = [];
    pair.transport.sendCancelRequest = async (packet) => {
      packets.push(packet.slice());
    };
    const { conn } = await new ConnectionBuilder('u').connectTransport(pair.transport);
    await conn.cancel();
    expect(packets).toHaveLength(1);
    const view = new DataView(packets[0]!.buffer);
    expect(view.getInt32(0)).toBe(16);
    expect(view.getInt32(4)).toBe(StartupCode.CANCEL_REQUEST);
    expect(view.getInt32(8)).toBe(777);
    expect([...packets[0]!.subarray(12)]).toEqual([9, 8, 7, 6]);
    await conn.close();
  });

  it('without a way to reach the server again, cancel() is a typed client error', async () => {
    const pair = memoryPair(trustAndServe);
    const { conn } = await new ConnectionBuilder('u').connectTransport(pair.transport);
    await expect(conn.cancel()).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
    await conn.close();
  });

  it('a server that closes during startup rejects the connect with PGS_CONNECTION_CLOSED', async () => {
    const pair = memoryPair(async (s) => {
      await s.expect('StartupMessage');
      s.close();
    });
    await expect(new ConnectionBuilder('u').connectTransport(pair.transport)).rejects.toMatchObject({ code: ErrorCode.CONNECTION_CLOSED });
  });

  it('refuses something that is not a transport', async () => {
    await expect(new ConnectionBuilder('u').connectTransport({} as never)).rejects.toMatchObject({ code: ErrorCode.INVALID_ARGUMENT });
  });
});
