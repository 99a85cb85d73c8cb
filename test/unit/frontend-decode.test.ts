/**
 * Frontend decoders on hand-built bodies: valid ones decode to the documented shapes, malformed
 * ones (annotated byte by byte) are ProtocolErrors with stable codes, never RangeErrors.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, ProtocolError } from '../../src/errors.js';
import { FormatCode, ProtocolVersion, TargetKind } from '../../src/protocol/codes.js';
import { decodeFrontend, decodeStartupPacket } from '../../src/protocol/frontend/index.js';
import type { PasswordKind } from '../../src/protocol/messages.js';
import { Bytes, hex } from '../fixtures/bytes.js';
import * as fx from '../fixtures/frontend-bytes.js';

const code = (c: string): number => c.charCodeAt(0);
/** The body of a framed message (type byte and length word removed). */
const body = (framed: Uint8Array): Uint8Array => framed.subarray(5);
/** The body of an untyped packet (length word removed). */
const pbody = (packet: Uint8Array): Uint8Array => packet.subarray(4);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function fails(f: () => unknown, errorCode: ErrorCode): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ProtocolError);
  expect((err as ProtocolError).code).toBe(errorCode);
  expect((err as ProtocolError).fatal).toBe(true);
}

describe('valid bodies', () => {
  it('decode to the shapes of messages.ts (unnamed = null)', () => {
    expect(decodeFrontend(code('Q'), body(fx.fxQuery('SELECT 1')))).toEqual({ type: 'Query', sql: 'SELECT 1' });
    expect(decodeFrontend(code('P'), body(fx.fxParse(null, 'SELECT $1', [23, 0xffffffff])))).toEqual({
      type: 'Parse', name: null, sql: 'SELECT $1', paramTypes: [23, 0xffffffff],
    });
    expect(decodeFrontend(code('D'), body(fx.fxDescribe('P', '')))).toEqual({ type: 'Describe', target: TargetKind.PORTAL, name: null });
    expect(decodeFrontend(code('C'), body(fx.fxClose('S', 's1')))).toEqual({ type: 'Close', target: TargetKind.STATEMENT, name: 's1' });
    expect(decodeFrontend(code('E'), body(fx.fxExecute('p', 7)))).toEqual({ type: 'Execute', portal: 'p', maxRows: 7 });
    expect(decodeFrontend(code('S'), body(fx.fxSync()))).toEqual({ type: 'Sync' });
    expect(decodeFrontend(code('H'), body(fx.fxFlush()))).toEqual({ type: 'Flush' });
    expect(decodeFrontend(code('X'), body(fx.fxTerminate()))).toEqual({ type: 'Terminate' });
    expect(decodeFrontend(code('c'), body(fx.fxCopyDone()))).toEqual({ type: 'CopyDone' });
    expect(decodeFrontend(code('f'), body(fx.fxCopyFail('no')))).toEqual({ type: 'CopyFail', message: 'no' });
    expect(decodeFrontend(code('d'), body(fx.fxCopyData(utf8('1\t2\n'))))).toEqual({ type: 'CopyData', data: utf8('1\t2\n') });
  });

  it('Bind and FunctionCall keep formats as on the wire and values as views', () => {
    const framed = fx.fxBind({ portal: 'p', statement: null, paramFormats: [1], params: [hex('00 00 00 05'), null], resultFormats: [0, 1] });
    const msg = decodeFrontend(code('B'), body(framed));
    expect(msg).toEqual({
      type: 'Bind', portal: 'p', statement: null, paramFormats: [FormatCode.Binary],
      params: [hex('00 00 00 05'), null], resultFormats: [FormatCode.Text, FormatCode.Binary],
    });
    const value = (msg as unknown as { params: Uint8Array[] }).params[0]!;
    expect(value.buffer).toBe(framed.buffer);
    const fc = fx.fxFunctionCall({ oid: 1344, argFormats: [], args: [utf8('9')], resultFormat: 0 });
    expect(decodeFrontend(code('F'), body(fc))).toEqual({ type: 'FunctionCall', oid: 1344, argFormats: [], args: [utf8('9')], resultFormat: 0 });
  });

  it('the p byte is decoded by the kind the server expects', () => {
    const kinds: [PasswordKind, Uint8Array, unknown][] = [
      ['PasswordMessage', fx.fxPasswordMessage('secret'), { type: 'PasswordMessage', password: 'secret' }],
      ['SASLInitialResponse', fx.fxSASLInitialResponse('SCRAM-SHA-256', utf8('n,,n=,r=x')), { type: 'SASLInitialResponse', mechanism: 'SCRAM-SHA-256', data: utf8('n,,n=,r=x') }],
      ['SASLInitialResponse', fx.fxSASLInitialResponse('SCRAM-SHA-256', null), { type: 'SASLInitialResponse', mechanism: 'SCRAM-SHA-256', data: null }],
      ['SASLResponse', fx.fxSASLResponse(utf8('c=biws')), { type: 'SASLResponse', data: utf8('c=biws') }],
      ['GSSResponse', fx.fxGSSResponse(hex('60 01 00')), { type: 'GSSResponse', data: hex('60 01 00') }],
    ];
    for (const [kind, framed, expected] of kinds) expect(decodeFrontend(code('p'), body(framed), kind)).toEqual(expected);
    expect(decodeFrontend(code('p'), body(fx.fxPasswordMessage('x')))).toEqual({ type: 'PasswordMessage', password: 'x' });
  });

  it('startup packets by their first Int32', () => {
    const params: [string, string][] = [['user', 'u'], ['_pq_.x', 'y'], ['database', '']];
    expect(decodeStartupPacket(pbody(fx.fxStartupMessage(fx.V3_2, params)))).toEqual({
      type: 'StartupMessage', protocol: ProtocolVersion.V3_2, parameters: new Map(params),
    });
    expect([...(decodeStartupPacket(pbody(fx.fxStartupMessage(fx.V3_0, params))) as unknown as { parameters: Map<string, string> }).parameters.keys()])
      .toEqual(['user', '_pq_.x', 'database']);
    expect(decodeStartupPacket(pbody(fx.fxSSLRequest()))).toEqual({ type: 'SSLRequest' });
    expect(decodeStartupPacket(pbody(fx.fxGSSENCRequest()))).toEqual({ type: 'GSSENCRequest' });
    expect(decodeStartupPacket(pbody(fx.fxCancelRequest(-5, hex('01 02 03 04 05'))))).toEqual({
      type: 'CancelRequest', processId: -5, secretKey: hex('01 02 03 04 05'),
    });
  });
});

describe('malformed bodies', () => {
  const M = ErrorCode.MALFORMED_MESSAGE;

  it('unknown type bytes are PGS_UNKNOWN_MESSAGE', () => {
    for (const c of ['Z', 'T', 'x', '\0', 'ÿ']) fails(() => decodeFrontend(code(c), new Uint8Array(0)), ErrorCode.UNKNOWN_MESSAGE);
  });

  it('strings without their NUL, and bytes after the last field', () => {
    fails(() => decodeFrontend(code('Q'), utf8('SELECT 1')), M); // no terminator
    fails(() => decodeFrontend(code('Q'), hex('41 00 42')), M); // 'A' NUL then a stray 'B'
    fails(() => decodeFrontend(code('S'), hex('00')), M); // Sync has no body
    fails(() => decodeFrontend(code('c'), hex('01 02')), M);
    fails(() => decodeFrontend(code('E'), hex('00 00 00 00')), M); // portal NUL + only 3 bytes of Int32
    fails(() => decodeFrontend(code('p'), hex('70 77')), M); // password without NUL
  });

  it('Bind: counts past the body, bad lengths, bad format codes, format/value mismatch', () => {
    const bind = (f: (b: Bytes) => Bytes) => f(new Bytes().cstr('').cstr('')).body();
    fails(() => decodeFrontend(code('B'), bind((b) => b.i16(3).i16(0))), M); // 3 formats, 1 present
    fails(() => decodeFrontend(code('B'), bind((b) => b.i16(0).i16(65535))), M); // 65535 values in 0 bytes
    fails(() => decodeFrontend(code('B'), bind((b) => b.i16(0).i16(1).i32(-2).i16(0))), M); // length -2
    fails(() => decodeFrontend(code('B'), bind((b) => b.i16(0).i16(1).i32(5).u8(1).i16(0))), M); // 5 promised, 1 there
    fails(() => decodeFrontend(code('B'), bind((b) => b.i16(1).i16(2).i16(0).i16(0))), M); // format code 2
    fails(() => decodeFrontend(code('B'), bind((b) => b.i16(2).i16(0).i16(1).i16(3).i32(-1).i32(-1).i32(-1).i16(0))), M); // 2 formats, 3 values
    fails(() => decodeFrontend(code('B'), bind((b) => b.i16(0).i16(0).i16(1).i16(-1))), M); // result format -1
    fails(() => decodeFrontend(code('B'), bind((b) => b.i16(0).i16(0))), M); // result format count missing
  });

  it('FunctionCall: bad result format and trailing bytes', () => {
    fails(() => decodeFrontend(code('F'), new Bytes().i32(1).i16(0).i16(0).i16(2).body()), M);
    fails(() => decodeFrontend(code('F'), new Bytes().i32(1).i16(0).i16(0).i16(0).u8(0).body()), M);
  });

  it('Describe/Close targets, Execute negative limits, Parse type counts', () => {
    fails(() => decodeFrontend(code('D'), hex('51 00')), M); // target 'Q'
    fails(() => decodeFrontend(code('C'), hex('00 00')), M);
    fails(() => decodeFrontend(code('E'), new Bytes().cstr('').i32(-1).body()), M);
    fails(() => decodeFrontend(code('P'), new Bytes().cstr('').cstr('x').i16(2).i32(23).body()), M);
  });

  it('SASLInitialResponse: negative length and length past the body', () => {
    fails(() => decodeFrontend(code('p'), new Bytes().cstr('M').i32(-2).body(), 'SASLInitialResponse'), M);
    fails(() => decodeFrontend(code('p'), new Bytes().cstr('M').i32(10).u8(1).body(), 'SASLInitialResponse'), M);
    fails(() => decodeFrontend(code('p'), new Bytes().cstr('M').i32(0).u8(1).body(), 'SASLInitialResponse'), M);
    fails(() => decodeFrontend(code('p'), new Bytes().cstr('M').body(), 'SASLInitialResponse'), M);
  });

  it('startup packets: short, wrong versions, layout errors, missing user, bad cancel keys', () => {
    fails(() => decodeStartupPacket(hex('00 03 00')), M);
    fails(() => decodeStartupPacket(new Bytes().i32(0x0002_0000).cstr('user').cstr('u').u8(0).body()), ErrorCode.PROTOCOL_VERSION);
    fails(() => decodeStartupPacket(new Bytes().i32(80877105).body()), ErrorCode.PROTOCOL_VERSION); // 1234.5681
    fails(() => decodeStartupPacket(new Bytes().i32(fx.V3_0).cstr('user').cstr('u').body()), M); // no final NUL
    fails(() => decodeStartupPacket(new Bytes().i32(fx.V3_0).cstr('user').body()), M); // name without value
    fails(() => decodeStartupPacket(new Bytes().i32(fx.V3_0).cstr('user').cstr('u').u8(0).u8(0).body()), M); // trailing byte
    fails(() => decodeStartupPacket(new Bytes().i32(fx.V3_0).cstr('database').cstr('d').u8(0).body()), M); // no user
    fails(() => decodeStartupPacket(new Bytes().i32(fx.V3_0).cstr('user').cstr('').u8(0).body()), M); // empty user
    fails(() => decodeStartupPacket(new Bytes().i32(fx.V3_0).cstr('user').cstr('a').cstr('user').cstr('b').u8(0).body()), M);
    fails(() => decodeStartupPacket(new Bytes().i32(fx.SSL_REQUEST_CODE).u8(0).body()), M);
    fails(() => decodeStartupPacket(new Bytes().i32(fx.GSSENC_REQUEST_CODE).i32(0).body()), M);
    fails(() => decodeStartupPacket(new Bytes().i32(fx.CANCEL_REQUEST_CODE).i32(1).raw([1, 2, 3]).body()), M);
    fails(() => decodeStartupPacket(new Bytes().i32(fx.CANCEL_REQUEST_CODE).i32(1).raw(new Uint8Array(257)).body()), M);
    fails(() => decodeStartupPacket(new Bytes().i32(fx.CANCEL_REQUEST_CODE).u8(1).body()), M);
  });

  it('__proto__ as a startup parameter name is an ordinary key', () => {
    const msg = decodeStartupPacket(new Bytes().i32(fx.V3_0).cstr('user').cstr('u').cstr('__proto__').cstr('x').u8(0).body());
    expect((msg as unknown as { parameters: Map<string, string> }).parameters.get('__proto__')).toBe('x');
  });
});
