/**
 * Connection: a started session. Every frontend builder of PgProtocol is chainable on it and writes
 * into its send buffer; `flush()` sends the buffer; `recv()` returns the next backend message as a
 * zero-copy view, valid until the next `recv()` (call `copyMessage()`/`row.copy()` to keep one).
 *
 * The connection is deliberately low-level: every message is returned, NoticeResponse,
 * ParameterStatus and NotificationResponse included, in the order the server sent them. Two are
 * also tracked: ParameterStatus updates `parameters`, ReadyForQuery updates `transactionStatus`.
 *
 * Failure model (RELIABILITY.md): after a ProtocolError or a transport failure the socket is
 * destroyed and every pending and later `recv()`/`flush()` rejects with that same error, once per
 * call. `close()` sends Terminate and ends the stream; it is idempotent.
 */
import { ClientError, ConnectionError, ErrorCode, PgStreamError, ProtocolError } from '../errors.js';
import type { TransactionStatus } from '../protocol/codes.js';
import { encodeCancelRequest } from '../protocol/frontend/cancel-request.js';
import { PgProtocol } from '../protocol/frontend/protocol.js';
import { encodeTerminate } from '../protocol/frontend/terminate.js';
import type { BackendMessage } from '../protocol/messages.js';
import { Outcome, SessionState } from '../protocol/session-state.js';
import type { RequestLog } from '../protocol/session-state-codes.js';
import { MessageWriter } from '../protocol/writer.js';
import type { CancelRequestSender, Transport } from '../transport/transport.js';
import { setParameter } from './limits.js';
import type { SessionSettings } from './settings.js';
import type { MessageSource } from './startup.js';
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

/** A started PostgreSQL session with the chainable frontend API. */
export class Connection extends PgProtocol implements AsyncIterable<BackendMessage> {
  /** Run-time parameters: those reported at startup, kept current by ParameterStatus. */
  readonly parameters: Map<string, string>;
  /** The backend's process ID (BackendKeyData), 0 when the server sent none. */
  readonly processId: number;
  /** The protocol version in use (`ProtocolVersion.V3_0` or `V3_2`). */
  readonly protocol: number;
  /** True when the session runs over TLS. */
  readonly encrypted: boolean;
  readonly #transport: Transport;
  readonly #source: FrameSource;
  readonly #secretKey: Uint8Array;
  readonly #cancel: CancelRequestSender | null;
  readonly #cancelTimeoutMs: number;
  #writer = new MessageWriter(SEND_BUFFER_SIZE);
  #spare: MessageWriter | null = null;
  #lastWrite: Promise<void> = Promise.resolve();
  #status: TransactionStatus;
  #error: PgStreamError | null = null;
  #receiving = false;
  #closing: Promise<void> | null = null;
  readonly #session = new SessionState();
  #outcome: Outcome = Outcome.READY;

  /** Made by `ConnectionBuilder.connect*()` and `connect()`; not meant to be called directly. */
  constructor(init: ConnectionInit) {
    super();
    this.#transport = init.transport;
    this.#source = init.source;
    this.#secretKey = init.startup.secretKey.slice();
    this.#cancel = init.cancel;
    this.#cancelTimeoutMs = init.settings.cancelTimeoutMs;
    this.parameters = new Map(init.startup.parameters);
    this.processId = init.startup.processId;
    this.protocol = init.startup.protocol;
    this.encrypted = init.transport.encrypted;
    this.#status = init.startup.transactionStatus;
  }

  protected override get out(): MessageWriter {
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
   * Sends everything the builders wrote. Resolves once the bytes were handed to the operating system
   * (waiting out backpressure); rejects with the connection's fatal error. While a flush is in
   * progress the server's answers keep being read (up to 64 MiB are buffered), so flushing a large
   * pipeline before reading its results cannot deadlock; past that, call `recv()` concurrently.
   */
  flush(): Promise<void> {
    if (this.#error !== null) return this.#rejected(this.#error);
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
      (err: unknown) => {
        throw this.#fatal(err);
      },
    );
    p.catch(noop);
    this.#lastWrite = p;
    return p;
  }

  /**
   * The next backend message. The returned object (and any view it holds) is valid until the next
   * `recv()`. Only one `recv()` may be pending at a time.
   */
  recv(): Promise<BackendMessage> {
    if (this.#error !== null) return this.#rejected(this.#error);
    if (this.#receiving) {
      return Promise.reject(new ClientError(ErrorCode.INVALID_ARGUMENT, 'recv() called while another recv() is pending'));
    }
    let msg: BackendMessage | null;
    try {
      msg = this.#source.next();
      if (msg !== null) this.#observe(msg);
    } catch (err) {
      return this.#rejected(this.#fatal(err));
    }
    return msg !== null ? Promise.resolve(msg) : this.#recvSlow();
  }

  /**
   * The next message if one is already buffered, else null (never waits). For tight loops over large
   * results: `for (let m; (m = conn.tryRecv()) !== null;) …` then `await conn.recv()` when it runs dry.
   */
  tryRecv(): BackendMessage | null {
    if (this.#error !== null) throw this.#error;
    if (this.#receiving) throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'tryRecv() called while a recv() is pending');
    let msg: BackendMessage | null;
    try {
      msg = this.#source.next();
      if (msg !== null) this.#observe(msg);
    } catch (err) {
      throw this.#fatal(err);
    }
    return msg;
  }

  async #recvSlow(): Promise<BackendMessage> {
    this.#receiving = true;
    try {
      for (;;) {
        await this.#transport.fill();
        const msg = this.#source.next();
        if (msg !== null) {
          this.#observe(msg);
          return msg;
        }
      }
    } catch (err) {
      throw this.#fatal(err);
    } finally {
      this.#receiving = false;
    }
  }

  /**
   * What the last received message did to the requests awaiting an answer (`Outcome`: ASYNC,
   * PARTIAL, COMPLETE, FAILED or READY), as the session state judged it: the seam results attach to.
   */
  get outcome(): Outcome {
    return this.#outcome;
  }

  /** Checks `msg` against the session state (throws on a violation) and tracks what it changes. */
  #observe(msg: BackendMessage): void {
    const outcome = this.#session.received(msg);
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
        msg = await this.recv();
      } catch (err) {
        if (this.#closing !== null && err === this.#error) return;
        throw err;
      }
      yield msg;
    }
  }

  /** Sends Terminate and closes the stream; idempotent. Later `recv()`/`flush()` reject. */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    const alive = this.#error === null;
    if (alive) this.#error = new ConnectionError(ErrorCode.CONNECTION_CLOSED, 'the connection was closed');
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
   * server received the request; the interrupted query still reports its outcome (57014) on `recv()`.
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

  /** Records the first fatal error, destroys the transport, and returns the error to reject with. */
  #fatal(err: unknown): PgStreamError {
    if (this.#error !== null) return this.#error;
    let e: PgStreamError;
    if (err instanceof PgStreamError) {
      e = err;
    } else {
      const text = err instanceof Error ? err.message : String(err);
      e = new ProtocolError(ErrorCode.MALFORMED_MESSAGE, `failed to process a backend message: ${text}`, { cause: err });
    }
    if (!e.fatal) return e;
    this.#error = this.#transport.error ?? e;
    this.#transport.destroy(this.#error);
    return this.#error;
  }

  #rejected<T>(err: PgStreamError): Promise<T> {
    const p = Promise.reject(err);
    p.catch(noop);
    return p;
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
