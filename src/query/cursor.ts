/**
 * `conn.cursor(sql | statement, params?, { batchRows })`: a result read in batches of at most
 * `batchRows` rows through a named portal — Parse/Bind/Execute with a row limit, then Flush (not
 * Sync, which would end the implicit transaction and the portal with it) — and one more Execute
 * per batch the consumer asks for, until CommandComplete; then Sync (Close + Sync when the loop
 * is left early). No explicit transaction is needed. The connection is held by the cursor while it
 * is open: other calls wait for it (their Sync would end the cursor's transaction).
 * https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY
 */
import { ClientError, ErrorCode } from '../errors.js';
import type { PgStreamError } from '../errors.js';
import { TargetKind } from '../protocol/codes.js';
import { encodeClose } from '../protocol/frontend/close.js';
import { encodeExecute } from '../protocol/frontend/execute.js';
import { encodeFlush } from '../protocol/frontend/flush.js';
import { encodeSync } from '../protocol/frontend/sync.js';
import type { DataRowView } from '../protocol/messages.js';
import type { Field, ResultColumns } from './columns.js';
import type { QueryContext } from './context.js';
import { writeExecution } from './execute.js';
import type { ExecutionPlan, StatementTarget } from './execute.js';
import { Interrupt } from './interrupt.js';
import type { InterruptHost } from './interrupt.js';
import { Step } from './operation.js';
import { checkReady, checkStatementArgs } from './run.js';
import type { RunOptions } from './run.js';
import { Segment } from './segment.js';
import type { StatementFate } from './segment.js';
import { StatementOp } from './statement-op.js';
import type { RowSink } from './statement-op.js';
import { SyncOp } from './sync-op.js';

/** Options of `cursor`. */
export interface CursorOptions extends RunOptions {
  /** Rows per batch (default 1000). */
  readonly batchRows?: number;
}

/** Default rows per batch. */
export const DEFAULT_BATCH_ROWS = 1000;

let cursorCounter = 0;

/** One Execute's worth of rows. */
class BatchSink implements RowSink {
  described: ResultColumns | null;
  rows: unknown[][] = [];
  /** The portal ran to completion (CommandComplete), rather than reaching the row limit. */
  finished = false;
  fate: StatementFate | null = null;
  /** Resolves when the Execute's answer ended: suspended, completed, or failed. */
  readonly answered: Promise<void>;
  #resolve!: () => void;

  constructor(described: ResultColumns | null) {
    this.described = described;
    this.answered = new Promise<void>((resolve) => (this.#resolve = resolve));
  }

  columns(columns: ResultColumns): void {
    this.described = columns;
  }

  row(row: DataRowView): Step {
    this.rows.push(this.described!.values(row));
    return Step.CONTINUE;
  }

  complete(): void {
    this.finished = true;
    this.#resolve();
  }

  suspended(): void {
    this.#resolve();
  }

  settle(fate: StatementFate): void {
    this.fate = fate;
    this.#resolve();
  }
}

/** A cursor over one statement's result: async iterable of row batches. */
export class Cursor implements AsyncIterableIterator<unknown[][]> {
  readonly #batchRows: number;
  readonly #portal = `pgs_cursor_${++cursorCounter}`;
  #started = false;
  #finished = false;
  #release: (() => void) | null = null;
  #segment = new Segment();
  #columns: ResultColumns | null = null;
  #plan: ExecutionPlan | null = null;
  #interrupt: Interrupt | null = null;
  #ended: Promise<void> | null = null;
  #error: PgStreamError | null = null;

  constructor(
    private readonly ctx: QueryContext & InterruptHost,
    private readonly target: StatementTarget,
    private readonly params: readonly unknown[],
    private readonly options: CursorOptions,
  ) {
    checkStatementArgs(target, params, options.format);
    const n = options.batchRows ?? DEFAULT_BATCH_ROWS;
    if (!Number.isInteger(n) || n < 1 || n > 0x7fff_ffff) throw new ClientError(ErrorCode.INVALID_ARGUMENT, `batchRows must be a positive integer, got ${String(n)}`);
    this.#batchRows = n;
  }

  /** The result's columns, once the first batch was read. */
  get fields(): readonly Field[] | null {
    return this.#columns?.fields ?? null;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next batch of rows (arrays of decoded values), or the end. */
  async next(): Promise<IteratorResult<unknown[][]>> {
    if (this.#finished) {
      await this.#ended;
      if (this.#error !== null) throw this.#error;
      return { value: undefined, done: true };
    }
    const sink = this.#started ? this.#more() : await this.#open();
    await sink.answered;
    this.#columns ??= sink.described;
    if (sink.fate !== null && sink.fate.kind !== 'done') {
      this.#error = sink.fate.error;
      this.#finish(null);
      await this.#ended;
      throw this.#error;
    }
    if (sink.finished) {
      // The last batch: its outcome is known once the Sync is answered (the commit could still fail).
      this.#finish(null);
      await this.#ended;
      const fate = sink.fate as StatementFate | null;
      if (fate !== null && fate.kind !== 'done') this.#error = fate.error;
      if (this.#error !== null) throw this.#error;
    }
    if (sink.rows.length > 0) return { value: sink.rows, done: false };
    return this.next();
  }

  /** Takes the connection and writes the first Execute (and the statement's Parse/Bind). */
  async #open(): Promise<BatchSink> {
    this.#started = true;
    checkReady(this.ctx);
    this.#interrupt = Interrupt.of(this.ctx, this.options);
    const turn = this.ctx.turn(true);
    this.#release = typeof turn === 'function' ? turn : await turn;
    try {
      this.#interrupt?.throwIfInterrupted();
      const sink = new BatchSink(null);
      const plan = writeExecution(this.ctx, this.target, this.params, this.options.format ?? 'auto', this.#portal, this.#batchRows);
      this.#plan = plan;
      encodeFlush(this.ctx.writer);
      this.ctx.enqueue(new StatementOp(this.ctx, plan, sink, this.#segment, this.#interrupt));
      this.ctx.scheduleFlush();
      return sink;
    } catch (err) {
      this.#finish(null);
      throw err;
    }
  }

  /** Writes the next Execute of the open portal. */
  #more(): BatchSink {
    const sink = new BatchSink(this.#columns);
    encodeExecute(this.ctx.writer, this.#portal, this.#batchRows);
    encodeFlush(this.ctx.writer);
    this.ctx.requests.sentExecute(this.#portal, this.#batchRows);
    const again: ExecutionPlan = { ...this.#plan!, preparing: null, fields: null, closes: 0 };
    this.ctx.enqueue(new StatementOp(this.ctx, again, sink, this.#segment, this.#interrupt));
    this.ctx.scheduleFlush();
    return sink;
  }

  /** Leaving the loop early: closes the portal and ends the transaction (Close + Sync). */
  async return(): Promise<IteratorResult<unknown[][]>> {
    if (this.#started && !this.#finished) this.#finish(this.#portal);
    await this.#ended;
    return { value: undefined, done: true };
  }

  /** Writes the final (Close +) Sync, and releases the connection once the server answered. */
  #finish(closePortal: string | null): void {
    if (this.#finished) return;
    this.#finished = true;
    const release = this.#release;
    this.#release = null;
    if (this.#plan === null || this.ctx.error !== null) {
      this.#interrupt?.dispose();
      release?.();
      this.#ended = Promise.resolve();
      return;
    }
    const w = this.ctx.writer;
    if (closePortal !== null) {
      encodeClose(w, TargetKind.PORTAL, closePortal);
      this.ctx.requests.sentClose(TargetKind.PORTAL, closePortal);
    }
    encodeSync(w);
    this.ctx.requests.sentSync();
    this.#ended = new Promise<void>((resolve) => {
      const closeOp = closePortal === null ? null : new CloseCompleteOp();
      if (closeOp !== null) this.ctx.enqueue(closeOp);
      this.ctx.enqueue(new SyncOp(this.ctx, this.#segment, (err) => {
        if (err !== null && this.#error === null) this.#error = err;
        this.#interrupt?.dispose();
        release?.();
        resolve();
      }));
      this.ctx.scheduleFlush();
    });
  }
}

/** The answer to a Close: CloseComplete. */
class CloseCompleteOp {
  readonly sync = false;
  handle(): Step {
    return Step.DONE;
  }
  skipped(): void {}
  fail(): void {}
}

/** Opens a cursor (see the module comment); nothing is sent until the first batch is asked for. */
export function cursor(ctx: QueryContext & InterruptHost, target: StatementTarget, params: readonly unknown[] = [], options: CursorOptions = {}): Cursor {
  return new Cursor(ctx, target, params, options);
}
