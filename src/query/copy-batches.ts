/**
 * `conn.copyTo(sql).batches({ types?, batchRows?, signal?, timeout? })`: a `COPY … TO STDOUT
 * (FORMAT binary)` decoded column by column in WebAssembly into `ColumnBatch`es — the way the
 * native columnar readers (the ADBC PostgreSQL driver, ConnectorX, DuckDB's scanner) read
 * PostgreSQL. COPY BINARY carries no column types, so they are
 * - given: `types`, one per column, a type OID or `{ name, typeOid, typeModifier? }`;
 * - or learned, as the ADBC driver does: the COPY's `(query)`, or `SELECT [columns] FROM table`, is
 *   described (Parse + Describe of the unnamed statement, nothing run) in the same write as the
 *   COPY, so it costs no extra round trip (copy-sql.ts).
 * The receive loop hands over each run of CopyData messages the reader framed (no JS object per
 * row), which the builder stages and decodes. Batches stream out as the CopyData arrives: reading pauses while a finished batch waits for the
 * consumer, so memory stays bounded by about two batches. The iteration ends at ReadyForQuery;
 * `rowCount` is the COPY's tag. A broken stream or value is a typed error (PGS_MALFORMED_MESSAGE,
 * PGS_MALFORMED_VALUE) thrown once the server is done, the connection usable; leaving the loop
 * early reads and discards the rest.
 */
import { ClientError, ErrorCode, PgStreamError, ProtocolError, ServerError } from '../errors.js';
import { FormatCode, TargetKind } from '../protocol/codes.js';
import { encodeCopyFail } from '../protocol/frontend/copy-fail.js';
import { encodeDescribe } from '../protocol/frontend/describe.js';
import { encodeParse } from '../protocol/frontend/parse.js';
import { encodeQuery } from '../protocol/frontend/query.js';
import { encodeSync } from '../protocol/frontend/sync.js';
import type { BackendMessage } from '../protocol/messages.js';
import type { RowBlock } from '../protocol/row-block.js';
import type { Outcome } from '../protocol/session-state-codes.js';
import type { ColumnBatch } from '../types/arrow/batch.js';
import { ColumnBatchBuilder } from '../types/arrow/column-builder.js';
import type { ColumnField } from '../types/arrow/field.js';
import { batchColumns, takeBatches } from './batch-columns.js';
import type { ColumnSource } from './batch-columns.js';
import { checkBatchRows } from './batches.js';
import type { QueryContext } from './context.js';
import { copySourceQuery } from './copy-sql.js';
import type { CallOptions, Interrupt, InterruptHost } from './interrupt.js';
import { Step } from './operation.js';
import type { Operation } from './operation.js';
import { BatchHandoff } from './batch-handoff.js';
import { takeTurn } from './run.js';

/** A column type given to `copyTo().batches()`: a type OID, or a named column. */
export type CopyColumnType = number | { readonly name: string; readonly typeOid: number; readonly typeModifier?: number };

/** Options of `copyTo(sql).batches()`. */
export interface CopyBatchOptions extends CallOptions {
  /** The column types, in order; default: learned by describing the COPY's query or table. */
  readonly types?: readonly CopyColumnType[];
  /** Rows per batch, at most (default 65536). */
  readonly batchRows?: number;
}

function invalid(what: string): ClientError {
  return new ClientError(ErrorCode.INVALID_ARGUMENT, what);
}

/** The columns given as `types`, checked. */
function givenColumns(types: readonly CopyColumnType[]): ColumnSource[] {
  if (!Array.isArray(types)) throw invalid('types must be an array of type OIDs or { name, typeOid } objects');
  return types.map((t, i) => {
    const c = typeof t === 'number' ? { name: `column${i + 1}`, typeOid: t } : t;
    if (typeof c !== 'object' || c === null || typeof c.name !== 'string' || !Number.isInteger(c.typeOid) || c.typeOid <= 0 || c.typeOid > 0xffff_ffff) {
      throw invalid(`types[${i}] must be a type OID or { name, typeOid }`);
    }
    return { name: c.name, typeOid: c.typeOid, typeModifier: c.typeModifier ?? -1, format: FormatCode.Binary };
  });
}

/** Answers to Parse + Describe(statement) + Sync of the COPY's query: its columns. */
class DescribeOp implements Operation {
  readonly sync = true;
  columns: ColumnSource[] | null = null;
  error: PgStreamError | null = null;

  handle(msg: BackendMessage, _outcome: Outcome): Step {
    switch (msg.type) {
      case 'RowDescription':
        this.columns = msg.fields.map((f) => ({ name: f.name, typeOid: f.typeOid, typeModifier: f.typeModifier, format: FormatCode.Binary }));
        return Step.CONTINUE;
      case 'NoData':
        this.columns = [];
        return Step.CONTINUE;
      case 'ErrorResponse':
        this.error ??= new ServerError(new Map(msg.fields));
        return Step.CONTINUE;
      case 'ReadyForQuery':
        return Step.DONE;
      default:
        return Step.CONTINUE;
    }
  }

  skipped(): void {
    // Owns its Sync: never skipped.
  }

  fail(err: PgStreamError): void {
    this.error ??= err;
  }
}

/** The batches of one COPY … TO STDOUT (FORMAT binary). */
export class CopyBatches implements AsyncIterableIterator<ColumnBatch>, Operation {
  readonly sync = true;
  readonly #batchRows: number;
  readonly #given: ColumnSource[] | null;
  #describe: DescribeOp | null = null;
  #fields: readonly ColumnField[] | null = null;
  #builder: ColumnBatchBuilder | null = null;
  /** The batches built, handed to the consumer's next(). */
  readonly #out = new BatchHandoff(() => this.ctx.resume());
  #started = false;
  #done = false;
  #copying = false;
  #discarding = false;
  #error: PgStreamError | null = null;
  #rowCount: number | null = null;
  #interrupt: Interrupt | null = null;

  constructor(
    private readonly ctx: QueryContext & InterruptHost,
    private readonly sql: string,
    private readonly options: CopyBatchOptions = {},
  ) {
    if (typeof sql !== 'string') throw invalid('copyTo needs the SQL of a COPY … TO STDOUT');
    if (typeof options !== 'object' || options === null) throw invalid('batches() options must be an object');
    this.#batchRows = checkBatchRows(options.batchRows);
    this.#given = options.types === undefined ? null : givenColumns(options.types);
    if (this.#given === null && copySourceQuery(sql) === null) {
      throw invalid('the column types of this COPY cannot be learned (not COPY table [(columns)] TO … or COPY (query) TO …): pass types');
    }
  }

  /** True when the batches are read from the connection of `ctx`. */
  reads(ctx: object): boolean {
    return this.ctx === ctx;
  }

  /** The batches' fields, once known (before the first batch); null before. */
  get fields(): readonly ColumnField[] | null {
    return this.#fields;
  }

  /** Rows copied (the COPY command tag), once the COPY ended. */
  get rowCount(): number | null {
    return this.#rowCount;
  }

  async #start(): Promise<void> {
    this.#started = true;
    const turn = takeTurn(this.ctx, this.options);
    this.#interrupt = turn instanceof Promise ? await turn : turn;
    const w = this.ctx.writer;
    const query = this.#given === null ? copySourceQuery(this.sql)! : null;
    const mark = w.mark();
    try {
      if (query !== null) {
        encodeParse(w, null, query, []);
        encodeDescribe(w, TargetKind.STATEMENT, null);
        encodeSync(w);
      }
      encodeQuery(w, this.sql);
    } catch (err) {
      w.rollback(mark);
      this.#interrupt?.dispose();
      throw err;
    }
    const log = this.ctx.requests;
    if (query !== null) {
      log.sentParse();
      log.sentDescribe(TargetKind.STATEMENT, null);
      log.sentSync();
      this.#describe = new DescribeOp();
      this.ctx.enqueue(this.#describe);
    }
    log.sentQuery();
    this.ctx.enqueue(this);
    this.ctx.scheduleFlush();
  }

  // ---------------------------------------------------------------- Operation (the receive loop)

  started(): void {
    this.#interrupt?.started();
  }

  /** Once the COPY started, the receive loop hands over runs of CopyData (no JS object per row). */
  get takesCopyData(): boolean {
    return this.#copying;
  }

  handleCopyData(block: RowBlock): Step {
    if (this.#discarding) return Step.CONTINUE;
    const builder = this.#builder!;
    try {
      builder.appendCopyMessages(block);
    } catch {
      return this.#guard(() => builder.appendCopyMessages(block));
    }
    return builder.readyBatches > 0 ? this.#guard(() => undefined) : Step.CONTINUE;
  }

  handle(msg: BackendMessage, _outcome: Outcome): Step {
    switch (msg.type) {
      case 'CopyOutResponse':
        this.#copying = true;
        this.#guard(() => this.#begin(msg.format, msg.columnFormats.length));
        return Step.CONTINUE;
      case 'CopyData': {
        if (this.#discarding) return Step.CONTINUE;
        // Once per row: no closure; a failure goes through #guard.
        const builder = this.#builder!;
        try {
          builder.appendCopyData(msg.data);
        } catch {
          return this.#guard(() => builder.appendCopyData(msg.data));
        }
        return builder.readyBatches > 0 ? this.#guard(() => undefined) : Step.CONTINUE;
      }
      case 'CopyDone':
        if (this.#discarding) return Step.CONTINUE;
        return this.#guard(() => {
          this.#builder!.finishCopy();
          this.#builder!.finish();
        });
      case 'CommandComplete':
        this.#rowCount = msg.rows;
        return Step.CONTINUE;
      case 'ErrorResponse':
        this.#error ??= new ServerError(new Map(msg.fields));
        this.#discarding = true;
        return Step.CONTINUE;
      case 'CopyInResponse':
        this.#error ??= invalid('copyTo() needs COPY … TO STDOUT; this statement is a COPY FROM STDIN');
        encodeCopyFail(this.ctx.writer, 'pg-stream: copyTo() was given a COPY FROM STDIN');
        this.ctx.scheduleFlush();
        return Step.CONTINUE;
      case 'ReadyForQuery':
        this.#finish();
        return Step.DONE;
      default:
        if (!this.#copying) this.#error ??= invalid(`copyTo() needs COPY … TO STDOUT; the server answered with ${msg.type}`);
        return Step.CONTINUE;
    }
  }

  /** The COPY started: its columns are known (given or described) and must match. */
  #begin(format: FormatCode, columnCount: number): void {
    if (format !== FormatCode.Binary) throw invalid('copyTo().batches() needs COPY … TO STDOUT (FORMAT binary)');
    const describe = this.#describe;
    if (describe?.error != null) throw describe.error;
    const columns = this.#given ?? describe?.columns ?? null;
    if (columns === null) throw new ProtocolError(ErrorCode.UNEXPECTED_MESSAGE, "the COPY's query was not described");
    if (columns.length !== columnCount) {
      throw invalid(`the COPY writes ${columnCount} columns, but ${columns.length} types are ${this.#given === null ? 'described' : 'given'}`);
    }
    const { specs, fields } = batchColumns(columns);
    this.#fields = fields;
    this.#builder = new ColumnBatchBuilder(specs, { batchRows: this.#batchRows });
  }

  /** Runs a builder step; a failure stops the batches (the rest is discarded). PAUSE while batches wait. */
  #guard(work: () => void): Step {
    try {
      work();
      const builder = this.#builder;
      if (builder !== null && builder.readyBatches > 0) takeBatches(builder, this.#fields!, this.#out.queue);
    } catch (err) {
      this.#error ??= err instanceof PgStreamError ? err : new ProtocolError(ErrorCode.WASM_FAULT, `column decoding failed: ${String(err)}`, { cause: err });
      this.#discarding = true;
      this.#out.queue.length = 0;
      return Step.CONTINUE;
    }
    if (this.#out.queue.length === 0) return Step.CONTINUE;
    this.#out.wake();
    return this.#out.queue.length > 0 ? Step.PAUSE : Step.CONTINUE;
  }

  skipped(): void {
    // A simple Query owns its ReadyForQuery: never skipped.
  }

  fail(err: PgStreamError): void {
    this.#error ??= err;
    this.#finish();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    const fate = this.#interrupt?.map(this.#error === null ? { kind: 'done' } : { kind: 'failed', error: this.#error }) ?? null;
    if (fate !== null) this.#error = fate;
    this.#out.end(this.#error);
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

  /** Leaving the loop early: the rest of the data is read and discarded. */
  async return(): Promise<IteratorResult<ColumnBatch>> {
    if (this.#started && !this.#done) {
      this.#discarding = true;
      await this.#out.leave();
    }
    return { value: undefined, done: true };
  }

  /** Every batch, collected (for data that fits in memory). */
  async all(): Promise<ColumnBatch[]> {
    const out: ColumnBatch[] = [];
    for await (const b of this) out.push(b);
    return out;
  }
}
