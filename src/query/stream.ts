/**
 * `conn.stream(sql | statement, params?, options?)`: the rows of one statement as an async
 * iterable of zero-copy `Row` views (src/query/row.ts). Reading pauses after each row until the
 * consumer asks for the next one, so a slow consumer pauses the socket and memory stays flat
 * (RELIABILITY.md cases 19, 23); rows already buffered are handed out without waiting. The
 * iteration ends once the server confirmed the statement's segment (ReadyForQuery), and throws the
 * statement's error (or PGS_PIPELINE_ROLLED_BACK, PGS_ABORTED…) if it did not complete. Leaving
 * the loop early reads and discards the rest of the result, so the connection stays usable.
 * `forEach(fn)` is the same without an await per row (a synchronous callback per buffered row).
 */
import type { DataRowView } from '../protocol/messages.js';
import type { Field, ResultColumns } from './columns.js';
import type { QueryContext } from './context.js';
import type { StatementTarget } from './execute.js';
import type { InterruptHost } from './interrupt.js';
import { Step } from './operation.js';
import { Row } from './row.js';
import { checkStatementArgs, takeTurn, writeStatementWithSync } from './run.js';
import type { RunOptions } from './run.js';
import type { StatementFate } from './segment.js';
import type { RowSink } from './statement-op.js';

/** The rows of one statement, read as the consumer asks for them. */
export class RowStream implements AsyncIterableIterator<Row>, RowSink {
  #row: Row | null = null;
  #columns: ResultColumns | null = null;
  /** A row delivered by the receive loop and not yet handed to the consumer. */
  #ready = false;
  /** The consumer's pending `next()`. */
  #waiter: { resolve(r: IteratorResult<Row>): void; reject(e: unknown): void } | null = null;
  #fate: StatementFate | null = null;
  /** The consumer left early: rows are discarded until the end. */
  #discarding = false;
  #started = false;
  #command = '';
  #rowCount: number | null = null;
  /** One result object reused for every row (for-await reads `value` at once). */
  readonly #result: { value: Row; done: false } = { value: undefined as unknown as Row, done: false };
  /** A callback consumer (`forEach`), called for each row as it is read. */
  #each: ((row: Row) => void) | null = null;

  constructor(
    private readonly ctx: QueryContext & InterruptHost,
    private readonly target: StatementTarget,
    private readonly params: readonly unknown[],
    private readonly options: RunOptions,
  ) {
    checkStatementArgs(target, params, options.format);
  }

  /** The result's columns, once the first row (or the end) was read; null before. */
  get fields(): readonly Field[] | null {
    return this.#columns?.fields ?? null;
  }

  /** The command tag, once the stream ended. */
  get command(): string {
    return this.#command;
  }

  /** The row count the command tag reports, once the stream ended. */
  get rowCount(): number | null {
    return this.#rowCount;
  }

  /** Writes the statement on the first `next()` (a stream that is never iterated sends nothing). */
  async #start(): Promise<void> {
    this.#started = true;
    const turn = takeTurn(this.ctx, this.options);
    const interrupt = turn instanceof Promise ? await turn : turn;
    writeStatementWithSync(this.ctx, this.target, this.params, this.options.format ?? 'auto', this, interrupt);
  }

  // ---------------------------------------------------------------- RowSink (the receive loop)

  columns(columns: ResultColumns): void {
    this.#columns = columns;
    this.#row = new Row(columns);
  }

  row(view: DataRowView): Step {
    if (this.#discarding) return Step.CONTINUE;
    const row = this.#row!.point(view);
    const each = this.#each;
    if (each !== null) {
      each(row);
      return Step.CONTINUE;
    }
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      this.#result.value = row;
      waiter.resolve(this.#result);
    } else {
      this.#ready = true;
    }
    return Step.PAUSE;
  }

  complete(tag: string, rows: number | null): void {
    this.#command = tag;
    this.#rowCount = rows;
  }

  suspended(): void {
    // A stream executes without a row limit: never suspended.
  }

  settle(fate: StatementFate): void {
    this.#fate = fate;
    this.#row?.invalidate();
    const waiter = this.#waiter;
    if (waiter === null) return;
    this.#waiter = null;
    if (fate.kind === 'done') waiter.resolve({ value: undefined, done: true });
    else waiter.reject(fate.error);
  }

  // ---------------------------------------------------------------- the consumer

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next row (valid until the next call), or the end. */
  next(): Promise<IteratorResult<Row>> {
    if (!this.#started) return this.#start().then(() => this.next());
    this.#row?.invalidate();
    if (this.#ready) {
      // The loop paused on a row the consumer had not asked for yet.
      this.#ready = false;
      this.#result.value = this.#row!;
      return Promise.resolve(this.#result);
    }
    let fate = this.#fate;
    if (fate !== null) return fate.kind === 'done' ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(fate.error);
    // Read on synchronously first: while rows are buffered the next one is ready at once, and an
    // already-resolved promise is all this call costs.
    this.ctx.resume();
    if (this.#ready) {
      this.#ready = false;
      this.#result.value = this.#row!;
      return Promise.resolve(this.#result);
    }
    fate = this.#fate;
    if (fate !== null) return fate.kind === 'done' ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(fate.error);
    return new Promise<IteratorResult<Row>>((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** Leaving the loop early: the rest of the result is read and discarded; resolves at the end. */
  async return(): Promise<IteratorResult<Row>> {
    if (!this.#started || this.#fate !== null) return { value: undefined, done: true };
    this.#discarding = true;
    this.#ready = false;
    this.#row?.invalidate();
    try {
      await new Promise<IteratorResult<Row>>((resolve, reject) => {
        this.#waiter = { resolve, reject };
        this.ctx.resume();
      });
    } catch {
      // The statement's own failure does not matter to a consumer that left.
    }
    return { value: undefined, done: true };
  }

  /**
   * Calls `fn` for every row as it is read (the row is valid during the call), without a promise
   * per row; resolves once the statement's segment completed, rejects like the iteration would.
   * A `fn` that throws stops the stream: the rest is discarded and the promise rejects with it.
   */
  async forEach(fn: (row: Row) => void): Promise<void> {
    let thrown: { error: unknown } | null = null;
    this.#each = (row) => {
      if (thrown !== null) return;
      try {
        fn(row);
      } catch (error) {
        thrown = { error };
        this.#each = null;
        this.#discarding = true;
      }
    };
    try {
      for (;;) {
        const r = await this.next();
        if (r.done === true) break;
        // A row that arrived before forEach took over (the loop paused on it): hand it over too.
        this.#each?.(r.value);
      }
    } catch (err) {
      if (thrown === null) throw err;
    }
    if (thrown !== null) throw (thrown as { error: unknown }).error;
  }
}
