/**
 * RELIABILITY.md cases 11–14 against a scripted fake server: the first startup reply must be
 * Authentication, ErrorResponse or NegotiateProtocolVersion; ErrorResponse during startup is a
 * ServerError carrying its SQLSTATE (never the password); NegotiateProtocolVersion may downgrade
 * 3.2 → 3.0 but not upgrade or list options nobody asked for; BackendKeyData must have a length the
 * negotiated protocol allows (and its key never shows in an error); a close after AuthenticationOk
 * fails the connect.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AuthenticationMode } from '../../src/auth/authentication-mode.js';
import { ConnectionBuilder } from '../../src/transport/node/builder.js';
import { ConnectionError, ErrorCode, ProtocolError, ServerError } from '../../src/errors.js';
import { MessageCode, ProtocolVersion } from '../../src/protocol/codes.js';
import type { BackendMessage } from '../../src/protocol/messages.js';
import { Bytes } from '../fixtures/bytes.js';
import { expectFailure, expectNoSecrets, trackUnhandled, within } from '../support/fake-assert.js';
import { query } from '../support/fake-client.js';
import { serveScram } from '../support/fake-scram.js';
import { auth, errorResponse, readyForQuery, startFakeServer } from '../support/fake-server.js';
import type { FakeScript, FakeServer, FakeSession } from '../support/fake-server.js';

trackUnhandled();

const TIMEOUT = 2_000;
const WITHIN = TIMEOUT + 1_000;
const PASSWORD = 'startup-secret-7f3a';

let server: FakeServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function serve(script: FakeScript): Promise<FakeServer> {
  server = await startFakeServer(script);
  return server;
}

function builder(): ConnectionBuilder {
  return new ConnectionBuilder('carol').database('db').auth(AuthenticationMode.password(PASSWORD)).connectTimeout(TIMEOUT);
}

const param = (name: string, value: string): BackendMessage => ({ type: 'ParameterStatus', code: MessageCode.PARAMETER_STATUS, name, value });
const npv = (newestMinor: number, unrecognized: string[] = []): BackendMessage => ({
  type: 'NegotiateProtocolVersion',
  code: MessageCode.NEGOTIATE_PROTOCOL_VERSION,
  newestMinor,
  unrecognized,
});

describe('case 11: the first startup reply', () => {
  const wrongFirst: [string, Uint8Array][] = [
    ['ParameterStatus', new Bytes().cstr('server_version').cstr('18.0').frame('S')],
    ['ReadyForQuery', new Bytes().u8(0x49).frame('Z')],
    ['BackendKeyData', new Bytes().i32(1).i32(2).frame('K')],
    ['NoticeResponse', new Bytes().str('SWARNING').u8(0).str('C01000').u8(0).str('Mhi').u8(0).u8(0).frame('N')],
    ['CommandComplete', new Bytes().cstr('SELECT 1').frame('C')],
    ['DataRow', new Bytes().i16(1).i32(1).str('1').frame('D')],
    ['RowDescription', new Bytes().i16(0).frame('T')],
    ['CopyInResponse', new Bytes().u8(0).i16(0).frame('G')],
    ['ParseComplete', new Bytes().frame('1')],
  ];

  it.each(wrongFirst)('%s first → ProtocolError PGS_UNEXPECTED_MESSAGE', async (_name, bytes) => {
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      s.sendRaw(bytes);
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(builder().connect(socket), {
      type: ProtocolError,
      code: ErrorCode.UNEXPECTED_MESSAGE,
      withinMs: WITHIN,
      socket,
      secrets: [PASSWORD],
    });
    const s = await srv.session();
    await within(s.gone, 2_000);
    expect(s.types).toEqual(['StartupMessage']);
  });

  it('an unknown type byte first → ProtocolError PGS_UNKNOWN_MESSAGE', async () => {
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      s.sendRaw(new Bytes().i32(0).frame('!'));
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(builder().connect(socket), { type: ProtocolError, code: ErrorCode.UNKNOWN_MESSAGE, withinMs: WITHIN, socket });
  });

  it('a non-PostgreSQL service (an HTTP answer) → ProtocolError, no hang', async () => {
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      s.sendRaw('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
      await s.silence();
    });
    const socket = srv.dial();
    // 'H' is CopyOutResponse's type byte, and "TTP/" a length far above its cap.
    await expectFailure(builder().connect(socket), { type: ProtocolError, code: ErrorCode.FRAME_TOO_LARGE, withinMs: WITHIN, socket });
  });

  it('an Authentication request of an unknown sub-code → ProtocolError', async () => {
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      s.sendRaw(new Bytes().i32(99).frame('R'));
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(builder().connect(socket), { type: ProtocolError, code: ErrorCode.UNKNOWN_MESSAGE, withinMs: WITHIN, socket });
  });

  it.each([
    ['1 MiB', 1 << 20],
    ['2 GiB - 16', 0x7fff_fff0],
    ['8 KiB + 1 (just past the Authentication cap)', 8193],
  ])('an Authentication header announcing %s → ProtocolError PGS_FRAME_TOO_LARGE from the header alone', async (_n, length) => {
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      s.sendRaw(new Uint8Array([0x52, (length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff, 0, 0, 0, 10]));
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(builder().connect(socket), { type: ProtocolError, code: ErrorCode.FRAME_TOO_LARGE, withinMs: 1_000, socket });
  });
});

describe('case 12: ErrorResponse during startup', () => {
  const cases: [string, string, string][] = [
    ['28P01', 'password authentication failed for user "carol"', 'after the password was sent'],
    ['3D000', 'database "db" does not exist', 'before authentication'],
    ['53300', 'sorry, too many clients already', 'before authentication'],
    ['57P03', 'the database system is starting up', 'before authentication'],
    ['28000', 'no pg_hba.conf entry for host "127.0.0.1", user "carol", database "db", no encryption', 'before authentication'],
  ];

  it.each(cases)('SQLSTATE %s (%s) → ServerError with the SQLSTATE, fatal, no password', async (sqlstate, message, when) => {
    let proofSecrets: string[] = [];
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      if (when === 'after the password was sent') {
        // SCRAM with a server that knows another password: the client's proof is wrong → 28P01.
        const t = await serveScram(s, { password: 'the-server-knows-another-one' });
        proofSecrets = t.secrets.slice(1);
        expect(t.proofValid).toBe(false);
      } else {
        s.send(errorResponse(sqlstate, message));
      }
      await s.silence();
    });
    const socket = srv.dial();
    const err = await expectFailure(builder().connect(socket), {
      type: ServerError,
      code: ErrorCode.SERVER_ERROR,
      sqlstate,
      withinMs: WITHIN,
      socket,
      secrets: [PASSWORD],
    });
    expect(err.fatal).toBe(true);
    expect((err as ServerError).severity).toBe('FATAL');
    for (const x of proofSecrets) expect(String(err.stack) + err.message).not.toContain(x);
  });

  it('an ErrorResponse after a cleartext password (over TLS-less but allowed) does not echo the password', async () => {
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      s.send(auth.cleartext());
      const pw = await s.expect('PasswordMessage', 'PasswordMessage');
      expect(pw.password).toBe(PASSWORD);
      s.send(errorResponse('28P01', 'password authentication failed for user "carol"'));
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(builder().allowCleartextOverPlaintext().connect(socket), {
      type: ServerError,
      code: ErrorCode.SERVER_ERROR,
      sqlstate: '28P01',
      withinMs: WITHIN,
      socket,
      secrets: [PASSWORD],
    });
  });

  it('an ErrorResponse after AuthenticationOk (e.g. 3D000 from the backend) → ServerError', async () => {
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      s.send(auth.ok(), param('server_version', '18.0'), errorResponse('3D000', 'database "db" does not exist'));
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(builder().connect(socket), { type: ServerError, code: ErrorCode.SERVER_ERROR, sqlstate: '3D000', withinMs: WITHIN, socket });
  });
});

describe('case 13: NegotiateProtocolVersion', () => {
  /** Server script: StartupMessage, `before` messages, trust, optional BackendKeyData of `key`, serve. */
  const negotiating = (before: BackendMessage[], key: Uint8Array | null = Uint8Array.of(1, 2, 3, 4)): FakeScript => async (s) => {
    await s.expect('StartupMessage');
    if (before.length > 0) s.send(...before);
    s.sendReady({ secretKey: key });
    await s.serveQueries();
  };

  it('3.2 asked, server downgrades to 3.0 → accepted, protocol 3.0, the connection works', async () => {
    const srv = await serve(negotiating([npv(0)]));
    const { conn, startup } = await within(builder().protocol('3.2').connect(srv.dial()), WITHIN);
    expect(startup.protocol).toBe(ProtocolVersion.V3_0);
    expect(conn.protocol).toBe(ProtocolVersion.V3_0);
    expect(await query(conn)).toEqual(['1']);
    await conn.close();
    const s = await srv.session();
    const startupMsg = s.received[0] as Extract<typeof s.received[number], { type: 'StartupMessage' }>;
    expect(startupMsg.protocol).toBe(ProtocolVersion.V3_2);
  });

  it('3.2 asked with a _pq_ option, server downgrades and reports the option unsupported → accepted', async () => {
    const srv = await serve(negotiating([npv(0, ['_pq_.test_option'])]));
    const { conn, startup } = await within(builder().protocol('3.2').option('_pq_.test_option', 'x').connect(srv.dial()), WITHIN);
    expect(startup.protocol).toBe(ProtocolVersion.V3_0);
    expect(startup.unsupportedOptions).toEqual(['_pq_.test_option']);
    await conn.close();
  });

  it('3.2 asked and granted (no NegotiateProtocolVersion): a 32-byte cancel key is accepted', async () => {
    const key = new Uint8Array(32).fill(7);
    const srv = await serve(negotiating([], key));
    const { conn, startup } = await within(builder().protocol('3.2').connect(srv.dial()), WITHIN);
    expect(startup.protocol).toBe(ProtocolVersion.V3_2);
    expect(startup.secretKey).toEqual(key);
    await conn.close();
  });

  const refused: [string, () => ConnectionBuilder, BackendMessage[] | Uint8Array][] = [
    ['3.0 asked, server offers 3.2 (higher than asked)', () => builder(), [npv(2)]],
    ['3.2 asked, server offers 3.3 (higher than asked)', () => builder().protocol('3.2'), [npv(3)]],
    ['3.2 asked, server offers 3.1 (not a version pg-stream speaks)', () => builder().protocol('3.2'), [npv(1)]],
    ['min 3.2, server downgrades to 3.0', () => builder().protocol({ min: '3.2', max: '3.2' }), [npv(0)]],
    ['an option that was never asked for', () => builder().protocol('3.2'), [npv(0, ['_pq_.surprise'])]],
    ['an option without the _pq_. prefix', () => builder().protocol('3.2').option('_pq_.a', 'b'), [npv(0, ['application_name'])]],
    ['the same option twice', () => builder().protocol('3.2').option('_pq_.a', 'b'), [npv(0, ['_pq_.a', '_pq_.a'])]],
    ['no change at all (3.2 → 3.2, no options)', () => builder().protocol('3.2'), [npv(2)]],
    ['protocol major 4', () => builder().protocol('3.2'), new Bytes().i32(0x0004_0000).i32(0).frame('v')],
  ];

  it.each(refused)('%s → ProtocolError PGS_PROTOCOL_VERSION', async (_name, make, reply) => {
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      if (reply instanceof Uint8Array) s.sendRaw(reply);
      else s.send(...reply);
      s.sendReady();
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(make().connect(socket), { type: ProtocolError, code: ErrorCode.PROTOCOL_VERSION, withinMs: WITHIN, socket });
  });

  const malformed: [string, ErrorCode, Uint8Array][] = [
    ['an option count larger than the body', ErrorCode.MALFORMED_MESSAGE, new Bytes().i32(0x0003_0000).i32(5).cstr('_pq_.a').frame('v')],
    ['a negative option count', ErrorCode.MALFORMED_MESSAGE, new Bytes().i32(0x0003_0000).i32(-1).frame('v')],
    ['an option name without its NUL', ErrorCode.MALFORMED_MESSAGE, new Bytes().i32(0x0003_0000).i32(1).str('_pq_.a').frame('v')],
    ['bytes after the last option', ErrorCode.MALFORMED_MESSAGE, new Bytes().i32(0x0003_0000).i32(0).u8(1, 2, 3).frame('v')],
    ['a body shorter than the version', ErrorCode.FRAME_LENGTH_TOO_SHORT, new Bytes().i16(3).frame('v')],
  ];

  it.each(malformed)('a malformed option list: %s → ProtocolError %s', async (_name, code, reply) => {
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      s.sendRaw(reply);
      s.sendReady();
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(builder().protocol('3.2').option('_pq_.a', 'b').connect(socket), { type: ProtocolError, code, withinMs: WITHIN, socket });
  });

  it('NegotiateProtocolVersion twice → ProtocolError', async () => {
    const srv = await serve(negotiating([npv(0), npv(0)]));
    const socket = srv.dial();
    await expectFailure(builder().protocol('3.2').connect(socket), { type: ProtocolError, code: ErrorCode.UNEXPECTED_MESSAGE, withinMs: WITHIN, socket });
  });
});

describe('case 13: BackendKeyData length for the protocol in use', () => {
  /** A key no error may show, in any form. */
  const keyOf = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (0xa7 + i * 13) & 0xff);

  const bad: [string, () => ConnectionBuilder, BackendMessage[], number][] = [
    ['8 bytes under 3.0', () => builder(), [], 8],
    ['32 bytes under 3.0', () => builder(), [], 32],
    ['256 bytes under 3.0', () => builder(), [], 256],
    ['32 bytes under 3.2 downgraded to 3.0', () => builder().protocol('3.2'), [npv(0)], 32],
    ['3 bytes under 3.0', () => builder(), [], 3],
    ['3 bytes under 3.2', () => builder().protocol('3.2'), [], 3],
    ['0 bytes under 3.2', () => builder().protocol('3.2'), [], 0],
    ['257 bytes under 3.2', () => builder().protocol('3.2'), [], 257],
    ['300 bytes under 3.2', () => builder().protocol('3.2'), [], 300],
  ];

  it.each(bad)('%s → ProtocolError, the key is not shown', async (_name, make, before, n) => {
    const key = keyOf(n);
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      if (before.length > 0) s.send(...before);
      s.send(auth.ok(), param('server_version', '18.0'));
      s.sendRaw(new Bytes().i32(31337).raw(key).frame('K'));
      s.send(readyForQuery());
      await s.silence();
    });
    const socket = srv.dial();
    const err = await within(make().connect(socket).then(() => null, (e: unknown) => e), WITHIN);
    expect(err).toBeInstanceOf(ProtocolError);
    // Too short or too long for any protocol is caught at the header; a length the protocol in use
    // does not allow, by the startup state machine.
    const expected = n < 4 ? ErrorCode.FRAME_LENGTH_TOO_SHORT : n > 256 ? ErrorCode.FRAME_TOO_LARGE : ErrorCode.MALFORMED_MESSAGE;
    expect((err as ProtocolError).code).toBe(expected);
    expect(socket.destroyed).toBe(true);
    if (n >= 4) expectNoSecrets(err, [key]);
  });

  it.each([4, 5, 32, 255, 256])('%i bytes under 3.2 → accepted and kept exactly', async (n) => {
    const key = keyOf(n);
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      s.sendReady({ secretKey: key });
      await s.serveQueries();
    });
    const { conn, startup } = await within(builder().protocol('3.2').connect(srv.dial()), WITHIN);
    expect(startup.secretKey).toEqual(key);
    expect(String(conn)).not.toContain(Buffer.from(key).toString('hex'));
    await conn.close();
  });

  it('BackendKeyData twice → ProtocolError', async () => {
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      s.send(auth.ok());
      s.sendRaw(new Bytes().i32(1).raw(keyOf(4)).frame('K'), new Bytes().i32(1).raw(keyOf(4)).frame('K'));
      s.send(readyForQuery());
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(builder().connect(socket), { type: ProtocolError, code: ErrorCode.UNEXPECTED_MESSAGE, withinMs: WITHIN, socket });
  });
});

describe('case 14 and the order of the startup messages', () => {
  const closedAfter: [string, (s: FakeSession) => void][] = [
    ['AuthenticationOk', (s) => s.send(auth.ok())],
    ['AuthenticationOk + ParameterStatus', (s) => s.send(auth.ok(), param('server_version', '18.0'))],
    ['AuthenticationOk + BackendKeyData', (s) => s.sendRaw(new Bytes().i32(0).frame('R'), new Bytes().i32(1).i32(2).frame('K'))],
    ['a verified SCRAM exchange and AuthenticationOk', () => undefined],
  ];

  it.each(closedAfter)('closed after %s, before ReadyForQuery → PGS_CONNECTION_CLOSED', async (name, then) => {
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      if (name.startsWith('a verified SCRAM')) {
        const t = await serveScram(s, { password: PASSWORD });
        expect(t.proofValid).toBe(true);
        s.send(auth.ok());
      } else {
        then(s);
      }
      await s.drain();
      s.close();
    });
    const socket = srv.dial();
    await expectFailure(builder().connect(socket), {
      type: ConnectionError,
      code: ErrorCode.CONNECTION_CLOSED,
      withinMs: WITHIN,
      socket,
      secrets: [PASSWORD],
    });
  });

  it('ParameterStatus before AuthenticationOk → ProtocolError', async () => {
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      s.send(auth.md5());
      await s.expect('PasswordMessage');
      s.send(param('server_version', '18.0'), auth.ok(), readyForQuery());
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(builder().connect(socket), { type: ProtocolError, code: ErrorCode.UNEXPECTED_MESSAGE, withinMs: WITHIN, socket });
  });

  it('AuthenticationOk twice → ProtocolError', async () => {
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      s.send(auth.ok(), auth.ok(), readyForQuery());
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(builder().connect(socket), { type: ProtocolError, code: ErrorCode.UNEXPECTED_MESSAGE, withinMs: WITHIN, socket });
  });

  it('an authentication request after AuthenticationOk → ProtocolError, no password sent', async () => {
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      s.send(auth.ok(), auth.md5(), readyForQuery());
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(builder().connect(socket), { type: ProtocolError, code: ErrorCode.UNEXPECTED_MESSAGE, withinMs: WITHIN, socket });
    const s = await srv.session();
    await within(s.gone, 2_000);
    expect(s.types).toEqual(['StartupMessage']);
  });

  it('a query result during startup (DataRow after AuthenticationOk) → ProtocolError', async () => {
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      s.send(auth.ok());
      s.sendRow(['x']);
      s.send(readyForQuery());
      await s.silence();
    });
    const socket = srv.dial();
    await expectFailure(builder().connect(socket), { type: ProtocolError, code: ErrorCode.UNEXPECTED_MESSAGE, withinMs: WITHIN, socket });
  });

  it('notices during startup are accepted and reported', async () => {
    const srv = await serve(async (s) => {
      await s.expect('StartupMessage');
      s.send(auth.ok(), {
        type: 'NoticeResponse',
        code: MessageCode.NOTICE_RESPONSE,
        fields: new Map([['S', 'WARNING'], ['V', 'WARNING'], ['C', '01000'], ['M', 'md5 is deprecated']]),
      });
      s.sendReady({ authOk: false });
      await s.serveQueries();
    });
    const { conn, startup } = await within(builder().connect(srv.dial()), WITHIN);
    expect(startup.notices.map((n) => n.get('M'))).toEqual(['md5 is deprecated']);
    await conn.close();
  });
});
