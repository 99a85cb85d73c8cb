/**
 * `conn.prepare(name, sql, paramTypes?)`: Parse + Describe(statement) + Sync, resolving to a
 * `PreparedStatement` that knows its parameter types and result columns — accepted wherever SQL is
 * (`run`, `stream`, `cursor`, `pipeline.run`), where its parameters are encoded by their types and
 * its results come in binary wherever a decoder exists. `close()` releases it on the server.
 * https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY
 */
import { ClientError, ErrorCode, ServerError } from '../errors.js';
import type { PgStreamError } from '../errors.js';
import { TargetKind } from '../protocol/codes.js';
import { encodeClose } from '../protocol/frontend/close.js';
import { encodeDescribe } from '../protocol/frontend/describe.js';
import { encodeParse } from '../protocol/frontend/parse.js';
import { encodeSync } from '../protocol/frontend/sync.js';
import type { BackendMessage, FieldDescription } from '../protocol/messages.js';
import type { Outcome } from '../protocol/session-state-codes.js';
import type { QueryContext } from './context.js';
import type { PreparedStatementLike } from './execute.js';
import type { CallOptions, InterruptHost } from './interrupt.js';
import { Step } from './operation.js';
import type { Operation } from './operation.js';
import { checkReady, takeTurn } from './run.js';
import { CACHED_STATEMENT_PREFIX } from './statement-cache.js';
import type { StatementInfo } from './statement-cache.js';

/** A statement prepared on the server. */
export class PreparedStatement implements PreparedStatementLike {
  #closed = false;

  constructor(
    readonly info: StatementInfo,
    private readonly closeOnServer: (name: string) => Promise<void>,
  ) {}

  /** The statement's name. */
  get name(): string {
    return this.info.name;
  }

  /** Its SQL text. */
  get sql(): string {
    return this.info.sql;
  }

  /** Parameter type OIDs, as the server resolved them. */
  get paramTypes(): readonly number[] {
    return this.info.paramTypes ?? [];
  }

  /** The result columns' descriptions (empty for a statement that returns no rows). */
  get fields(): readonly FieldDescription[] {
    return this.info.fields ?? [];
  }

  /** Releases the statement on the server (Close + Sync); idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.closeOnServer(this.info.name);
  }
}

/** Answers to Parse + Describe(statement) + Sync, or Close + Sync. */
class PrepareOp implements Operation {
  readonly sync = true;
  #error: PgStreamError | null = null;
  readonly promise: Promise<void>;
  #resolve!: () => void;
  #reject!: (e: PgStreamError) => void;

  constructor(private readonly info: StatementInfo | null) {
    this.promise = new Promise<void>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
    this.promise.catch(() => undefined);
  }

  handle(msg: BackendMessage, _outcome: Outcome): Step {
    const info = this.info;
    switch (msg.type) {
      case 'ParameterDescription':
        if (info !== null) info.paramTypes = msg.typeOids;
        return Step.CONTINUE;
      case 'RowDescription':
        if (info !== null) info.fields = msg.fields;
        return Step.CONTINUE;
      case 'NoData':
        if (info !== null) info.fields = [];
        return Step.CONTINUE;
      case 'ErrorResponse':
        this.#error ??= new ServerError(new Map(msg.fields));
        return Step.CONTINUE;
      case 'ReadyForQuery':
        if (this.#error !== null) this.#reject(this.#error);
        else this.#resolve();
        return Step.DONE;
      default:
        return Step.CONTINUE;
    }
  }

  skipped(): void {
    // Owns its Sync: never skipped.
  }

  fail(err: PgStreamError): void {
    this.#reject(err);
  }
}

/** Prepares `sql` as `name` (see the module comment). */
export async function prepare(
  ctx: QueryContext & InterruptHost,
  name: string,
  sql: string,
  paramTypes: readonly number[] = [],
  options: CallOptions = {},
): Promise<PreparedStatement> {
  if (typeof name !== 'string' || name === '') throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'a prepared statement needs a non-empty name');
  if (name.startsWith(CACHED_STATEMENT_PREFIX)) {
    throw new ClientError(ErrorCode.INVALID_ARGUMENT, `statement names starting with "${CACHED_STATEMENT_PREFIX}" are the statement cache's`);
  }
  if (typeof sql !== 'string') throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'sql must be a string');
  const turn = takeTurn(ctx, options);
  const interrupt = turn instanceof Promise ? await turn : turn;
  const info: StatementInfo = { name, sql, paramTypes: null, fields: null };
  const w = ctx.writer;
  const mark = w.mark();
  try {
    encodeParse(w, name, sql, paramTypes);
    encodeDescribe(w, TargetKind.STATEMENT, name);
    encodeSync(w);
  } catch (err) {
    w.rollback(mark);
    interrupt?.dispose();
    throw err;
  }
  ctx.requests.sentParse();
  ctx.requests.sentDescribe(TargetKind.STATEMENT, name);
  ctx.requests.sentSync();
  const op = new PrepareOp(info);
  ctx.enqueue(op);
  ctx.scheduleFlush();
  try {
    await op.promise;
  } finally {
    interrupt?.dispose();
  }
  return new PreparedStatement(info, (n) => closeStatement(ctx, n));
}

/** Close(statement) + Sync. */
async function closeStatement(ctx: QueryContext, name: string): Promise<void> {
  checkReady(ctx);
  const turn = ctx.turn(false);
  if (typeof turn !== 'function') await turn;
  encodeClose(ctx.writer, TargetKind.STATEMENT, name);
  encodeSync(ctx.writer);
  ctx.requests.sentClose(TargetKind.STATEMENT, name);
  ctx.requests.sentSync();
  const op = new PrepareOp(null);
  ctx.enqueue(op);
  ctx.scheduleFlush();
  await op.promise;
}
