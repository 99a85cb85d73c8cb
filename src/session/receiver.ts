/**
 * Receiver: the read side of a connection — the one place that takes messages out of the
 * BackendReader, checks each against the session state, and gives it to whoever is reading:
 * - the raw API (`recv()`/`tryRecv()`), when no query-layer operation is in flight;
 * - the queue of query-layer operations (src/query/operation.ts), in the order their requests were
 *   written, each message with its `Outcome` — driven synchronously while bytes are buffered and by
 *   one pending `fill()` otherwise;
 * - while idle and an event handler is attached, a background read that delivers notifications,
 *   notices and parameter changes as they arrive (and keeps the process alive, as a server waiting
 *   for events does).
 * The two never fight: a raw read while operations are queued is `PGS_BUSY`, and the idle read
 * steps aside for a raw read. A message that arrives while nothing is owed (a stray CommandComplete
 * after ReadyForQuery) is a fatal protocol error at that moment (RELIABILITY.md case 5).
 * Read deadline: while the server owes an answer, a wait for bytes longer than `readTimeoutMs`
 * fails the connection with PGS_TIMEOUT (case 28).
 */
import { ClientError, ConnectionError, ErrorCode, PgStreamError, ServerError } from '../errors.js';
import { MessageCode } from '../protocol/codes.js';
import type { BackendMessage } from '../protocol/messages.js';
import { Outcome } from '../protocol/session-state-codes.js';
import type { SessionState } from '../protocol/session-state.js';
import { Step } from '../query/operation.js';
import type { Operation, ReceiveLoop } from '../query/operation.js';
import type { Transport } from '../transport/transport.js';
import type { MessageSource } from './message-source.js';

/** How many messages a failed write looks through for the server's error (its farewell is one or two). */
const LAST_WORDS_MESSAGES = 1000;

/** What the receiver tells its connection. */
export interface ReceiverHooks {
  /** A message was received and checked (ParameterStatus, ReadyForQuery bookkeeping). */
  observed(msg: BackendMessage, outcome: Outcome): void;
  /** An asynchronous message (notice, notification, parameter) for the event handlers. */
  asynchronous(msg: BackendMessage): void;
  /** A fatal error: the connection records it and destroys the transport; returns the error to use. */
  fatal(err: unknown): PgStreamError;
  /** The connection failed while idle with the event handlers' read running: nobody else hears of it. */
  lostIdle?(err: PgStreamError): void;
}

/** The error for a read that would fight another reader. */
export function busy(what: string): ClientError {
  return new ClientError(ErrorCode.BUSY, what);
}

/** The read side of one connection (see the module comment). */
export class Receiver implements ReceiveLoop {
  #ops: Operation[] = [];
  #head = 0;
  /** A raw `recv()` is waiting for bytes. */
  #rawWaiting = false;
  /** The receive loop is running (guards against re-entry from an operation's handler). */
  #draining = false;
  /** A `fill()` is pending (shared by whoever needs bytes). */
  #filling: Promise<void> | null = null;
  /** The head operation paused (a consumer holds a view and has not asked for more). */
  #paused = false;
  /** Deliver asynchronous messages while idle. */
  #listening = false;
  /** The client holds the turn (COPY FROM data is being sent): the read deadline does not run. */
  #clientTurn = false;
  /** When the client last gave the turn back (ms since the epoch): an answer is owed from then. */
  #turnEnded = 0;
  #error: PgStreamError | null = null;

  constructor(
    private readonly source: MessageSource,
    private readonly transport: Transport,
    private readonly session: SessionState,
    private readonly readTimeoutMs: number,
    private readonly hooks: ReceiverHooks,
  ) {}

  /** Operations awaiting answers. */
  get operations(): number {
    return this.#ops.length - this.#head;
  }

  /** True while a query-layer operation is in flight (raw reads are refused then). */
  get busy(): boolean {
    return this.#head < this.#ops.length;
  }

  /**
   * Why a query-layer call cannot start now, or null: a raw read is pending, or requests written
   * with the raw API still await answers that only `recv()` may read.
   */
  get blocked(): string | null {
    if (this.#rawWaiting) return 'a recv() is pending';
    if (!this.busy && this.session.pending > 0) return 'requests written with the raw API still await their answers: read them with recv() first';
    return null;
  }

  // ---------------------------------------------------------------- the raw API

  /** The next message (raw API). */
  recv(): Promise<BackendMessage> {
    if (this.#error !== null) return rejected(this.#error);
    if (this.#rawWaiting) return rejected(busy('recv() called while another recv() is pending'));
    if (this.busy) return rejected(busy('recv() called while query-layer calls are in flight'));
    let msg: BackendMessage | null;
    try {
      msg = this.#take();
    } catch (err) {
      return rejected(this.hooks.fatal(err));
    }
    return msg !== null ? Promise.resolve(msg) : this.#recvSlow();
  }

  /** The next message if one is already buffered, else null (raw API). */
  tryRecv(): BackendMessage | null {
    if (this.#error !== null) throw this.#error;
    if (this.#rawWaiting) throw busy('tryRecv() called while a recv() is pending');
    if (this.busy) throw busy('tryRecv() called while query-layer calls are in flight');
    try {
      return this.#take();
    } catch (err) {
      throw this.hooks.fatal(err);
    }
  }

  async #recvSlow(): Promise<BackendMessage> {
    this.#rawWaiting = true;
    try {
      for (;;) {
        await this.#fill();
        const msg = this.#take();
        if (msg !== null) return msg;
      }
    } catch (err) {
      throw this.hooks.fatal(err);
    } finally {
      this.#rawWaiting = false;
      // The idle read stepped aside for this one: let it go on.
      if (this.#listening) this.resume();
    }
  }

  /** Takes one message from the reader and checks it (throws on a protocol violation). */
  #take(): BackendMessage | null {
    const msg = this.source.next();
    if (msg !== null) this.hooks.observed(msg, this.session.received(msg));
    return msg;
  }

  // ---------------------------------------------------------------- the query layer

  /** Queues an operation whose requests were just written; its answers come after those queued before. */
  enqueue(op: Operation): void {
    if (this.#error !== null) {
      op.fail(this.#error);
      return;
    }
    if (!this.busy) {
      this.#ops.length = 0;
      this.#head = 0;
      this.#paused = false;
      this.#ops.push(op);
      op.started?.();
      this.#drain();
    } else {
      this.#ops.push(op);
    }
  }

  /** Reads on after the head operation paused, or after an operation was queued. */
  resume(): void {
    this.#paused = false;
    this.#drain();
  }

  /** The client holds the turn, or gives it back (see QueryContext.clientTurn). */
  clientTurn(on: boolean): void {
    this.#clientTurn = on;
    if (!on) this.#turnEnded = Date.now();
  }

  /** Starts or stops the idle read of asynchronous messages. */
  listen(on: boolean): void {
    this.#listening = on;
    if (on) this.#drain();
  }

  /**
   * The receive loop: hands buffered messages to the head operation (or, idle and listening, to the
   * event handlers) until it pauses or the bytes run out, then waits for more with one `fill()`.
   */
  #drain(): void {
    if (this.#draining || this.#error !== null) return;
    this.#draining = true;
    try {
      for (;;) {
        const op = this.#head < this.#ops.length ? this.#ops[this.#head]! : null;
        if (op === null) {
          // Idle: read only to deliver events, only when nothing is owed and no raw read waits.
          if (!this.#listening || this.#rawWaiting || this.session.pending > 0) break;
        } else if (this.#paused) {
          break;
        }
        if ((op?.takesRows === true || op?.takesCopyData === true) && this.source.nextRows !== undefined) {
          const step = this.#rows(op);
          if (step === Step.PAUSE) {
            this.#paused = true;
            break;
          }
          if (step !== null) continue;
        }
        const msg = this.source.next();
        if (msg === null) {
          if (op?.inputDrained?.() === Step.PAUSE) {
            this.#paused = true;
            break;
          }
          this.#wantBytes();
          break;
        }
        const outcome = this.session.received(msg);
        this.hooks.observed(msg, outcome);
        if (outcome === Outcome.ASYNC) {
          this.hooks.asynchronous(msg);
          continue;
        }
        if (msg.type === 'ErrorResponse') {
          const err = new ServerError(new Map(msg.fields));
          // FATAL or PANIC: the server closes the connection; every call fails with its words.
          if (err.fatal) {
            this.#lost(err);
            break;
          }
        }
        // Idle, an answer to nothing would have failed the session check above.
        const step = op!.handle(msg, outcome);
        if (step === Step.CONTINUE) continue;
        if (step === Step.PAUSE) {
          this.#paused = true;
          break;
        }
        if (step === Step.SKIP_TO_SYNC) {
          this.#next(false);
          this.#skipToSync();
        } else {
          this.#next(true);
        }
      }
    } catch (err) {
      this.#lost(err);
    } finally {
      this.#draining = false;
    }
  }

  /**
   * Hands the run of DataRows (or CopyData) next in the stream to `op` (checked by the session state first);
   * null when there is none (the next message is something else, or more bytes are needed).
   */
  #rows(op: Operation): Step | null {
    if (op.takesCopyData === true) {
      const block = this.source.nextRows!(MessageCode.COPY_DATA);
      if (block === null) return null;
      this.session.receivedCopyData();
      return op.handleCopyData!(block);
    }
    const block = this.source.nextRows!();
    if (block === null) return null;
    this.session.receivedRows(block.rowCount, block.fieldCount());
    return op.handleRows!(block);
  }

  /**
   * The receive loop met a fatal error: every queued operation fails with it; while idle with the
   * event handlers' read running, they are told too (the server's FATAL after pg_terminate_backend,
   * a lost connection), since no call is there to reject.
   */
  #lost(err: unknown): void {
    if (this.#error !== null) return;
    const idle = !this.busy && this.#listening;
    const e = this.hooks.fatal(err);
    this.fail(e);
    if (idle) this.hooks.lostIdle?.(e);
  }

  /** The head operation is done: the next one starts (`start`: tell it, unless the server skips it). */
  #next(start: boolean): void {
    this.#ops[this.#head++] = undefined as unknown as Operation;
    this.#paused = false;
    if (this.#head === this.#ops.length) {
      this.#ops.length = 0;
      this.#head = 0;
    } else {
      if (this.#head > 1024 && this.#head * 2 > this.#ops.length) {
        this.#ops = this.#ops.slice(this.#head);
        this.#head = 0;
      }
      if (start) this.#ops[this.#head]!.started?.();
    }
  }

  /**
   * After an error in a segment: the operations before its Sync got no answer. They are never told
   * they started (the server does not run them: a timeout of theirs must send no CancelRequest,
   * which would hit whatever the server runs next); the Sync's operation is.
   */
  #skipToSync(): void {
    while (this.#head < this.#ops.length && !this.#ops[this.#head]!.sync) {
      const op = this.#ops[this.#head]!;
      this.#next(false);
      op.skipped();
    }
    if (this.#head < this.#ops.length) this.#ops[this.#head]!.started?.();
  }

  /** Waits for bytes (one fill at a time), then drives the loop again. */
  #wantBytes(): void {
    if (this.#filling !== null) return;
    this.#fill().then(
      () => this.#drain(),
      (err: unknown) => this.#lost(err),
    );
  }

  /** One transport fill shared by every waiter, bounded by the read deadline while an answer is owed. */
  #fill(): Promise<void> {
    if (this.#filling !== null) return this.#filling;
    let fill = this.transport.fill();
    const ms = this.readTimeoutMs;
    if (ms > 0) {
      const start = Date.now();
      fill = withDeadline(fill, ms, () => (this.session.pending > 0 && !this.#clientTurn ? Math.max(start, this.#turnEnded) : null));
    }
    const p = fill.finally(() => {
      this.#filling = null;
    });
    this.#filling = p;
    return p;
  }

  /**
   * After a failed write: reads what the server said before it closed (the bytes already received),
   * for the ErrorResponse that explains the failure (a FATAL), without handing anything to callers.
   */
  async lastWords(): Promise<ServerError | null> {
    if (this.#error !== null) return null;
    for (let i = 0; i < LAST_WORDS_MESSAGES; i++) {
      let msg: BackendMessage | null;
      try {
        msg = this.source.next();
        if (msg === null) {
          await this.#fill();
          continue;
        }
      } catch {
        return null;
      }
      if (msg.type === 'ErrorResponse') return new ServerError(new Map(msg.fields));
    }
    return null;
  }

  /** The connection failed: every queued operation settles with `err`, once. */
  fail(err: PgStreamError): void {
    if (this.#error !== null) return;
    this.#error = err;
    const ops = this.#ops.slice(this.#head);
    this.#ops = [];
    this.#head = 0;
    for (const op of ops) op.fail(err);
  }
}

/**
 * Rejects with PGS_TIMEOUT when `p` has not settled within `ms` of an answer being owed:
 * `owedSince()` says since when (ms since the epoch), or null while nothing is owed (an idle wait,
 * or the client's own turn, is not bounded: the deadline starts over).
 */
function withDeadline(p: Promise<void>, ms: number, owedSince: () => number | null): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout>;
    const arm = (after: number): void => {
      timer = setTimeout(expire, after);
      unref(timer);
    };
    const expire = (): void => {
      const since = owedSince();
      const waited = since === null ? 0 : Date.now() - since;
      if (waited < ms) {
        arm(ms - waited);
        return;
      }
      reject(new ConnectionError(ErrorCode.TIMEOUT, `the server sent nothing for ${ms} ms while an answer was owed (read timeout)`));
    };
    arm(ms);
    p.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

/** A pending deadline does not keep a process alive by itself (the transport's read does, when it must). */
function unref(timer: ReturnType<typeof setTimeout>): void {
  (timer as { unref?: () => void }).unref?.();
}

function rejected<T>(err: PgStreamError): Promise<T> {
  const p = Promise.reject(err);
  p.catch(() => undefined);
  return p;
}
