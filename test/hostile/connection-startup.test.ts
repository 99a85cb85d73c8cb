/**
 * Startup against a scripted fake server: the SSLRequest answer checks (CVE-2021-23222 injected
 * bytes, CVE-2024-10977 error text, downgrade refusal, invalid answers), connect timeouts at each
 * silent step, NegotiateProtocolVersion and BackendKeyData rules, the first-reply rule, a close
 * before ReadyForQuery, startup errors, and the auth policies checked before anything is sent.
 * A script that ends with an error (an assertion inside it) fails its test (afterEach).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AuthError,
  AuthenticationMode,
  ConnectionBuilder,
  ConnectionError,
  ErrorCode,
  ProtocolError,
  ProtocolVersion,
  ServerError,
  TlsError,
} from '../../src/index.js';
import type { PgStreamError } from '../../src/index.js';
import { B, fakeServer, happyStartup, PACKET } from '../support/connection-fake.js';
import { Bytes } from '../fixtures/bytes.js';
import type { FakeServer, Peer } from '../support/connection-fake.js';

let server: FakeServer | null = null;
/** Errors the scripts ended with, other than the client going away: each fails its test. */
const scriptErrors: unknown[] = [];
afterEach(async () => {
  await server?.close();
  server = null;
  // Scripts still waiting for the client end when close() destroys their sockets.
  await new Promise((r) => setTimeout(r, 10));
  const errors = scriptErrors.splice(0);
  expect(errors.map((e) => String((e as Error)?.stack ?? e)), 'a server script failed').toEqual([]);
});

async function serve(script: (peer: Peer) => Promise<void>): Promise<FakeServer> {
  server = await fakeServer(async (peer) => {
    try {
      await script(peer);
    } catch (err) {
      // The client going away while the script waits for its bytes is an expected ending.
      if (!(err instanceof Error && err.message.startsWith('client closed;'))) scriptErrors.push(err);
      throw err;
    }
  });
  return server;
}

async function failure(p: Promise<unknown>): Promise<PgStreamError> {
  try {
    await p;
  } catch (err) {
    return err as PgStreamError;
  }
  throw new Error('expected a rejection');
}

function dial(s: FakeServer): net.Socket {
  return net.connect(s.port, '127.0.0.1');
}

const neverUpgrade = async (): Promise<never> => {
  throw new Error('the upgrade must not be called');
};

describe('SSLRequest answers', () => {
  it('S followed by injected bytes in the same chunk is PGS_TLS_INJECTED_BYTES, before any upgrade', async () => {
    const s = await serve(async (peer) => {
      const p = await peer.startupPacket();
      expect(p.code).toBe(PACKET.SSL_REQUEST);
      // 'S' and a whole plaintext AuthenticationOk in one write: must never be read as if encrypted.
      peer.write(Uint8Array.of(...B.char('S'), ...B.authOk()));
    });
    let upgraded = false;
    const err = await failure(
      new ConnectionBuilder('u').connectWithTls(dial(s), async () => {
        upgraded = true;
        throw new Error('no');
      }),
    );
    expect(err).toBeInstanceOf(TlsError);
    expect(err.code).toBe(ErrorCode.TLS_INJECTED_BYTES);
    expect(upgraded).toBe(false);
    await s.peers[0]!.closed();
  });

  it('an E answer closes with a fixed message that never shows the server text', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.error({ S: 'FATAL', C: '28000', M: 'attacker controlled text' }));
    });
    const err = await failure(new ConnectionBuilder('u').connectWithTls(dial(s), neverUpgrade));
    expect(err).toBeInstanceOf(TlsError);
    expect(err.code).toBe(ErrorCode.TLS_REQUEST_REJECTED);
    expect(err.message).not.toContain('attacker');
    expect(String(err.cause ?? '')).not.toContain('attacker');
  });

  it('N under sslmode=require is PGS_TLS_REFUSED and no StartupMessage is sent', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.char('N'));
      await peer.closed();
    });
    const err = await failure(new ConnectionBuilder('u').sslmode('require').connect(dial(s)));
    expect(err.code).toBe(ErrorCode.TLS_REFUSED);
    const peer = s.peers[0]!;
    await peer.closed();
    expect(peer.received.length).toBe(8);
    expect(peer.unread).toBe(0);
  });

  it('N under sslmode=prefer continues in plaintext', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.char('N'));
      const startup = await peer.startupPacket();
      expect(startup.code).toBe(PACKET.V3_0);
      happyStartup(peer);
    });
    const { conn, startup } = await new ConnectionBuilder('u').sslmode('prefer').connect(dial(s));
    expect(startup.encrypted).toBe(false);
    expect(startup.processId).toBe(4242);
    await conn.close();
  });

  it('anything but S/N/E is PGS_TLS_INVALID_RESPONSE', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.char('X'));
    });
    const err = await failure(new ConnectionBuilder('u').connectWithTls(dial(s), neverUpgrade));
    expect(err.code).toBe(ErrorCode.TLS_INVALID_RESPONSE);
  });

  it('a server closing instead of answering is a ConnectionError', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.socket.end();
    });
    const err = await failure(new ConnectionBuilder('u').connectWithTls(dial(s), neverUpgrade));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.code).toBe(ErrorCode.CONNECTION_CLOSED);
  });
});

describe('connect timeout', () => {
  it('fires against a server that accepts and says nothing, and destroys the socket', async () => {
    const s = await serve(async (peer) => {
      await peer.closed();
    });
    const t0 = performance.now();
    const err = await failure(new ConnectionBuilder('u').connectTimeout(300).connect(dial(s)));
    const elapsed = performance.now() - t0;
    expect(err.code).toBe(ErrorCode.CONNECT_TIMEOUT);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
    await s.peers[0]!.closed();
  });

  it('fires when the server is silent after SSLRequest', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      await peer.closed();
    });
    const err = await failure(new ConnectionBuilder('u').connectTimeout(300).connectWithTls(dial(s), neverUpgrade));
    expect(err.code).toBe(ErrorCode.CONNECT_TIMEOUT);
    await s.peers[0]!.closed();
  });

  it('fires when the caller upgrade never completes', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.char('S'));
      await peer.closed();
    });
    const err = await failure(
      new ConnectionBuilder('u').connectTimeout(300).connectWithTls(dial(s), () => new Promise<never>(() => undefined)),
    );
    expect(err.code).toBe(ErrorCode.CONNECT_TIMEOUT);
    await s.peers[0]!.closed();
  });

  it('fires mid-authentication (server silent after the password)', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.authMd5([1, 2, 3, 4]));
      await peer.closed();
    });
    const err = await failure(
      new ConnectionBuilder('u').auth(AuthenticationMode.password('pw')).connectTimeout(300).connect(dial(s)),
    );
    expect(err.code).toBe(ErrorCode.CONNECT_TIMEOUT);
  });
});

describe('startup replies', () => {
  it('a first reply that is not Authentication/ErrorResponse/NegotiateProtocolVersion is a ProtocolError', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.ready());
    });
    const err = await failure(new ConnectionBuilder('u').connect(dial(s)));
    expect(err).toBeInstanceOf(ProtocolError);
    expect(err.code).toBe(ErrorCode.UNEXPECTED_MESSAGE);
  });

  it('ErrorResponse during startup is a ServerError with its SQLSTATE and never the password', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.authMd5([9, 9, 9, 9]));
      await peer.message();
      peer.write(B.error({ S: 'FATAL', V: 'FATAL', C: '28P01', M: 'password authentication failed for user "u"' }));
    });
    const err = await failure(
      new ConnectionBuilder('u').auth(AuthenticationMode.password('hunter2-secret')).connect(dial(s)),
    );
    expect(err).toBeInstanceOf(ServerError);
    expect((err as ServerError).sqlstate).toBe('28P01');
    expect(err.fatal).toBe(true);
    expect(JSON.stringify({ m: err.message, s: err.stack })).not.toContain('hunter2');
  });

  for (const sqlstate of ['3D000', '53300', '57P03']) {
    it(`startup ErrorResponse ${sqlstate} surfaces its SQLSTATE`, async () => {
      const s = await serve(async (peer) => {
        await peer.startupPacket();
        peer.write(B.error({ S: 'FATAL', C: sqlstate, M: 'no' }));
      });
      const err = await failure(new ConnectionBuilder('u').connect(dial(s)));
      expect((err as ServerError).sqlstate).toBe(sqlstate);
    });
  }

  it('a connection closed after AuthenticationOk but before ReadyForQuery rejects', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.authOk(), B.paramStatus('server_version', '18.0'));
      peer.socket.end();
    });
    const err = await failure(new ConnectionBuilder('u').connect(dial(s)));
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err.code).toBe(ErrorCode.CONNECTION_CLOSED);
  });

  it('collects notices, parameters and the key, and reports the transaction status', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.authOk(), B.notice('hello'), B.paramStatus('TimeZone', 'UTC'), B.keyData(7, Uint8Array.of(9, 8, 7, 6)), B.ready('I'));
    });
    const { conn, startup } = await new ConnectionBuilder('u').connect(dial(s));
    expect(startup.parameters.get('TimeZone')).toBe('UTC');
    expect(startup.notices.map((n) => n.get('M'))).toEqual(['hello']);
    expect(startup.processId).toBe(7);
    expect([...startup.secretKey]).toEqual([9, 8, 7, 6]);
    expect(startup.authMethod).toBe('trust');
    expect(conn.parameters.get('TimeZone')).toBe('UTC');
    await conn.close();
  });
});

describe('protocol negotiation', () => {
  it('a 3.0 server answering a 3.2 request downgrades (NegotiateProtocolVersion before auth)', async () => {
    const s = await serve(async (peer) => {
      const p = await peer.startupPacket();
      expect(p.code).toBe(PACKET.V3_2);
      peer.write(B.negotiate(0));
      happyStartup(peer);
    });
    const { conn, startup } = await new ConnectionBuilder('u').protocol('3.2').connect(dial(s));
    expect(startup.protocol).toBe(ProtocolVersion.V3_0);
    expect(conn.protocol).toBe(ProtocolVersion.V3_0);
    await conn.close();
  });

  it('NegotiateProtocolVersion after AuthenticationOk is accepted', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.authOk(), B.negotiate(0), B.keyData(1, Uint8Array.of(1, 2, 3, 4)), B.ready());
    });
    const { conn, startup } = await new ConnectionBuilder('u').protocol('3.2').connect(dial(s));
    expect(startup.protocol).toBe(ProtocolVersion.V3_0);
    await conn.close();
  });

  it('a version higher than asked is PGS_PROTOCOL_VERSION', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.negotiate(2));
    });
    const err = await failure(new ConnectionBuilder('u').connect(dial(s)));
    expect(err.code).toBe(ErrorCode.PROTOCOL_VERSION);
  });

  it('a downgrade below the minimum is PGS_PROTOCOL_VERSION', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.negotiate(0));
    });
    const err = await failure(new ConnectionBuilder('u').protocol({ min: '3.2', max: '3.2' }).connect(dial(s)));
    expect(err.code).toBe(ErrorCode.PROTOCOL_VERSION);
  });

  it('an unrequested protocol option in the list is PGS_PROTOCOL_VERSION', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.negotiate(0, ['_pq_.surprise']));
    });
    const err = await failure(new ConnectionBuilder('u').protocol('3.2').connect(dial(s)));
    expect(err.code).toBe(ErrorCode.PROTOCOL_VERSION);
  });

  it('a requested protocol option the server does not know is reported', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.negotiate(2, ['_pq_.feature']));
      happyStartup(peer);
    });
    const { conn, startup } = await new ConnectionBuilder('u').protocol('3.2').option('_pq_.feature', 'on').connect(dial(s));
    expect(startup.unsupportedOptions).toEqual(['_pq_.feature']);
    expect(startup.protocol).toBe(ProtocolVersion.V3_2);
    await conn.close();
  });

  it('a malformed option list is a ProtocolError', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      // Version 3.0, claims 3 options but carries one.
      peer.write(Uint8Array.of(0x76, 0, 0, 0, 14, 0, 3, 0, 0, 0, 0, 0, 3, 0x61, 0));
    });
    const err = await failure(new ConnectionBuilder('u').protocol('3.2').connect(dial(s)));
    expect(err).toBeInstanceOf(ProtocolError);
  });

  it('NegotiateProtocolVersion twice is a ProtocolError', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.negotiate(0), B.negotiate(0));
    });
    const err = await failure(new ConnectionBuilder('u').protocol('3.2').connect(dial(s)));
    expect(err).toBeInstanceOf(ProtocolError);
  });

  it('a 32-byte cancel key is accepted under 3.2', async () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => i);
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      happyStartup(peer, key);
    });
    const { conn, startup } = await new ConnectionBuilder('u').protocol('3.2').connect(dial(s));
    expect([...startup.secretKey]).toEqual([...key]);
    await conn.close();
  });

  it('a key of other than 4 bytes under 3.0 is a ProtocolError', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      happyStartup(peer, new Uint8Array(8));
    });
    const err = await failure(new ConnectionBuilder('u').connect(dial(s)));
    expect(err).toBeInstanceOf(ProtocolError);
  });

  it('a key over 256 bytes under 3.2 is a ProtocolError', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      happyStartup(peer, new Uint8Array(257));
    });
    const err = await failure(new ConnectionBuilder('u').protocol('3.2').connect(dial(s)));
    expect(err).toBeInstanceOf(ProtocolError);
  });
});

describe('authentication policy before anything is sent', () => {
  it('a cleartext password request over plaintext is refused and no password is sent', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.authCleartext());
      await peer.closed();
    });
    const err = await failure(new ConnectionBuilder('u').auth(AuthenticationMode.password('pw')).connect(dial(s)));
    expect(err).toBeInstanceOf(AuthError);
    expect(err.code).toBe(ErrorCode.AUTH_CLEARTEXT_INSECURE);
    await s.peers[0]!.closed();
    expect(s.peers[0]!.unread).toBe(0);
  });

  it('require_auth refuses a method not on the list', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.authMd5([1, 2, 3, 4]));
      await peer.closed();
    });
    const err = await failure(
      new ConnectionBuilder('u').auth(AuthenticationMode.password('pw')).requireAuth('scram-sha-256').connect(dial(s)),
    );
    expect(err.code).toBe(ErrorCode.AUTH_METHOD_NOT_ALLOWED);
    await s.peers[0]!.closed();
    expect(s.peers[0]!.unread).toBe(0);
  });

  it('require_auth refuses a server that skips authentication', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      happyStartup(peer);
    });
    const err = await failure(new ConnectionBuilder('u').requireAuth('md5').connect(dial(s)));
    expect(err.code).toBe(ErrorCode.AUTH_METHOD_NOT_ALLOWED);
  });

  it('AuthenticationOk before the SCRAM exchange completed is fatal', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.authSasl('SCRAM-SHA-256'));
      const m = await peer.message();
      expect(m.type).toBe('p');
      peer.write(B.authOk(), B.keyData(1, Uint8Array.of(1, 2, 3, 4)), B.ready());
    });
    const err = await failure(new ConnectionBuilder('u').auth(AuthenticationMode.password('pw')).connect(dial(s)));
    expect(err).toBeInstanceOf(AuthError);
  });

  it('a password request with trust credentials is PGS_AUTH_PASSWORD_REQUIRED', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      peer.write(B.authMd5([1, 2, 3, 4]));
    });
    const err = await failure(new ConnectionBuilder('u').connect(dial(s)));
    expect(err.code).toBe(ErrorCode.AUTH_PASSWORD_REQUIRED);
  });
});

describe('after startup', () => {
  it('a malformed message fails every pending and later recv()/flush() with the same error', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      happyStartup(peer);
      await peer.message();
      peer.write(Uint8Array.of(0x01, 0, 0, 0, 4));
    });
    const { conn } = await new ConnectionBuilder('u').connect(dial(s));
    conn.query('SELECT 1');
    await conn.flush();
    const e1 = await failure(conn.recv());
    expect(e1).toBeInstanceOf(ProtocolError);
    const e2 = await failure(conn.recv());
    const e3 = await failure(conn.flush());
    expect(e2).toBe(e1);
    expect(e3).toBe(e1);
    await s.peers[0]!.closed();
    await conn.close();
  });

  it('a pending recv() rejects when the server goes away, and close() stays quiet', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      happyStartup(peer);
      await peer.message();
      peer.socket.destroy();
    });
    const { conn } = await new ConnectionBuilder('u').connect(dial(s));
    const pending = conn.recv();
    conn.query('SELECT 1');
    await conn.flush().catch(() => undefined);
    const err = await failure(pending);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(await failure(conn.recv())).toBe(err);
    await conn.close();
    await conn.close();
  });

  it('a desynchronised answer (DataRow without RowDescription, ReadyForQuery owed to nothing) is fatal', async () => {
    const dataRow = new Bytes().i16(1).i32(1).str('x').frame('D');
    for (const reply of [[dataRow], [B.commandComplete('SELECT 0'), B.ready(), B.ready()]]) {
      const s = await serve(async (peer) => {
        await peer.startupPacket();
        happyStartup(peer);
        await peer.message();
        peer.write(...reply);
      });
      const { conn } = await new ConnectionBuilder('u').connect(dial(s));
      conn.query('SELECT');
      await conn.flush();
      let err: PgStreamError | null = null;
      for (let i = 0; i < 5 && err === null; i++) {
        try {
          await conn.recv();
        } catch (e) {
          err = e as PgStreamError;
        }
      }
      expect(err).toBeInstanceOf(ProtocolError);
      expect(err!.code).toBe(ErrorCode.UNEXPECTED_MESSAGE);
      expect(conn.closed).toBe(true);
      await conn.close();
      await server!.close();
      server = null;
    }
  });

  it('ParameterStatus updates parameters and ReadyForQuery the transaction status', async () => {
    const s = await serve(async (peer) => {
      await peer.startupPacket();
      happyStartup(peer);
      await peer.message();
      peer.write(B.commandComplete('BEGIN'), B.paramStatus('application_name', 'x'), B.ready('T'));
    });
    const { conn } = await new ConnectionBuilder('u').connect(dial(s));
    conn.query('BEGIN');
    await conn.flush();
    const types: string[] = [];
    for await (const msg of conn) {
      types.push(msg.type);
      if (msg.type === 'ReadyForQuery') break;
    }
    expect(types).toEqual(['CommandComplete', 'ParameterStatus', 'ReadyForQuery']);
    expect(conn.parameters.get('application_name')).toBe('x');
    expect(String.fromCharCode(conn.transactionStatus)).toBe('T');
    await conn.close();
    const peer = s.peers[0]!;
    await peer.closed();
    expect((await peer.message()).type).toBe('X');
  });
});
