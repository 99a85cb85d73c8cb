/**
 * `conn.pipeline()`: many statements in flight at once, in segments ended by Sync
 * (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-PIPELINING).
 * `run()` writes a statement and returns a promise for its Result; `sync()` ends the segment;
 * `end()` adds the final Sync when statements are pending, sends everything, and resolves once
 * every statement has settled (it does not reject for a statement's error). Writes of one tick go
 * out together, so 10,000 `run()` calls in a loop are one flush.
 *
 * A statement's promise resolves only when its segment's outcome makes it durable, and otherwise
 * rejects with the server's error, PGS_PIPELINE_ABORTED (skipped after an earlier error) or
 * PGS_PIPELINE_ROLLED_BACK (ran, then rolled back with its segment): see src/query/segment.ts. A
 * connection lost after the segment's Sync went out and before its outcome came rejects them with
 * PGS_OUTCOME_UNKNOWN (the server may have committed), never as done and never as a plain close.
 * A statement interrupted while it waited for its turn stays in its segment (RefusedOp below).
 * `conn.pipeline({ signal, timeout })` gives every statement that signal and timeout unless its own
 * `run(…, { signal, timeout })` says otherwise (PRODUCT.md: every query-layer call takes `{ signal }`).
 */
import { ClientError, ErrorCode } from '../errors.js';
import type { PgStreamError } from '../errors.js';
import { encodeFlush } from '../protocol/frontend/flush.js';
import { encodeParse } from '../protocol/frontend/parse.js';
import { encodeSync } from '../protocol/frontend/sync.js';
import type { QueryContext } from './context.js';
import { writeExecution } from './execute.js';
import type { StatementTarget } from './execute.js';
import { Interrupt } from './interrupt.js';
import type { CallOptions, InterruptHost } from './interrupt.js';
import { CollectSink } from './result.js';
import type { Result } from './result.js';
import { checkReady, checkStatementArgs } from './run.js';
import type { RunOptions } from './run.js';
import { Segment } from './segment.js';
import type { SegmentMember, StatementFate } from './segment.js';
import type { BackendMessage } from '../protocol/messages.js';
import { Step } from './operation.js';
import type { Operation } from './operation.js';
import { StatementOp } from './statement-op.js';
import { SyncOp } from './sync-op.js';

/** A pipeline on one connection. */
export class Pipeline {
  #segment: Segment | null = null;
  #unsynced = 0;
  #ended = false;
  readonly #all: Promise<unknown>[] = [];
  /** Calls that wait for their turn to write (another call holds the connection). */
  #waiting: Promise<void> = Promise.resolve();
  #queued = 0;

  /** The signal and timeout of every statement that does not give its own. */
  readonly #defaults: CallOptions;

  constructor(private readonly ctx: QueryContext & InterruptHost, defaults: CallOptions = {}) {
    if (typeof defaults !== 'object' || defaults === null) throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'pipeline options must be an object');
    const { timeout } = defaults;
    // Checked now (a bad timeout is refused here, not at every run()).
    if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) {
      throw new ClientError(ErrorCode.INVALID_ARGUMENT, `timeout must be a positive number of milliseconds, got ${String(timeout)}`);
    }
    this.#defaults = { signal: defaults.signal, timeout: defaults.timeout };
  }

  /** Statements written since the last Sync. */
  get pending(): number {
    return this.#unsynced;
  }

  /** Writes one statement into the current segment; resolves or rejects by the segment's outcome. */
  run(target: StatementTarget, params: readonly unknown[] = [], options: RunOptions = {}): Promise<Result> {
    const { signal, timeout } = this.#defaults;
    const p = this.#run(target, params, signal === undefined && timeout === undefined ? options : { ...options, signal: options.signal ?? signal, timeout: options.timeout ?? timeout });
    this.#all.push(p);
    return p;
  }

  #run(target: StatementTarget, params: readonly unknown[], options: RunOptions): Promise<Result> {
    if (this.#ended) return Promise.reject(new ClientError(ErrorCode.INVALID_ARGUMENT, 'the pipeline has ended'));
    try {
      checkStatementArgs(target, params, options.format);
      checkReady(this.ctx);
    } catch (err) {
      return Promise.reject(err);
    }
    let interrupt: Interrupt | null;
    try {
      interrupt = Interrupt.of(this.ctx, options);
    } catch (err) {
      return Promise.reject(err);
    }
    this.#unsynced++;
    const segment = (this.#segment ??= new Segment());
    const sink = new CollectSink();
    const write = (): void => {
      // The server holds its output until it must wait or meets a Flush/Sync: without a Flush here,
      // the earlier statements' answers would arrive only after this one finished, and an abort could
      // not tell when this statement starts running (its cancel must not hit an earlier one).
      if (interrupt !== null) encodeFlush(this.ctx.writer);
      const plan = writeExecution(this.ctx, target, params, options.format ?? 'auto');
      const op = new StatementOp(this.ctx, plan, sink, segment, interrupt);
      if (!plan.skipped) this.ctx.enqueue(op);
      this.ctx.scheduleFlush();
    };
    const turn = this.#queued === 0 ? this.ctx.turn(false) : null;
    if (typeof turn === 'function') {
      try {
        write();
      } catch (err) {
        this.#unsynced--;
        interrupt?.dispose();
        return Promise.reject(err);
      }
      return sink.promise;
    }
    // Another call holds the connection: write after it, in this pipeline's order.
    this.#queued++;
    const wait = this.#waiting.then(async () => {
      const t = this.ctx.turn(false);
      if (typeof t !== 'function') await t;
    });
    this.#waiting = wait.then(
      () => {
        this.#queued--;
        try {
          interrupt?.throwIfInterrupted();
        } catch (err) {
          // Interrupted while it waited: it cannot leave its segment (the others would commit without it).
          writeRefused(this.ctx, segment, sink, err as PgStreamError);
          return;
        }
        try {
          write();
        } catch (err) {
          this.#unsynced--;
          sink.settle({ kind: 'failed', error: err as ClientError });
        }
      },
      () => undefined,
    );
    return sink.promise;
  }

  /** Ends the current segment with a Sync (nothing is written when no statement is pending). */
  sync(): this {
    if (this.#ended) throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'the pipeline has ended');
    if (this.#unsynced === 0 || this.#segment === null) return this;
    const segment = this.#segment;
    this.#segment = null;
    this.#unsynced = 0;
    const write = (): void => {
      encodeSync(this.ctx.writer);
      this.ctx.requests.sentSync();
      this.ctx.enqueue(new SyncOp(this.ctx, segment));
      this.ctx.scheduleFlush();
    };
    if (this.#queued === 0) write();
    else this.#waiting = this.#waiting.then(write);
    return this;
  }

  /**
   * The final Sync when statements are pending, then sends everything; resolves once every
   * statement of the pipeline has settled (whatever the outcome: await the statements' own
   * promises for their results and errors).
   */
  async end(): Promise<void> {
    if (!this.#ended) {
      this.sync();
      this.#ended = true;
    }
    await this.#waiting;
    await this.ctx.flush().catch(() => undefined);
    await Promise.allSettled(this.#all);
  }
}

/** SQL the server refuses to parse: it stands in for a statement interrupted before it was written. */
const REFUSED_SQL = 'pg-stream: this statement was interrupted before it was sent';

/**
 * A statement interrupted (timeout, abort) while it waited for its turn to write, in a segment whose
 * other statements are written: in its place goes a Parse the server refuses, so the segment fails
 * there as if the statement had — those before it roll back, those after it are skipped (its
 * segment's rules apply to it and to the others) — and it rejects with its PGS_TIMEOUT/PGS_ABORTED,
 * which is the truth: it never ran.
 */
class RefusedOp implements Operation, SegmentMember {
  readonly sync = false;
  readonly sql = '';
  #settled = false;

  constructor(
    private readonly ctx: QueryContext,
    private readonly segment: Segment,
    private readonly sink: CollectSink,
    private readonly error: PgStreamError,
  ) {
    segment.add(this);
  }

  started(): void {
    this.segment.begin(this.ctx.transactionStatus);
  }

  handle(msg: BackendMessage): Step {
    if (msg.type !== 'ErrorResponse') return Step.CONTINUE;
    this.segment.failedWith(this, this.error);
    return Step.SKIP_TO_SYNC;
  }

  skipped(): void {
    // Its segment had failed already: settled (as never run) at ReadyForQuery.
  }

  fail(err: PgStreamError): void {
    this.segment.abandon(err);
    this.settle({ kind: 'failed', error: err });
  }

  settle(_fate: StatementFate): void {
    if (this.#settled) return;
    this.#settled = true;
    // Whatever happened to the segment, this statement never ran.
    this.sink.settle({ kind: 'failed', error: this.error });
  }
}

/** Writes the stand-in for an interrupted statement of `segment` (see RefusedOp). */
function writeRefused(ctx: QueryContext, segment: Segment, sink: CollectSink, error: PgStreamError): void {
  const op = new RefusedOp(ctx, segment, sink, error);
  if (ctx.error !== null) {
    op.fail(ctx.error);
    return;
  }
  encodeParse(ctx.writer, null, REFUSED_SQL);
  ctx.requests.sentParse();
  ctx.enqueue(op);
  ctx.scheduleFlush();
}
