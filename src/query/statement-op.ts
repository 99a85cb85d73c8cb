/**
 * StatementOp: reads the answers to one statement execution (src/query/execute.ts) — CloseComplete
 * for evicted cache entries, ParseComplete, ParameterDescription and RowDescription/NoData of a
 * describe (which also fill the statement cache), BindComplete, the rows, and CommandComplete,
 * EmptyQueryResponse or PortalSuspended — and hands rows and the ending to a sink: the collecting
 * one of `run`/`pipeline.run`, the stream's, or a cursor's. Its fate (done, failed, skipped, rolled
 * back) is decided by its pipeline segment (src/query/segment.ts).
 */
import { PgStreamError, ServerError } from '../errors.js';
import { FormatCode } from '../protocol/codes.js';
import type { BackendMessage, DataRowView, FieldDescription } from '../protocol/messages.js';
import type { RowBlock } from '../protocol/row-block.js';
import type { Outcome } from '../protocol/session-state-codes.js';
import { ResultColumns } from './columns.js';
import type { QueryContext } from './context.js';
import type { ExecutionPlan } from './execute.js';
import type { Interrupt } from './interrupt.js';
import { Step } from './operation.js';
import type { Operation } from './operation.js';
import type { Segment, SegmentMember, StatementFate } from './segment.js';

/** Where a statement's results go. */
export interface RowSink {
  /** The result's columns are known (before any row). */
  columns(columns: ResultColumns): void;
  /** One row (a view valid until the operation returns or, after PAUSE, until it is resumed). */
  row(row: DataRowView): Step;
  /** A run of rows at once, for a sink that reads columns (conn.batches); absent: one `row` each. */
  rowBlock?(block: RowBlock): Step;
  /** CommandComplete (tag, and the row count it reports) or EmptyQueryResponse (tag ''). */
  complete(tag: string, rows: number | null): void;
  /** PortalSuspended: the Execute's row limit was reached (cursors). */
  suspended(): void;
  /** The statement's final fate (exactly once). */
  settle(fate: StatementFate): void;
}

/** SQLSTATEs after which a cached statement is gone or stale on the server: forget it. */
const STALE_STATEMENT = new Set(['26000', '0A000']);

/** The answers to one statement execution. */
export class StatementOp implements Operation, SegmentMember {
  readonly sync = false;
  #closes: number;
  #columns: ResultColumns | null = null;
  #settled = false;
  /** A value of a row its decoder refused: the rest of the rows are read and dropped. */
  #refused: PgStreamError | null = null;

  constructor(
    private readonly ctx: QueryContext,
    private readonly plan: ExecutionPlan,
    private readonly sink: RowSink,
    private readonly segment: Segment,
    private readonly interrupt: Interrupt | null = null,
  ) {
    this.#closes = plan.closes;
    if (plan.fields !== null) this.#knownColumns(plan);
    segment.add(this);
  }

  get sql(): string {
    return this.plan.sql;
  }

  started(): void {
    this.segment.begin(this.ctx.transactionStatus);
    this.interrupt?.started();
  }

  /** The columns of a described statement: built once per format and codec registry version, then reused. */
  #knownColumns(plan: ExecutionPlan): void {
    const info = plan.described;
    const types = this.ctx.types;
    if (info === null) {
      this.#setColumns(plan.fields!, plan.formats);
      return;
    }
    const key = `${plan.format}:${types.version}`;
    const readers = (info.readers ??= new Map());
    let columns = readers.get(key) as ResultColumns | undefined;
    if (columns === undefined) {
      columns = new ResultColumns(plan.fields!, plan.formats, types);
      readers.set(key, columns);
    }
    this.#columns = columns;
    this.sink.columns(columns);
  }

  #setColumns(fields: readonly FieldDescription[], formats: readonly FormatCode[] | FormatCode): void {
    this.#columns = new ResultColumns(fields, formats, this.ctx.types);
    this.sink.columns(this.#columns);
  }

  /** The sink reads runs of rows (conn.batches): the receive loop hands them over whole. */
  get takesRows(): boolean {
    return this.sink.rowBlock !== undefined;
  }

  handleRows(block: RowBlock): Step {
    return this.sink.rowBlock!(block);
  }

  handle(msg: BackendMessage, _outcome: Outcome): Step {
    switch (msg.type) {
      case 'DataRow':
        if (this.#refused !== null) return Step.CONTINUE;
        try {
          return this.sink.row(msg);
        } catch (err) {
          // A value the codec refuses (out of range, malformed) fails this statement only: the
          // stream of messages is intact, so the connection and the other statements go on.
          if (!(err instanceof PgStreamError) || err.fatal) throw err;
          this.#refused = err;
          return Step.CONTINUE;
        }
      case 'CommandComplete':
        this.interrupt?.answered();
        this.sink.complete(msg.tag, msg.rows);
        this.segment.completed(this, msg.tag);
        return Step.DONE;
      case 'EmptyQueryResponse':
        this.interrupt?.answered();
        this.sink.complete('', null);
        this.segment.completed(this, '');
        return Step.DONE;
      case 'PortalSuspended':
        this.interrupt?.answered();
        this.segment.suspended(this);
        this.sink.suspended();
        return Step.DONE;
      case 'CloseComplete':
        this.#closes--;
        return Step.CONTINUE;
      case 'ParseComplete':
      case 'BindComplete':
        return Step.CONTINUE;
      case 'ParameterDescription': {
        const entry = this.plan.preparing;
        if (entry !== null) entry.paramTypes = msg.typeOids;
        return Step.CONTINUE;
      }
      case 'RowDescription': {
        const entry = this.plan.preparing;
        if (entry !== null) entry.fields = msg.fields;
        // A statement's description says format 0 for every column: what was asked is what comes.
        const described = entry !== null;
        this.#setColumns(msg.fields, described ? this.plan.formats : msg.fields.map((f) => f.format));
        return Step.CONTINUE;
      }
      case 'NoData': {
        const entry = this.plan.preparing;
        if (entry !== null) entry.fields = [];
        this.#setColumns([], FormatCode.Text);
        return Step.CONTINUE;
      }
      case 'ErrorResponse': {
        this.interrupt?.answered();
        const err = new ServerError(new Map(msg.fields));
        const entry = this.plan.preparing;
        if (entry !== null && entry.fields === null) this.ctx.statements.forget(entry);
        else if (STALE_STATEMENT.has(err.sqlstate)) this.ctx.statements.forgetSql(this.plan.sql);
        this.segment.failedWith(this, err);
        return Step.SKIP_TO_SYNC;
      }
      default:
        return Step.CONTINUE;
    }
  }

  skipped(): void {
    const entry = this.plan.preparing;
    if (entry !== null && entry.fields === null) this.ctx.statements.forget(entry);
    // The segment settles it as skipped when its ReadyForQuery comes.
  }

  fail(err: PgStreamError): void {
    // The segment knows whether the server may have committed this statement (PGS_OUTCOME_UNKNOWN).
    this.segment.abandon(err);
    this.settle({ kind: 'failed', error: err });
  }

  settle(fate: StatementFate): void {
    if (this.#settled) return;
    this.#settled = true;
    // The server ran it, but a value could not be decoded: the caller gets the codec's error (its
    // segment's outcome still decides the other statements).
    if (fate.kind === 'done' && this.#refused !== null) fate = { kind: 'failed', error: this.#refused };
    // An interrupted call reports PGS_ABORTED/PGS_TIMEOUT rather than the server's 57014.
    const replaced = this.interrupt?.map(fate) ?? null;
    this.sink.settle(replaced === null ? fate : { kind: 'failed', error: replaced });
  }
}
