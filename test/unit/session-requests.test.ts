/**
 * The builders report each request to the session state as they write it (no re-reading of sent
 * bytes), with the portal names they know; a Sync right after a Query or FunctionCall is refused;
 * the reader reports each message's wire length (what a trace prints) without re-encoding it.
 */
import { describe, expect, it } from 'vitest';
import { BackendReader } from '../../src/protocol/backend-reader.js';
import { MessageCode, TargetKind, TransactionStatus } from '../../src/protocol/codes.js';
import { MessageBuffer } from '../../src/protocol/frontend/message-buffer.js';
import { PgProtocol } from '../../src/protocol/frontend/protocol.js';
import { Outcome, RequestKind, SessionState } from '../../src/protocol/session-state.js';
import type { RequestLog } from '../../src/protocol/session-state-codes.js';
import { MessageWriter } from '../../src/protocol/writer.js';
import { encodeBackend } from '../../src/protocol/backend/index.js';
import { ErrorCode } from '../../src/errors.js';
import { int4 } from '../../src/types/bindable.js';

/** A protocol object that writes into a buffer and reports to a SessionState, as a Connection does. */
class Tracked extends PgProtocol {
  readonly w = new MessageWriter(64);
  readonly state = new SessionState();
  protected override get out(): MessageWriter {
    return this.w;
  }
  protected override get requests(): RequestLog {
    return this.state;
  }
}

describe('builders report requests as they write them', () => {
  it('every request kind is queued in order, with no byte re-read', () => {
    const p = new Tracked();
    p.parse('s').query('SELECT $1::int').finish()
      .bind('portal').statement('s').finish([int4(1)])
      .describePortal('portal').execute('portal', 10).closePortal('portal').sync();
    p.query('SELECT 1');
    p.fnCall(1344).finish(['9']);
    const kinds = Array.from({ length: p.state.pending }, (_, i) => p.state.peek(i));
    expect(kinds).toEqual([
      RequestKind.PARSE, RequestKind.BIND, RequestKind.DESCRIBE_PORTAL, RequestKind.EXECUTE, RequestKind.CLOSE,
      RequestKind.SYNC, RequestKind.QUERY, RequestKind.FUNCTION_CALL,
    ]);
    expect(p.state.pendingReady).toBe(3);
  });

  it('a standalone MessageBuffer tracks nothing and refuses nothing', () => {
    const b = new MessageBuffer();
    b.query('SELECT 1').sync().fnCall(1).finish([]).sync();
    expect(b.bytes().length).toBeGreaterThan(0);
  });

  it('Sync right after a Query or FunctionCall is refused on a tracked protocol, and nothing is written', () => {
    const p = new Tracked();
    p.fnCall(1344).finish(['9']);
    const before = p.w.length;
    expect(() => p.sync()).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    expect(p.w.length).toBe(before);
    p.query('SELECT 1');
    expect(() => p.sync()).toThrow(/its own ReadyForQuery/);
    // After an extended-protocol message, a Sync is the segment's end and is accepted.
    p.parse(null).query('SELECT 1').finish();
    expect(() => p.sync()).not.toThrow();
  });

  it('knows portal names: a described portal keeps its row shape until it is bound again', () => {
    const s = new SessionState();
    s.sentBind('p');
    s.sentDescribe(TargetKind.PORTAL, 'p');
    s.sentBind('q');
    s.sentExecute('p', 0);
    s.sentSync();
    expect(s.received({ type: 'BindComplete', code: MessageCode.BIND_COMPLETE })).toBe(Outcome.COMPLETE);
    const field = { name: 'a', tableOid: 0, columnAttr: 0, typeOid: 23, typeSize: 4, typeModifier: -1, format: 0 as const };
    expect(s.received({ type: 'RowDescription', code: MessageCode.ROW_DESCRIPTION, fields: [field] })).toBe(Outcome.COMPLETE);
    // Binding another portal does not forget p's shape: a DataRow of the wrong width is caught.
    expect(s.received({ type: 'BindComplete', code: MessageCode.BIND_COMPLETE })).toBe(Outcome.COMPLETE);
    // The session state reads only a DataRow's field count.
    const row2 = { type: 'DataRow', code: MessageCode.DATA_ROW, fieldCount: 2 } as never;
    expect(() => s.received(row2)).toThrow(expect.objectContaining({ code: ErrorCode.UNEXPECTED_MESSAGE }));
  });
});

describe('the reader reports wire lengths', () => {
  it('for table messages, DataRows and slow-path messages alike', () => {
    const reader = new BackendReader();
    const w = new MessageWriter(64);
    encodeBackend(w, { type: 'ReadyForQuery', code: MessageCode.READY_FOR_QUERY, status: TransactionStatus.IDLE });
    encodeBackend(w, { type: 'CommandComplete', code: MessageCode.COMMAND_COMPLETE, tag: 'SELECT 1', rows: 1 });
    reader.push(w.toBytes());
    expect(reader.next()?.type).toBe('ReadyForQuery');
    expect(reader.messageLength).toBe(5);
    expect(reader.next()?.type).toBe('CommandComplete');
    expect(reader.messageLength).toBe(4 + 'SELECT 1'.length + 1);
    // A CopyData larger than the input region takes the slow path.
    const big = new Uint8Array(3 << 20);
    const w2 = new MessageWriter(big.length + 16);
    encodeBackend(w2, { type: 'CopyData', code: MessageCode.COPY_DATA, data: big });
    const bytes = w2.toBytes();
    for (let at = 0; at < bytes.length;) {
      at += reader.push(bytes.subarray(at));
      const msg = reader.next();
      if (msg !== null) {
        expect(msg.type).toBe('CopyData');
        expect(reader.messageLength).toBe(4 + big.length);
      }
    }
  });
});

describe('row counts', () => {
  const field = { name: 'a', tableOid: 0, columnAttr: 0, typeOid: 23, typeSize: 4, typeModifier: -1, format: 0 as const };
  const row = { type: 'DataRow', code: MessageCode.DATA_ROW, fieldCount: 1 } as never;
  const complete = (tag: string, rows: number | null) => ({ type: 'CommandComplete', code: MessageCode.COMMAND_COMPLETE, tag, rows }) as const;

  it('a DataRow duplicated (or lost) on the way is caught by the CommandComplete that counts them', () => {
    const s = new SessionState();
    s.sentQuery();
    s.received({ type: 'RowDescription', code: MessageCode.ROW_DESCRIPTION, fields: [field] });
    s.received(row);
    s.received(row);
    s.received(row);
    expect(() => s.received(complete('SELECT 2', 2))).toThrow(expect.objectContaining({ code: ErrorCode.UNEXPECTED_MESSAGE }));
  });

  it('matching counts pass; commands without rows and Executes with a row limit are not checked', () => {
    const s = new SessionState();
    s.sentBind(null);
    s.sentExecute(null, 0);
    s.sentBind(null);
    s.sentExecute(null, 10);
    s.sentSync();
    s.received({ type: 'BindComplete', code: MessageCode.BIND_COMPLETE });
    s.received(row);
    s.received(row);
    expect(s.received(complete('INSERT 0 2', 2))).toBe(Outcome.COMPLETE);
    s.received({ type: 'BindComplete', code: MessageCode.BIND_COMPLETE });
    s.received(row);
    expect(s.received(complete('SELECT 10050', 10050))).toBe(Outcome.COMPLETE);
  });
});
