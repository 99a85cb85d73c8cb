/**
 * The backend dispatcher: decodeBackend picks the right decoder for every type byte (DataRow
 * included), rejects unknown type bytes, encodeBackend writes every message, and copyMessage detaches
 * the views that CopyData, FunctionCallResponse and DataRow hold.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, ProtocolError } from '../../src/errors.js';
import { copyMessage, decodeBackend, encodeBackend } from '../../src/protocol/backend/index.js';
import type { BackendMessage, DataRowView } from '../../src/protocol/messages.js';
import { MessageWriter } from '../../src/protocol/writer.js';
import * as fx from '../fixtures/backend-bytes.js';
import { goldenCases } from '../fixtures/backend-bytes.js';
import { toHex } from '../fixtures/bytes.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const D = 0x44;

/** The type bytes PostgreSQL's backend sends (protocol-message-formats.html), DataRow included. */
const known = new Set('R K 2 3 C d c G H W D I E V v n N A t S 1 s Z T'.split(' ').map((c) => c.charCodeAt(0)));

function rowOf(msg: BackendMessage): DataRowView {
  expect(msg.type).toBe('DataRow');
  return msg as DataRowView;
}

const fieldsOf = (row: DataRowView): (Uint8Array | null)[] => Array.from({ length: row.fieldCount }, (_, i) => row.bytes(i));

describe('decodeBackend', () => {
  for (const { name, frame, msg } of goldenCases) {
    it(`${name}: dispatches on its type byte`, () => {
      const { code, body } = fx.splitFrame(frame);
      expect(decodeBackend(code, body)).toEqual(msg);
    });
  }

  it('DataRow: dispatches to the DataRow decoder', () => {
    const values = [utf8('1'), null, new Uint8Array(0), new Uint8Array([0, 255])];
    const { code, body } = fx.splitFrame(fx.dataRow(values));
    const row = rowOf(decodeBackend(code, body));
    expect(row.code).toBe(D);
    expect(row.fieldCount).toBe(4);
    expect(fieldsOf(row)).toEqual(values);
    expect(row.text(0)).toBe('1');
    expect(row.isNull(1)).toBe(true);
  });

  it('DataRow with a field running past the body is malformed', () => {
    const body = fx.splitFrame(fx.dataRow([utf8('abc')])).body;
    expect(() => decodeBackend(D, body.subarray(0, body.length - 1))).toThrow(ProtocolError);
  });

  it('every type byte PostgreSQL does not send is PGS_UNKNOWN_MESSAGE', () => {
    for (let code = 0; code < 256; code++) {
      if (known.has(code)) continue;
      let caught: unknown;
      try {
        decodeBackend(code, new Uint8Array(0));
      } catch (err) {
        caught = err;
      }
      expect(caught, `type byte ${code}`).toBeInstanceOf(ProtocolError);
      expect((caught as ProtocolError).code).toBe(ErrorCode.UNKNOWN_MESSAGE);
    }
  });
  // Arbitrary type bytes and bodies: the fuzz target "backend-decoders" (test/property/fuzz-backend.test.ts).
});

describe('encodeBackend', () => {
  for (const { name, frame, msg } of goldenCases) {
    it(`${name}: writes the fixture bytes`, () => {
      const w = new MessageWriter(8);
      encodeBackend(w, msg as BackendMessage);
      expect(toHex(w.toBytes())).toBe(toHex(frame));
    });
  }

  it('DataRow: writes the row values', () => {
    const values = [utf8('x'), null, new Uint8Array([0, 1, 2])];
    const frame = fx.dataRow(values);
    const { code, body } = fx.splitFrame(frame);
    const w = new MessageWriter(8);
    encodeBackend(w, decodeBackend(code, body));
    expect(toHex(w.toBytes())).toBe(toHex(frame));
  });

  it('a whole server transcript, then decoded back message by message', () => {
    const w = new MessageWriter(8);
    const messages = goldenCases.map((c) => c.msg as BackendMessage);
    for (const m of messages) encodeBackend(w, m);
    const bytes = w.toBytes();
    const decoded: BackendMessage[] = [];
    for (let at = 0; at < bytes.length;) {
      const length = new DataView(bytes.buffer, at + 1, 4).getInt32(0);
      decoded.push(decodeBackend(bytes[at]!, bytes.subarray(at + 5, at + 1 + length)));
      at += 1 + length;
    }
    expect(decoded).toEqual(messages);
  });
});

describe('copyMessage', () => {
  it('detaches CopyData, FunctionCallResponse and DataRow from the receive buffer', () => {
    const copyBody = fx.splitFrame(fx.copyData(utf8('abc'))).body.slice();
    const fnBody = fx.splitFrame(fx.functionCallResponse(utf8('42'))).body.slice();
    const rowBody = fx.splitFrame(fx.dataRow([utf8('row')])).body.slice();
    const copy = copyMessage(decodeBackend(0x64, copyBody));
    const fn = copyMessage(decodeBackend(0x56, fnBody));
    const row = rowOf(copyMessage(decodeBackend(D, rowBody)));
    for (const b of [copyBody, fnBody, rowBody]) b.fill(0x21);
    expect(copy).toEqual({ type: 'CopyData', code: 0x64, data: utf8('abc') });
    expect(fn).toEqual({ type: 'FunctionCallResponse', code: 0x56, result: utf8('42') });
    expect(row.text(0)).toBe('row');
  });

  it('keeps a NULL function result NULL', () => {
    const fn = decodeBackend(0x56, fx.splitFrame(fx.functionCallResponse(null)).body);
    expect(copyMessage(fn)).toEqual({ type: 'FunctionCallResponse', code: 0x56, result: null });
  });

  it('returns messages that own their data as they are', () => {
    for (const { frame } of goldenCases) {
      const { code, body } = fx.splitFrame(frame);
      const msg = decodeBackend(code, body);
      if (msg.type === 'CopyData' || msg.type === 'FunctionCallResponse') continue;
      expect(copyMessage(msg)).toBe(msg);
    }
  });
});
