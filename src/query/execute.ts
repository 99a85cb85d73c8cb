/**
 * Writing one statement execution of the extended protocol — [Parse] [Describe statement] Bind
 * [Describe portal] Execute — for `run`, `stream`, `cursor` and `pipeline.run`, all or nothing: a
 * parameter that cannot be encoded leaves the send buffer and the session state as they were.
 * https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY
 *
 * Which messages, by the statement and the result format asked for (see statement-cache.ts):
 * - a prepared statement, or a SQL text whose cached statement is described: Bind + Execute, each
 *   parameter encoded by its described type, result columns in binary where a binary decoder
 *   exists (`'auto'`), all text (`'text'`) or all binary (`'binary'`);
 * - `'auto'` and a SQL text not cached yet: Parse under a new name + Describe(statement) + Bind +
 *   Execute, parameters as text, results in text — one round trip, and the next execution of the
 *   same text is binary;
 * - otherwise: Parse (unnamed) + Bind + Describe(portal) + Execute, parameters as text.
 */
import { ClientError, ErrorCode } from '../errors.js';
import { FormatCode, TargetKind } from '../protocol/codes.js';
import type { BindValue } from '../protocol/frontend/bindable.js';
import { encodeBind } from '../protocol/frontend/bind.js';
import { encodeClose } from '../protocol/frontend/close.js';
import { encodeDescribe } from '../protocol/frontend/describe.js';
import { encodeExecute } from '../protocol/frontend/execute.js';
import { encodeParse } from '../protocol/frontend/parse.js';
import type { FieldDescription } from '../protocol/messages.js';
import { SendResult } from '../protocol/session-state-codes.js';
import type { TypeRegistry } from '../types/registry.js';
import type { QueryContext } from './context.js';
import type { StatementInfo } from './statement-cache.js';

/** How result columns are requested: by type (`auto`, the default), all text, or all binary. */
export type ResultFormat = 'auto' | 'text' | 'binary';

/** A statement prepared with `conn.prepare()`: accepted wherever SQL is. */
export interface PreparedStatementLike {
  /** The statement as the server knows it (described). */
  readonly info: StatementInfo;
}

/** What a statement is run as: SQL text or a prepared statement. */
export type StatementTarget = string | PreparedStatementLike;

/** What the execution expects back, for the operation that reads its answers. */
export interface ExecutionPlan {
  /** The SQL text (for transaction-control recognition and errors). */
  readonly sql: string;
  /** A cache entry this execution prepares (Parse + Describe statement), else null. */
  readonly preparing: StatementInfo | null;
  /** The statement's known description (prepared or cached), else null (it comes in the answers). */
  readonly fields: readonly FieldDescription[] | null;
  /** The described statement the fields come from (its readers are cached on it), else null. */
  readonly described: StatementInfo | null;
  /** The result format asked for. */
  readonly format: ResultFormat;
  /** The result formats requested, one per known column, or one for all. */
  readonly formats: readonly FormatCode[] | FormatCode;
  /** CloseComplete answers that come first (statements evicted from the cache, closed with this write). */
  readonly closes: number;
  /** True when the server is skipping requests until Sync (an earlier error): nothing will answer. */
  readonly skipped: boolean;
}

function invalid(what: string): ClientError {
  return new ClientError(ErrorCode.INVALID_ARGUMENT, what);
}

/** The parameters as Bind values: by described type when known, else as text. */
function encodeParams(types: TypeRegistry, params: readonly unknown[], paramTypes: readonly number[] | null): BindValue[] {
  if (paramTypes !== null && params.length !== paramTypes.length) {
    throw invalid(`the statement takes ${paramTypes.length} parameters, ${params.length} given`);
  }
  const out = new Array<BindValue>(params.length);
  for (let i = 0; i < params.length; i++) out[i] = types.encodeParam(paramTypes === null ? 0 : paramTypes[i]!, params[i]);
  return out;
}

/** Result formats for described columns: `auto` asks binary exactly where a binary decoder exists. */
function formatsFor(fields: readonly FieldDescription[], format: ResultFormat, types: TypeRegistry): readonly FormatCode[] | FormatCode {
  if (format === 'text') return FormatCode.Text;
  if (format === 'binary') return FormatCode.Binary;
  const out = new Array<FormatCode>(fields.length);
  for (let i = 0; i < fields.length; i++) out[i] = types.hasBinaryDecoder(fields[i]!.typeOid) ? FormatCode.Binary : FormatCode.Text;
  return out;
}

/**
 * Writes the execution of `target` with `params` into the context's send buffer and reports its
 * requests to the session state. `portal`: the portal to create (null: unnamed); `maxRows`: the
 * Execute row limit (0: all). Throws a ClientError (nothing written) for bad parameters.
 */
export function writeExecution(
  ctx: QueryContext,
  target: StatementTarget,
  params: readonly unknown[],
  format: ResultFormat,
  portal: string | null = null,
  maxRows = 0,
): ExecutionPlan {
  const w = ctx.writer;
  const types = ctx.types;
  const mark = w.mark();
  let sql: string;
  let statement: string | null;
  let parse: StatementInfo | null = null;
  let unnamedParse = false;
  let fields: readonly FieldDescription[] | null = null;
  let described: StatementInfo | null = null;
  let formats: readonly FormatCode[] | FormatCode;
  let values: BindValue[];
  try {
    if (typeof target !== 'string') {
      const info = target.info;
      sql = info.sql;
      statement = info.name;
      fields = info.fields;
      if (fields !== null) described = info;
      formats = fields === null ? FormatCode.Text : formatsFor(fields, format, types);
      values = encodeParams(types, params, info.paramTypes);
    } else {
      sql = target;
      const cached = format === 'auto' ? ctx.statements.ready(sql) : undefined;
      if (cached !== undefined) {
        statement = cached.name;
        fields = cached.fields;
        described = cached;
        formats = formatsFor(fields!, format, types);
        values = encodeParams(types, params, cached.paramTypes);
      } else {
        values = encodeParams(types, params, null);
        const added = format === 'auto' && !ctx.statements.preparing(sql) ? ctx.statements.add(sql) : null;
        if (added !== null) {
          parse = added.entry;
          statement = parse.name;
          if (added.evicted !== null) {
            encodeClose(w, TargetKind.STATEMENT, added.evicted.name);
            evictions.push(added.evicted.name);
          }
          encodeParse(w, statement, sql, []);
          encodeDescribe(w, TargetKind.STATEMENT, statement);
        } else {
          statement = null;
          unnamedParse = true;
          encodeParse(w, null, sql, []);
        }
        formats = format === 'binary' ? FormatCode.Binary : FormatCode.Text;
      }
    }
    encodeBind(w, portal, statement, values, formats);
    if (unnamedParse) encodeDescribe(w, TargetKind.PORTAL, portal);
    encodeExecute(w, portal, maxRows);
  } catch (err) {
    w.rollback(mark);
    evictions.length = 0;
    if (parse !== null) ctx.statements.forget(parse);
    throw err;
  }
  // Written whole: now the session state learns of each request, in order.
  const log = ctx.requests;
  let closes = 0;
  for (const name of evictions) if (log.sentClose(TargetKind.STATEMENT, name) === SendResult.PENDING) closes++;
  evictions.length = 0;
  let first: SendResult;
  if (parse !== null) {
    first = log.sentParse();
    log.sentDescribe(TargetKind.STATEMENT, parse.name);
  } else if (unnamedParse) {
    first = log.sentParse();
  } else {
    first = SendResult.PENDING;
  }
  const bound = log.sentBind(portal);
  if (first === SendResult.PENDING) first = bound;
  if (unnamedParse) log.sentDescribe(TargetKind.PORTAL, portal);
  log.sentExecute(portal, maxRows);
  const skipped = first === SendResult.SKIPPED;
  if (skipped && parse !== null) ctx.statements.forget(parse);
  return { sql, preparing: skipped ? null : parse, fields, described, format, formats, closes, skipped };
}

/** Statements evicted by the write in progress (closed with it; a module scratch, always emptied). */
const evictions: string[] = [];
