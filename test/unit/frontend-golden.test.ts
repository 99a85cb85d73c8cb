/**
 * Golden bytes of every frontend message: the library's encoders against the independent fixture
 * encoder (test/fixtures/frontend-bytes.ts) and against the seed's hand-written vectors.
 */
import { describe, expect, it } from 'vitest';
import { FormatCode, ProtocolVersion, TargetKind } from '../../src/protocol/codes.js';
import { MessageBuffer, encodeCancelRequest, encodeGSSENCRequest, encodeSSLRequest, encodeStartupMessage } from '../../src/protocol/frontend/index.js';
import { MessageWriter } from '../../src/protocol/writer.js';
import { Bytes, concat, hex, toHex } from '../fixtures/bytes.js';
import * as fx from '../fixtures/frontend-bytes.js';
import { oid } from '../../src/types/oids.js';
import { bool, bytea, float4, float8, int2, int4, int8, json, oidValue, text, timestamptz, uuid } from '../../src/types/bindable.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const be = (...b: number[]): Uint8Array => Uint8Array.from(b);
const same = (actual: Uint8Array, expected: Uint8Array): void => expect(toHex(actual)).toBe(toHex(expected));
const mb = (): MessageBuffer => new MessageBuffer();
const packet = (write: (w: MessageWriter) => void): Uint8Array => {
  const w = new MessageWriter();
  write(w);
  return w.toBytes();
};

describe('seed vectors', () => {
  it('query("SELECT 1")', () => {
    same(mb().query('SELECT 1').bytes(), hex('51 00 00 00 0d 53 45 4c 45 43 54 20 31 00'));
  });

  it('FunctionCall of OID 1344 with the text argument "9" and a text result', () => {
    const bytes = mb().fnCall(1344).resultFormat(FormatCode.Text).finish(['9']).bytes();
    same(bytes, hex('46 00 00 00 13 00 00 05 40 00 00 00 01 00 00 00 01 39 00 00'));
  });
});

describe('simple messages', () => {
  it('Query, including non-ASCII SQL', () => {
    same(mb().query('SELECT \'é😀\'').bytes(), fx.fxQuery('SELECT \'é😀\''));
    same(mb().query('').bytes(), fx.fxQuery(''));
  });

  it('Parse: named, unnamed, with parameter types (UInt32 OIDs)', () => {
    same(mb().parse('s1').query('SELECT $1').finish().bytes(), fx.fxParse('s1', 'SELECT $1'));
    same(mb().parse(null).query('SELECT 1').finish().bytes(), fx.fxParse(null, 'SELECT 1'));
    same(
      mb().parse('s').query('SELECT $1::int + $2::int').paramTypes([oid.INT4, 0, 0xffffffff]).finish().bytes(),
      fx.fxParse('s', 'SELECT $1::int + $2::int', [23, 0, 0xffffffff]),
    );
  });

  it('Describe and Close of statements and portals', () => {
    same(mb().describeStatement('s').bytes(), fx.fxDescribe('S', 's'));
    same(mb().describePortal(null).bytes(), fx.fxDescribe('P', null));
    same(mb().closeStatement(null).bytes(), fx.fxClose('S', null));
    same(mb().closePortal('p1').bytes(), fx.fxClose('P', 'p1'));
    same(mb().describePortal('x').bytes(), hex('44 00 00 00 07 50 78 00'));
  });

  it('Execute with and without a row limit', () => {
    same(mb().execute(null).bytes(), fx.fxExecute(null, 0));
    same(mb().execute('p', 0x7fffffff).bytes(), fx.fxExecute('p', 0x7fffffff));
    same(mb().execute(null, 0).bytes(), hex('45 00 00 00 09 00 00 00 00 00'));
  });

  it('Sync, Flush, Terminate, CopyDone: header only', () => {
    same(mb().sync().bytes(), hex('53 00 00 00 04'));
    same(mb().flushMsg().bytes(), hex('48 00 00 00 04'));
    same(mb().terminate().bytes(), hex('58 00 00 00 04'));
    same(mb().copyDone().bytes(), hex('63 00 00 00 04'));
    same(mb().sync().bytes(), fx.fxSync());
    same(mb().flushMsg().bytes(), fx.fxFlush());
    same(mb().terminate().bytes(), fx.fxTerminate());
    same(mb().copyDone().bytes(), fx.fxCopyDone());
  });

  it('CopyData from bytes and from a string; CopyFail', () => {
    same(mb().copyData(be(1, 2, 0, 255)).bytes(), fx.fxCopyData(be(1, 2, 0, 255)));
    same(mb().copyData('a\tb\n€\n').bytes(), fx.fxCopyData(utf8('a\tb\n€\n')));
    same(mb().copyData(new Uint8Array(0)).bytes(), hex('64 00 00 00 04'));
    same(mb().copyFail('stopped by user').bytes(), fx.fxCopyFail('stopped by user'));
  });

  it('PasswordMessage, SASLInitialResponse (with and without data), SASLResponse, GSSResponse', () => {
    same(mb().passwordMessage('md5abc').bytes(), fx.fxPasswordMessage('md5abc'));
    const first = utf8('n,,n=,r=rOprNGfwEbeRWgbNEkqO');
    same(mb().saslInitialResponse('SCRAM-SHA-256', first).bytes(), fx.fxSASLInitialResponse('SCRAM-SHA-256', first));
    same(mb().saslInitialResponse('SCRAM-SHA-256', null).bytes(), fx.fxSASLInitialResponse('SCRAM-SHA-256', null));
    same(mb().saslInitialResponse('X', null).bytes(), hex('70 00 00 00 0a 58 00 ff ff ff ff'));
    same(mb().saslResponse(utf8('c=biws,r=abc,p=xyz')).bytes(), fx.fxSASLResponse(utf8('c=biws,r=abc,p=xyz')));
    same(mb().gssResponse(be(0x60, 0x82, 0)).bytes(), fx.fxGSSResponse(be(0x60, 0x82, 0)));
  });
});

describe('Bind and the format-code collapse', () => {
  const bind = (params: Parameters<ReturnType<MessageBuffer['bind']>['finish']>[0], formats?: FormatCode | FormatCode[]) => {
    const b = mb().bind('portal').statement('stmt');
    if (formats !== undefined) b.resultFormats(formats);
    return b.finish(params).bytes();
  };
  const expected = (paramFormats: number[], params: (Uint8Array | null)[], resultFormats: number[] = []) =>
    fx.fxBind({ portal: 'portal', statement: 'stmt', paramFormats, params, resultFormats });

  it('no parameters: zero codes, zero values, zero result codes', () => {
    same(mb().bind(null).finish().bytes(), hex('42 00 00 00 0c 00 00 00 00 00 00 00 00'));
    same(bind([]), expected([], []));
  });

  it('all text: zero format codes', () => {
    same(bind(['a', 'bc', text('42')]), expected([], [utf8('a'), utf8('bc'), utf8('42')]));
  });

  it('all binary: one format code', () => {
    same(bind([int4(5), int4(10)]), expected([1], [be(0, 0, 0, 5), be(0, 0, 0, 10)]));
    same(bind([be(9, 8), true, 7n]), expected([1], [be(9, 8), be(1), be(0, 0, 0, 0, 0, 0, 0, 7)]));
  });

  it('mixed: one code per parameter', () => {
    same(bind([int4(1), 'x', false]), expected([1, 0, 1], [be(0, 0, 0, 1), utf8('x'), be(0)]));
  });

  it('NULL takes the format of the first non-NULL value (any format is valid for NULL)', () => {
    same(bind([null, 'a']), expected([], [null, utf8('a')]));
    same(bind([null, int4(3), undefined]), expected([1], [null, be(0, 0, 0, 3), null]));
    same(bind([null]), expected([], [null]));
    same(bind(['t', null, int2(1)]), expected([0, 0, 1], [utf8('t'), null, be(0, 1)]));
  });

  it('result formats: one for all, or per column, collapsed the same way', () => {
    same(bind([], FormatCode.Binary), expected([], [], [1]));
    same(bind([], FormatCode.Text), expected([], [], []));
    same(bind([], [FormatCode.Text, FormatCode.Text]), expected([], [], []));
    same(bind([], [FormatCode.Binary, FormatCode.Binary, FormatCode.Binary]), expected([], [], [1]));
    same(bind([], [FormatCode.Text, FormatCode.Binary]), expected([], [], [0, 1]));
    same(bind([], []), expected([], [], []));
  });

  it('the seed example: bind(statement) with two int4 parameters', () => {
    const bytes = mb().bind(null).statement('my_stmt').finish([int4(5), int4(10)]).execute(null, 0).sync().bytes();
    same(
      bytes,
      concat(
        fx.fxBind({ portal: null, statement: 'my_stmt', paramFormats: [1], params: [be(0, 0, 0, 5), be(0, 0, 0, 10)], resultFormats: [] }),
        fx.fxExecute(null, 0),
        fx.fxSync(),
      ),
    );
  });

  it('every wrapper encodes its binary (or text) form', () => {
    const f32 = new Bytes();
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat32(0, 1.5);
    f32.raw(new Uint8Array(dv.buffer, 0, 4));
    dv.setFloat64(0, -0.1);
    const f64 = new Uint8Array(dv.buffer.slice(0));
    const cases: [Parameters<ReturnType<MessageBuffer['bind']>['finish']>[0], number[], (Uint8Array | null)[]][] = [
      [[int2(-2)], [1], [be(0xff, 0xfe)]],
      [[int4(-2147483648)], [1], [be(0x80, 0, 0, 0)]],
      [[int8(-1)], [1], [be(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)]],
      [[int8(9223372036854775807n)], [1], [be(0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)]],
      [[float4(1.5)], [1], [f32.body()]],
      [[float8(-0.1)], [1], [f64]],
      [[oidValue(0xfffffffe)], [1], [be(0xff, 0xff, 0xff, 0xfe)]],
      [[bool(true)], [1], [be(1)]],
      [[bytea(be(1, 2, 3))], [1], [be(1, 2, 3)]],
      [[json({ a: [1, 'é'] })], [], [utf8('{"a":[1,"é"]}')]],
      [[uuid('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11')], [1], [hex('a0eebc999c0b4ef8bb6d6bb9bd380a11')]],
      [[uuid('{A0EEBC999C0B4EF8BB6D6BB9BD380A11}')], [1], [hex('a0eebc999c0b4ef8bb6d6bb9bd380a11')]],
      [[timestamptz(new Date('2000-01-01T00:00:01.5Z'))], [1], [new Bytes().i64(1_500_000n).body()]],
      [[timestamptz(new Date('1970-01-01T00:00:00Z'))], [1], [new Bytes().i64(-946_684_800_000_000n).body()]],
    ];
    for (const [params, formats, values] of cases) same(bind(params), expected(formats, values));
  });

  it('a custom Bindable without encodedLength is written in place and its length patched', () => {
    const point = {
      format: FormatCode.Binary,
      encode(w: MessageWriter) {
        w.f64(1);
        w.f64(2);
      },
    };
    const dv = new DataView(new ArrayBuffer(16));
    dv.setFloat64(0, 1);
    dv.setFloat64(8, 2);
    same(bind([point, 'z']), expected([1, 0], [new Uint8Array(dv.buffer), utf8('z')]));
  });

  it('a custom Bindable may send NULL through encodedLength() = -1', () => {
    const nil = { format: FormatCode.Binary, encodedLength: () => -1, encode: () => { throw new Error('not called'); } };
    same(bind([nil, int4(1)]), expected([1], [null, be(0, 0, 0, 1)]));
  });
});

describe('FunctionCall', () => {
  it('binary arguments and result', () => {
    const bytes = mb().fnCall(1397).resultFormat(FormatCode.Binary).finish([int4(-5)]).bytes();
    same(bytes, fx.fxFunctionCall({ oid: 1397, argFormats: [1], args: [be(0xff, 0xff, 0xff, 0xfb)], resultFormat: 1 }));
  });

  it('mixed arguments, a NULL, no arguments, and a UInt32 OID', () => {
    same(
      mb().fnCall(0xfffffff0).finish(['a', null, be(1)]).bytes(),
      fx.fxFunctionCall({ oid: 0xfffffff0, argFormats: [0, 0, 1], args: [utf8('a'), null, be(1)], resultFormat: 0 }),
    );
    same(mb().fnCall(7).finish().bytes(), fx.fxFunctionCall({ oid: 7, argFormats: [], args: [], resultFormat: 0 }));
  });
});

describe('startup-phase packets', () => {
  it('StartupMessage 3.0 and 3.2, parameters in order, _pq_ options', () => {
    const params: [string, string][] = [
      ['user', 'postgres'],
      ['database', 'mydb'],
      ['application_name', 'pg-stream'],
      ['_pq_.test_option', 'on'],
      ['options', ''],
    ];
    same(packet((w) => encodeStartupMessage(w, { protocol: ProtocolVersion.V3_0, parameters: new Map(params) })), fx.fxStartupMessage(fx.V3_0, params));
    same(
      packet((w) => encodeStartupMessage(w, { protocol: ProtocolVersion.V3_2, parameters: Object.fromEntries(params) })),
      fx.fxStartupMessage(fx.V3_2, params),
    );
    same(
      mb().startupMessage({ protocol: ProtocolVersion.V3_0, parameters: { user: 'u' } }).bytes(),
      hex('00 00 00 10 00 03 00 00 75 73 65 72 00 75 00 00'),
    );
  });

  it('SSLRequest, GSSENCRequest', () => {
    same(packet(encodeSSLRequest), hex('00 00 00 08 04 d2 16 2f'));
    same(packet(encodeGSSENCRequest), hex('00 00 00 08 04 d2 16 30'));
    same(mb().sslRequest().bytes(), fx.fxSSLRequest());
    same(mb().gssencRequest().bytes(), fx.fxGSSENCRequest());
  });

  it('CancelRequest with a 4-byte key (3.0) and a 256-byte key (3.2)', () => {
    same(packet((w) => encodeCancelRequest(w, 1234, be(1, 2, 3, 4))), hex('00 00 00 10 04 d2 16 2e 00 00 04 d2 01 02 03 04'));
    const long = Uint8Array.from({ length: 256 }, (_, i) => i);
    same(mb().cancelRequest(0x7fffffff, long).bytes(), fx.fxCancelRequest(0x7fffffff, long));
    same(mb().cancelRequest(0xffffffff, be(9, 9, 9, 9)).bytes(), fx.fxCancelRequest(-1, be(9, 9, 9, 9)));
  });
});

describe('chains', () => {
  it('Parse + Bind + Describe + Execute + Sync in one buffer', () => {
    const bytes = mb()
      .parse('s')
      .query('SELECT $1::int + $2::int')
      .paramTypes([oid.INT4, oid.INT4])
      .finish()
      .bind('p')
      .statement('s')
      .resultFormats(FormatCode.Binary)
      .finish([int4(5), int4(10)])
      .describePortal('p')
      .execute('p', 0)
      .closePortal('p')
      .sync()
      .bytes();
    same(
      bytes,
      concat(
        fx.fxParse('s', 'SELECT $1::int + $2::int', [23, 23]),
        fx.fxBind({ portal: 'p', statement: 's', paramFormats: [1], params: [be(0, 0, 0, 5), be(0, 0, 0, 10)], resultFormats: [1] }),
        fx.fxDescribe('P', 'p'),
        fx.fxExecute('p', 0),
        fx.fxClose('P', 'p'),
        fx.fxSync(),
      ),
    );
  });

  it('TargetKind values are the documented bytes', () => {
    expect(TargetKind.STATEMENT).toBe('S'.charCodeAt(0));
    expect(TargetKind.PORTAL).toBe('P'.charCodeAt(0));
  });
});
