/**
 * The connection state machine (SessionState) fed random requests and random valid messages in
 * random orders, most of them out of place: every message is accepted or refused with a typed
 * error (a desync is PGS_UNEXPECTED_MESSAGE, RELIABILITY.md case 5), never another exception, and
 * its counters never go negative. The model-checked properties stay in property/session-state.test.ts.
 */
import fc from 'fast-check';
import { TargetKind } from '../../../src/protocol/codes.js';
import { SessionState } from '../../../src/protocol/session-state.js';
import { B } from '../../support/session-state-messages.js';
import { check, target, typedCode } from '../target.js';

type Act = { send: number; name: boolean } | { recv: number; n: number };

const SENDS: ((s: SessionState, name: string | null) => void)[] = [
  (s) => s.sentQuery(),
  (s) => s.sentParse(),
  (s, n) => s.sentBind(n),
  (s, n) => s.sentDescribe(TargetKind.STATEMENT, n),
  (s, n) => s.sentDescribe(TargetKind.PORTAL, n),
  (s, n) => s.sentClose(TargetKind.PORTAL, n),
  (s, n) => s.sentExecute(n, 0),
  (s, n) => s.sentExecute(n, 1),
  (s) => s.sentFunctionCall(),
  (s) => s.sentSync(),
];
const RECEIVES = [
  () => B.rfq('I'), () => B.rfq('T'), () => B.rfq('E'), (n: number) => B.rowDescription(n), (n: number) => B.dataRow(n),
  (n: number) => B.commandComplete(`SELECT ${n}`, n), () => B.emptyQuery(), () => B.error(), () => B.error('FATAL'), () => B.notice(),
  () => B.parameterStatus(), () => B.notification(), () => B.parseComplete(), () => B.bindComplete(), () => B.closeComplete(),
  () => B.noData(), (n: number) => B.parameterDescription(n), () => B.portalSuspended(), () => B.copyIn(), () => B.copyOut(),
  () => B.copyBoth(), () => B.copyData(), () => B.copyDone(), () => B.functionCallResponse(), () => B.authenticationOk(),
  () => B.backendKeyData(), () => B.negotiateProtocolVersion(),
];

const act: fc.Arbitrary<Act> = fc.oneof(
  fc.record({ send: fc.nat(SENDS.length - 1), name: fc.boolean() }),
  fc.record({ recv: fc.nat(RECEIVES.length - 1), n: fc.nat(3) }),
  fc.record({ recv: fc.nat(RECEIVES.length - 1), n: fc.nat(3) }),
);

export const sessionState = target({
  name: 'session-state',
  about: 'SessionState fed random requests and random valid backend messages in random orders',
  arbitrary: fc.array(act, { minLength: 1, maxLength: 40 }),
  run: (acts) => {
    const s = new SessionState();
    for (const a of acts) {
      try {
        if ('send' in a) SENDS[a.send]!(s, a.name ? 'a' : null);
        else s.received(RECEIVES[a.recv]!(a.n));
      } catch (err) {
        return typedCode(err);
      }
      check(s.pending >= 0 && s.pendingSyncs >= 0 && s.pendingReady >= 0, `negative counters: ${s.pending} ${s.pendingSyncs} ${s.pendingReady}`);
    }
    return s.idle ? 'idle' : 'busy';
  },
  testRuns: 5_000,
  reaches: ['idle', 'busy', 'PGS_UNEXPECTED_MESSAGE'],
});
