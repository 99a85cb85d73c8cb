/**
 * Golden bytes for every backend message, both directions: the bytes of the independent fixture
 * encoder decode to the expected object, and the object encodes to exactly those bytes.
 */
import { describe, expect, it } from 'vitest';
import { decoderFor, encoderFor } from '../support/backend-codecs.js';
import { commandRows, decodeCommandComplete } from '../../src/protocol/backend/command-complete.js';
import { decodeAuthentication } from '../../src/protocol/backend/authentication.js';
import { decodeNegotiateProtocolVersion } from '../../src/protocol/backend/negotiate-protocol-version.js';
import { encodeRowDescription } from '../../src/protocol/backend/row-description.js';
import { MessageWriter } from '../../src/protocol/writer.js';
import * as fx from '../fixtures/backend-bytes.js';
import { goldenCases } from '../fixtures/backend-bytes.js';
import { hex, toHex } from '../fixtures/bytes.js';

describe('backend golden bytes', () => {
  it('covers every backend message name except DataRow (tested with the dispatcher)', () => {
    const names = new Set(goldenCases.map((c) => c.msg.type));
    expect(names.size).toBe(32);
  });

  for (const { name, frame, msg } of goldenCases) {
    it(`${name}: decodes the fixture bytes`, () => {
      const { code, body } = fx.splitFrame(frame);
      expect(code).toBe(msg.code);
      expect(decoderFor(msg.type)(body)).toEqual(msg);
    });

    it(`${name}: encodes to the fixture bytes`, () => {
      const w = new MessageWriter(16);
      encoderFor(msg.type)(w, msg as never);
      expect(toHex(w.toBytes())).toBe(toHex(frame));
    });
  }
});

describe('hand-annotated bytes (second check on the fixture itself)', () => {
  it('ReadyForQuery idle', () => {
    expect(toHex(fx.readyForQuery('I'))).toBe('5a 00 00 00 05 49');
  });

  it('AuthenticationMD5Password', () => {
    // R, length 12, sub-code 5, salt 01 02 03 04
    const frame = hex('52 0000000c 00000005 01020304');
    expect(toHex(fx.authenticationMD5Password([1, 2, 3, 4]))).toBe(toHex(frame));
    const msg = decodeAuthentication(frame.subarray(5));
    expect(msg).toEqual({ type: 'AuthenticationMD5Password', code: 0x52, auth: 5, salt: new Uint8Array([1, 2, 3, 4]) });
  });

  it('RowDescription of SELECT 1 is 33 bytes long, as in libpq traces', () => {
    // T, len 33, 1 column "?column?", table 0, attr 0, int4 (23), size 4, typmod -1, text
    const frame = hex('54 00000021 0001 3f636f6c756d6e3f00 00000000 0000 00000017 0004 ffffffff 0000');
    const w = new MessageWriter();
    encodeRowDescription(w, {
      type: 'RowDescription',
      code: 0x54,
      fields: [{ name: '?column?', tableOid: 0, columnAttr: 0, typeOid: 23, typeSize: 4, typeModifier: -1, format: 0 }],
    });
    expect(toHex(w.toBytes())).toBe(toHex(frame));
  });

  it('NegotiateProtocolVersion carries the whole version number 3.0 = 196608', () => {
    const frame = hex('76 0000000c 00030000 00000000');
    expect(decodeNegotiateProtocolVersion(frame.subarray(5))).toEqual({
      type: 'NegotiateProtocolVersion', code: 0x76, newestMinor: 0, unrecognized: [],
    });
  });
});

describe('CommandComplete row counts', () => {
  const cases: [string, number | null][] = [
    ['INSERT 0 5', 5],
    ['INSERT 16384 1', 1],
    ['SELECT 0', 0],
    ['SELECT 42', 42],
    ['UPDATE 7', 7],
    ['DELETE 3', 3],
    ['MERGE 2', 2],
    ['MOVE 9', 9],
    ['FETCH 10', 10],
    ['COPY 1000000', 1000000],
    ['SELECT 18446744073709551615', 18446744073709551615],
    ['CREATE TABLE', null],
    ['BEGIN', null],
    ['DECLARE CURSOR', null],
    ['SELECT', null],
    ['INSERT 5', null],
    ['SELECT x', null],
    ['UPDATE 1 2', null],
    ['select 1', null],
    ['', null],
  ];
  for (const [tag, rows] of cases) {
    it(`${JSON.stringify(tag)} → ${rows}`, () => {
      expect(commandRows(tag)).toBe(rows);
      expect(decodeCommandComplete(fx.splitFrame(fx.commandComplete(tag)).body).rows).toBe(rows);
    });
  }
});
