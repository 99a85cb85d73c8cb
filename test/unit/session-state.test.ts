import { describe, expect, it } from 'vitest';
import { ClientError, ErrorCode, ProtocolError } from '../../src/errors.js';
import { TransactionStatus } from '../../src/protocol/codes.js';
import type { BackendMessage } from '../../src/protocol/messages.js';
import { Outcome, RequestKind, SendResult, SessionState, type TrackedMessage } from '../../src/protocol/session-state.js';
import { B, F } from '../support/session-state-messages.js';

const { ASYNC, PARTIAL, COMPLETE, FAILED, READY } = Outcome;
const K = RequestKind;

/** Sends every message, then receives every message; returns [outcome, kind, skipped] per received message. */
function run(state: SessionState, sent: TrackedMessage[], received: BackendMessage[]): [Outcome, RequestKind, number][] {
  for (const m of sent) state.sent(m);
  return received.map((m) => {
    const o = state.received(m);
    return [o, state.kind, o === FAILED ? state.skipped : 0];
  });
}

/** Expects a ProtocolError PGS_UNEXPECTED_MESSAGE, then the same error on every later call. */
function expectDesync(state: SessionState, m: BackendMessage, reason: RegExp): void {
  let error: unknown;
  try {
    state.received(m);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ProtocolError);
  expect((error as ProtocolError).code).toBe(ErrorCode.UNEXPECTED_MESSAGE);
  expect((error as ProtocolError).fatal).toBe(true);
  expect((error as Error).message).toMatch(reason);
  expect(() => state.received(B.notice())).toThrow(error as Error);
}

describe('SessionState: simple query protocol', () => {
  it('tracks a SELECT', () => {
    const s = new SessionState();
    expect(s.idle).toBe(true);
    expect(s.sent(F.query)).toBe(SendResult.PENDING);
    expect([s.pending, s.pendingReady, s.pendingSyncs, s.idle]).toEqual([1, 1, 0, false]);
    expect(run(s, [], [B.rowDescription(2), B.dataRow(2), B.dataRow(2), B.commandComplete(), B.rfq('I')])).toEqual([
      [PARTIAL, K.QUERY, 0], [PARTIAL, K.QUERY, 0], [PARTIAL, K.QUERY, 0], [PARTIAL, K.QUERY, 0], [READY, K.QUERY, 0],
    ]);
    expect([s.idle, s.pendingReady, s.transactionStatus]).toEqual([true, 0, TransactionStatus.IDLE]);
  });

  it('tracks a multi-statement query and the transaction status', () => {
    const s = new SessionState();
    const out = run(s, [F.query], [
      B.commandComplete('BEGIN'), B.rowDescription(1), B.dataRow(1), B.commandComplete(), B.rowDescription(0),
      B.dataRow(0), B.commandComplete(), B.commandComplete('INSERT 0 1'), B.rfq('T'),
    ]);
    expect(out.map(([o]) => o)).toEqual([...Array<Outcome>(8).fill(PARTIAL), READY]);
    expect(s.transactionStatus).toBe(TransactionStatus.IN_TRANSACTION);
  });

  it('tracks an empty query', () => {
    const s = new SessionState();
    expect(run(s, [F.query], [B.emptyQuery(), B.rfq()])).toEqual([[PARTIAL, K.QUERY, 0], [READY, K.QUERY, 0]]);
  });

  it('tracks an error mid-result', () => {
    const s = new SessionState();
    expect(run(s, [F.query], [B.rowDescription(1), B.dataRow(1), B.error(), B.rfq('E')])).toEqual([
      [PARTIAL, K.QUERY, 0], [PARTIAL, K.QUERY, 0], [FAILED, K.QUERY, 0], [READY, K.QUERY, 0],
    ]);
    expect(s.transactionStatus).toBe(TransactionStatus.FAILED);
  });

  it('tracks COPY TO STDOUT', () => {
    const s = new SessionState();
    s.sent(F.query);
    expect(s.received(B.copyOut())).toBe(PARTIAL);
    expect([s.copyOut, s.copyIn]).toEqual([true, false]);
    expect(run(s, [], [B.copyData(), B.notice(), B.copyData(), B.copyDone(), B.commandComplete('COPY 2'), B.rfq()]).map(([o]) => o))
      .toEqual([PARTIAL, ASYNC, PARTIAL, PARTIAL, PARTIAL, READY]);
  });

  it('tracks COPY FROM STDIN, completed and failed', () => {
    const s = new SessionState();
    s.sent(F.query);
    expect(s.received(B.copyIn())).toBe(PARTIAL);
    expect(s.copyIn).toBe(true);
    expect([s.sent(F.copyData), s.sent(F.copyData), s.sent(F.copyDone)]).toEqual([1, 1, 1].map(() => SendResult.NO_RESPONSE));
    expect(run(s, [], [B.commandComplete('COPY 2'), B.rfq()]).map(([o]) => o)).toEqual([PARTIAL, READY]);
    s.sent(F.query);
    s.received(B.copyIn());
    s.sent(F.copyFail);
    expect(run(s, [], [B.error(), B.rfq()]).map(([o]) => o)).toEqual([FAILED, READY]);
  });

  it('tracks COPY BOTH (replication) followed by a result set', () => {
    const s = new SessionState();
    expect(run(s, [F.query], [
      B.copyBoth(), B.copyData(), B.copyDone(), B.rowDescription(2), B.dataRow(2), B.commandComplete(), B.commandComplete(), B.rfq(),
    ]).map(([o]) => o)).toEqual([PARTIAL, PARTIAL, PARTIAL, PARTIAL, PARTIAL, PARTIAL, PARTIAL, READY]);
  });

  it('delivers notices, parameter status and notifications anywhere', () => {
    const s = new SessionState();
    for (const m of [B.notice(), B.parameterStatus(), B.notification()]) expect(s.received(m)).toBe(ASYNC);
    expect(s.kind).toBe(K.NONE);
    expect(run(s, [F.query], [
      B.notice(), B.rowDescription(1), B.notification(), B.dataRow(1), B.parameterStatus(), B.dataRow(1),
      B.commandComplete(), B.notice(), B.rfq(), B.notification(),
    ]).map(([o]) => o)).toEqual([ASYNC, PARTIAL, ASYNC, PARTIAL, ASYNC, PARTIAL, PARTIAL, ASYNC, READY, ASYNC]);
  });

  it('tracks FunctionCall, answered and failed', () => {
    const s = new SessionState();
    expect(run(s, [F.functionCall], [B.functionCallResponse(), B.rfq()])).toEqual([[PARTIAL, K.FUNCTION_CALL, 0], [READY, K.FUNCTION_CALL, 0]]);
    expect(run(s, [F.functionCall], [B.error(), B.rfq()])).toEqual([[FAILED, K.FUNCTION_CALL, 0], [READY, K.FUNCTION_CALL, 0]]);
  });
});

describe('SessionState: extended query protocol', () => {
  it('tracks Parse/Bind/Describe/Execute/Sync', () => {
    const s = new SessionState();
    const out = run(s, [F.parse, F.bind(null), F.describePortal(null), F.execute(null, 0), F.sync],
      [B.parseComplete(), B.bindComplete(), B.rowDescription(2), B.dataRow(2), B.dataRow(2), B.commandComplete(), B.rfq()]);
    expect(out).toEqual([
      [COMPLETE, K.PARSE, 0], [COMPLETE, K.BIND, 0], [COMPLETE, K.DESCRIBE_PORTAL, 0], [PARTIAL, K.EXECUTE, 0],
      [PARTIAL, K.EXECUTE, 0], [COMPLETE, K.EXECUTE, 0], [READY, K.SYNC, 0],
    ]);
    expect(s.idle).toBe(true);
  });

  it('tracks Describe of a statement, with rows and without', () => {
    const s = new SessionState();
    expect(run(s, [F.parse, F.describeStatement('s'), F.describeStatement('t'), F.sync],
      [B.parseComplete(), B.parameterDescription(2), B.rowDescription(3), B.parameterDescription(0), B.noData(), B.rfq()]))
      .toEqual([
        [COMPLETE, K.PARSE, 0], [PARTIAL, K.DESCRIBE_STATEMENT, 0], [COMPLETE, K.DESCRIBE_STATEMENT, 0],
        [PARTIAL, K.DESCRIBE_STATEMENT, 0], [COMPLETE, K.DESCRIBE_STATEMENT, 0], [READY, K.SYNC, 0],
      ]);
  });

  it('accepts rows of any width when the portal was not described (as libpq does)', () => {
    const s = new SessionState();
    expect(run(s, [F.bind('p'), F.execute('p'), F.sync], [B.bindComplete(), B.dataRow(3), B.dataRow(3), B.commandComplete(), B.rfq()])
      .map(([o]) => o)).toEqual([COMPLETE, PARTIAL, PARTIAL, COMPLETE, READY]);
    // Without portal names the tracker cannot tell portals apart, so it checks nothing.
    expect(run(s, [F.describePortal(), F.execute(), F.sync], [B.rowDescription(2), B.dataRow(5), B.commandComplete(), B.rfq()])
      .map(([o]) => o)).toEqual([COMPLETE, PARTIAL, COMPLETE, READY]);
  });

  it('tracks a pipeline with several Syncs', () => {
    const s = new SessionState();
    const batch: TrackedMessage[] = [F.parse, F.bind(null), F.execute(null), F.sync];
    for (let i = 0; i < 3; i++) for (const m of batch) s.sent(m);
    expect([s.pending, s.pendingSyncs, s.pendingReady]).toEqual([12, 3, 3]);
    const responses = [B.parseComplete(), B.bindComplete(), B.dataRow(1), B.commandComplete(), B.rfq()];
    const out = run(s, [], [...responses, ...responses, ...responses]);
    expect(out.filter(([o]) => o === READY)).toHaveLength(3);
    expect(s.idle).toBe(true);
  });

  it('reports the requests skipped after an error until Sync, then continues', () => {
    const s = new SessionState();
    const stmt: TrackedMessage[] = [F.parse, F.bind(null), F.execute(null)];
    for (const m of [...stmt, ...stmt, ...stmt, F.sync, ...stmt, F.sync]) s.sent(m);
    const out = run(s, [], [
      B.parseComplete(), B.bindComplete(), B.commandComplete(), // statement 1
      B.parseComplete(), B.error(), // statement 2 fails at Bind; its Execute and statement 3 are skipped
      B.rfq(),
      B.parseComplete(), B.bindComplete(), B.commandComplete(), B.rfq(), // after the Sync: runs
    ]);
    expect(out).toEqual([
      [COMPLETE, K.PARSE, 0], [COMPLETE, K.BIND, 0], [COMPLETE, K.EXECUTE, 0],
      [COMPLETE, K.PARSE, 0], [FAILED, K.BIND, 4],
      [READY, K.SYNC, 0],
      [COMPLETE, K.PARSE, 0], [COMPLETE, K.BIND, 0], [COMPLETE, K.EXECUTE, 0], [READY, K.SYNC, 0],
    ]);
  });

  it('skips a Query and a FunctionCall that follow an extended-protocol error before the Sync', () => {
    const s = new SessionState();
    expect(run(s, [F.parse, F.query, F.functionCall, F.sync], [B.error(), B.rfq()])).toEqual([[FAILED, K.PARSE, 2], [READY, K.SYNC, 0]]);
    expect(s.idle).toBe(true);
  });

  it('knows the server discards until a Sync the client has not sent yet', () => {
    const s = new SessionState();
    for (const m of [F.parse, F.bind(null), F.execute(null)]) s.sent(m);
    expect(s.sent(F.flush)).toBe(SendResult.NO_RESPONSE);
    expect(run(s, [], [B.parseComplete(), B.error()])).toEqual([[COMPLETE, K.PARSE, 0], [FAILED, K.BIND, 1]]);
    expect([s.discarding, s.idle]).toEqual([true, true]);
    expect(s.sent(F.parse)).toBe(SendResult.SKIPPED);
    expect(s.sent(F.query)).toBe(SendResult.SKIPPED);
    expect(s.sent(F.sync)).toBe(SendResult.PENDING);
    expect(s.discarding).toBe(false);
    expect(s.sent(F.parse)).toBe(SendResult.PENDING);
    expect(run(s, [], [B.rfq(), B.parseComplete()]).map(([o]) => o)).toEqual([READY, COMPLETE]);
  });

  it('tracks portal suspension', () => {
    const s = new SessionState();
    const out = run(s, [F.bind('c'), F.describePortal('c'), F.execute('c', 2), F.flush],
      [B.bindComplete(), B.rowDescription(1), B.dataRow(1), B.dataRow(1), B.portalSuspended()]);
    expect(out.at(-1)).toEqual([COMPLETE, K.EXECUTE, 0]);
    expect(run(s, [F.execute('c', 2), F.sync], [B.dataRow(1), B.commandComplete(), B.rfq()]).map(([o]) => o))
      .toEqual([PARTIAL, COMPLETE, READY]);
    expect(run(s, [F.execute('d', 5), F.sync], [B.portalSuspended(), B.rfq()]).map(([o]) => o)).toEqual([COMPLETE, READY]);
  });

  it('tracks COPY through Execute', () => {
    const s = new SessionState();
    expect(run(s, [F.parse, F.bind(null), F.execute(null), F.sync],
      [B.parseComplete(), B.bindComplete(), B.copyIn(), B.commandComplete('COPY 3'), B.rfq()]).map(([o]) => o))
      .toEqual([COMPLETE, COMPLETE, PARTIAL, COMPLETE, READY]);
    expect(run(s, [F.bind(null), F.execute(null), F.sync],
      [B.bindComplete(), B.copyOut(), B.copyData(), B.copyDone(), B.commandComplete('COPY 1'), B.rfq()]).map(([o]) => o))
      .toEqual([COMPLETE, PARTIAL, PARTIAL, PARTIAL, COMPLETE, READY]);
  });

  it('tracks Close, an empty query and an error at Sync (commit failure)', () => {
    const s = new SessionState();
    expect(run(s, [F.closeStatement('s'), F.closePortal('p'), F.bind(null), F.execute(null), F.sync],
      [B.closeComplete(), B.closeComplete(), B.bindComplete(), B.emptyQuery(), B.error(), B.rfq('I')]))
      .toEqual([[COMPLETE, K.CLOSE, 0], [COMPLETE, K.CLOSE, 0], [COMPLETE, K.BIND, 0], [COMPLETE, K.EXECUTE, 0], [FAILED, K.SYNC, 0], [READY, K.SYNC, 0]]);
  });

  it('fails everything pending on FATAL, and accepts a FATAL while idle', () => {
    const s = new SessionState();
    expect(run(s, [F.parse, F.bind(null), F.execute(null), F.sync], [B.parseComplete(), B.error('FATAL')]))
      .toEqual([[COMPLETE, K.PARSE, 0], [FAILED, K.BIND, 2]]);
    expect([s.idle, s.pendingReady]).toEqual([true, 0]);
    const idle = new SessionState();
    expect(idle.received(B.error('FATAL'))).toBe(FAILED);
    expect(idle.kind).toBe(K.NONE);
    expectDesync(idle, B.error(), /the session has ended/);
  });

  it('keeps row shapes per portal: checks them, forgets them on Bind, Close and transaction end', () => {
    const s = new SessionState();
    run(s, [F.bind('a'), F.describePortal('a'), F.bind('b'), F.describePortal('b'), F.execute('a'), F.execute('b'), F.flush],
      [B.bindComplete(), B.rowDescription(1), B.bindComplete(), B.rowDescription(3), B.dataRow(1), B.commandComplete(), B.dataRow(3), B.commandComplete()]);
    // Rebinding "a" forgets its shape.
    run(s, [F.bind('a'), F.execute('a'), F.flush], [B.bindComplete(), B.dataRow(7), B.commandComplete()]);
    // Closing "b" forgets its shape.
    run(s, [F.closePortal('b'), F.execute('b'), F.sync], [B.closeComplete(), B.dataRow(9), B.commandComplete(), B.rfq('T')]);
    // Inside a transaction block, described shapes survive a Sync...
    run(s, [F.bind('c'), F.describePortal('c'), F.sync], [B.bindComplete(), B.rowDescription(2), B.rfq('T')]);
    s.sent(F.execute('c'));
    s.sent(F.sync);
    expectDesync(s, B.dataRow(4), /field count differs from the portal's RowDescription/);
    // ...and are forgotten once the transaction ends.
    const t = new SessionState();
    run(t, [F.bind('c'), F.describePortal('c'), F.sync], [B.bindComplete(), B.rowDescription(2), B.rfq('I')]);
    expect(run(t, [F.execute('c'), F.sync], [B.dataRow(4), B.commandComplete(), B.rfq()]).map(([o]) => o)).toEqual([PARTIAL, COMPLETE, READY]);
  });
});

describe('SessionState: desynchronisation is fatal (RELIABILITY case 5)', () => {
  const cases: [string, TrackedMessage[], BackendMessage[], BackendMessage, RegExp][] = [
    ['DataRow without RowDescription (simple)', [F.query], [], B.dataRow(1), /unexpected DataRow \(no RowDescription in effect/],
    ['DataRow after CommandComplete (simple)', [F.query], [B.rowDescription(1), B.dataRow(1), B.commandComplete()], B.dataRow(1), /no RowDescription in effect/],
    ['DataRow while idle', [], [], B.dataRow(1), /no Query or Execute pending; nothing pending/],
    ['DataRow while a Parse is pending', [F.parse], [], B.dataRow(1), /no Query or Execute pending; awaiting Parse/],
    ['DataRow with the wrong field count (simple)', [F.query], [B.rowDescription(2), B.dataRow(2)], B.dataRow(3), /field count differs from the RowDescription/],
    ['DataRow with the wrong field count (described portal)', [F.bind(null), F.describePortal(null), F.execute(null), F.sync],
      [B.bindComplete(), B.rowDescription(2)], B.dataRow(1), /field count differs/],
    ['DataRow for a portal described as NoData', [F.bind(null), F.describePortal(null), F.execute(null), F.sync],
      [B.bindComplete(), B.noData()], B.dataRow(0), /NoData/],
    ['DataRow after an Execute completed', [F.execute(), F.sync], [B.commandComplete()], B.dataRow(1), /no Query or Execute pending; awaiting Sync/],
    ['CommandComplete while idle', [], [], B.commandComplete(), /unexpected CommandComplete \(no Query or Execute pending/],
    ['CommandComplete for a Parse', [F.parse, F.sync], [], B.commandComplete(), /no Query or Execute pending; awaiting Parse/],
    ['CommandComplete during COPY OUT before CopyDone', [F.query], [B.copyOut(), B.copyData()], B.commandComplete(), /not expected in this state/],
    ['BindComplete while idle', [], [], B.bindComplete(), /unexpected BindComplete \(no Bind pending/],
    ['BindComplete for a Parse', [F.parse, F.bind(null), F.sync], [], B.bindComplete(), /no Bind pending; awaiting Parse/],
    ['ParseComplete while idle', [], [], B.parseComplete(), /no Parse pending/],
    ['CloseComplete while idle', [], [], B.closeComplete(), /no Close pending/],
    ['NoData while idle', [], [], B.noData(), /no Describe pending/],
    ['NoData before ParameterDescription', [F.describeStatement('s'), F.sync], [], B.noData(), /no Describe pending/],
    ['ParameterDescription for a portal', [F.describePortal('p'), F.sync], [], B.parameterDescription(), /no Describe \(statement\) pending/],
    ['RowDescription while idle', [], [], B.rowDescription(1), /no Query or Describe awaiting one/],
    ['RowDescription twice in one statement', [F.query], [B.rowDescription(1)], B.rowDescription(1), /no Query or Describe awaiting one/],
    ['PortalSuspended while idle', [], [], B.portalSuspended(), /no Execute with a row limit pending/],
    ['PortalSuspended for maxRows 0', [F.execute(null, 0), F.sync], [B.dataRow(1)], B.portalSuspended(), /no Execute with a row limit/],
    ['EmptyQueryResponse while idle', [], [], B.emptyQuery(), /no Query or Execute awaiting it/],
    ['EmptyQueryResponse after a statement', [F.query], [B.commandComplete()], B.emptyQuery(), /no Query or Execute awaiting it/],
    ['EmptyQueryResponse twice', [F.query], [B.emptyQuery()], B.emptyQuery(), /no Query or Execute awaiting it/],
    ['a statement after EmptyQueryResponse', [F.query], [B.emptyQuery()], B.commandComplete(), /not expected in this state/],
    ['ErrorResponse after EmptyQueryResponse', [F.query], [B.emptyQuery()], B.error(), /the empty query already finished/],
    ['ReadyForQuery with no response to the Query', [F.query], [], B.rfq(), /the request is not finished/],
    ['duplicate ReadyForQuery', [F.query], [B.commandComplete(), B.rfq()], B.rfq(), /unexpected ReadyForQuery \(no Sync, Query or FunctionCall pending/],
    ['ReadyForQuery while an Execute is pending', [F.execute(null)], [], B.rfq(), /no Sync, Query or FunctionCall pending; awaiting Execute/],
    ['ReadyForQuery before CommandComplete', [F.query], [B.rowDescription(1), B.dataRow(1)], B.rfq(), /the request is not finished/],
    ['ReadyForQuery before FunctionCallResponse', [F.functionCall], [], B.rfq(), /the request is not finished/],
    ['ReadyForQuery in COPY IN', [F.query], [B.copyIn()], B.rfq(), /the request is not finished/],
    ['CopyInResponse while idle', [], [], B.copyIn(), /unexpected CopyInResponse \(no Query or Execute awaiting it/],
    ['CopyOutResponse for a Parse', [F.parse, F.sync], [], B.copyOut(), /awaiting Parse/],
    ['CopyOutResponse mid-result', [F.query], [B.rowDescription(1)], B.copyOut(), /no Query or Execute awaiting it/],
    ['CopyData outside COPY', [F.query], [], B.copyData(), /not in COPY OUT or COPY BOTH mode/],
    ['CopyData in COPY IN', [F.query], [B.copyIn()], B.copyData(), /not in COPY OUT/],
    ['CopyDone outside COPY', [], [], B.copyDone(), /not in COPY OUT/],
    ['FunctionCallResponse for a Query', [F.query], [], B.functionCallResponse(), /no FunctionCall pending/],
    ['FunctionCallResponse twice', [F.functionCall], [B.functionCallResponse()], B.functionCallResponse(), /no FunctionCall pending/],
    ['ErrorResponse while idle', [], [], B.error(), /unexpected ErrorResponse \(nothing pending/],
    ['two ErrorResponses for one Query', [F.query], [B.error()], B.error(), /a second error for the same request/],
    ['AuthenticationOk after startup', [], [], B.authenticationOk(), /not allowed after startup/],
    ['BackendKeyData after startup', [F.query], [], B.backendKeyData(), /not allowed after startup/],
    ['NegotiateProtocolVersion after startup', [], [], B.negotiateProtocolVersion(), /not allowed after startup/],
  ];
  for (const [name, sent, before, bad, reason] of cases) {
    it(name, () => {
      const s = new SessionState();
      run(s, sent, before);
      expectDesync(s, bad, reason);
    });
  }

  it('rejects frontend messages it cannot track', () => {
    const s = new SessionState();
    expect(() => s.sent({ type: 'StartupMessage' } as never)).toThrow(ClientError);
    expect(s.sent(F.terminate)).toBe(SendResult.NO_RESPONSE);
  });

  it('peeks at pending requests and grows its queue', () => {
    const s = new SessionState();
    for (let i = 0; i < 100; i++) {
      s.sent(F.parse);
      s.sent(F.bind(`p${i}`));
    }
    s.sent(F.sync);
    expect([s.peek(0), s.peek(1), s.peek(200), s.peek(201), s.peek(-1)]).toEqual([K.PARSE, K.BIND, K.SYNC, K.NONE, K.NONE]);
    for (let i = 0; i < 100; i++) {
      expect(s.received(B.parseComplete())).toBe(COMPLETE);
      expect(s.received(B.bindComplete())).toBe(COMPLETE);
    }
    expect(s.received(B.rfq())).toBe(READY);
    expect(s.idle).toBe(true);
  });
});
