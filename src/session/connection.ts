/**
 * Connection: a started session, with two ways to use it.
 *
 * Layer 1, the protocol: every frontend builder of PgProtocol is chainable on it and writes into
 * its send buffer; `flush()` sends the buffer; `recv()` returns the next backend message as a
 * zero-copy view, valid until the next `recv()` (`copyMessage()`/`row.copy()` keep one). Every
 * message is returned, NoticeResponse, ParameterStatus and NotificationResponse included, in the
 * order the server sent them.
 *
 * Layer 2, the query layer (src/query/): `run`, `stream`, `prepare`, `pipeline`, `cursor`,
 * `copyFrom`, `copyTo`, events (`on`, `listen`), each taking `{ signal, timeout }`. Its calls are
 * queued in the receive loop (src/session/receiver.ts); while any is in flight the raw API is
 * refused with PGS_BUSY (and the other way round), so the two never fight over the socket.
 *
 * Always tracked: ParameterStatus updates `parameters`, ReadyForQuery `transactionStatus`, and every
 * message is checked against what was asked (`session`): a desynchronised server is a fatal error.
 * Failure model (RELIABILITY.md): after a ProtocolError or a transport failure the transport is
 * destroyed and every pending and later call rejects with that same error, once per call.
 * `close()` sends Terminate and ends the stream; it is idempotent.
 */
import { ClientError, ConnectionError, ErrorCode, PgStreamError, ProtocolError, ServerError } from '../errors.js';
import type { TransactionStatus } from '../protocol/codes.js';
import { encodeCancelRequest } from '../protocol/frontend/cancel-request.js';
import { PgProtocol } from '../protocol/frontend/protocol.js';
import { encodeTerminate } from '../protocol/frontend/terminate.js';
import type { BackendMessage } from '../protocol/messages.js';
import { Outcome, SessionState } from '../protocol/session-state.js';
import type { RequestLog } from '../protocol/session-state-codes.js';
import { MessageWriter } from '../protocol/writer.js';
import type { QueryContext } from '../query/context.js';
import { EventHandlers, quoteIdentifier } from '../query/events.js';
import type { ConnectionEvents, EventName, Notification } from '../query/events.js';
import type { StatementTarget } from '../query/execute.js';
import type { CallOptions, InterruptHost } from '../query/interrupt.js';
import type { Operation } from '../query/operation.js';
import { BatchStream } from '../query/batches.js';
import type { BatchOptions } from '../query/batches.js';
import { copyFromAny } from '../query/copy-from-columns.js';
import type { CopyFromSource } from '../query/copy-from-columns.js';
import type { CopyFromResult } from '../query/copy-in.js';
import { CopyOut } from '../query/copy-out.js';
import { Cursor } from '../query/cursor.js';
import type { CursorOptions } from '../query/cursor.js';
import { Pipeline } from '../query/pipeline.js';
import { prepare } from '../query/prepare.js';
import type { PreparedStatement } from '../query/prepare.js';
import type { Result } from '../query/result.js';
import { run } from '../query/run.js';
import type { RunOptions } from '../query/run.js';
import { StatementCache } from '../query/statement-cache.js';
import { RowStream } from '../query/stream.js';
import { TypeRegistry } from '../types/registry.js';
import type { CancelRequestSender, Transport } from '../transport/transport.js';
import { setParameter } from './limits.js';
import { Receiver, busy } from './receiver.js';
import type { SessionSettings } from './settings.js';
import type { MessageSource } from './message-source.js';
import type { StartupResult } from './startup-result.js';

/** What a connection reads from: a BackendReader (decoded messages out). */
export type FrameSource = MessageSource;

/** Internal wiring of a connection, made by `startSession`. */
export interface ConnectionInit {
  readonly transport: Transport;
  readonly source: FrameSource;
  readonly startup: StartupResult;
  readonly settings: SessionSettings;
  /** How to deliver a CancelRequest (injected by the transport: the session knows no sockets). */
  readonly cancel: CancelRequestSender | null;
}

/** What a successful connect resolves to: the connection and what the server said during startup. */
export interface Connected {
  readonly conn: Connection;
  readonly startup: StartupResult;
}

/** The error for a cancel that cannot be attempted (no key, no way to reach the server). */
function cancelUnavailable(why: string): ClientError {
  return new ClientError(ErrorCode.INVALID_ARGUMENT, `cannot send a cancel request: ${why}`);
}

const noop = (): void => undefined;

/** The initial send buffer size; it grows as needed. */
const SEND_BUFFER_SIZE = 16 * 1024;
/** A send buffer that grew past this (a large COPY chunk) is dropped after use, not kept as spare. */
const MAX_SPARE_SIZE = 1024 * 1024;

/** A started PostgreSQL session: the chainable frontend API and the query layer. */
export class Connection extends PgProtocol implements AsyncIterable<BackendMessage> {
  /** Run-time parameters: those reported at startup, kept current by ParameterStatus. */
  readonly parameters: Map<string, string>;
  /** The backend's process ID (BackendKeyData), 0 when the server sent none. */
  readonly processId: number;
  /** The protocol version in use (`ProtocolVersion.V3_0` or `V3_2`). */
  readonly protocol: number;
  /** True when the session runs over TLS. */
  readonly encrypted: boolean;
  /** The value codecs results are decoded and parameters encoded with (register custom types here). */
  readonly types: TypeRegistry;
  readonly #transport: Transport;
  readonly #secretKey: Uint8Array;
  readonly #cancel: CancelRequestSender | null;
  readonly #cancelTimeoutMs: number;
  #writer = new MessageWriter(SEND_BUFFER_SIZE);
  #spare: MessageWriter | null = null;
  #lastWrite: Promise<void> = Promise.resolve();
  #status: TransactionStatus;
  #error: PgStreamError | null = null;
  #closing: Promise<void> | null = null;
  readonly #session = new SessionState();
  #outcome: Outcome = Outcome.READY;
  readonly #receiver: Receiver;
  readonly #events = new EventHandlers();
  readonly #statements: StatementCache;
  #flushQueued = false;
  /** Released when the call holding the connection (an open cursor or pipeline segment, COPY FROM) is done. */
  #holder: Promise<void> | null = null;
  /**
   * A query-layer cancel in flight: new statements wait until the server processed it, so that a
   * cancel sent for a statement that finished meanwhile cannot hit the next one (an idle backend
   * ignores a cancel; a running one would not).
   */
  #cancelling: Promise<void> | null = null;
  /** The query layer's view of this connection. */
  readonly #ctx: QueryContext & InterruptHost;

  /** Made by `ConnectionBuilder.connect*()` and `connect()`; not meant to be called directly. */
  constructor(init: ConnectionInit) {
    super();
    this.#transport = init.transport;
    this.#secretKey = init.startup.secretKey.slice();
    this.#cancel = init.cancel;
    this.#cancelTimeoutMs = init.settings.cancelTimeoutMs;
    this.parameters = new Map(init.startup.parameters);
    this.processId = init.startup.processId;
    this.protocol = init.startup.protocol;
    this.encrypted = init.transport.encrypted;
    this.#status = init.startup.transactionStatus;
    this.types = init.settings.types ?? new TypeRegistry();
    this.#statements = new StatementCache(init.settings.statementCacheSize);
    this.#receiver = new Receiver(init.source, init.transport, this.#session, init.settings.readTimeoutMs, {
      observed: (msg, outcome) => this.#observe(msg, outcome),
      asynchronous: (msg) => this.#events.deliver(msg),
      // Whatever escapes the receive loop leaves it unable to go on: the connection ends with it.
      fatal: (err) => this.#fatal(err, true),
      lostIdle: (err) => this.#events.connectionFailed(err),
    });
    this.#ctx = this.#context();
  }

  protected override get out(): MessageWriter {
    // The raw builders may not write while query-layer calls are in flight: their answers would
    // reach the wrong reader.
    if (this.#receiver.busy) throw busy('raw protocol messages cannot be written while query-layer calls are in flight');
    return this.#writer;
  }

  protected override get requests(): RequestLog {
    return this.#session;
  }

  /** Transaction status of the last ReadyForQuery (`TransactionStatus.IDLE`, `IN_TRANSACTION`, `FAILED`). */
  get transactionStatus(): TransactionStatus {
    return this.#status;
  }

  /** The error that ended the connection (a close() gives PGS_CONNECTION_CLOSED), or null while usable. */
  get error(): PgStreamError | null {
    return this.#error;
  }

  /** True once the connection failed or was closed. */
  get closed(): boolean {
    return this.#error !== null;
  }

  /**
   * What the server still owes: the requests sent and not yet answered, in order (inspect only;
   * the connection feeds it). Every received message is checked against it: a message the protocol
   * does not allow at that point (a DataRow without RowDescription, a duplicate ReadyForQuery, an
   * answer to nothing) is a fatal ProtocolError PGS_UNEXPECTED_MESSAGE.
   */
  get session(): SessionState {
    return this.#session;
  }

  /** Bytes written by the builders and not yet sent with `flush()`. */
  get pending(): number {
    return this.#writer.length;
  }

  /**
   * What the last received message did to the requests awaiting an answer (`Outcome`: ASYNC,
   * PARTIAL, COMPLETE, FAILED or READY), as the session state judged it: the seam results attach to.
   */
  get outcome(): Outcome {
    return this.#outcome;
  }

  /**
   * Sends everything written. Resolves once the bytes were handed to the operating system (waiting
   * out backpressure); rejects with the connection's fatal error. While a flush is in progress the
   * server's answers keep being read (up to 64 MiB are buffered), so flushing a large pipeline
   * before reading its results cannot deadlock; past that, read concurrently.
   */
  flush(): Promise<void> {
    if (this.#error !== null) return rejected(this.#error);
    const w = this.#writer;
    if (w.length === 0) return this.#lastWrite;
    // Double buffering: the written bytes stay untouched until the transport is done with them,
    // while the builders keep writing into the other buffer.
    this.#writer = this.#spare ?? new MessageWriter(SEND_BUFFER_SIZE);
    this.#spare = null;
    const p = this.#transport.write(w.written()).then(
      () => {
        w.clear();
        if (w.buf.length <= MAX_SPARE_SIZE) this.#spare ??= w;
      },
      (err: unknown) => this.#writeFailed(err),
    );
    p.catch(noop);
    this.#lastWrite = p;
    return p;
  }

  /**
   * The next backend message (raw API). The returned object (and any view it holds) is valid until
   * the next `recv()`. Only one `recv()` may be pending, and none while query-layer calls are in
   * flight (PGS_BUSY). In a loop, `conn.tryRecv() ?? await conn.recv()` is the fast way.
   */
  recv(): Promise<BackendMessage> {
    return this.#receiver.recv();
  }

  /**
   * The next message if one is already buffered, else null (never waits). For tight loops over large
   * results: `const msg = conn.tryRecv() ?? await conn.recv()`.
   */
  tryRecv(): BackendMessage | null {
    return this.#receiver.tryRecv();
  }

  /** Checks `msg` against the session state (done by the receiver) and tracks what it changes. */
  #observe(msg: BackendMessage, outcome: Outcome): void {
    this.#outcome = outcome;
    if (outcome === Outcome.ASYNC) {
      if (msg.type === 'ParameterStatus') setParameter(this.parameters, msg.name, msg.value);
    } else if (outcome === Outcome.READY && msg.type === 'ReadyForQuery') {
      this.#status = msg.status;
    }
  }

  /** Iterates over `recv()`; ends quietly after `close()`, throws any other failure. */
  async *[Symbol.asyncIterator](): AsyncGenerator<BackendMessage, void, undefined> {
    for (;;) {
      let msg: BackendMessage;
      try {
        msg = this.tryRecv() ?? (await this.recv());
      } catch (err) {
        if (this.#closing !== null && err === this.#error) return;
        throw err;
      }
      yield msg;
    }
  }

  // ---------------------------------------------------------------- the query layer

  /**
   * Runs one statement (SQL text or a prepared statement) with `params` through the extended
   * protocol and resolves to its Result (`fields`, `rows` of decoded values, `command`,
   * `rowCount`) once the server confirmed it. Parameters: plain JS values (encoded by the
   * parameter's type once the statement is known), or Bindables (`int4(5)`, …).
   */
  run(target: StatementTarget, params?: readonly unknown[], options?: RunOptions): Promise<Result> {
    return run(this.#ctx, target, params, options);
  }

  /**
   * The rows of one statement as an async iterable of zero-copy Row views (`get(i)`, `text(i)`,
   * `bytes(i)`, `isNull(i)`), read as the loop asks for them: a slow consumer pauses the socket.
   */
  stream(target: StatementTarget, params: readonly unknown[] = [], options: RunOptions = {}): RowStream {
    return new RowStream(this.#ctx, target, params, options);
  }

  /** Prepares `sql` as the statement `name` (described: parameter types and result columns). */
  prepare(name: string, sql: string, paramTypes?: readonly number[], options?: CallOptions): Promise<PreparedStatement> {
    return prepare(this.#ctx, name, sql, paramTypes, options);
  }

  /**
   * A pipeline: many statements in flight, in segments ended by Sync (see Pipeline). `signal` and
   * `timeout` apply to each of its statements that does not give its own.
   */
  pipeline(options?: CallOptions): Pipeline {
    return new Pipeline(this.#ctx, options);
  }

  /**
   * A result read in batches of at most `batchRows` rows (arrays of decoded values) through a portal
   * with a row limit: an async iterable of batches. No explicit transaction needed.
   */
  cursor(target: StatementTarget, params: readonly unknown[] = [], options: CursorOptions = {}): Cursor {
    return new Cursor(this.#ctx, target, params, options);
  }

  /**
   * Runs `COPY … FROM STDIN` fed by `source` (async iterable of bytes or strings, Node Readable, web
   * ReadableStream); resolves to `{ rowCount }` once committed. A failing source sends CopyFail.
   * For `COPY … FROM STDIN (FORMAT binary)`, `source` may instead be ColumnBatches (one, an array,
   * or an async iterable such as `conn.batches()`) or JS rows with their types, `{ types: [oid.INT4,
   * oid.TEXT], rows: [[1, 'a'], …] }`: written as COPY BINARY (src/query/copy-from-columns.ts).
   */
  copyFrom(sql: string, source: CopyFromSource, options?: CallOptions): Promise<CopyFromResult> {
    return copyFromAny(this.#ctx, sql, source, options);
  }

  /**
   * The rows of one statement as Arrow `ColumnBatch`es of at most `batchRows` rows, decoded column
   * by column in WebAssembly straight from the DataRows (`format: 'binary'` by default, or
   * `'text'`): an async iterable, read as the loop asks (see src/query/batches.ts).
   */
  batches(target: StatementTarget, params: readonly unknown[] = [], options: BatchOptions = {}): BatchStream {
    return new BatchStream(this.#ctx, target, params, options);
  }

  /** Runs `COPY … TO STDOUT`: an async iterable of byte chunks (also `stream()`, `pipeTo()`, `batches()`). */
  copyTo(sql: string, options?: CallOptions): CopyOut {
    return new CopyOut(this.#ctx, sql, options);
  }

  /**
   * Adds an event handler: `'notification'` (LISTEN/NOTIFY), `'notice'`, `'parameter'` (a run-time
   * parameter changed), or `'error'` (a handler threw). While a notification, notice or parameter
   * handler is attached, the connection reads when idle (and keeps the process alive).
   */
  on<E extends EventName>(event: E, handler: (arg: ConnectionEvents[E]) => void): this {
    this.#events.on(event, handler);
    this.#receiver.listen(this.#events.listening);
    return this;
  }

  /** Removes an event handler. */
  off<E extends EventName>(event: E, handler: (arg: ConnectionEvents[E]) => void): this {
    this.#events.off(event, handler);
    this.#receiver.listen(this.#events.listening);
    return this;
  }

  /**
   * LISTEN on `channel` and call `handler` for each of its notifications (`{ channel, payload,
   * processId }`), also while the connection is idle. Resolves to a function that stops listening
   * (UNLISTEN once the channel's last handler is gone).
   */
  async listen(channel: string, handler: (n: Notification) => void, options?: CallOptions): Promise<() => Promise<void>> {
    const quoted = quoteIdentifier(channel);
    if (typeof handler !== 'function') throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'listen() needs a handler function');
    const first = this.#events.addChannel(channel, handler);
    try {
      if (first) await this.run(`LISTEN ${quoted}`, [], options);
    } catch (err) {
      this.#events.removeChannel(channel, handler);
      throw err;
    }
    this.#receiver.listen(this.#events.listening);
    let stopped = false;
    return async () => {
      if (stopped) return;
      stopped = true;
      const last = this.#events.removeChannel(channel, handler);
      this.#receiver.listen(this.#events.listening);
      if (last && this.#error === null) await this.run(`UNLISTEN ${quoted}`);
    };
  }

  // ---------------------------------------------------------------- lifecycle

  /** Sends Terminate and closes the stream; idempotent. Later calls reject. */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    const alive = this.#error === null;
    if (alive) {
      this.#error = new ConnectionError(ErrorCode.CONNECTION_CLOSED, 'the connection was closed');
      this.#receiver.fail(this.#error);
    }
    this.#closing = (async () => {
      if (alive) {
        const w = new MessageWriter(8);
        encodeTerminate(w);
        // Queued behind anything already being sent; end() flushes it before the FIN.
        this.#transport.write(w.toBytes()).catch(noop);
      }
      await this.#transport.end();
    })();
    return this.#closing;
  }

  /**
   * Asks the server to cancel the query this session is running: a CancelRequest on a fresh
   * connection with the same transport security, bounded by the cancel timeout. Resolving means the
   * server received the request; the interrupted query still reports its outcome (57014).
   */
  cancel(): Promise<void> {
    if (this.#secretKey.length === 0) return Promise.reject(cancelUnavailable('the server sent no BackendKeyData'));
    if (this.#cancel === null) {
      return Promise.reject(cancelUnavailable('the transport cannot reach the server again (set cancelConnector() on the builder)'));
    }
    const packet = new MessageWriter(32);
    encodeCancelRequest(packet, this.processId, this.#secretKey);
    return this.#cancel(packet.toBytes(), this.#cancelTimeoutMs);
  }

  /**
   * A write failed (the server closed, the network broke): what the server said before closing —
   * a FATAL ErrorResponse — is the error to report when there is one (src/session/last-words.ts).
   */
  async #writeFailed(err: unknown): Promise<never> {
    const said = this.#error === null ? await this.#receiver.lastWords() : null;
    throw this.#fatal(said !== null && said.fatal ? said : err);
  }

  /**
   * Records the first fatal error, destroys the transport, fails every pending call; returns the
   * error. A non-fatal error does none of that unless `always` (the receive loop cannot go on).
   */
  #fatal(err: unknown, always = false): PgStreamError {
    if (this.#error !== null) return this.#error;
    let e: PgStreamError;
    if (err instanceof PgStreamError) {
      e = err;
    } else {
      const text = err instanceof Error ? err.message : String(err);
      e = new ProtocolError(ErrorCode.MALFORMED_MESSAGE, `failed to process a backend message: ${text}`, { cause: err });
    }
    if (!e.fatal && !always) return e;
    // The server's own FATAL (its last words, read after the transport saw the close) says why.
    this.#error = e instanceof ServerError ? e : (this.#transport.error ?? e);
    this.#transport.destroy(this.#error);
    this.#receiver.fail(this.#error);
    return this.#error;
  }

  /** The query layer's view of this connection (see src/query/context.ts). */
  #context(): QueryContext & InterruptHost {
    // Getters read the current state (the send buffer is swapped at every flush).
    const conn = this;
    return {
      get writer() {
        return conn.#writer;
      },
      requests: this.#session,
      get transactionStatus() {
        return conn.#status;
      },
      types: this.types,
      statements: this.#statements,
      get error() {
        return conn.#error;
      },
      get blocked() {
        return conn.#receiver.blocked;
      },
      cancelTimeoutMs: this.#cancelTimeoutMs,
      enqueue: (op: Operation) => this.#receiver.enqueue(op),
      resume: () => this.#receiver.resume(),
      scheduleFlush: () => this.#scheduleFlush(),
      flush: () => this.flush(),
      writeThrough: (data: Uint8Array) => this.#writeThrough(data),
      clientTurn: (on: boolean) => this.#receiver.clientTurn(on),
      cancel: () => this.#queryCancel(),
      destroy: (err: PgStreamError) => {
        this.#fatal(err);
      },
      turn: (hold: boolean) => this.#turn(hold),
    };
  }

  /** Sends what was written at the end of the current task: the writes of one tick go out together. */
  #scheduleFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => {
      this.#flushQueued = false;
      if (this.#error === null) this.flush().catch(noop);
    });
  }

  /** Flushes what was written, then writes the caller's `data` as it is (no copy). */
  async #writeThrough(data: Uint8Array): Promise<void> {
    if (this.#error !== null) throw this.#error;
    const before = this.flush();
    const p = this.#transport.write(data).catch((err: unknown) => this.#writeFailed(err));
    p.catch(noop);
    this.#lastWrite = p;
    await before;
    await p;
  }

  /** A cancel sent by the query layer: later statements wait until the server processed it. */
  #queryCancel(): Promise<void> {
    const p = this.cancel();
    // Every cancel still in flight holds new statements back (re-sent cancels overlap).
    const before = this.#cancelling ?? Promise.resolve();
    const gate: Promise<void> = Promise.all([before, p.then(noop, noop)]).then(() => {
      if (this.#cancelling === gate) this.#cancelling = null;
    });
    this.#cancelling = gate;
    return p;
  }

  /** The turn to write: now (a release function) or once the holding call is done (a promise). */
  #turn(hold: boolean): (() => void) | Promise<() => void> {
    if (this.#cancelling !== null) return this.#cancelling.then(() => this.#turn(hold));
    if (this.#holder !== null) return this.#holder.then(() => this.#turn(hold));
    if (!hold) return noop;
    let release!: () => void;
    this.#holder = new Promise<void>((resolve) => {
      release = (): void => {
        if (this.#holder === holder) this.#holder = null;
        resolve();
      };
    });
    const holder = this.#holder;
    return release;
  }

  /** Prints without secrets. */
  override toString(): string {
    return `Connection(pid ${this.processId}, ${this.#error === null ? 'open' : 'closed'})`;
  }

  /** Prints without secrets in `util.inspect`/`console.log`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

function rejected<T>(err: PgStreamError): Promise<T> {
  const p = Promise.reject(err);
  p.catch(noop);
  return p;
}
