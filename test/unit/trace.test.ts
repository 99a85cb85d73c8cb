/**
 * The PQtrace-format tracer, message by message, in both directions. Expected lines are written by
 * hand from libpq's fe-trace.c (PostgreSQL 18): `B|F <tab> length <tab> Name <tab> fields`, strings
 * in double quotes, bytes in single quotes with `\xNN` escapes, Int16 unsigned, Int32 signed.
 */
import { describe, expect, it } from 'vitest';
import type { FrontendMessage } from '../../src/protocol/messages.js';
import { traceBackend, traceCharResponse, traceFrontend, Tracer } from '../../src/protocol/trace.js';
import { goldenCases } from '../fixtures/backend-bytes.js';
import type { BackendMessage } from '../../src/protocol/messages.js';

const S = 0x53;
const P = 0x50;
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The expected line for each golden backend case, by case name. */
const backendLines: Record<string, string> = {
  AuthenticationOk: 'B\t8\tAuthenticationOk',
  AuthenticationKerberosV5: 'B\t8\tAuthenticationKerberosV5',
  AuthenticationCleartextPassword: 'B\t8\tAuthenticationCleartextPassword',
  AuthenticationMD5Password: 'B\t12\tAuthenticationMD5Password',
  AuthenticationGSS: 'B\t8\tAuthenticationGSS',
  AuthenticationGSSContinue: String.raw`B	48	AuthenticationGSSContinue	 '\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f !"#$%&''`,
  'AuthenticationGSSContinue (empty)': "B\t8\tAuthenticationGSSContinue\t ''",
  AuthenticationSSPI: 'B\t8\tAuthenticationSSPI',
  AuthenticationSASL: 'B\t42\tAuthenticationSASL\t "SCRAM-SHA-256-PLUS" "SCRAM-SHA-256" ""',
  'AuthenticationSASL (empty list)': 'B\t9\tAuthenticationSASL\t ""',
  AuthenticationSASLContinue: "B\t31\tAuthenticationSASLContinue\t 'r=abc,s=c2FsdA==,i=4096'",
  AuthenticationSASLFinal: "B\t22\tAuthenticationSASLFinal\t 'v=c2lnbmF0dXJl'",
  'BackendKeyData (3.0, 4-byte key)': 'B\t12\tBackendKeyData\t 4242 NNNN',
  'BackendKeyData (3.2, 32-byte key)': 'B\t40\tBackendKeyData\t 1 NNNN',
  'BackendKeyData (256-byte key)': 'B\t264\tBackendKeyData\t -2 NNNN',
  BindComplete: 'B\t4\tBindComplete',
  CloseComplete: 'B\t4\tCloseComplete',
  'CommandComplete INSERT': 'B\t15\tCommandComplete\t "INSERT 0 5"',
  'CommandComplete CREATE TABLE': 'B\t17\tCommandComplete\t "CREATE TABLE"',
  CopyData: String.raw`B	10	CopyData	 '1\x09one\x0a'`,
  'CopyData (empty)': "B\t4\tCopyData\t ''",
  CopyDone: 'B\t4\tCopyDone',
  CopyInResponse: String.raw`B	13	CopyInResponse	 \x00 3 0 0 0`,
  'CopyOutResponse (binary)': String.raw`B	11	CopyOutResponse	 \x01 2 1 1`,
  CopyBothResponse: String.raw`B	7	CopyBothResponse	 \x00 0`,
  EmptyQueryResponse: 'B\t4\tEmptyQueryResponse',
  ErrorResponse: String.raw`B	136	ErrorResponse	 S "ERROR" V "ERROR" C "42P01" M "relation "nope" does not exist" P "15" F "parse_relation.c" L "1449" R "parserOpenTable" X "an unknown field letter is kept" \x00`,
  'ErrorResponse (no fields)': String.raw`B	5	ErrorResponse	 \x00`,
  NoticeResponse: String.raw`B	66	NoticeResponse	 S "NOTICE" V "NOTICE" C "00000" M "table "t" does not exist, skipping" W "" \x00`,
  FunctionCallResponse: "B\t9\tFunctionCallResponse\t 1 '3'",
  'FunctionCallResponse (NULL)': 'B\t8\tFunctionCallResponse\t -1',
  'FunctionCallResponse (empty)': "B\t8\tFunctionCallResponse\t 0 ''",
  NegotiateProtocolVersion: 'B\t36\tNegotiateProtocolVersion\t 196608 2 "_pq_.compression" "_pq_.x"',
  'NegotiateProtocolVersion (3.2, no options)': 'B\t12\tNegotiateProtocolVersion\t 196610 0',
  NoData: 'B\t4\tNoData',
  NotificationResponse: 'B\t22\tNotificationResponse\t 777 "jobs" "{"id":1}"',
  ParameterDescription: 'B\t18\tParameterDescription\t 3 23 25 -1',
  'ParameterDescription (none)': 'B\t6\tParameterDescription\t 0',
  ParameterStatus: 'B\t24\tParameterStatus\t "server_version" "18.4"',
  ParseComplete: 'B\t4\tParseComplete',
  PortalSuspended: 'B\t4\tPortalSuspended',
  'ReadyForQuery I': 'B\t5\tReadyForQuery\t I',
  'ReadyForQuery T': 'B\t5\tReadyForQuery\t T',
  'ReadyForQuery E': 'B\t5\tReadyForQuery\t E',
  RowDescription:
    'B\t162\tRowDescription\t 6 "id" 16384 1 23 4 -1 0 "name" 16384 2 25 65535 -1 0 "price" 16384 3 1700 65535 655366 1' +
    ' "__proto__" 0 0 25 65535 -1 0 "constructor" 0 0 25 65535 -1 0 "größe ✓" 0 0 -1 65535 -1 0',
  'RowDescription (no columns)': 'B\t6\tRowDescription\t 0',
};

describe('traceBackend: one line per message, as fe-trace.c prints it', () => {
  it('has an expected line for every golden case', () => {
    expect(Object.keys(backendLines).sort()).toEqual(goldenCases.map((c) => c.name).sort());
  });

  for (const { name, frame, msg } of goldenCases) {
    it(name, () => {
      expect(traceBackend(msg as BackendMessage, frame.length - 1)).toBe(backendLines[name]);
    });
  }
});

/** Frontend messages with their wire length and expected line. */
const frontendCases: [FrontendMessage, number, string][] = [
  [
    { type: 'StartupMessage', protocol: 196608, parameters: new Map([['user', 'postgres'], ['database', 'postgres'], ['application_name', 'x']]) },
    60,
    'F\t60\tStartupMessage\t 3 0 "user" "postgres" "database" "postgres" "application_name" "x"',
  ],
  [{ type: 'StartupMessage', protocol: 196610, parameters: new Map() }, 9, 'F\t9\tStartupMessage\t 3 2'],
  [{ type: 'SSLRequest' }, 8, 'F\t8\tSSLRequest\t 1234 5679'],
  [{ type: 'GSSENCRequest' }, 8, 'F\t8\tGSSENCRequest\t 1234 5680'],
  [{ type: 'CancelRequest', processId: 4242, secretKey: new Uint8Array([9, 8, 7, 6]) }, 16, 'F\t16\tCancelRequest\t 1234 5678 4242 NNNN'],
  [{ type: 'Query', sql: 'SELECT 1' }, 13, 'F\t13\tQuery\t "SELECT 1"'],
  [{ type: 'Parse', name: null, sql: 'SELECT $1', paramTypes: [23] }, 21, 'F\t21\tParse\t "" "SELECT $1" 1 23'],
  [{ type: 'Parse', name: 's1', sql: 'SELECT 1', paramTypes: [] }, 18, 'F\t18\tParse\t "s1" "SELECT 1" 0'],
  [
    { type: 'Bind', portal: null, statement: null, paramFormats: [], params: [utf8('1')], resultFormats: [0] },
    19,
    "F\t19\tBind\t \"\" \"\" 0 1 1 '1' 1 0",
  ],
  [
    { type: 'Bind', portal: 'p1', statement: 's1', paramFormats: [1], params: [new Uint8Array([0, 0, 0, 42]), null], resultFormats: [1] },
    32,
    String.raw`F	32	Bind	 "p1" "s1" 1 1 2 4 '\x00\x00\x00*' -1 1 1`,
  ],
  [{ type: 'Describe', target: P, name: null }, 6, 'F\t6\tDescribe\t P ""'],
  [{ type: 'Describe', target: S, name: 'select_one' }, 16, 'F\t16\tDescribe\t S "select_one"'],
  [{ type: 'Execute', portal: null, maxRows: 0 }, 9, 'F\t9\tExecute\t "" 0'],
  [{ type: 'Execute', portal: 'c', maxRows: 100 }, 10, 'F\t10\tExecute\t "c" 100'],
  [{ type: 'Close', target: S, name: 'stmt1' }, 11, 'F\t11\tClose\t S "stmt1"'],
  [{ type: 'Close', target: P, name: null }, 6, 'F\t6\tClose\t P ""'],
  [{ type: 'Sync' }, 4, 'F\t4\tSync'],
  [{ type: 'Flush' }, 4, 'F\t4\tFlush'],
  [{ type: 'Terminate' }, 4, 'F\t4\tTerminate'],
  [{ type: 'FunctionCall', oid: 1344, argFormats: [], args: [utf8('9')], resultFormat: 0 }, 19, "F\t19\tFunctionCall\t 1344 0 1 1 '9' 0"],
  [
    { type: 'FunctionCall', oid: 4294967295, argFormats: [1, 0], args: [null, utf8('')], resultFormat: 1 },
    26,
    "F\t26\tFunctionCall\t -1 2 1 0 2 -1 0 '' 1",
  ],
  [{ type: 'CopyData', data: utf8('x\n') }, 6, String.raw`F	6	CopyData	 'x\x0a'`],
  [{ type: 'CopyDone' }, 4, 'F\t4\tCopyDone'],
  [{ type: 'CopyFail', message: 'source failed' }, 18, 'F\t18\tCopyFail\t "source failed"'],
  [{ type: 'PasswordMessage', password: 'hunter2' }, 12, 'F\t12\tPasswordMessage\t "SSSS"'],
  [
    { type: 'SASLInitialResponse', mechanism: 'SCRAM-SHA-256', data: utf8('n,,n=,r=rOprNGfwEbeRWgbNEkqO') },
    50,
    "F\t50\tSASLInitialResponse\t \"SCRAM-SHA-256\" 28 'BBBB'",
  ],
  [{ type: 'SASLInitialResponse', mechanism: 'SCRAM-SHA-256', data: null }, 22, 'F\t22\tSASLInitialResponse\t "SCRAM-SHA-256" -1'],
  [{ type: 'SASLResponse', data: utf8('c=biws,r=abc,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=') }, 62, "F\t62\tSASLResponse\t 'BBBB'"],
  [{ type: 'GSSResponse', data: new Uint8Array([0x60, 0x82, 1, 2]) }, 8, "F\t8\tGSSResponse\t 'BBBB'"],
];

describe('traceFrontend: one line per message, secrets redacted', () => {
  it('covers every frontend message type', () => {
    const names = new Set(frontendCases.map(([m]) => m.type));
    expect(names.size).toBe(21);
  });

  for (const [msg, length, expected] of frontendCases) {
    it(`${msg.type}: ${expected.split('\t').slice(3).join(' ') || '(no fields)'}`, () => {
      expect(traceFrontend(msg, length)).toBe(expected);
    });
  }

  it('never prints a password, a SASL exchange or a cancel key, regress mode or not', () => {
    const secrets: [FrontendMessage, string][] = [
      [{ type: 'PasswordMessage', password: 'hunter2' }, 'hunter2'],
      [{ type: 'PasswordMessage', password: 'md5a3556571e93b0d20722ba62be61e8c2d' }, 'md5a35'],
      [{ type: 'SASLInitialResponse', mechanism: 'SCRAM-SHA-256', data: utf8('n,,n=,r=nonce123') }, 'nonce123'],
      [{ type: 'SASLResponse', data: utf8('c=biws,r=nonce123,p=PROOF') }, 'PROOF'],
      [{ type: 'GSSResponse', data: utf8('TOKEN') }, 'TOKEN'],
      [{ type: 'CancelRequest', processId: 1, secretKey: new Uint8Array([0, 0, 0x30, 0x39]) }, '12345'],
    ];
    for (const regress of [false, true]) {
      for (const [msg, secret] of secrets) expect(traceFrontend(msg, 99, { regress })).not.toContain(secret);
    }
    const key = { type: 'BackendKeyData', code: 0x4b, processId: 1, secretKey: new Uint8Array([0, 0, 0x30, 0x39]) } as const;
    expect(traceBackend(key, 12)).not.toContain('12345');
  });
});

describe('options', () => {
  const rfq: BackendMessage = { type: 'ReadyForQuery', code: 0x5a, status: 0x49 };

  it('no timestamp by default', () => {
    expect(traceBackend(rfq, 5)).toBe('B\t5\tReadyForQuery\t I');
  });

  it('timestamps: local time with microseconds, then a tab', () => {
    const at = new Date(2024, 0, 2, 3, 4, 5, 678).getTime() + 0.901;
    expect(traceBackend(rfq, 5, { timestamps: true, now: () => at })).toBe('2024-01-02 03:04:05.678901\tB\t5\tReadyForQuery\t I');
    const midnight = new Date(1999, 11, 31, 0, 0, 0, 0).getTime();
    expect(traceFrontend({ type: 'Sync' }, 4, { timestamps: true, now: () => midnight })).toBe('1999-12-31 00:00:00.000000\tF\t4\tSync');
  });

  it('timestamps use the real clock when none is given', () => {
    expect(traceBackend(rfq, 5, { timestamps: true })).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\tB\t5\tReadyForQuery\t I$/);
  });

  it('regress mode masks what varies between servers, as PQTRACE_REGRESS_MODE does', () => {
    const byName = new Map(goldenCases.map((c) => [c.name, c]));
    const t = (name: string): string => {
      const c = byName.get(name)!;
      return traceBackend(c.msg as BackendMessage, c.frame.length - 1, { regress: true });
    };
    expect(t('ErrorResponse')).toBe(
      'B\tNN\tErrorResponse\t S "ERROR" V "ERROR" C "42P01" M "relation "nope" does not exist" P "15" F "SSSS" L "SSSS" R "SSSS" X "an unknown field letter is kept" \\x00',
    );
    expect(t('NoticeResponse').startsWith('B\tNN\tNoticeResponse\t S "NOTICE"')).toBe(true);
    expect(t('ParameterDescription')).toBe('B\t18\tParameterDescription\t 3 NNNN NNNN NNNN');
    expect(t('NotificationResponse')).toBe('B\t22\tNotificationResponse\t NNNN "jobs" "{"id":1}"');
    expect(t('BackendKeyData (3.0, 4-byte key)')).toBe('B\t12\tBackendKeyData\t NNNN NNNN');
    expect(t('CopyData')).toBe("B\t10\tCopyData\t 'BBBB'");
    expect(t('AuthenticationSASLContinue')).toBe("B\t31\tAuthenticationSASLContinue\t 'BBBB'");
    expect(t('RowDescription (no columns)')).toBe('B\t6\tRowDescription\t 0');
    expect(traceFrontend({ type: 'Parse', name: null, sql: 'SELECT $1', paramTypes: [23] }, 21, { regress: true }))
      .toBe('F\t21\tParse\t "" "SELECT $1" 1 NNNN');
    expect(traceFrontend({ type: 'CancelRequest', processId: 7, secretKey: new Uint8Array(4) }, 16, { regress: true }))
      .toBe('F\t16\tCancelRequest\t 1234 5678 NNNN NNNN');
    expect(traceFrontend({ type: 'FunctionCall', oid: 1344, argFormats: [], args: [], resultFormat: 0 }, 14, { regress: true }))
      .toBe('F\t14\tFunctionCall\t NNNN 0 0 0');
    expect(traceFrontend({ type: 'CopyData', data: utf8('secret rows') }, 15, { regress: true })).toBe("F\t15\tCopyData\t 'BBBB'");
  });

  it('a field letter that is not printable prints as \\xNN', () => {
    const msg: BackendMessage = { type: 'NoticeResponse', code: 0x4e, fields: new Map([['\x01', 'x']]) };
    expect(traceBackend(msg, 8)).toBe(String.raw`B	8	NoticeResponse	 \x01 "x" \x00`);
  });

  it('bytes above 0x7e are escaped, as isprint() does in the C locale', () => {
    const msg: BackendMessage = { type: 'CopyData', code: 0x64, data: new Uint8Array([0x7e, 0x7f, 0xc3, 0xa9, 0x20]) };
    expect(traceBackend(msg, 9)).toBe(String.raw`B	9	CopyData	 '~\x7f\xc3\xa9 '`);
  });
});

describe('Tracer', () => {
  it('sends one line per message to its sink, in order, both directions', () => {
    const lines: string[] = [];
    const tracer = new Tracer((l) => lines.push(l));
    tracer.frontend({ type: 'SSLRequest' }, 8);
    tracer.charResponse('SSLResponse', 0x4e);
    tracer.frontend({ type: 'Terminate' }, 4);
    tracer.backend({ type: 'ReadyForQuery', code: 0x5a, status: 0x54 }, 5);
    expect(lines).toEqual(['F\t8\tSSLRequest\t 1234 5679', 'B\t1\tSSLResponse\t N', 'F\t4\tTerminate', 'B\t5\tReadyForQuery\t T']);
  });

  it('applies its options to every line', () => {
    const lines: string[] = [];
    const tracer = new Tracer((l) => lines.push(l), { timestamps: true, regress: true, now: () => new Date(2020, 1, 29, 23, 59, 59, 999).getTime() });
    tracer.charResponse('GSSENCResponse', 0x47);
    tracer.frontend({ type: 'Parse', name: null, sql: 'SELECT $1', paramTypes: [25] }, 21);
    expect(lines).toEqual([
      '2020-02-29 23:59:59.999000\tB\t1\tGSSENCResponse\t G',
      '2020-02-29 23:59:59.999000\tF\t21\tParse\t "" "SELECT $1" 1 NNNN',
    ]);
  });

  it('traceCharResponse alone', () => {
    expect(traceCharResponse('SSLResponse', 0x53)).toBe('B\t1\tSSLResponse\t S');
  });
});
