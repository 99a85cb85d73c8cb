/**
 * Outbound range checks (RELIABILITY.md, outbound length overflow): every count, length, OID,
 * format and string is checked before it is written; a refused message leaves the buffer exactly
 * as it was, and the error is a non-fatal ClientError with a stable code.
 */
import { describe, expect, it } from 'vitest';
import { ClientError, ErrorCode, PgStreamError } from '../../src/errors.js';
import { FormatCode, ProtocolVersion, TargetKind } from '../../src/protocol/codes.js';
import { type BindValue, MessageBuffer, encodeCancelRequest, encodeDescribe, encodeStartupMessage } from '../../src/protocol/frontend/index.js';
import { MessageWriter } from '../../src/protocol/writer.js';
import { toHex } from '../fixtures/bytes.js';
import { bool, bytea, float4, float8, int2, int4, int8, json, oidValue, text, timestamptz, uuid } from '../../src/types/bindable.js';

const GiB = 2 ** 30;

/** A buffer that already holds a Sync, so "nothing written" is checked against a non-empty state. */
function primed(): MessageBuffer {
  return new MessageBuffer().sync();
}

/** Runs `write` and checks it throws a ClientError with `code`, leaving `mb` byte-for-byte unchanged. */
function refuses(mb: MessageBuffer, code: ErrorCode, write: (mb: MessageBuffer) => unknown): ClientError {
  const before = toHex(mb.bytes());
  const length = mb.length;
  let caught: unknown;
  try {
    write(mb);
  } catch (err) {
    caught = err;
  }
  expect(caught, 'expected a ClientError').toBeInstanceOf(ClientError);
  const err = caught as ClientError;
  expect(err.code).toBe(code);
  expect(err.fatal).toBe(false);
  expect(toHex(mb.bytes())).toBe(before);
  // The buffer is still usable afterwards.
  mb.flushMsg();
  expect(mb.length).toBe(length + 5);
  return err;
}

describe('parameter counts', () => {
  it('65536 Bind parameters → PGS_TOO_MANY_PARAMETERS, nothing written', () => {
    const params = new Array<BindValue>(65536).fill(null);
    refuses(primed(), ErrorCode.TOO_MANY_PARAMETERS, (mb) => mb.bind(null).finish(params));
  });

  it('65535 parameters is the maximum and is written with count ffff', () => {
    const bytes = new MessageBuffer().bind(null).finish(new Array<BindValue>(65535).fill('')).bytes();
    // 'B' len, portal NUL, statement NUL, format count 0, value count ffff.
    expect(toHex(bytes.subarray(7, 11))).toBe('00 00 ff ff');
    expect(bytes.length).toBe(1 + 4 + 2 + 2 + 2 + 65535 * 4 + 2);
  });

  it('65536 parameter types, result formats or function arguments are refused too', () => {
    const many = new Array<number>(65536).fill(0);
    refuses(primed(), ErrorCode.TOO_MANY_PARAMETERS, (mb) => mb.parse(null).query('SELECT 1').paramTypes(many).finish());
    refuses(primed(), ErrorCode.TOO_MANY_PARAMETERS, (mb) =>
      mb.bind(null).resultFormats(new Array<FormatCode>(65536).fill(FormatCode.Binary)).finish(),
    );
    refuses(primed(), ErrorCode.TOO_MANY_PARAMETERS, (mb) => mb.fnCall(1).finish(new Array<BindValue>(65536).fill(null)));
    refuses(primed(), ErrorCode.TOO_MANY_PARAMETERS, (mb) =>
      mb.encodeMessage({ type: 'Bind', portal: null, statement: null, paramFormats: [], params: new Array(65536).fill(null), resultFormats: [] }),
    );
  });
});

describe('NUL inside C strings', () => {
  it('is refused in SQL, names, passwords, CopyFail and startup parameters', () => {
    refuses(primed(), ErrorCode.NUL_IN_STRING, (mb) => mb.query('SELECT 1;\0DROP TABLE x'));
    refuses(primed(), ErrorCode.NUL_IN_STRING, (mb) => mb.parse('a\0b').query('SELECT 1').finish());
    refuses(primed(), ErrorCode.NUL_IN_STRING, (mb) => mb.parse(null).query('SELECT \0').finish());
    refuses(primed(), ErrorCode.NUL_IN_STRING, (mb) => mb.bind('p\0').finish());
    refuses(primed(), ErrorCode.NUL_IN_STRING, (mb) => mb.bind(null).statement('s\0').finish(['x']));
    refuses(primed(), ErrorCode.NUL_IN_STRING, (mb) => mb.describeStatement('\0'));
    refuses(primed(), ErrorCode.NUL_IN_STRING, (mb) => mb.closePortal('é\0'));
    refuses(primed(), ErrorCode.NUL_IN_STRING, (mb) => mb.execute('\0', 0));
    refuses(primed(), ErrorCode.NUL_IN_STRING, (mb) => mb.passwordMessage('pw\0'));
    refuses(primed(), ErrorCode.NUL_IN_STRING, (mb) => mb.copyFail('x\0'));
    refuses(primed(), ErrorCode.NUL_IN_STRING, (mb) => mb.saslInitialResponse('SCRAM\0', null));
    refuses(primed(), ErrorCode.NUL_IN_STRING, (mb) => mb.startupMessage({ protocol: ProtocolVersion.V3_0, parameters: { user: 'a\0' } }));
  });

  it('is fine inside parameter values, which are length-prefixed', () => {
    const bytes = new MessageBuffer().bind(null).finish(['a\0b']).bytes();
    expect(toHex(bytes.subarray(11, 18))).toBe('00 00 00 03 61 00 62');
  });

  it('the error never quotes the password', () => {
    const err = refuses(primed(), ErrorCode.NUL_IN_STRING, (mb) => mb.passwordMessage('hunter2\0'));
    expect(err.message).not.toContain('hunter2');
  });
});

describe('the 1 GiB message limit', () => {
  it('a Bindable declaring a value past the limit is refused before it is encoded', () => {
    let encoded = false;
    const huge = { format: FormatCode.Binary, encodedLength: () => GiB, encode: () => void (encoded = true) };
    const mb = primed();
    const capacity = mb.writer.buf.length;
    refuses(mb, ErrorCode.MESSAGE_TOO_LARGE, (m) => m.bind(null).finish(['a', huge]));
    expect(encoded).toBe(false);
    expect(mb.writer.buf.length).toBe(capacity);
  });

  it('a 1 GiB Uint8Array is refused before a byte is copied (Bind, FunctionCall, CopyData, raw Bind)', () => {
    const big = new Uint8Array(GiB);
    const mb = primed();
    const capacity = mb.writer.buf.length;
    refuses(mb, ErrorCode.MESSAGE_TOO_LARGE, (m) => m.bind(null).finish([big]));
    refuses(mb, ErrorCode.MESSAGE_TOO_LARGE, (m) => m.fnCall(1).finish([bytea(big)]));
    refuses(mb, ErrorCode.MESSAGE_TOO_LARGE, (m) => m.copyData(big));
    refuses(mb, ErrorCode.MESSAGE_TOO_LARGE, (m) => m.saslResponse(big));
    refuses(mb, ErrorCode.MESSAGE_TOO_LARGE, (m) =>
      m.encodeMessage({ type: 'Bind', portal: null, statement: null, paramFormats: [], params: [big], resultFormats: [] }),
    );
    expect(mb.writer.buf.length).toBe(capacity);
  });

  it('strings whose total passes 1 GiB are refused up front, without encoding any', () => {
    // V8's longest string (2^29 - 24 UTF-16 units): twice that plus a little is over 1 GiB.
    const longest = 'a'.repeat(2 ** 29 - 24);
    const mb = primed();
    const capacity = mb.writer.buf.length;
    refuses(mb, ErrorCode.MESSAGE_TOO_LARGE, (m) => m.bind(null).finish([longest, longest, 'b'.repeat(100)]));
    expect(mb.writer.buf.length).toBe(capacity);
  });

  it('a message that grows past the limit while encoding is refused and rolled back', () => {
    // A Bindable without encodedLength writes 600 MB twice: the second pushes the message over
    // 1 GiB. The buffer is sized up front so the test does not spend its time growing it.
    const chunk = new Uint8Array(600 * 2 ** 20);
    const streaming = { format: FormatCode.Binary, encode: (w: MessageWriter) => w.bytes(chunk) };
    const mb = new MessageBuffer(1.25 * GiB).sync();
    refuses(mb, ErrorCode.MESSAGE_TOO_LARGE, (m) => m.bind(null).finish([streaming, streaming]));
  }, 20_000);
});

describe('numbers that the wire cannot carry', () => {
  it('cancel keys must be 4 to 256 bytes', () => {
    const w = new MessageWriter();
    for (const n of [3, 257, 0]) {
      expect(() => encodeCancelRequest(w, 1, new Uint8Array(n))).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    }
    expect(w.length).toBe(0);
    refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) => mb.cancelRequest(1, new Uint8Array(3)));
    refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) => mb.cancelRequest(1, new Uint8Array(257)));
    refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) => mb.cancelRequest(2 ** 32, new Uint8Array(4)));
    refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) => mb.cancelRequest(1, 'abcd' as unknown as Uint8Array));
    encodeCancelRequest(w, 1, new Uint8Array(4));
    encodeCancelRequest(w, 1, new Uint8Array(256));
    expect(w.length).toBe(16 + 268);
  });

  it('the error for a bad cancel key never contains the key', () => {
    const key = Uint8Array.from({ length: 300 }, () => 0x41);
    const err = refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) => mb.cancelRequest(1, key));
    expect(err.message).not.toContain('AAAA');
    expect(err.message).not.toContain('65,65');
  });

  it('Execute row limits: 0..2^31-1', () => {
    for (const bad of [-1, 2 ** 31, 1.5, NaN]) refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) => mb.execute(null, bad));
    expect(new MessageBuffer().execute(null, 2 ** 31 - 1).length).toBe(10);
  });

  it('OIDs are UInt32', () => {
    for (const bad of [-1, 2 ** 32, 0.5]) {
      refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) => mb.parse(null).query('SELECT $1').paramTypes([bad]).finish());
      refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) => mb.fnCall(bad).finish());
      expect(() => oidValue(bad)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    }
  });

  it('format codes are 0 or 1', () => {
    refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) => mb.bind(null).resultFormats(2 as FormatCode).finish());
    refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) => mb.bind(null).resultFormats([0, 1, -1] as FormatCode[]).finish());
    refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) => mb.fnCall(1).resultFormat(7 as FormatCode).finish());
    const weird = { format: 2 as FormatCode, encode: () => undefined };
    refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) => mb.bind(null).finish([weird]));
    refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) =>
      mb.encodeMessage({ type: 'Bind', portal: null, statement: null, paramFormats: [0, 1], params: [null, null, null], resultFormats: [] }),
    );
  });

  it('Describe/Close targets are S or P', () => {
    const w = new MessageWriter();
    expect(() => encodeDescribe(w, 0x51 as TargetKind, null)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(w.length).toBe(0);
  });
});

describe('parameter values', () => {
  it('a plain number is ambiguous and refused; so is anything that is not a BindValue', () => {
    for (const bad of [5, 1.5, {}, [], () => 1, Symbol('x'), new Date(), new Uint16Array(2)]) {
      refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) => mb.bind(null).finish(['ok', bad as unknown as BindValue]));
    }
  });

  it('a bigint outside int8 is refused, not wrapped', () => {
    refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) => mb.bind(null).finish([2n ** 63n]));
    refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) => mb.bind(null).finish([-(2n ** 63n) - 1n]));
    expect(new MessageBuffer().bind(null).finish([2n ** 63n - 1n, -(2n ** 63n)]).length).toBeGreaterThan(0);
  });

  it('typed wrappers check their range when called', () => {
    const bad: [() => unknown, string][] = [
      [() => int2(32768), 'int2 overflow'],
      [() => int2(-32769), 'int2 underflow'],
      [() => int2(1.5), 'int2 fraction'],
      [() => int4(2 ** 31), 'int4 overflow'],
      [() => int4(-(2 ** 31) - 1), 'int4 underflow'],
      [() => int4('5' as unknown as number), 'int4 string'],
      [() => int8(2 ** 53), 'int8 unsafe number'],
      [() => int8(2n ** 63n), 'int8 bigint overflow'],
      [() => float4(1e39), 'float4 overflow'],
      [() => float8('1' as unknown as number), 'float8 string'],
      [() => bool(1 as unknown as boolean), 'bool number'],
      [() => bytea([1, 2] as unknown as Uint8Array), 'bytea array'],
      [() => text(5 as unknown as string), 'text number'],
      [() => json(undefined), 'json undefined'],
      [() => json(() => 1), 'json function'],
      [() => json(1n), 'json bigint'],
      [() => { const a: unknown[] = []; a.push(a); return json(a); }, 'json cycle'],
      [() => uuid('not-a-uuid'), 'uuid'],
      [() => uuid('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1'), 'uuid short'],
      [() => timestamptz(new Date(NaN)), 'invalid Date'],
      [() => timestamptz(new Date(-8.64e15)), 'before 4714 BC'],
    ];
    for (const [f, what] of bad) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err, what).toBeInstanceOf(PgStreamError);
      expect((err as PgStreamError).code, what).toBe(ErrorCode.INVALID_ARGUMENT);
    }
    expect(() => [int2(32767), int2(-32768), int4(2 ** 31 - 1), int8(2 ** 53 - 1), float4(Infinity), float4(NaN), float8(-0)]).not.toThrow();
  });

  it('a Bindable that throws, or lies about its length, rolls the whole message back', () => {
    const boom = new Error('boom');
    const throwing = { format: FormatCode.Binary, encodedLength: () => 4, encode: (w: MessageWriter) => { w.i16(1); throw boom; } };
    const mb = primed();
    const before = toHex(mb.bytes());
    expect(() => mb.bind(null).finish(['x', throwing])).toThrow(boom);
    expect(toHex(mb.bytes())).toBe(before);
    const liar = { format: FormatCode.Binary, encodedLength: () => 4, encode: (w: MessageWriter) => w.i16(1) };
    refuses(primed(), ErrorCode.INVALID_ARGUMENT, (m) => m.bind(null).finish([liar]));
    const negative = { format: FormatCode.Binary, encodedLength: () => -2, encode: () => undefined };
    refuses(primed(), ErrorCode.INVALID_ARGUMENT, (m) => m.bind(null).finish([negative]));
  });
});

describe('startup packets', () => {
  const w = () => new MessageWriter();
  it('need protocol 3.x, a non-empty user, non-empty names, and at most 10000 bytes', () => {
    const cases: [ErrorCode, () => void][] = [
      [ErrorCode.INVALID_ARGUMENT, () => encodeStartupMessage(w(), { protocol: 0x0002_0000, parameters: { user: 'u' } })],
      [ErrorCode.INVALID_ARGUMENT, () => encodeStartupMessage(w(), { protocol: 80877103, parameters: { user: 'u' } })],
      [ErrorCode.INVALID_ARGUMENT, () => encodeStartupMessage(w(), { protocol: ProtocolVersion.V3_0, parameters: { database: 'd' } })],
      [ErrorCode.INVALID_ARGUMENT, () => encodeStartupMessage(w(), { protocol: ProtocolVersion.V3_0, parameters: { user: '' } })],
      [ErrorCode.INVALID_ARGUMENT, () => encodeStartupMessage(w(), { protocol: ProtocolVersion.V3_0, parameters: new Map([['user', 'u'], ['', 'x']]) })],
      [ErrorCode.MESSAGE_TOO_LARGE, () => encodeStartupMessage(w(), { protocol: ProtocolVersion.V3_2, parameters: { user: 'u', options: 'x'.repeat(10000) } })],
    ];
    for (const [code, f] of cases) expect(f).toThrow(expect.objectContaining({ code }));
    refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) => mb.startupMessage({ protocol: ProtocolVersion.V3_0, parameters: { database: 'd' } }));
  });

  it('a packet of exactly 10000 bytes after the length word is accepted', () => {
    // 4 (version) + 'user\0u\0' (7) + 'options\0' (8) + value + NUL + final NUL = 10000.
    const value = 'x'.repeat(10000 - 4 - 7 - 8 - 1 - 1);
    const mw = w();
    encodeStartupMessage(mw, { protocol: ProtocolVersion.V3_0, parameters: { user: 'u', options: value } });
    expect(mw.length).toBe(10004);
  });
});

describe('builders', () => {
  it('finish() twice on one start is refused instead of writing twice', () => {
    const mb = new MessageBuffer();
    const b = mb.bind(null);
    b.finish();
    refuses(mb, ErrorCode.INVALID_ARGUMENT, () => b.finish());
    const p = mb.parse(null).query('SELECT 1');
    p.finish();
    refuses(mb, ErrorCode.INVALID_ARGUMENT, () => p.finish());
    const f = mb.fnCall(1);
    f.finish();
    refuses(mb, ErrorCode.INVALID_ARGUMENT, () => f.finish());
  });

  it('Parse without .query() cannot finish (for callers without the type checker)', () => {
    refuses(primed(), ErrorCode.INVALID_ARGUMENT, (mb) => (mb.parse('s') as unknown as { finish(): void }).finish());
  });
});
