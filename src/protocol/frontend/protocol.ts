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
import type { MessageWriter } from '../writer.js';
import { BindBuilderImpl, FnCallBuilderImpl, ParseBuilderImpl } from './builders.js';
import type { BindBuilder, FnCallBuilder, ParseStart } from './builders.js';
import { writeClose } from './close.js';
import { encodeFrontend } from './codec.js';
import { writeCopyData } from './copy-data.js';
import { writeCopyDone } from './copy-done.js';
import { writeCopyFail } from './copy-fail.js';
import { writeDescribe } from './describe.js';
import { writeExecute } from './execute.js';
import { writeFlush } from './flush.js';
import { writeGSSResponse } from './gss-response.js';
import { writePasswordMessage } from './password-message.js';
import { writeQuery } from './query.js';
import { writeSASLInitialResponse } from './sasl-initial-response.js';
import { writeSASLResponse } from './sasl-response.js';
import { writeSync } from './sync.js';
import { writeTerminate } from './terminate.js';

/** The chainable frontend-message API over any MessageWriter. */
export abstract class PgProtocol {
  /** Where messages are written. */
  protected abstract get out(): MessageWriter;

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
    writeQuery(this.out, sql);
    return this;
  }

  /** Parse, in two steps: `.query(sql)` (required), then `.paramTypes([...])` (optional) and `.finish()`. */
  parse(name: string | null = null): ParseStart<this> {
    this.parseBuilder ??= new ParseBuilderImpl<PgProtocol>(this, this.builderOut());
    return this.parseBuilder.start(name) as unknown as ParseStart<this>;
  }

  /** Bind creating the portal `portal`; set the statement with `.statement(name)`, then `.finish(params)`. */
  bind(portal: string | null = null): BindBuilder<this> {
    this.bindBuilder ??= new BindBuilderImpl<PgProtocol>(this, this.builderOut());
    return this.bindBuilder.start(portal) as unknown as BindBuilder<this>;
  }

  /** Describe of a prepared statement: ParameterDescription, then RowDescription or NoData. */
  describeStatement(name: string | null = null): this {
    writeDescribe(this.out, TargetKind.STATEMENT, name);
    return this;
  }

  /** Describe of a portal: RowDescription or NoData. */
  describePortal(name: string | null = null): this {
    writeDescribe(this.out, TargetKind.PORTAL, name);
    return this;
  }

  /** Execute a portal, at most `maxRows` rows (0: all). */
  execute(portal: string | null = null, maxRows = 0): this {
    writeExecute(this.out, portal, maxRows);
    return this;
  }

  /** Close a prepared statement. */
  closeStatement(name: string | null = null): this {
    writeClose(this.out, TargetKind.STATEMENT, name);
    return this;
  }

  /** Close a portal. */
  closePortal(name: string | null = null): this {
    writeClose(this.out, TargetKind.PORTAL, name);
    return this;
  }

  /** The protocol's Flush message (named `flushMsg` because `flush()` sends the buffer on a connection). */
  flushMsg(): this {
    writeFlush(this.out);
    return this;
  }

  /** Sync: ends an extended-query sequence; the server answers ReadyForQuery. */
  sync(): this {
    writeSync(this.out);
    return this;
  }

  /** FunctionCall of the function `oid`: `.resultFormat(f)` (optional), then `.finish(args)`. */
  fnCall(oid: number): FnCallBuilder<this> {
    this.fnCallBuilder ??= new FnCallBuilderImpl<PgProtocol>(this, this.builderOut());
    return this.fnCallBuilder.start(oid) as unknown as FnCallBuilder<this>;
  }

  /** CopyData: a chunk of COPY FROM STDIN data (a string is sent as UTF-8). */
  copyData(data: Uint8Array | string): this {
    writeCopyData(this.out, data);
    return this;
  }

  /** CopyDone: the COPY FROM STDIN data is complete. */
  copyDone(): this {
    writeCopyDone(this.out);
    return this;
  }

  /** CopyFail: abort COPY FROM STDIN with a reason. */
  copyFail(message: string): this {
    writeCopyFail(this.out, message);
    return this;
  }

  /** Terminate: a clean goodbye before closing the connection. */
  terminate(): this {
    writeTerminate(this.out);
    return this;
  }

  /** PasswordMessage: a cleartext password or an MD5 hash (`md5…`). */
  passwordMessage(password: string): this {
    writePasswordMessage(this.out, password);
    return this;
  }

  /** SASLInitialResponse: the chosen mechanism and its initial response (`null`: none). */
  saslInitialResponse(mechanism: string, data: Uint8Array | null): this {
    writeSASLInitialResponse(this.out, mechanism, data);
    return this;
  }

  /** SASLResponse: a later SASL message. */
  saslResponse(data: Uint8Array): this {
    writeSASLResponse(this.out, data);
    return this;
  }

  /** GSSResponse: a GSSAPI/SSPI token. */
  gssResponse(data: Uint8Array): this {
    writeGSSResponse(this.out, data);
    return this;
  }

  /** Any frontend message given as its decoded shape, written exactly as that shape describes (proxies, replays). */
  encodeMessage(msg: FrontendMessage): this {
    encodeFrontend(this.out, msg);
    return this;
  }
}
