/**
 * SyncOp: the answer to a Sync — ReadyForQuery, which ends a pipeline segment and tells its
 * transaction status, possibly preceded by an ErrorResponse when the implicit commit itself failed
 * (a deferred constraint, a serialization failure). It settles the segment's statements
 * (src/query/segment.ts) and tells whoever waits for the segment.
 */
import { ServerError } from '../errors.js';
import type { PgStreamError } from '../errors.js';
import type { BackendMessage } from '../protocol/messages.js';
import type { Outcome } from '../protocol/session-state-codes.js';
import type { QueryContext } from './context.js';
import { Step } from './operation.js';
import type { Operation } from './operation.js';
import type { Segment } from './segment.js';

/** The end of one segment. */
export class SyncOp implements Operation {
  readonly sync = true;

  /** `onReady`: called after the segment was settled (or with the connection's error). */
  constructor(
    private readonly ctx: QueryContext,
    private readonly segment: Segment,
    private readonly onReady?: (err: PgStreamError | null) => void,
  ) {
    // Made right after the Sync was written: from now on the server may commit the segment.
    segment.syncWritten();
  }

  started(): void {
    this.segment.begin(this.ctx.transactionStatus);
  }

  handle(msg: BackendMessage, _outcome: Outcome): Step {
    if (msg.type === 'ErrorResponse') {
      this.segment.commitFailed(new ServerError(new Map(msg.fields)));
      return Step.CONTINUE;
    }
    if (msg.type === 'ReadyForQuery') {
      this.segment.ready(msg.status);
      this.onReady?.(null);
      return Step.DONE;
    }
    return Step.CONTINUE;
  }

  skipped(): void {
    // A Sync is never skipped: the loop stops skipping at it.
  }

  fail(err: PgStreamError): void {
    this.segment.abandon(err);
    this.onReady?.(err);
  }
}
