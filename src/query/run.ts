/**
 * `conn.run(sql | statement, params?, options?)`: one statement through the extended protocol —
 * its execution (src/query/execute.ts) and a Sync, in one write that goes out with the other calls
 * of the same tick — resolving to its Result once the server confirmed the segment
 * (ReadyForQuery): a statement in autocommit mode is reported done only when committed; inside an
 * explicit transaction block, a COMMIT the server answers with ROLLBACK rejects
 * (PGS_PIPELINE_ROLLED_BACK).
 */
import { ClientError, ErrorCode } from '../errors.js';
import { encodeSync } from '../protocol/frontend/sync.js';
import type { QueryContext } from './context.js';
import { writeExecution } from './execute.js';
import type { ResultFormat, StatementTarget } from './execute.js';
import { Interrupt } from './interrupt.js';
import type { CallOptions, InterruptHost } from './interrupt.js';
import { CollectSink } from './result.js';
import type { Result } from './result.js';
import { Segment } from './segment.js';
import { StatementOp } from './statement-op.js';
import type { RowSink } from './statement-op.js';
import { SyncOp } from './sync-op.js';

/** Options of `run` and `stream`. */
export interface RunOptions extends CallOptions {
  /** Result column formats: `'auto'` (default: binary where a decoder exists), `'text'` or `'binary'`. */
  readonly format?: ResultFormat;
}

/** Checks the arguments every statement call takes; throws a ClientError (nothing sent). */
export function checkStatementArgs(target: StatementTarget, params: readonly unknown[] | undefined, format: ResultFormat | undefined): void {
  if (typeof target !== 'string' && (typeof target !== 'object' || target === null || !('info' in target))) {
    throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'a statement must be SQL text or a prepared statement');
  }
  if (params !== undefined && !Array.isArray(params)) throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'params must be an array');
  if (format !== undefined && format !== 'auto' && format !== 'text' && format !== 'binary') {
    throw new ClientError(ErrorCode.INVALID_ARGUMENT, `format must be 'auto', 'text' or 'binary', got ${String(format)}`);
  }
}

/** Refuses a call while the connection is failed or another reader owns the receive side. */
export function checkReady(ctx: QueryContext): void {
  if (ctx.error !== null) throw ctx.error;
  const why = ctx.blocked;
  if (why !== null) throw new ClientError(ErrorCode.BUSY, `the connection is busy: ${why}`);
}

/**
 * The start of a call that writes when its turn comes: refused at once if the connection cannot
 * take it (checkReady), its interruption (signal, timeout) armed, then its turn — at once when the
 * connection is free (the caller writes in the same tick: a raw `recv()` right after sees it busy),
 * else a promise, and an interruption while waiting ends the call before anything is written.
 * Gives the call's interruption.
 */
export function takeTurn(ctx: QueryContext & InterruptHost, options: CallOptions | undefined): Interrupt | null | Promise<Interrupt | null> {
  checkReady(ctx);
  const interrupt = Interrupt.of(ctx, options);
  const turn = ctx.turn(false);
  if (typeof turn === 'function') return interrupt;
  return turn.then(() => {
    interrupt?.throwIfInterrupted();
    return interrupt;
  });
}

/**
 * Writes one statement with its own Sync and queues the operations reading its answers; `sink`
 * gets the rows and the fate.
 */
export function writeStatementWithSync(
  ctx: QueryContext & InterruptHost,
  target: StatementTarget,
  params: readonly unknown[],
  format: ResultFormat,
  sink: RowSink,
  interrupt: Interrupt | null,
): void {
  const plan = writeExecution(ctx, target, params, format);
  encodeSync(ctx.writer);
  ctx.requests.sentSync();
  const segment = new Segment();
  const op = new StatementOp(ctx, plan, sink, segment, interrupt);
  if (!plan.skipped) ctx.enqueue(op);
  ctx.enqueue(new SyncOp(ctx, segment));
  ctx.scheduleFlush();
}

/** Runs one statement (see the module comment). */
export async function run(
  ctx: QueryContext & InterruptHost,
  target: StatementTarget,
  params: readonly unknown[] = [],
  options: RunOptions = {},
): Promise<Result> {
  checkStatementArgs(target, params, options.format);
  const turn = takeTurn(ctx, options);
  const interrupt = turn instanceof Promise ? await turn : turn;
  const sink = new CollectSink();
  writeStatementWithSync(ctx, target, params, options.format ?? 'auto', sink, interrupt);
  return sink.promise;
}
