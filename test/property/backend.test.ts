/**
 * Property tests for the backend codecs:
 * - for every message shape, encode agrees byte for byte with the independent fixture encoder, and
 *   decoding the result gives the message back;
 * - (arbitrary and mutated bodies given to every decoder: the fuzz target "backend-decoders",
 *   test/property/fuzz-backend.test.ts);
 * - encoders refuse what the wire cannot carry with a ClientError and leave the writer untouched.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientError, ErrorCode } from '../../src/errors.js';
import { MessageWriter } from '../../src/protocol/writer.js';
import { decoderFor, encoderFor } from '../support/backend-codecs.js';
import * as fx from '../fixtures/backend-bytes.js';
import { toHex } from '../fixtures/bytes.js';

const code = (c: string): number => c.charCodeAt(0);

// ------------------------------------------------------------------ arbitraries

const cstr = fc.string({ unit: 'binary', maxLength: 24 }).filter((s) => !s.includes('\0'));
const bytes = fc.uint8Array({ maxLength: 48 });
const int32 = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const uint32 = fc.integer({ min: 0, max: 0xffffffff });
const int16 = fc.integer({ min: -0x8000, max: 0x7fff });
const format = fc.constantFrom(0 as const, 1 as const);

/** Row counts as an independent oracle reads them from a command tag. */
function oracleRows(tag: string): number | null {
  const parts = tag.split(' ');
  const isCount = (s: string | undefined, max: number): boolean =>
    s !== undefined && s.length > 0 && s.length <= max && [...s].every((ch) => ch >= '0' && ch <= '9');
  if (parts[0] === 'INSERT') return parts.length === 3 && isCount(parts[1], 10) && isCount(parts[2], 20) ? Number(parts[2]) : null;
  if (['SELECT', 'UPDATE', 'DELETE', 'MERGE', 'MOVE', 'FETCH', 'COPY'].includes(parts[0]!)) {
    return parts.length === 2 && isCount(parts[1], 20) ? Number(parts[1]) : null;
  }
  return null;
}

const tag = fc.oneof(
  cstr,
  fc.tuple(fc.constantFrom('SELECT', 'UPDATE', 'DELETE', 'MERGE', 'MOVE', 'FETCH', 'COPY', 'CREATE'), fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }))
    .map(([w, n]) => `${w} ${n}`),
  fc.tuple(uint32, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n })).map(([oid, n]) => `INSERT ${oid} ${n}`),
);

const R = code('R');
const authentication = fc.oneof(
  fc.constantFrom(
    { type: 'AuthenticationOk', code: R, auth: 0 },
    { type: 'AuthenticationKerberosV5', code: R, auth: 2 },
    { type: 'AuthenticationCleartextPassword', code: R, auth: 3 },
    { type: 'AuthenticationGSS', code: R, auth: 7 },
    { type: 'AuthenticationSSPI', code: R, auth: 9 },
  ),
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((salt) => ({ type: 'AuthenticationMD5Password', code: R, auth: 5, salt })),
  bytes.map((data) => ({ type: 'AuthenticationGSSContinue', code: R, auth: 8, data })),
  fc.array(cstr.filter((s) => s !== ''), { maxLength: 4 }).map((mechanisms) => ({ type: 'AuthenticationSASL', code: R, auth: 10, mechanisms })),
  bytes.map((data) => ({ type: 'AuthenticationSASLContinue', code: R, auth: 11, data })),
  bytes.map((data) => ({ type: 'AuthenticationSASLFinal', code: R, auth: 12, data })),
);

const empty = (type: string, c: string) => fc.constant({ type, code: code(c) });
const copyResponse = (type: string, c: string) =>
  fc.record({ format, columnFormats: fc.array(format, { maxLength: 20 }) }).map((r) => ({ type, code: code(c), ...r }));
const noticeFields = fc
  .array(fc.tuple(fc.integer({ min: 1, max: 255 }).map((n) => String.fromCharCode(n)), cstr), { maxLength: 8 })
  .map((entries) => new Map(entries));
const field = fc.record({
  name: cstr, tableOid: uint32, columnAttr: int16, typeOid: uint32, typeSize: int16, typeModifier: int32, format,
});

/** Every backend message shape except DataRow (owned by the WASM helper, tested with the dispatcher). */
const backendMessage: fc.Arbitrary<{ type: string; code: number; [k: string]: unknown }> = fc.oneof(
  authentication,
  fc.record({ processId: int32, secretKey: fc.uint8Array({ minLength: 4, maxLength: 256 }) })
    .map((r) => ({ type: 'BackendKeyData', code: code('K'), ...r })),
  empty('BindComplete', '2'),
  empty('CloseComplete', '3'),
  tag.map((t) => ({ type: 'CommandComplete', code: code('C'), tag: t, rows: oracleRows(t) })),
  bytes.map((data) => ({ type: 'CopyData', code: code('d'), data })),
  empty('CopyDone', 'c'),
  copyResponse('CopyInResponse', 'G'),
  copyResponse('CopyOutResponse', 'H'),
  copyResponse('CopyBothResponse', 'W'),
  empty('EmptyQueryResponse', 'I'),
  noticeFields.map((fields) => ({ type: 'ErrorResponse', code: code('E'), fields })),
  noticeFields.map((fields) => ({ type: 'NoticeResponse', code: code('N'), fields })),
  fc.option(bytes, { nil: null }).map((result) => ({ type: 'FunctionCallResponse', code: code('V'), result })),
  fc.record({ newestMinor: fc.integer({ min: 0, max: 0xffff }), unrecognized: fc.array(cstr, { maxLength: 5 }) })
    .map((r) => ({ type: 'NegotiateProtocolVersion', code: code('v'), ...r })),
  empty('NoData', 'n'),
  fc.record({ processId: int32, channel: cstr, payload: cstr }).map((r) => ({ type: 'NotificationResponse', code: code('A'), ...r })),
  fc.array(uint32, { maxLength: 30 }).map((typeOids) => ({ type: 'ParameterDescription', code: code('t'), typeOids })),
  fc.record({ name: cstr, value: cstr }).map((r) => ({ type: 'ParameterStatus', code: code('S'), ...r })),
  empty('ParseComplete', '1'),
  empty('PortalSuspended', 's'),
  fc.constantFrom('I', 'T', 'E').map((s) => ({ type: 'ReadyForQuery', code: code('Z'), status: code(s) })),
  fc.array(field, { maxLength: 8 }).map((fields) => ({ type: 'RowDescription', code: code('T'), fields })),
);

/** The same message written by the independent fixture encoder. */
function fixtureFrame(m: { type: string; [k: string]: unknown }): Uint8Array {
  const a = m as unknown as Record<string, never>;
  switch (m.type) {
    case 'AuthenticationOk': return fx.authenticationOk();
    case 'AuthenticationKerberosV5': return fx.authenticationKerberosV5();
    case 'AuthenticationCleartextPassword': return fx.authenticationCleartextPassword();
    case 'AuthenticationMD5Password': return fx.authenticationMD5Password([...(a.salt as Uint8Array)]);
    case 'AuthenticationGSS': return fx.authenticationGSS();
    case 'AuthenticationGSSContinue': return fx.authenticationGSSContinue(a.data);
    case 'AuthenticationSSPI': return fx.authenticationSSPI();
    case 'AuthenticationSASL': return fx.authenticationSASL(a.mechanisms);
    case 'AuthenticationSASLContinue': return fx.authenticationSASLContinue(a.data);
    case 'AuthenticationSASLFinal': return fx.authenticationSASLFinal(a.data);
    case 'BackendKeyData': return fx.backendKeyData(a.processId, a.secretKey);
    case 'BindComplete': return fx.bindComplete();
    case 'CloseComplete': return fx.closeComplete();
    case 'CommandComplete': return fx.commandComplete(a.tag);
    case 'CopyData': return fx.copyData(a.data);
    case 'CopyDone': return fx.copyDone();
    case 'CopyInResponse': return fx.copyInResponse(a.format, a.columnFormats);
    case 'CopyOutResponse': return fx.copyOutResponse(a.format, a.columnFormats);
    case 'CopyBothResponse': return fx.copyBothResponse(a.format, a.columnFormats);
    case 'EmptyQueryResponse': return fx.emptyQueryResponse();
    case 'ErrorResponse': return fx.errorResponse([...(a.fields as Map<string, string>)]);
    case 'NoticeResponse': return fx.noticeResponse([...(a.fields as Map<string, string>)]);
    case 'FunctionCallResponse': return fx.functionCallResponse(a.result);
    case 'NegotiateProtocolVersion': return fx.negotiateProtocolVersion(a.newestMinor, a.unrecognized);
    case 'NoData': return fx.noData();
    case 'NotificationResponse': return fx.notificationResponse(a.processId, a.channel, a.payload);
    case 'ParameterDescription': return fx.parameterDescription(a.typeOids);
    case 'ParameterStatus': return fx.parameterStatus(a.name, a.value);
    case 'ParseComplete': return fx.parseComplete();
    case 'PortalSuspended': return fx.portalSuspended();
    case 'ReadyForQuery': return fx.readyForQuery(String.fromCharCode(a.status) as 'I');
    case 'RowDescription': return fx.rowDescription(a.fields);
    default: throw new Error(`no fixture for ${m.type}`);
  }
}

describe('encode then decode is the identity', () => {
  it('for every backend message shape, agreeing with the fixture encoder byte for byte', () => {
    fc.assert(
      fc.property(backendMessage, (msg) => {
        const w = new MessageWriter(8);
        encoderFor(msg.type)(w, msg as never);
        const frame = w.toBytes();
        expect(toHex(frame)).toBe(toHex(fixtureFrame(msg)));
        const { code: c, body } = fx.splitFrame(frame);
        expect(c).toBe(msg.code);
        expect(decoderFor(msg.type)(body)).toEqual(msg);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('encoders are atomic and range-checked', () => {
  const K = code('K');
  const bad: [string, { type: string; code: number; [k: string]: unknown }, string][] = [
    ['NUL in a string', { type: 'ParameterStatus', code: code('S'), name: 'a\0b', value: '' }, ErrorCode.NUL_IN_STRING],
    ['NUL in a column name', { type: 'RowDescription', code: code('T'), fields: [{ name: 'x\0', tableOid: 0, columnAttr: 0, typeOid: 0, typeSize: 0, typeModifier: 0, format: 0 }] }, ErrorCode.NUL_IN_STRING],
    ['65536 parameters', { type: 'ParameterDescription', code: code('t'), typeOids: new Array(65536).fill(23) }, ErrorCode.TOO_MANY_PARAMETERS],
    ['65536 copy columns', { type: 'CopyOutResponse', code: code('H'), format: 0, columnFormats: new Array(65536).fill(0) }, ErrorCode.TOO_MANY_PARAMETERS],
    ['a negative OID', { type: 'ParameterDescription', code: code('t'), typeOids: [23, -1] }, ErrorCode.INVALID_ARGUMENT],
    ['an OID above 2^32', { type: 'ParameterDescription', code: code('t'), typeOids: [2 ** 32] }, ErrorCode.INVALID_ARGUMENT],
    ['a fractional type size', { type: 'RowDescription', code: code('T'), fields: [{ name: 'x', tableOid: 0, columnAttr: 0, typeOid: 0, typeSize: 1.5, typeModifier: 0, format: 0 }] }, ErrorCode.INVALID_ARGUMENT],
    ['format code 2', { type: 'CopyInResponse', code: code('G'), format: 2, columnFormats: [] }, ErrorCode.INVALID_ARGUMENT],
    ['column format code 2', { type: 'CopyInResponse', code: code('G'), format: 0, columnFormats: [0, 2] }, ErrorCode.INVALID_ARGUMENT],
    ['a 3-byte key', { type: 'BackendKeyData', code: K, processId: 1, secretKey: new Uint8Array(3) }, ErrorCode.INVALID_ARGUMENT],
    ['a 257-byte key', { type: 'BackendKeyData', code: K, processId: 1, secretKey: new Uint8Array(257) }, ErrorCode.INVALID_ARGUMENT],
    ['a process ID above Int32', { type: 'BackendKeyData', code: K, processId: 2 ** 31, secretKey: new Uint8Array(4) }, ErrorCode.INVALID_ARGUMENT],
    ['a 5-byte MD5 salt', { type: 'AuthenticationMD5Password', code: code('R'), auth: 5, salt: new Uint8Array(5) }, ErrorCode.INVALID_ARGUMENT],
    ['an empty SASL mechanism', { type: 'AuthenticationSASL', code: code('R'), auth: 10, mechanisms: ['SCRAM-SHA-256', ''] }, ErrorCode.INVALID_ARGUMENT],
    ['status X', { type: 'ReadyForQuery', code: code('Z'), status: code('X') }, ErrorCode.INVALID_ARGUMENT],
    ['a two-letter field type', { type: 'ErrorResponse', code: code('E'), fields: new Map([['M', 'ok'], ['MM', 'x']]) }, ErrorCode.INVALID_ARGUMENT],
    ['a field type above one byte', { type: 'NoticeResponse', code: code('N'), fields: new Map([['€', 'x']]) }, ErrorCode.INVALID_ARGUMENT],
    ['a NUL field type', { type: 'NoticeResponse', code: code('N'), fields: new Map([['\0', 'x']]) }, ErrorCode.INVALID_ARGUMENT],
    ['minor version 65536', { type: 'NegotiateProtocolVersion', code: code('v'), newestMinor: 65536, unrecognized: [] }, ErrorCode.INVALID_ARGUMENT],
  ];
  for (const [what, msg, errorCode] of bad) {
    it(`${what}: ClientError ${errorCode}, nothing written`, () => {
      const w = new MessageWriter(4);
      w.u8(0x51);
      let caught: unknown;
      try {
        encoderFor(msg.type)(w, msg as never);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ClientError);
      expect((caught as ClientError).code).toBe(errorCode);
      expect(toHex(w.toBytes())).toBe('51');
    });
  }
});
