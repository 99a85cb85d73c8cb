/**
 * PgProtocol: the chainable frontend-message API (the seed's `PgProtocol` extension trait over
 * `BufMut`). Subclasses say where the bytes go by implementing `out`; the connection writes into its
 * send buffer, `MessageBuffer` into a standalone one. Every method writes one complete message or —
 * on a typed error — nothing at all, and returns `this` so calls chain:
 *
 * ```ts
 * conn.parse('s').query('SELECT $1::int + $2::int').paramTypes([oid.INT4, oid.INT4]).finish()
 *   .bind(null).statement('s').finish([int4(5), int4(10)])
 *   .execute(null, 0)
 *   .sync();
 * ```
 *
 * Unnamed statements and portals are `null` (the default of every name argument). Builders are
 * reused per protocol object: see builders.ts.
 */
import { TargetKind } from '../codes.js';
import type { FrontendMessage } from '../messages.js';
import type { RequestLog } from '../session-state-codes.js';
import type { MessageWriter } from '../writer.js';
import { BindBuilderImpl, FnCallBuilderImpl, ParseBuilderImpl } from './builders.js';
import type { BindBuilder, FnCallBuilder, ParseStart } from './builders.js';
import { encodeClose } from './close.js';
import { invalidArgument } from './checks.js';
import { encodeFrontend } from './dispatch.js';
import { encodeCopyData } from './copy-data.js';
import { encodeCopyDone } from './copy-done.js';
import { encodeCopyFail } from './copy-fail.js';
import { encodeDescribe } from './describe.js';
import { encodeExecute } from './execute.js';
import { encodeFlush } from './flush.js';
import { encodeGSSResponse } from './gss-response.js';
import { encodePasswordMessage } from './password-message.js';
import { encodeQuery } from './query.js';
import { encodeSASLInitialResponse } from './sasl-initial-response.js';
import { encodeSASLResponse } from './sasl-response.js';
import { encodeSync } from './sync.js';
import { encodeTerminate } from './terminate.js';

/** The chainable frontend-message API over any MessageWriter. */
export abstract class PgProtocol {
  /** Where messages are written. */
  protected abstract get out(): MessageWriter;

  /**
   * Told of each request as it is written: a connection's session state, which checks every answer
   * against what was asked (RELIABILITY.md case 5); null for a standalone buffer.
   */
  protected get requests(): RequestLog | null {
    return null;
  }

  private parseBuilder: ParseBuilderImpl<PgProtocol> | undefined;
  private bindBuilder: BindBuilderImpl<PgProtocol> | undefined;
  private fnCallBuilder: FnCallBuilderImpl<PgProtocol> | undefined;
  private writerFn: (() => MessageWriter) | undefined;

  /** One closure per object giving the builders access to `out`. */
  private builderOut(): () => MessageWriter {
    return (this.writerFn ??= () => this.out);
  }

  /** Query: SQL for the simple query protocol (several statements allowed). */
  query(sql: string): this {
    encodeQuery(this.out, sql);
    this.requests?.sentQuery();
    return this;
  }

  /** Parse, in two steps: `.query(sql)` (required), then `.paramTypes([...])` (optional) and `.finish()`. */
  parse(name: string | null = null): ParseStart<this> {
    this.parseBuilder ??= new ParseBuilderImpl<PgProtocol>(this, this.builderOut(), () => this.requests);
    return this.parseBuilder.start(name) as unknown as ParseStart<this>;
  }

  /** Bind creating the portal `portal`; set the statement with `.statement(name)`, then `.finish(params)`. */
  bind(portal: string | null = null): BindBuilder<this> {
    this.bindBuilder ??= new BindBuilderImpl<PgProtocol>(this, this.builderOut(), () => this.requests);
    return this.bindBuilder.start(portal) as unknown as BindBuilder<this>;
  }

  /** Describe of a prepared statement: ParameterDescription, then RowDescription or NoData. */
  describeStatement(name: string | null = null): this {
    encodeDescribe(this.out, TargetKind.STATEMENT, name);
    this.requests?.sentDescribe(TargetKind.STATEMENT, name);
    return this;
  }

  /** Describe of a portal: RowDescription or NoData. */
  describePortal(name: string | null = null): this {
    encodeDescribe(this.out, TargetKind.PORTAL, name);
    this.requests?.sentDescribe(TargetKind.PORTAL, name);
    return this;
  }

  /** Execute a portal, at most `maxRows` rows (0: all). */
  execute(portal: string | null = null, maxRows = 0): this {
    encodeExecute(this.out, portal, maxRows);
    this.requests?.sentExecute(portal, maxRows);
    return this;
  }

  /** Close a prepared statement. */
  closeStatement(name: string | null = null): this {
    encodeClose(this.out, TargetKind.STATEMENT, name);
    this.requests?.sentClose(TargetKind.STATEMENT, name);
    return this;
  }

  /** Close a portal. */
  closePortal(name: string | null = null): this {
    encodeClose(this.out, TargetKind.PORTAL, name);
    this.requests?.sentClose(TargetKind.PORTAL, name);
    return this;
  }

  /** The protocol's Flush message (named `flushMsg` because `flush()` sends the buffer on a connection). */
  flushMsg(): this {
    encodeFlush(this.out);
    return this;
  }

  /**
   * Sync: ends an extended-query sequence; the server answers ReadyForQuery. On a connection, a Sync
   * right after a Query or FunctionCall is refused (PGS_INVALID_ARGUMENT): each of those is already
   * answered by its own ReadyForQuery, and the extra one would leave every later "read until
   * ReadyForQuery" loop one message behind.
   */
  sync(): this {
    const requests = this.requests;
    if (requests?.syncRedundant === true) {
      throw invalidArgument('Sync after a Query or FunctionCall: each is answered by its own ReadyForQuery, so no Sync is needed');
    }
    encodeSync(this.out);
    requests?.sentSync();
    return this;
  }

  /** FunctionCall of the function `oid`: `.resultFormat(f)` (optional), then `.finish(args)`. */
  fnCall(oid: number): FnCallBuilder<this> {
    this.fnCallBuilder ??= new FnCallBuilderImpl<PgProtocol>(this, this.builderOut(), () => this.requests);
    return this.fnCallBuilder.start(oid) as unknown as FnCallBuilder<this>;
  }

  /** CopyData: a chunk of COPY FROM STDIN data (a string is sent as UTF-8). */
  copyData(data: Uint8Array | string): this {
    encodeCopyData(this.out, data);
    return this;
  }

  /** CopyDone: the COPY FROM STDIN data is complete. */
  copyDone(): this {
    encodeCopyDone(this.out);
    return this;
  }

  /** CopyFail: abort COPY FROM STDIN with a reason. */
  copyFail(message: string): this {
    encodeCopyFail(this.out, message);
    return this;
  }

  /** Terminate: a clean goodbye before closing the connection. */
  terminate(): this {
    encodeTerminate(this.out);
    this.requests?.sentTerminate();
    return this;
  }

  /** PasswordMessage: a cleartext password or an MD5 hash (`md5…`). */
  passwordMessage(password: string): this {
    encodePasswordMessage(this.out, password);
    return this;
  }

  /** SASLInitialResponse: the chosen mechanism and its initial response (`null`: none). */
  saslInitialResponse(mechanism: string, data: Uint8Array | null): this {
    encodeSASLInitialResponse(this.out, mechanism, data);
    return this;
  }

  /** SASLResponse: a later SASL message. */
  saslResponse(data: Uint8Array): this {
    encodeSASLResponse(this.out, data);
    return this;
  }

  /** GSSResponse: a GSSAPI/SSPI token. */
  gssResponse(data: Uint8Array): this {
    encodeGSSResponse(this.out, data);
    return this;
  }

  /** Any frontend message given as its decoded shape, written exactly as that shape describes (proxies, replays). */
  encodeMessage(msg: FrontendMessage): this {
    encodeFrontend(this.out, msg);
    const requests = this.requests;
    if (requests !== null) trackShape(requests, msg);
    return this;
  }
}

/** Reports a message written by its shape (`encodeMessage`); startup-phase messages are not tracked. */
function trackShape(requests: RequestLog, msg: FrontendMessage): void {
  switch (msg.type) {
    case 'Query':
      requests.sentQuery();
      break;
    case 'Parse':
      requests.sentParse();
      break;
    case 'Bind':
      requests.sentBind(msg.portal);
      break;
    case 'Describe':
      requests.sentDescribe(msg.target, msg.name);
      break;
    case 'Close':
      requests.sentClose(msg.target, msg.name);
      break;
    case 'Execute':
      requests.sentExecute(msg.portal, msg.maxRows);
      break;
    case 'FunctionCall':
      requests.sentFunctionCall();
      break;
    case 'Sync':
      requests.sentSync();
      break;
    case 'Terminate':
      requests.sentTerminate();
      break;
    default:
      break;
  }
}
