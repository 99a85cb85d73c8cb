/**
 * RELIABILITY.md cases 11–14 against a scripted fake server: the first startup reply must be
 * Authentication, ErrorResponse or NegotiateProtocolVersion; ErrorResponse during startup is a
 * ServerError carrying its SQLSTATE (never the password); NegotiateProtocolVersion may downgrade
 * 3.2 → 3.0 but not upgrade or list options nobody asked for; BackendKeyData must have a length the
 * negotiated protocol allows (and its key never shows in an error); a close after AuthenticationOk
 * fails the connect. Each case is a row of the shared table (support/hostile-cases.ts).
 */
import { describe, expect } from 'vitest';
import { AuthenticationMode } from '../../src/auth/authentication-mode.js';
import { ConnectionBuilder } from '../../src/transport/node/builder.js';
import { ConnectionError, ErrorCode, ProtocolError, ServerError } from '../../src/errors.js';
import type { Connected } from '../../src/index.js';
import { MessageCode, ProtocolVersion } from '../../src/protocol/codes.js';
import type { BackendMessage } from '../../src/protocol/messages.js';
import { Bytes } from '../fixtures/bytes.js';
import { trackUnhandled } from '../support/fake-assert.js';
import { query } from '../support/fake-client.js';
import { serveScram } from '../support/fake-scram.js';
import { auth, errorResponse, readyForQuery } from '../support/fake-server.js';
import type { FakeScript, FakeSession } from '../support/fake-server.js';
import { hostileCases, row } from '../support/hostile-cases.js';
import type { Fails } from '../support/hostile-cases.js';

trackUnhandled();

const TIMEOUT = 2_000;
const PASSWORD = 'startup-secret-7f3a';

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

/** Script: read the StartupMessage, send `reply` (messages or raw bytes), then ReadyForQuery when asked, stay silent. */
const replying = (reply: BackendMessage[] | Uint8Array, then: (s: FakeSession) => void = () => undefined): FakeScript => async (s) => {
  await s.expect('StartupMessage');
  if (reply instanceof Uint8Array) s.sendRaw(reply);
  else s.send(...reply);
  then(s);
  await s.silence();
};
const protocolError = (code: ErrorCode): Fails => ({ type: ProtocolError, code });

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
  const lengths: [string, number][] = [
    ['1 MiB', 1 << 20],
    ['2 GiB - 16', 0x7fff_fff0],
    ['8 KiB + 1 (just past the Authentication cap)', 8193],
  ];

  hostileCases([
    ...wrongFirst.map(([name, bytes]) => row({
      name: `${name} first → ProtocolError PGS_UNEXPECTED_MESSAGE`,
      server: replying(bytes),
      call: (socket) => builder().connect(socket),
      expect: protocolError(ErrorCode.UNEXPECTED_MESSAGE),
      secrets: [PASSWORD],
      received: ['StartupMessage'],
    })),
    row({
      name: 'an unknown type byte first → ProtocolError PGS_UNKNOWN_MESSAGE',
      server: replying(new Bytes().i32(0).frame('!')),
      call: (socket) => builder().connect(socket),
      expect: protocolError(ErrorCode.UNKNOWN_MESSAGE),
    }),
    row({
      // 'H' is CopyOutResponse's type byte, and "TTP/" a length far above its cap.
      name: 'a non-PostgreSQL service (an HTTP answer) → ProtocolError, no hang',
      server: replying(new TextEncoder().encode('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')),
      call: (socket) => builder().connect(socket),
      expect: protocolError(ErrorCode.FRAME_TOO_LARGE),
    }),
    row({
      name: 'an Authentication request of an unknown sub-code → ProtocolError',
      server: replying(new Bytes().i32(99).frame('R')),
      call: (socket) => builder().connect(socket),
      expect: protocolError(ErrorCode.UNKNOWN_MESSAGE),
    }),
    ...lengths.map(([n, length]) => row({
      name: `an Authentication header announcing ${n} → ProtocolError PGS_FRAME_TOO_LARGE from the header alone`,
      server: replying(new Uint8Array([0x52, (length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff, 0, 0, 0, 10])),
      call: (socket) => builder().connect(socket),
      expect: protocolError(ErrorCode.FRAME_TOO_LARGE),
      withinMs: 1_000,
    })),
  ]);
});

describe('case 12: ErrorResponse during startup', () => {
  const cases: [string, string, string][] = [
    ['28P01', 'password authentication failed for user "carol"', 'after the password was sent'],
    ['3D000', 'database "db" does not exist', 'before authentication'],
    ['53300', 'sorry, too many clients already', 'before authentication'],
    ['57P03', 'the database system is starting up', 'before authentication'],
    ['28000', 'no pg_hba.conf entry for host "127.0.0.1", user "carol", database "db", no encryption', 'before authentication'],
  ];
  const serverError = (sqlstate: string): Fails => ({ type: ServerError, code: ErrorCode.SERVER_ERROR, sqlstate });

  hostileCases([
    ...cases.map(([sqlstate, message, when]) => {
      let proofSecrets: string[] = [];
      return row({
        name: `SQLSTATE ${sqlstate} (${message}) → ServerError with the SQLSTATE, fatal, no password`,
        server: async (s) => {
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
        },
        call: (socket) => builder().connect(socket),
        expect: serverError(sqlstate),
        secrets: [PASSWORD],
        check: ({ error }) => {
          expect(error!.fatal).toBe(true);
          expect((error as ServerError).severity).toBe('FATAL');
          for (const x of proofSecrets) expect(String(error!.stack) + error!.message).not.toContain(x);
          if (when === 'after the password was sent') expect(proofSecrets.length).toBeGreaterThan(0);
        },
      });
    }),
    row({
      name: 'an ErrorResponse after a cleartext password (over TLS-less but allowed) does not echo the password',
      server: async (s) => {
        await s.expect('StartupMessage');
        s.send(auth.cleartext());
        const pw = await s.expect('PasswordMessage', 'PasswordMessage');
        expect(pw.password).toBe(PASSWORD);
        s.send(errorResponse('28P01', 'password authentication failed for user "carol"'));
        await s.silence();
      },
      call: (socket) => builder().allowCleartextOverPlaintext().connect(socket),
      expect: serverError('28P01'),
      secrets: [PASSWORD],
    }),
    row({
      name: 'an ErrorResponse after AuthenticationOk (e.g. 3D000 from the backend) → ServerError',
      server: replying([auth.ok(), param('server_version', '18.0'), errorResponse('3D000', 'database "db" does not exist')]),
      call: (socket) => builder().connect(socket),
      expect: serverError('3D000'),
    }),
  ]);
});

describe('case 13: NegotiateProtocolVersion', () => {
  /** Server script: StartupMessage, `before` messages, trust, optional BackendKeyData of `key`, serve. */
  const negotiating = (before: BackendMessage[], key: Uint8Array | null = Uint8Array.of(1, 2, 3, 4)): FakeScript => async (s) => {
    await s.expect('StartupMessage');
    if (before.length > 0) s.send(...before);
    s.sendReady({ secretKey: key });
    await s.serveQueries();
  };

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

  const malformed: [string, ErrorCode, Uint8Array][] = [
    ['an option count larger than the body', ErrorCode.MALFORMED_MESSAGE, new Bytes().i32(0x0003_0000).i32(5).cstr('_pq_.a').frame('v')],
    ['a negative option count', ErrorCode.MALFORMED_MESSAGE, new Bytes().i32(0x0003_0000).i32(-1).frame('v')],
    ['an option name without its NUL', ErrorCode.MALFORMED_MESSAGE, new Bytes().i32(0x0003_0000).i32(1).str('_pq_.a').frame('v')],
    ['bytes after the last option', ErrorCode.MALFORMED_MESSAGE, new Bytes().i32(0x0003_0000).i32(0).u8(1, 2, 3).frame('v')],
    ['a body shorter than the version', ErrorCode.FRAME_LENGTH_TOO_SHORT, new Bytes().i16(3).frame('v')],
  ];

  const key32 = new Uint8Array(32).fill(7);
  hostileCases([
    row<Connected>({
      name: '3.2 asked, server downgrades to 3.0 → accepted, protocol 3.0, the connection works',
      server: negotiating([npv(0)]),
      call: (socket) => builder().protocol('3.2').connect(socket),
      expect: 'ok',
      then: async ({ conn, startup }, { session }) => {
        expect(startup.protocol).toBe(ProtocolVersion.V3_0);
        expect(conn.protocol).toBe(ProtocolVersion.V3_0);
        expect(await query(conn)).toEqual(['1']);
        await conn.close();
        const startupMsg = session.received[0] as Extract<typeof session.received[number], { type: 'StartupMessage' }>;
        expect(startupMsg.protocol).toBe(ProtocolVersion.V3_2);
      },
    }),
    row<Connected>({
      name: '3.2 asked with a _pq_ option, server downgrades and reports the option unsupported → accepted',
      server: negotiating([npv(0, ['_pq_.test_option'])]),
      call: (socket) => builder().protocol('3.2').option('_pq_.test_option', 'x').connect(socket),
      expect: 'ok',
      then: async ({ conn, startup }) => {
        expect(startup.protocol).toBe(ProtocolVersion.V3_0);
        expect(startup.unsupportedOptions).toEqual(['_pq_.test_option']);
        await conn.close();
      },
    }),
    row<Connected>({
      name: '3.2 asked and granted (no NegotiateProtocolVersion): a 32-byte cancel key is accepted',
      server: negotiating([], key32),
      call: (socket) => builder().protocol('3.2').connect(socket),
      expect: 'ok',
      then: async ({ conn, startup }) => {
        expect(startup.protocol).toBe(ProtocolVersion.V3_2);
        expect(startup.secretKey).toEqual(key32);
        await conn.close();
      },
    }),
    ...refused.map(([name, make, reply]) => row({
      name: `${name} → ProtocolError PGS_PROTOCOL_VERSION`,
      server: replying(reply, (s) => s.sendReady()),
      call: (socket) => make().connect(socket),
      expect: protocolError(ErrorCode.PROTOCOL_VERSION),
    })),
    ...malformed.map(([name, code, reply]) => row({
      name: `a malformed option list: ${name} → ProtocolError ${code}`,
      server: replying(reply, (s) => s.sendReady()),
      call: (socket) => builder().protocol('3.2').option('_pq_.a', 'b').connect(socket),
      expect: protocolError(code),
    })),
    row({
      name: 'NegotiateProtocolVersion twice → ProtocolError',
      server: negotiating([npv(0), npv(0)]),
      call: (socket) => builder().protocol('3.2').connect(socket),
      expect: protocolError(ErrorCode.UNEXPECTED_MESSAGE),
    }),
  ]);
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

  hostileCases([
    ...bad.map(([name, make, before, n]) => {
      const key = keyOf(n);
      // Too short or too long for any protocol is caught at the header; a length the protocol in use
      // does not allow, by the startup state machine.
      const code = n < 4 ? ErrorCode.FRAME_LENGTH_TOO_SHORT : n > 256 ? ErrorCode.FRAME_TOO_LARGE : ErrorCode.MALFORMED_MESSAGE;
      return row({
        name: `${name} → ProtocolError ${code}, the key is not shown`,
        server: async (s) => {
          await s.expect('StartupMessage');
          if (before.length > 0) s.send(...before);
          s.send(auth.ok(), param('server_version', '18.0'));
          s.sendRaw(new Bytes().i32(31337).raw(key).frame('K'));
          s.send(readyForQuery());
          await s.silence();
        },
        call: (socket) => make().connect(socket),
        expect: protocolError(code),
        // Keys under 4 bytes are too short to search for.
        secrets: n >= 4 ? [key] : [],
      });
    }),
    ...[4, 5, 32, 255, 256].map((n) => {
      const key = keyOf(n);
      return row<Connected>({
        name: `${n} bytes under 3.2 → accepted and kept exactly`,
        server: async (s) => {
          await s.expect('StartupMessage');
          s.sendReady({ secretKey: key });
          await s.serveQueries();
        },
        call: (socket) => builder().protocol('3.2').connect(socket),
        expect: 'ok',
        then: async ({ conn, startup }) => {
          expect(startup.secretKey).toEqual(key);
          expect(String(conn)).not.toContain(Buffer.from(key).toString('hex'));
          await conn.close();
        },
      });
    }),
    row({
      name: 'BackendKeyData twice → ProtocolError',
      server: async (s) => {
        await s.expect('StartupMessage');
        s.send(auth.ok());
        s.sendRaw(new Bytes().i32(1).raw(keyOf(4)).frame('K'), new Bytes().i32(1).raw(keyOf(4)).frame('K'));
        s.send(readyForQuery());
        await s.silence();
      },
      call: (socket) => builder().connect(socket),
      expect: protocolError(ErrorCode.UNEXPECTED_MESSAGE),
    }),
  ]);
});

describe('case 14 and the order of the startup messages', () => {
  const closedAfter: [string, (s: FakeSession) => Promise<void>][] = [
    ['AuthenticationOk', async (s) => s.send(auth.ok())],
    ['AuthenticationOk + ParameterStatus', async (s) => s.send(auth.ok(), param('server_version', '18.0'))],
    ['AuthenticationOk + BackendKeyData', async (s) => s.sendRaw(new Bytes().i32(0).frame('R'), new Bytes().i32(1).i32(2).frame('K'))],
    ['a verified SCRAM exchange and AuthenticationOk', async (s) => {
      const t = await serveScram(s, { password: PASSWORD });
      expect(t.proofValid).toBe(true);
      s.send(auth.ok());
    }],
  ];

  hostileCases([
    ...closedAfter.map(([name, then]) => row({
      name: `closed after ${name}, before ReadyForQuery → PGS_CONNECTION_CLOSED`,
      server: async (s) => {
        await s.expect('StartupMessage');
        await then(s);
        await s.drain();
        s.close();
      },
      call: (socket) => builder().connect(socket),
      expect: { type: ConnectionError, code: ErrorCode.CONNECTION_CLOSED },
      secrets: [PASSWORD],
    })),
    row({
      name: 'ParameterStatus before AuthenticationOk → ProtocolError',
      server: async (s) => {
        await s.expect('StartupMessage');
        s.send(auth.md5());
        await s.expect('PasswordMessage');
        s.send(param('server_version', '18.0'), auth.ok(), readyForQuery());
        await s.silence();
      },
      call: (socket) => builder().connect(socket),
      expect: protocolError(ErrorCode.UNEXPECTED_MESSAGE),
    }),
    row({
      name: 'AuthenticationOk twice → ProtocolError',
      server: replying([auth.ok(), auth.ok(), readyForQuery()]),
      call: (socket) => builder().connect(socket),
      expect: protocolError(ErrorCode.UNEXPECTED_MESSAGE),
    }),
    row({
      name: 'an authentication request after AuthenticationOk → ProtocolError, no password sent',
      server: replying([auth.ok(), auth.md5(), readyForQuery()]),
      call: (socket) => builder().connect(socket),
      expect: protocolError(ErrorCode.UNEXPECTED_MESSAGE),
      received: ['StartupMessage'],
    }),
    row({
      name: 'a query result during startup (DataRow after AuthenticationOk) → ProtocolError',
      server: replying([auth.ok()], (s) => {
        s.sendRow(['x']);
        s.send(readyForQuery());
      }),
      call: (socket) => builder().connect(socket),
      expect: protocolError(ErrorCode.UNEXPECTED_MESSAGE),
    }),
    row<Connected>({
      name: 'notices during startup are accepted and reported',
      server: async (s) => {
        await s.expect('StartupMessage');
        s.send(auth.ok(), {
          type: 'NoticeResponse',
          code: MessageCode.NOTICE_RESPONSE,
          fields: new Map([['S', 'WARNING'], ['V', 'WARNING'], ['C', '01000'], ['M', 'md5 is deprecated']]),
        });
        s.sendReady({ authOk: false });
        await s.serveQueries();
      },
      call: (socket) => builder().connect(socket),
      expect: 'ok',
      then: async ({ conn, startup }) => {
        expect(startup.notices.map((n) => n.get('M'))).toEqual(['md5 is deprecated']);
        await conn.close();
      },
    }),
  ]);
});
