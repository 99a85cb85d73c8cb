/**
 * Hostile and broken backend bodies (RELIABILITY cases 4, 6, 7 and the `__proto__` column name):
 * every decoder answers with a typed ProtocolError with a stable code, never a RangeError, and never
 * allocates for a count the body cannot hold.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, ProtocolError } from '../../src/errors.js';
import { decodeAuthentication } from '../../src/protocol/backend/authentication.js';
import { decodeBackendKeyData } from '../../src/protocol/backend/backend-key-data.js';
import { decodeBindComplete } from '../../src/protocol/backend/bind-complete.js';
import { decodeCommandComplete } from '../../src/protocol/backend/command-complete.js';
import { decodeCopyData } from '../../src/protocol/backend/copy-data.js';
import { decodeCopyInResponse } from '../../src/protocol/backend/copy-in-response.js';
import { decodeCopyOutResponse } from '../../src/protocol/backend/copy-out-response.js';
import { decodeErrorResponse } from '../../src/protocol/backend/error-response.js';
import { decodeFunctionCallResponse } from '../../src/protocol/backend/function-call-response.js';
import { decodeNegotiateProtocolVersion } from '../../src/protocol/backend/negotiate-protocol-version.js';
import { decodeNoticeResponse } from '../../src/protocol/backend/notice-response.js';
import { decodeParameterDescription } from '../../src/protocol/backend/parameter-description.js';
import { decodeParameterStatus } from '../../src/protocol/backend/parameter-status.js';
import { decodeReadyForQuery } from '../../src/protocol/backend/ready-for-query.js';
import { decodeRowDescription } from '../../src/protocol/backend/row-description.js';
import type { ErrorResponse, RowDescription } from '../../src/protocol/messages.js';
import * as fx from '../fixtures/backend-bytes.js';
import { goldenCases } from '../fixtures/backend-bytes.js';
import { Bytes, concat, hex } from '../fixtures/bytes.js';
import { decoderFor } from '../support/backend-codecs.js';

const body = (frame: Uint8Array): Uint8Array => fx.splitFrame(frame).body;

function expectCode(fn: () => unknown, code: string): ProtocolError {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ProtocolError);
  expect((caught as ProtocolError).code).toBe(code);
  expect((caught as ProtocolError).fatal).toBe(true);
  return caught as ProtocolError;
}
const expectMalformed = (fn: () => unknown): ProtocolError => expectCode(fn, ErrorCode.MALFORMED_MESSAGE);

/** Messages whose last field is "the rest of the body": any prefix or extension is still valid. */
const restOfBody = new Set([
  'CopyData', 'AuthenticationGSSContinue', 'AuthenticationSASLContinue', 'AuthenticationSASLFinal', 'BackendKeyData',
]);
const strict = goldenCases.filter((c) => !restOfBody.has(c.msg.type));

describe('case 4: bodies that run past their length, bytes left over, C strings without NUL', () => {
  for (const { name, frame, msg } of strict) {
    it(`${name}: every truncation is malformed`, () => {
      const b = body(frame);
      for (let n = 0; n < b.length; n++) expectMalformed(() => decoderFor(msg.type)(b.slice(0, n)));
    });

    it(`${name}: a byte left over is malformed`, () => {
      expectMalformed(() => decoderFor(msg.type)(concat(body(frame), new Uint8Array([0x41]))));
      expectMalformed(() => decoderFor(msg.type)(concat(body(frame), new Uint8Array([0]))));
    });
  }

  it('an empty-bodied message with a body', () => {
    const e = expectMalformed(() => decodeBindComplete(new Uint8Array([1, 2, 3])));
    expect(e.message).toContain('BindComplete');
    expect(e.message).toContain('3 bytes left over');
  });

  it('C strings without their NUL', () => {
    expectMalformed(() => decodeCommandComplete(new Bytes().str('SELECT 1').body()));
    expectMalformed(() => decodeParameterStatus(new Bytes().cstr('TimeZone').str('UTC').body()));
    expectMalformed(() => decodeErrorResponse(new Bytes().u8(0x53).str('ERROR').body()));
    expectMalformed(() => decodeAuthentication(new Bytes().i32(10).cstr('SCRAM-SHA-256').body()));
    expectMalformed(() => decodeAuthentication(new Bytes().i32(10).str('SCRAM-SHA-256').body()));
  });

  it('ErrorResponse / NoticeResponse without the closing zero byte', () => {
    expectMalformed(() => decodeErrorResponse(new Bytes().u8(0x53).cstr('ERROR').body()));
    expectMalformed(() => decodeNoticeResponse(new Uint8Array(0)));
  });

  it('FunctionCallResponse: result longer than the body, or a negative length other than -1', () => {
    expectMalformed(() => decodeFunctionCallResponse(new Bytes().i32(10).str('abc').body()));
    expectMalformed(() => decodeFunctionCallResponse(new Bytes().i32(0x7fffffff).body()));
    expectMalformed(() => decodeFunctionCallResponse(new Bytes().i32(-2).body()));
    expectMalformed(() => decodeFunctionCallResponse(new Bytes().i32(-0x80000000).body()));
    expectMalformed(() => decodeFunctionCallResponse(new Bytes().i32(-1).u8(0).body()));
  });

  it('BackendKeyData: keys shorter than 4 or longer than 256 bytes', () => {
    for (const n of [0, 1, 3, 257, 1000]) {
      expectMalformed(() => decodeBackendKeyData(new Bytes().i32(1).raw(new Uint8Array(n)).body()));
    }
    expectMalformed(() => decodeBackendKeyData(new Uint8Array(3)));
  });

  it('MD5 salt of the wrong length', () => {
    expectMalformed(() => decodeAuthentication(new Bytes().i32(5).u8(1, 2, 3).body()));
    expectMalformed(() => decodeAuthentication(new Bytes().i32(5).u8(1, 2, 3, 4, 5).body()));
  });

  it('bodies too short for a fixed field', () => {
    expectMalformed(() => decodeAuthentication(new Uint8Array(3)));
    expectMalformed(() => decodeReadyForQuery(new Uint8Array(0)));
    expectMalformed(() => decodeReadyForQuery(hex('49 49')));
  });
});

describe('invalid values', () => {
  it('unknown Authentication sub-codes are PGS_UNKNOWN_MESSAGE', () => {
    for (const sub of [1, 4, 6, 13, 255, -1, 0x7fffffff]) {
      const e = expectCode(() => decodeAuthentication(new Bytes().i32(sub).body()), ErrorCode.UNKNOWN_MESSAGE);
      expect(e.message).toContain(String(sub));
    }
  });

  it('ReadyForQuery status other than I, T, E', () => {
    for (const s of [0, 0x58, 0x69, 0xff]) expectMalformed(() => decodeReadyForQuery(new Uint8Array([s])));
  });

  it('format codes other than 0 and 1', () => {
    expectMalformed(() => decodeCopyInResponse(new Bytes().u8(2).i16(0).body()));
    expectMalformed(() => decodeCopyOutResponse(new Bytes().u8(0).i16(1).i16(2).body()));
    expectMalformed(() => decodeCopyOutResponse(new Bytes().u8(0).i16(1).i16(-1).body()));
    const bad = fx.rowDescription([{ name: 'a', tableOid: 0, columnAttr: 0, typeOid: 23, typeSize: 4, typeModifier: -1, format: 2 }]);
    expectMalformed(() => decodeRowDescription(body(bad)));
  });

  it('NegotiateProtocolVersion must stay within protocol 3', () => {
    for (const major of [0, 2, 4, 0xffff]) {
      const b = new Bytes().i16(major).i16(0).i32(0).body();
      expectCode(() => decodeNegotiateProtocolVersion(b), ErrorCode.PROTOCOL_VERSION);
    }
  });

  it('NegotiateProtocolVersion option count negative or beyond the body', () => {
    expectMalformed(() => decodeNegotiateProtocolVersion(new Bytes().i16(3).i16(0).i32(-1).body()));
    expectMalformed(() => decodeNegotiateProtocolVersion(new Bytes().i16(3).i16(0).i32(2).cstr('_pq_.a').body()));
    expectMalformed(() => decodeNegotiateProtocolVersion(new Bytes().i16(3).i16(0).i32(0x7fffffff).cstr('_pq_.a').body()));
  });
});

describe('case 6: counts that promise more than the body holds fail before allocating', () => {
  it('RowDescription claiming 65535 columns in a 10-byte body', () => {
    const b = new Bytes().i16(0xffff).u8(0x61, 0, 0, 0, 0, 0, 0, 0).body();
    expect(b.length).toBe(10);
    const e = expectMalformed(() => decodeRowDescription(b));
    expect(e.message).toMatch(/promises 65535 items/);
  });

  it('RowDescription with one byte less than 65535 minimal columns', () => {
    const b = new Uint8Array(2 + 65535 * 19 - 1);
    b[0] = 0xff;
    b[1] = 0xff;
    expectMalformed(() => decodeRowDescription(b));
  });

  it('RowDescription whose names eat the room of later columns', () => {
    // 2 columns promised, room for 2 minimal ones, but the first name is 19 bytes long.
    const b = new Bytes().i16(2).cstr('a'.repeat(18)).raw(new Uint8Array(18)).raw(new Uint8Array(19)).body();
    expectMalformed(() => decodeRowDescription(b.slice(0, b.length - 1)));
  });

  it('ParameterDescription, Copy*Response and NegotiateProtocolVersion counts', () => {
    expect(expectMalformed(() => decodeParameterDescription(new Bytes().i16(0xffff).i32(23).body())).message).toMatch(/promises 65535/);
    expectMalformed(() => decodeCopyInResponse(new Bytes().u8(0).i16(0xffff).i16(0).body()));
    expectMalformed(() => decodeNegotiateProtocolVersion(new Bytes().i16(3).i16(0).i32(1 << 30).body()));
  });
});

describe('case 7: invalid UTF-8 decodes with U+FFFD (the documented policy)', () => {
  it('in a column name', () => {
    const b = new Bytes().i16(1).raw([0x61, 0xff, 0xc3, 0x62, 0]).i32(0).i16(0).i32(25).i16(-1).i32(-1).i16(0).body();
    const msg = decodeRowDescription(b);
    expect(msg.fields[0]!.name).toBe('a\uFFFD\uFFFDb');
  });

  it('in an error message', () => {
    const b = new Bytes().u8(0x4d).raw([0xe2, 0x82, 0x20, 0x6f, 0x6b, 0]).u8(0).body();
    const msg = decodeErrorResponse(b);
    expect(msg.fields.get('M')).toBe('\uFFFD ok');
  });

  it('valid multi-byte text is kept intact', () => {
    const msg = decodeParameterStatus(body(fx.parameterStatus('application_name', 'größe ✓ 𝄞')));
    expect(msg.value).toBe('größe ✓ 𝄞');
  });
});

describe('JS object pollution', () => {
  it('a column named __proto__ is a plain value on a plain object', () => {
    const frame = fx.rowDescription([
      { name: '__proto__', tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 },
      { name: 'constructor', tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 },
    ]);
    const msg: RowDescription = decodeRowDescription(body(frame));
    expect(Array.isArray(msg.fields)).toBe(true);
    expect(msg.fields.map((f) => f.name)).toEqual(['__proto__', 'constructor']);
    for (const f of msg.fields) {
      expect(Object.getPrototypeOf(f)).toBe(Object.prototype);
      expect(Object.keys(f)).toEqual(['name', 'tableOid', 'columnAttr', 'typeOid', 'typeSize', 'typeModifier', 'format']);
    }
    expect(({} as Record<string, unknown>)['typeOid']).toBeUndefined();
  });

  it('ParameterStatus and notice fields named like prototype keys stay data', () => {
    expect(decodeParameterStatus(body(fx.parameterStatus('__proto__', 'x'))).name).toBe('__proto__');
    const msg: ErrorResponse = decodeErrorResponse(body(fx.errorResponse([['M', '__proto__']])));
    expect(msg.fields).toBeInstanceOf(Map);
    expect(msg.fields.get('M')).toBe('__proto__');
  });
});

describe('views and copies', () => {
  it('CopyData and FunctionCallResponse are views into the body (valid until the next receive)', () => {
    const copy = body(fx.copyData(new Uint8Array([1, 2, 3]))).slice();
    const data = decodeCopyData(copy).data;
    const fn = body(fx.functionCallResponse(new Uint8Array([7, 8]))).slice();
    const result = decodeFunctionCallResponse(fn).result!;
    copy[0] = 9;
    fn[4] = 9;
    expect(data[0]).toBe(9);
    expect(result[0]).toBe(9);
  });

  it('MD5 salt, SASL data and the secret key are copies', () => {
    const md5 = body(fx.authenticationMD5Password([1, 2, 3, 4])).slice();
    const sasl = body(fx.authenticationSASLContinue(new Uint8Array([5, 6]))).slice();
    const final = body(fx.authenticationSASLFinal(new Uint8Array([5, 6]))).slice();
    const gss = body(fx.authenticationGSSContinue(new Uint8Array([5, 6]))).slice();
    const key = body(fx.backendKeyData(1, new Uint8Array([1, 2, 3, 4]))).slice();
    const decoded = [md5, sasl, final, gss].map((b) => decodeAuthentication(b));
    const k = decodeBackendKeyData(key);
    for (const b of [md5, sasl, final, gss, key]) b.fill(0xee);
    expect(decoded.map((m) => ('salt' in m ? m.salt : 'data' in m ? m.data : null))).toEqual([
      new Uint8Array([1, 2, 3, 4]), new Uint8Array([5, 6]), new Uint8Array([5, 6]), new Uint8Array([5, 6]),
    ]);
    expect(k.secretKey).toEqual(new Uint8Array([1, 2, 3, 4]));
  });

  it('decoders read within a subarray, never past its end into the surrounding buffer', () => {
    const frame = fx.parameterStatus('a', 'b');
    const backing = concat(frame, new Uint8Array([0x41, 0x42, 0]));
    const view = backing.subarray(5, frame.length - 1);
    expectMalformed(() => decodeParameterStatus(view));
  });
});
