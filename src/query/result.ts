/**
 * Result: what `conn.run()` and `pipeline.run()` resolve to — the columns, every row decoded into an
 * array of JS values by its column's type, the command tag and the row count it reports — and the
 * sink that collects it from a StatementOp and settles the caller's promise with the statement's
 * fate.
 */
import type { PgStreamError } from '../errors.js';
import type { DataRowView } from '../protocol/messages.js';
import type { Field, ResultColumns } from './columns.js';
import { Step } from './operation.js';
import type { StatementFate } from './segment.js';
import type { RowSink } from './statement-op.js';

/** The outcome of one statement. */
export interface Result<Row extends unknown[] = unknown[]> {
  /** The result's columns (empty for a command without rows). */
  readonly fields: readonly Field[];
  /** Every row, as an array of decoded values (see the type codecs). */
  readonly rows: Row[];
  /** The command tag, e.g. `INSERT 0 5`, `SELECT 3` ('' for an empty query). */
  readonly command: string;
  /** The row count the tag reports (rows affected or returned), or null for tags without one. */
  readonly rowCount: number | null;
}

const NO_FIELDS: readonly Field[] = [];
const noop = (): void => undefined;

/** Collects a Result and settles a promise with it. */
export class CollectSink implements RowSink {
  #columns: ResultColumns | null = null;
  readonly #rows: unknown[][] = [];
  #command = '';
  #rowCount: number | null = null;
  readonly promise: Promise<Result>;
  #resolve!: (r: Result) => void;
  #reject!: (e: PgStreamError) => void;

  constructor() {
    this.promise = new Promise<Result>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  columns(columns: ResultColumns): void {
    this.#columns = columns;
  }

  row(row: DataRowView): Step {
    const columns = this.#columns;
    if (columns === null) {
      // A row without a description cannot be decoded: the session check forbids it, keep it raw.
      this.#rows.push([row.copy()]);
    } else {
      this.#rows.push(columns.values(row));
    }
    return Step.CONTINUE;
  }

  complete(tag: string, rows: number | null): void {
    this.#command = tag;
    this.#rowCount = rows;
  }

  suspended(): void {
    this.#command = '';
  }

  settle(fate: StatementFate): void {
    if (fate.kind === 'done') {
      this.#resolve({ fields: this.#columns?.fields ?? NO_FIELDS, rows: this.#rows, command: this.#command, rowCount: this.#rowCount });
      return;
    }
    // A rejection nobody awaits (a pipeline statement whose result is not used) must not be an
    // unhandled rejection: a handler is attached just before rejecting (the caller's own `then`
    // still sees the error). Only failures pay for it.
    this.promise.catch(noop);
    this.#reject(fate.error);
  }
}
