/**
 * `conn.batches(sql | statement, params?, { batchRows, format, signal, timeout })`: the rows of one
 * statement as an async iterable of `ColumnBatch`es (Arrow buffers) of at most `batchRows` rows,
 * decoded column by column in WebAssembly straight from the DataRows in the receive buffer — no JS
 * object per row, no JS string per field. The receive loop hands each run of DataRows the reader
 * framed (`RowSink.rowBlock`, BackendReader.nextRows) to a ColumnBatchBuilder, which decodes it at once;
 * the session state counts the rows, so the CommandComplete row count is still checked.
 *
 * Results come in binary (`format: 'binary'`, the default) or text (`'text'`) for every column, or
 * per column (`'auto'`: binary where the type has a binary decoder).
 * Backpressure: reading pauses while a finished batch waits for the consumer, so at most about two
 * batches are held. A value that does not decode (PGS_MALFORMED_VALUE) stops the batches: the rest
 * of the result is read and discarded, and the iteration throws it once the server is done, with
 * the connection usable. Leaving the loop early reads and discards the rest too.
 *
 * Rows that do not come as runs (a row larger than the reader's input region, or a connection whose
 * reads are traced) come one by one: they are re-framed as COPY BINARY tuples (a DataRow body has
 * the same layout) and decoded by a second builder, after the open batch was closed. A row (or a
 * COPY tuple) larger than 1 MiB (Layout.CARRY_SIZE) cannot be decoded into columns: PGS_FRAME_TOO_LARGE,
 * the rest discarded, the connection usable.
 */
import { ClientError, ErrorCode, PgStreamError, ProtocolError } from '../errors.js';
import { FormatCode } from '../protocol/codes.js';
import type { DataRowView } from '../protocol/messages.js';
import type { RowBlock } from '../protocol/row-block.js';
import type { ColumnBatch } from '../types/arrow/batch.js';
import { ColumnBatchBuilder, DEFAULT_BATCH_ROWS } from '../types/arrow/column-builder.js';
import type { ColumnSpec } from '../types/arrow/column-builder.js';
import type { ColumnField } from '../types/arrow/field.js';
import { createCore, type WasmCore } from '../wasm/core.js';
import { Layout } from '../wasm/layout.js';
import { batchColumns, takeBatches } from './batch-columns.js';
import type { ResultColumns } from './columns.js';
import type { QueryContext } from './context.js';
import type { ResultFormat, StatementTarget } from './execute.js';
import type { CallOptions, InterruptHost } from './interrupt.js';
import { Step } from './operation.js';
import { BatchHandoff } from './batch-handoff.js';
import { checkStatementArgs, takeTurn, writeStatementWithSync } from './run.js';
import type { StatementFate } from './segment.js';
import type { RowSink } from './statement-op.js';

/** Options of `conn.batches`. */
export interface BatchOptions extends CallOptions {
  /** Rows per batch, at most (default 65536). */
  readonly batchRows?: number;
  /**
   * The result format: `'binary'` (default) or `'text'` for every column, or `'auto'`: binary for
   * the columns whose type has a binary decoder, text for the others (a type without a codec then
   * arrives as its text, in a Utf8 column, rather than as its binary bytes).
   */
  readonly format?: ResultFormat;
}

/** The COPY BINARY header: signature, flags 0, no extension. */
export const COPY_BINARY_HEADER = new Uint8Array([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
/** The COPY BINARY trailer: a field count of -1. */
export const COPY_BINARY_TRAILER = new Uint8Array([0xff, 0xff]);

function invalid(what: string): ClientError {
  return new ClientError(ErrorCode.INVALID_ARGUMENT, what);
}

/** Checks `batchRows` (a positive integer) and returns it or the default. */
export function checkBatchRows(batchRows: unknown): number {
  if (batchRows === undefined) return DEFAULT_BATCH_ROWS;
  if (typeof batchRows !== 'number' || !Number.isInteger(batchRows) || batchRows < 1 || batchRows > 0x7fff_ffff) {
    throw invalid(`batchRows must be a positive integer, got ${String(batchRows)}`);
  }
  return batchRows;
}

/** Rows that came one by one, as COPY BINARY tuples for a builder of their own. */
class SingleRows {
  readonly builder: ColumnBatchBuilder;
  #tuple = new Uint8Array(256);

  constructor(specs: readonly ColumnSpec[], batchRows: number, core: WasmCore) {
    this.builder = new ColumnBatchBuilder(specs, { batchRows, copyCore: core });
    this.builder.appendCopyData(COPY_BINARY_HEADER);
  }

  /** Appends one row (its fields re-framed as a tuple: int16 count, then int32 length + bytes each). */
  append(row: DataRowView): void {
    const n = row.fieldCount;
    let size = 2;
    for (let i = 0; i < n; i++) size += 4 + Math.max(0, row.fieldLength(i));
    if (size > Layout.CARRY_SIZE) {
      throw new ProtocolError(ErrorCode.FRAME_TOO_LARGE, `a row of ${size} bytes is larger than the ${Layout.CARRY_SIZE} bytes a row decoded into columns may have`);
    }
    if (size > this.#tuple.length) this.#tuple = new Uint8Array(Math.max(size, this.#tuple.length * 2));
    const t = this.#tuple;
    const view = new DataView(t.buffer);
    view.setInt16(0, n);
    let at = 2;
    for (let i = 0; i < n; i++) {
      const length = row.fieldLength(i);
      view.setInt32(at, length);
      at += 4;
      if (length > 0) {
        const start = row.fieldOffset(i);
        t.set(row.buffer.subarray(start, start + length), at);
        at += length;
      }
    }
    this.builder.appendCopyData(t.subarray(0, at));
  }

  /** Ends the tuples: the open batch is closed. */
  end(): void {
    this.builder.appendCopyData(COPY_BINARY_TRAILER);
    this.builder.finishCopy();
    this.builder.finish();
  }
}

/** The batches of one statement, read as the consumer asks for them. */
export class BatchStream implements AsyncIterableIterator<ColumnBatch>, RowSink {
  readonly #batchRows: number;
  readonly #format: ResultFormat;
  #fields: readonly ColumnField[] | null = null;
  #specs: readonly ColumnSpec[] = [];
  #builder: ColumnBatchBuilder | null = null;
  #single: SingleRows | null = null;
  #singleCore: WasmCore | null = null;
  /** The batches built, handed to the consumer's next(). */
  readonly #out = new BatchHandoff(() => this.ctx.resume());
  #fate: StatementFate | null = null;
  /** A batch could not be built (a malformed value): the rest is discarded, then this is thrown. */
  #error: PgStreamError | null = null;
  #discarding = false;
  #started = false;
  #command = '';
  #rowCount: number | null = null;

  constructor(
    private readonly ctx: QueryContext & InterruptHost,
    private readonly target: StatementTarget,
    private readonly params: readonly unknown[],
    private readonly options: BatchOptions,
  ) {
    if (typeof options !== 'object' || options === null) throw invalid('batches() options must be an object');
    const format = options.format ?? 'binary';
    if (format !== 'binary' && format !== 'text' && format !== 'auto') throw invalid(`format must be 'binary', 'text' or 'auto', got ${String(format)}`);
    checkStatementArgs(target, params, format);
    this.#batchRows = checkBatchRows(options.batchRows);
    this.#format = format;
  }

  /** True when the batches are read from the connection of `ctx`. */
  reads(ctx: object): boolean {
    return this.ctx === ctx;
  }

  /** The batches' fields, once the result's columns are known (the first batch or the end); null before. */
  get fields(): readonly ColumnField[] | null {
    return this.#fields;
  }

  /** The command tag, once the statement ended. */
  get command(): string {
    return this.#command;
  }

  /** The row count the command tag reports, once the statement ended. */
  get rowCount(): number | null {
    return this.#rowCount;
  }

  /** Writes the statement on the first `next()` (batches that are never iterated send nothing). */
  async #start(): Promise<void> {
    this.#started = true;
    const turn = takeTurn(this.ctx, this.options);
    const interrupt = turn instanceof Promise ? await turn : turn;
    writeStatementWithSync(this.ctx, this.target, this.params, this.#format, this, interrupt);
  }

  // ---------------------------------------------------------------- RowSink (the receive loop)

  columns(columns: ResultColumns): void {
    const { specs, fields } = batchColumns(columns.fields.map((f) => ({ ...f, format: f.format === FormatCode.Binary ? FormatCode.Binary : FormatCode.Text })));
    this.#specs = specs;
    this.#fields = fields;
    this.#builder = new ColumnBatchBuilder(specs, { batchRows: this.#batchRows });
  }

  rowBlock(block: RowBlock): Step {
    if (this.#discarding) return Step.CONTINUE;
    return this.#guard(() => {
      this.#endSingle();
      const builder = this.#builder!;
      builder.appendRows(block);
      if (builder.readyBatches > 0) takeBatches(builder, this.#fields!, this.#out.queue);
    });
  }

  row(view: DataRowView): Step {
    if (this.#discarding) return Step.CONTINUE;
    return this.#guard(() => {
      if (this.#single === null) {
        // Rows so far go first: close the open batch.
        this.#builder!.finish();
        takeBatches(this.#builder!, this.#fields!, this.#out.queue);
        this.#single = new SingleRows(this.#specs, this.#batchRows, (this.#singleCore ??= createCore()));
      }
      const builder = this.#single.builder;
      this.#single.append(view);
      if (builder.readyBatches > 0) takeBatches(builder, this.#fields!, this.#out.queue);
    });
  }

  complete(tag: string, rows: number | null): void {
    this.#command = tag;
    this.#rowCount = rows;
    if (this.#discarding || this.#builder === null) return;
    this.#guard(() => {
      this.#endSingle();
      this.#builder!.finish();
      takeBatches(this.#builder!, this.#fields!, this.#out.queue);
    });
  }

  suspended(): void {
    // Executed without a row limit: never suspended.
  }

  settle(fate: StatementFate): void {
    this.#fate = this.#error !== null && fate.kind === 'done' ? { kind: 'failed', error: this.#error } : fate;
    this.#out.end(this.#fate.kind === 'done' ? null : this.#fate.error);
  }

  /** Ends the one-by-one rows: their batches go out before the next run's. */
  #endSingle(): void {
    const single = this.#single;
    if (single === null) return;
    this.#single = null;
    single.end();
    takeBatches(single.builder, this.#fields!, this.#out.queue);
  }

  /** Runs a builder step; a failure stops the batches (the rest is discarded). PAUSE while batches wait. */
  #guard(work: () => void): Step {
    try {
      work();
    } catch (err) {
      this.#error = err instanceof PgStreamError ? err : new ProtocolError(ErrorCode.WASM_FAULT, `column decoding failed: ${String(err)}`, { cause: err });
      this.#discarding = true;
      this.#out.queue.length = 0;
      return Step.CONTINUE;
    }
    if (this.#out.queue.length === 0) return Step.CONTINUE;
    this.#out.wake();
    return this.#out.queue.length > 0 ? Step.PAUSE : Step.CONTINUE;
  }

  // ---------------------------------------------------------------- the consumer

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next batch (the consumer's to keep), or the end. */
  next(): Promise<IteratorResult<ColumnBatch>> {
    if (!this.#started) return this.#start().then(() => this.next());
    return this.#out.next();
  }

  /** Leaving the loop early: the rest of the result is read and discarded; resolves at the end. */
  async return(): Promise<IteratorResult<ColumnBatch>> {
    if (this.#started && this.#fate === null) {
      this.#discarding = true;
      await this.#out.leave();
    }
    return { value: undefined, done: true };
  }

  /** Every batch, collected (for results that fit in memory). */
  async all(): Promise<ColumnBatch[]> {
    const out: ColumnBatch[] = [];
    for await (const b of this) out.push(b);
    return out;
  }
}
