/**
 * The contract between the query layer and the connection's receive loop: every query-layer call
 * becomes one or more `Operation`s, queued in the order their requests were written, and the loop
 * hands each backend message to the operation at the head of the queue together with the `Outcome`
 * the session state gave it (src/protocol/session-state.ts) — the seam results attach to.
 * Asynchronous messages (NoticeResponse, NotificationResponse, ParameterStatus) never reach an
 * operation; they go to the connection's event handlers.
 */
import type { PgStreamError } from '../errors.js';
import type { BackendMessage } from '../protocol/messages.js';
import type { RowBlock } from '../protocol/row-block.js';
import type { Outcome } from '../protocol/session-state-codes.js';

/** What an operation did with a message. */
export const Step = {
  /** Consumed; the operation expects more messages. */
  CONTINUE: 0,
  /** Consumed; the operation is complete and leaves the queue. */
  DONE: 1,
  /**
   * Consumed, and a view of it went to a consumer who has not asked for more: stop reading (the
   * socket pauses) until the operation calls `resume()` on the loop.
   */
  PAUSE: 2,
  /**
   * An ErrorResponse to an extended-protocol request: the operation is complete, and the server
   * now skips every request until the next Sync, so the loop settles the operations queued before
   * the next Sync operation as skipped (`skipped()`).
   */
  SKIP_TO_SYNC: 3,
} as const;
/** What an operation did with a message. */
export type Step = (typeof Step)[keyof typeof Step];

/** One query-layer request (or group of requests) awaiting the server's answers. */
export interface Operation {
  /** True for the operation that owns a Sync (its ReadyForQuery ends a segment). */
  readonly sync: boolean;
  /** Handles the next message addressed to this operation. */
  handle(msg: BackendMessage, outcome: Outcome): Step;
  /** The server skipped this operation's requests (an earlier error in its segment). */
  skipped(): void;
  /** The connection failed: settle with `err` (called once, for every queued operation). */
  fail(err: PgStreamError): void;
  /**
   * True while the operation takes runs of DataRows at once (`handleRows`, conn.batches): the loop
   * then hands it each run the reader frames, counted by the session state, rather than one
   * DataRow message at a time.
   */
  readonly takesRows?: boolean;
  /** A run of DataRows (valid during the call, or after PAUSE until the operation is resumed). */
  handleRows?(block: RowBlock): Step;
  /** True while the operation takes runs of CopyData messages at once (`handleCopyData`, copyTo().batches()). */
  readonly takesCopyData?: boolean;
  /** A run of CopyData messages, checked by the session state (valid during the call). */
  handleCopyData?(block: RowBlock): Step;
  /** Called when this operation reaches the head of the queue (its answers come next). */
  started?(): void;
  /**
   * The buffered bytes ran out and the loop is about to wait for the transport: an operation that
   * gathers several messages into one delivery (COPY data) hands over what it holds now, and
   * returns PAUSE if it did (CONTINUE otherwise).
   */
  inputDrained?(): Step;
}

/** The part of the receive loop an operation uses to resume reading after a PAUSE. */
export interface ReceiveLoop {
  /** Reads on (synchronously as far as bytes are buffered) after the head operation paused. */
  resume(): void;
}
