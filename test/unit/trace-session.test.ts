/**
 * Golden traces of whole sessions: server bytes (from the independent fixture encoder) go through
 * `decodeBackend`, client messages are the shapes the frontend sends, and the Tracer's output must
 * match, line for line, what libpq's PQtrace prints. The regress-mode goldens are copied from
 * PostgreSQL's own libpq_pipeline test expectations (src/test/modules/libpq_pipeline/traces/
 * simple_pipeline.trace and pipeline_abort.trace), which libpq produced against a real server.
 */
import { describe, expect, it } from 'vitest';
import { decodeBackend } from '../../src/protocol/backend/index.js';
import type { FrontendMessage } from '../../src/protocol/messages.js';
import { Tracer, type TraceOptions } from '../../src/protocol/trace.js';
import * as fx from '../fixtures/backend-bytes.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const P = 0x50;

type Step = { from: 'F'; msg: FrontendMessage; length: number } | { from: 'B'; frame: Uint8Array };
const F = (msg: FrontendMessage, length: number): Step => ({ from: 'F', msg, length });
const B = (frame: Uint8Array): Step => ({ from: 'B', frame });

/** Plays a session through decodeBackend and a Tracer; returns the trace as libpq would write it. */
function trace(steps: Step[], options: TraceOptions = {}): string {
  let out = '';
  const tracer = new Tracer((line) => (out += `${line}\n`), options);
  for (const s of steps) {
    if (s.from === 'F') {
      tracer.frontend(s.msg, s.length);
    } else {
      const { code, body } = fx.splitFrame(s.frame);
      tracer.backend(decodeBackend(code, body), s.frame.length - 1);
    }
  }
  return out;
}

const selectOneColumn = [{ name: '?column?', tableOid: 0, columnAttr: 0, typeOid: 23, typeSize: 4, typeModifier: -1, format: 0 }];

describe('golden session traces', () => {
  it('simple query SELECT 1, then the same through the extended protocol', () => {
    const steps = [
      F({ type: 'Query', sql: 'SELECT 1' }, 13),
      B(fx.rowDescription(selectOneColumn)),
      B(fx.dataRow([utf8('1')])),
      B(fx.commandComplete('SELECT 1')),
      B(fx.readyForQuery('I')),
      F({ type: 'Parse', name: null, sql: 'SELECT $1', paramTypes: [23] }, 21),
      F({ type: 'Bind', portal: null, statement: null, paramFormats: [], params: [utf8('1')], resultFormats: [0] }, 19),
      F({ type: 'Describe', target: P, name: null }, 6),
      F({ type: 'Execute', portal: null, maxRows: 0 }, 9),
      F({ type: 'Sync' }, 4),
      B(fx.parseComplete()),
      B(fx.bindComplete()),
      B(fx.rowDescription(selectOneColumn)),
      B(fx.dataRow([utf8('1')])),
      B(fx.commandComplete('SELECT 1')),
      B(fx.readyForQuery('I')),
      F({ type: 'Terminate' }, 4),
    ];
    expect(trace(steps)).toBe(
      [
        'F\t13\tQuery\t "SELECT 1"',
        'B\t33\tRowDescription\t 1 "?column?" 0 0 23 4 -1 0',
        "B\t11\tDataRow\t 1 1 '1'",
        'B\t13\tCommandComplete\t "SELECT 1"',
        'B\t5\tReadyForQuery\t I',
        'F\t21\tParse\t "" "SELECT $1" 1 23',
        "F\t19\tBind\t \"\" \"\" 0 1 1 '1' 1 0",
        'F\t6\tDescribe\t P ""',
        'F\t9\tExecute\t "" 0',
        'F\t4\tSync',
        'B\t4\tParseComplete',
        'B\t4\tBindComplete',
        'B\t33\tRowDescription\t 1 "?column?" 0 0 23 4 -1 0',
        "B\t11\tDataRow\t 1 1 '1'",
        'B\t13\tCommandComplete\t "SELECT 1"',
        'B\t5\tReadyForQuery\t I',
        'F\t4\tTerminate',
        '',
      ].join('\n'),
    );
  });

  it("reproduces libpq's simple_pipeline.trace (regress mode)", () => {
    const steps = [
      F({ type: 'Query', sql: 'SET lc_messages TO "C"' }, 27),
      B(fx.commandComplete('SET')),
      B(fx.readyForQuery('I')),
      F({ type: 'Parse', name: null, sql: 'SELECT $1', paramTypes: [23] }, 21),
      F({ type: 'Bind', portal: null, statement: null, paramFormats: [], params: [utf8('1')], resultFormats: [0] }, 19),
      F({ type: 'Describe', target: P, name: null }, 6),
      F({ type: 'Execute', portal: null, maxRows: 0 }, 9),
      F({ type: 'Sync' }, 4),
      B(fx.parseComplete()),
      B(fx.bindComplete()),
      B(fx.rowDescription(selectOneColumn)),
      B(fx.dataRow([utf8('1')])),
      B(fx.commandComplete('SELECT 1')),
      B(fx.readyForQuery('I')),
      F({ type: 'Terminate' }, 4),
    ];
    const libpq = [
      'F\t27\tQuery\t "SET lc_messages TO "C""',
      'B\t8\tCommandComplete\t "SET"',
      'B\t5\tReadyForQuery\t I',
      'F\t21\tParse\t "" "SELECT $1" 1 NNNN',
      'F\t19\tBind\t "" "" 0 1 1 \'1\' 1 0',
      'F\t6\tDescribe\t P ""',
      'F\t9\tExecute\t "" 0',
      'F\t4\tSync',
      'B\t4\tParseComplete',
      'B\t4\tBindComplete',
      'B\t33\tRowDescription\t 1 "?column?" NNNN 0 NNNN 4 -1 0',
      "B\t11\tDataRow\t 1 1 '1'",
      'B\t13\tCommandComplete\t "SELECT 1"',
      'B\t5\tReadyForQuery\t I',
      'F\t4\tTerminate',
      '',
    ].join('\n');
    expect(trace(steps, { regress: true })).toBe(libpq);
  });

  it("reproduces the error part of libpq's pipeline_abort.trace (regress mode)", () => {
    const numeric = [{ name: '?column?', tableOid: 0, columnAttr: 0, typeOid: 1700, typeSize: -1, typeModifier: -1, format: 0 }];
    const steps = [
      F({ type: 'Parse', name: null, sql: 'SELECT 1.0/g FROM generate_series(3, -1, -1) g', paramTypes: [] }, 54),
      F({ type: 'Bind', portal: null, statement: null, paramFormats: [], params: [], resultFormats: [0] }, 14),
      F({ type: 'Describe', target: P, name: null }, 6),
      F({ type: 'Execute', portal: null, maxRows: 0 }, 9),
      F({ type: 'Sync' }, 4),
      B(fx.parseComplete()),
      B(fx.bindComplete()),
      B(fx.rowDescription(numeric)),
      B(fx.dataRow([utf8('0.33333333333333333333')])),
      B(fx.dataRow([utf8('0.50000000000000000000')])),
      B(fx.dataRow([utf8('1.00000000000000000000')])),
      B(fx.errorResponse([['S', 'ERROR'], ['V', 'ERROR'], ['C', '22012'], ['M', 'division by zero'], ['F', 'numeric.c'], ['L', '8339'], ['R', 'div_var']])),
      B(fx.readyForQuery('I')),
      F({ type: 'Query', sql: 'SELECT itemno FROM pq_pipeline_demo' }, 40),
      B(fx.rowDescription([{ name: 'itemno', tableOid: 16385, columnAttr: 2, typeOid: 23, typeSize: 4, typeModifier: -1, format: 0 }])),
      B(fx.dataRow([utf8('3')])),
      B(fx.commandComplete('SELECT 1')),
      B(fx.readyForQuery('I')),
      F({ type: 'Terminate' }, 4),
    ];
    const libpq = String.raw`F	54	Parse	 "" "SELECT 1.0/g FROM generate_series(3, -1, -1) g" 0
F	14	Bind	 "" "" 0 0 1 0
F	6	Describe	 P ""
F	9	Execute	 "" 0
F	4	Sync
B	4	ParseComplete
B	4	BindComplete
B	33	RowDescription	 1 "?column?" NNNN 0 NNNN 65535 -1 0
B	32	DataRow	 1 22 '0.33333333333333333333'
B	32	DataRow	 1 22 '0.50000000000000000000'
B	32	DataRow	 1 22 '1.00000000000000000000'
B	NN	ErrorResponse	 S "ERROR" V "ERROR" C "22012" M "division by zero" F "SSSS" L "SSSS" R "SSSS" \x00
B	5	ReadyForQuery	 I
F	40	Query	 "SELECT itemno FROM pq_pipeline_demo"
B	31	RowDescription	 1 "itemno" NNNN 2 NNNN 4 -1 0
B	11	DataRow	 1 1 '3'
B	13	CommandComplete	 "SELECT 1"
B	5	ReadyForQuery	 I
F	4	Terminate
`;
    expect(trace(steps, { regress: true })).toBe(libpq);
  });

  it('a startup with SCRAM, parameters, key data, a notice, NULLs and binary values', () => {
    const steps = [
      F({ type: 'StartupMessage', protocol: 196610, parameters: new Map([['user', 'alice'], ['database', 'app']]) }, 33),
      B(fx.negotiateProtocolVersion(0, [])),
      B(fx.authenticationSASL(['SCRAM-SHA-256'])),
      F({ type: 'SASLInitialResponse', mechanism: 'SCRAM-SHA-256', data: utf8('n,,n=,r=abc') }, 33),
      B(fx.authenticationSASLContinue(utf8('r=abcdef,s=c2FsdA==,i=4096'))),
      F({ type: 'SASLResponse', data: utf8('c=biws,r=abcdef,p=cHJvb2Y=') }, 30),
      B(fx.authenticationSASLFinal(utf8('v=c2ln'))),
      B(fx.authenticationOk()),
      B(fx.parameterStatus('client_encoding', 'UTF8')),
      B(fx.backendKeyData(31337, new Uint8Array(4).fill(0x7f))),
      B(fx.readyForQuery('I')),
      F({ type: 'Query', sql: 'SELECT NULL, 42::int4' }, 26),
      B(fx.noticeResponse([['S', 'WARNING'], ['C', '01000'], ['M', 'careful']])),
      B(fx.rowDescription([
        { name: 'a', tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 },
        { name: 'b', tableOid: 0, columnAttr: 0, typeOid: 23, typeSize: 4, typeModifier: -1, format: 1 },
      ])),
      B(fx.dataRow([null, new Uint8Array([0, 0, 0, 42])])),
      B(fx.commandComplete('SELECT 1')),
      B(fx.readyForQuery('I')),
    ];
    expect(trace(steps).split('\n')).toEqual([
      'F\t33\tStartupMessage\t 3 2 "user" "alice" "database" "app"',
      'B\t12\tNegotiateProtocolVersion\t 196608 0',
      'B\t23\tAuthenticationSASL\t "SCRAM-SHA-256" ""',
      "F\t33\tSASLInitialResponse\t \"SCRAM-SHA-256\" 11 'BBBB'",
      "B\t34\tAuthenticationSASLContinue\t 'r=abcdef,s=c2FsdA==,i=4096'",
      "F\t30\tSASLResponse\t 'BBBB'",
      "B\t14\tAuthenticationSASLFinal\t 'v=c2ln'",
      'B\t8\tAuthenticationOk',
      'B\t25\tParameterStatus\t "client_encoding" "UTF8"',
      'B\t12\tBackendKeyData\t 31337 NNNN',
      'B\t5\tReadyForQuery\t I',
      'F\t26\tQuery\t "SELECT NULL, 42::int4"',
      'B\t30\tNoticeResponse\t S "WARNING" C "01000" M "careful" \\x00',
      'B\t46\tRowDescription\t 2 "a" 0 0 25 65535 -1 0 "b" 0 0 23 4 -1 1',
      String.raw`B	18	DataRow	 2 -1 4 '\x00\x00\x00*'`,
      'B\t13\tCommandComplete\t "SELECT 1"',
      'B\t5\tReadyForQuery\t I',
      '',
    ]);
  });
});
