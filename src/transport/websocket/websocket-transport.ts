/**
 * WebSocketTransport: a `Transport` over a WebSocket to a WebSocket-to-TCP bridge in front of a
 * PostgreSQL server (websockify, Neon's wsproxy, or any bridge that relays binary frames both ways).
 * It runs in browsers (the global `WebSocket`) and in Node (pass the `ws` package's class).
 *
 * ```ts
 * const transport = await WebSocketTransport.open('wss://bridge.example/pg', { address: 'db.internal:5432' });
 * const { conn } = await new ConnectionBuilder('app').auth(AuthenticationMode.password(pw)).connectTransport(transport);
 * ```
 *
 * - Security: the WebSocket's own TLS (`wss:`) protects the hop to the bridge; PostgreSQL's TLS
 *   inside the WebSocket is not supported (no SSLRequest is sent). `encrypted` is true for `wss:`,
 *   so a cleartext password may cross it; what the bridge does on its TCP hop is the bridge's.
 *   Browsers do not expose the server certificate: SCRAM channel binding is unavailable.
 * - Input: bridges relay TCP reads as they come, so frames are not aligned to messages; bytes go
 *   into the session's reader while it waits for them and are queued otherwise. A WebSocket cannot
 *   be paused, so the queue is bounded (`maxQueuedBytes`, 64 MiB by default): a server that sends
 *   more than that ahead of a slow consumer fails the connection with PGS_SOCKET_ERROR rather than
 *   exhausting memory.
 * - Output: the writes of one tick go out as ONE binary frame (a copy owned by the transport);
 *   `write()` resolves once the socket's `bufferedAmount` is at most `highWaterMark`.
 * - Failures: a connect that fails rejects with PGS_SOCKET_ERROR carrying the close code and
 *   reason; an orderly close by the bridge is PGS_CONNECTION_CLOSED, an error or abnormal close
 *   PGS_SOCKET_ERROR. Bytes received before the close are still delivered (the server's last words).
 * - Cancel: `sendCancelRequest` opens a new WebSocket to the same bridge and target (./cancel.ts).
 * - In Node an open WebSocket keeps the process alive until `end()` (or `conn.close()`).
 */
import { ConnectionError, ErrorCode } from '../../errors.js';
import type { PgStreamError } from '../../errors.js';
import { Inbox } from '../inbox.js';
import type { ByteSink, CancelRequestSender, Transport } from '../transport.js';
import { webSocketCancelSender } from './cancel.js';
import { describeUrl, resolveOptions } from './options.js';
import type { ResolvedWebSocketOptions, WebSocketTransportOptions } from './options.js';
import { CloseCode, ReadyState, describeClose, isCleanClose } from './socket-like.js';
import type { SocketCloseEvent, SocketMessageEvent, WebSocketLike } from './socket-like.js';

/** How often a write waiting for `bufferedAmount` to drain looks again (no event reports it). */
const DRAIN_POLL_MS = 4;
/** How long `end()` waits for the closing handshake before giving up on the peer. */
const END_TIMEOUT_MS = 5_000;

interface Waiter {
  resolve(): void;
  reject(err: PgStreamError): void;
}

/** A Transport over a WebSocket to a WebSocket-to-TCP bridge (see the module comment). */
export class WebSocketTransport implements Transport {
  /** True for `wss:` (the hop to the bridge is TLS). */
  readonly encrypted: boolean;
  /** Browsers do not expose the peer certificate: channel binding is unavailable. */
  readonly serverCertificate = null;
  readonly sendCancelRequest: CancelRequestSender;
  readonly #options: ResolvedWebSocketOptions;
  readonly #ws: WebSocketLike;
  #error: PgStreamError | null = null;
  #opened = false;
  #sawError = false;
  #closed = false;
  readonly #inbox = new Inbox((err) => this.#fail(err));
  /** Writes of the current tick, sent as one frame at its end. */
  #batch: Uint8Array[] = [];
  #batchWaiters: Waiter[] = [];
  /** Frames written before the socket opened. */
  #unsent: Uint8Array[] = [];
  /** Writes whose frame was sent, waiting for `bufferedAmount` to drain. */
  #draining: Waiter[] = [];
  #drainTimer: ReturnType<typeof setTimeout> | null = null;
  #ending: Promise<void> | null = null;
  readonly #openWaiters: Waiter[] = [];
  readonly #closeWaiters: (() => void)[] = [];

  /**
   * Starts connecting to the bridge at `url` (`ws:` or `wss:`). The transport is usable at once:
   * writes made before the socket opens are sent when it does. See `WebSocketTransport.open` to
   * wait for the handshake first.
   */
  constructor(url: string | URL, options: WebSocketTransportOptions = {}) {
    this.#options = resolveOptions(url, options);
    this.encrypted = this.#options.secure;
    this.sendCancelRequest = webSocketCancelSender(this.#options);
    try {
      this.#ws = new this.#options.WebSocket(this.#options.url, this.#options.protocols);
    } catch (err) {
      throw new ConnectionError(ErrorCode.SOCKET_ERROR, `cannot open a WebSocket to ${describeUrl(this.#options.url)}`, { cause: err });
    }
    this.#ws.binaryType = 'arraybuffer';
    this.#ws.onopen = () => this.#onOpen();
    this.#ws.onmessage = (event: SocketMessageEvent) => this.#onMessage(event);
    this.#ws.onerror = () => {
      this.#sawError = true;
    };
    this.#ws.onclose = (event: SocketCloseEvent) => this.#onClose(event);
  }

  /** Opens a WebSocket transport and resolves once the bridge accepted the WebSocket handshake. */
  static async open(url: string | URL, options: WebSocketTransportOptions = {}): Promise<WebSocketTransport> {
    const transport = new WebSocketTransport(url, options);
    await transport.opened();
    return transport;
  }

  /** Resolves once the socket is open; rejects with the transport's error if it failed first. */
  opened(): Promise<void> {
    if (this.#opened) return Promise.resolve();
    if (this.#error !== null) return Promise.reject(this.#error);
    return new Promise<void>((resolve, reject) => this.#openWaiters.push({ resolve, reject }));
  }

  get error(): PgStreamError | null {
    return this.#error;
  }

  /** The subprotocol the bridge selected ('' for none; `binary` for websockify). */
  get protocol(): string {
    return this.#ws.protocol;
  }

  /** Bytes received but not yet handed to the session's reader. */
  get queued(): number {
    return this.#inbox.queued;
  }

  attach(sink: ByteSink): void {
    this.#inbox.attach(sink);
  }

  // ---------------------------------------------------------------- input

  #onOpen(): void {
    this.#opened = true;
    const waiters = this.#openWaiters.splice(0);
    for (const w of waiters) w.resolve();
    const frames = this.#unsent.splice(0);
    for (const f of frames) this.#send(f);
  }

  #onMessage(event: SocketMessageEvent): void {
    if (this.#error !== null || this.#ending !== null) return;
    const data = event.data;
    let chunk: Uint8Array;
    if (data instanceof ArrayBuffer) chunk = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) chunk = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else {
      this.#fail(new ConnectionError(ErrorCode.SOCKET_ERROR, 'the bridge sent a text frame: PostgreSQL bytes travel in binary frames (websockify: offer the "binary" subprotocol)'));
      return;
    }
    this.#inbox.add(chunk, this.#error);
    if (this.#inbox.queued > this.#options.maxQueuedBytes) {
      this.#fail(
        new ConnectionError(
          ErrorCode.SOCKET_ERROR,
          `the server sent more than ${this.#options.maxQueuedBytes} bytes the session has not read yet (a WebSocket cannot be paused; raise maxQueuedBytes or read faster)`,
        ),
      );
    }
  }

  fill(): Promise<void> {
    return this.#inbox.fill(this.#ending !== null, this.#error);
  }

  // ---------------------------------------------------------------- output

  write(data: Uint8Array): Promise<void> {
    if (this.#error !== null) return Promise.reject(this.#error);
    if (this.#ending !== null) return Promise.reject(new ConnectionError(ErrorCode.CONNECTION_CLOSED, 'the connection was closed'));
    if (this.#batch.length === 0) queueMicrotask(() => this.#flushBatch());
    this.#batch.push(data);
    return new Promise<void>((resolve, reject) => this.#batchWaiters.push({ resolve, reject }));
  }

  /** Sends the writes of this tick as one frame (a copy: the callers may reuse their buffers after). */
  #flushBatch(): void {
    const parts = this.#batch;
    const waiters = this.#batchWaiters;
    this.#batch = [];
    this.#batchWaiters = [];
    if (parts.length === 0) return;
    if (this.#error !== null) {
      for (const w of waiters) w.reject(this.#error);
      return;
    }
    let size = 0;
    for (const p of parts) size += p.length;
    const frame = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      frame.set(p, at);
      at += p.length;
    }
    this.#draining.push(...waiters);
    if (this.#opened) this.#send(frame);
    else this.#unsent.push(frame);
    this.#checkDrained();
  }

  #send(frame: Uint8Array): void {
    if (this.#error !== null || this.#closed) return;
    try {
      this.#ws.send(frame);
    } catch (err) {
      this.#fail(new ConnectionError(ErrorCode.SOCKET_ERROR, `WebSocket send failed (${describeUrl(this.#options.url)})`, { cause: err }));
    }
  }

  /** Resolves the sent writes once `bufferedAmount` is low enough; polls until then. */
  #checkDrained(): void {
    if (this.#draining.length === 0 || this.#drainTimer !== null) return;
    if (this.#error !== null) {
      for (const w of this.#draining.splice(0)) w.reject(this.#error);
      return;
    }
    if (this.#opened && this.#unsent.length === 0 && this.#ws.bufferedAmount <= this.#options.highWaterMark) {
      for (const w of this.#draining.splice(0)) w.resolve();
      return;
    }
    this.#drainTimer = setTimeout(() => {
      this.#drainTimer = null;
      this.#checkDrained();
    }, DRAIN_POLL_MS);
  }

  // ---------------------------------------------------------------- closing

  #onClose(event: SocketCloseEvent): void {
    this.#closed = true;
    const done = this.#closeWaiters.splice(0);
    for (const fn of done) fn();
    if (this.#error !== null) return;
    const where = describeUrl(this.#options.url);
    let err: ConnectionError;
    if (!this.#opened) {
      err = new ConnectionError(ErrorCode.SOCKET_ERROR, `the WebSocket connection to ${where} failed (${describeClose(event)})`);
    } else if (this.#sawError || !isCleanClose(event.code)) {
      err = new ConnectionError(ErrorCode.SOCKET_ERROR, `the WebSocket to ${where} failed (${describeClose(event)})`);
    } else {
      err = new ConnectionError(ErrorCode.CONNECTION_CLOSED, `the bridge closed the WebSocket (${where}, ${describeClose(event)})`);
    }
    if (this.#ending !== null) {
      // Closed as asked (or failed while closing): only a wait for the handshake is left to settle.
      for (const w of this.#openWaiters.splice(0)) w.reject(err);
      return;
    }
    this.#fail(err);
  }

  /** Resolves once the socket's close event came (at once if it did). */
  #whenClosed(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((resolve) => this.#closeWaiters.push(resolve));
  }

  end(): Promise<void> {
    if (this.#ending !== null) return this.#ending;
    // What was written before end() (a Terminate) still goes out, ahead of the close frame.
    this.#flushBatch();
    this.#ending = (async () => {
      if (this.#error === null && !this.#opened) await this.opened().catch(() => undefined);
      if (!this.#closed) {
        try {
          this.#ws.close(CloseCode.NORMAL);
        } catch {
          // Already closing: the close event follows all the same.
        }
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([this.#whenClosed(), new Promise<void>((resolve) => (timer = setTimeout(resolve, END_TIMEOUT_MS)))]);
        clearTimeout(timer);
      }
    })();
    this.#inbox.close();
    return this.#ending;
  }

  destroy(err: PgStreamError): void {
    this.#fail(err);
  }

  #fail(err: PgStreamError): void {
    if (this.#error !== null) return;
    this.#error = err;
    if (this.#drainTimer !== null) {
      clearTimeout(this.#drainTimer);
      this.#drainTimer = null;
    }
    if (!this.#closed && this.#ws.readyState !== ReadyState.CLOSING) {
      try {
        this.#ws.close(CloseCode.NORMAL);
      } catch {
        // A socket that never opened may refuse a close: it is going away all the same.
      }
    }
    for (const w of this.#openWaiters.splice(0)) w.reject(err);
    for (const w of this.#batchWaiters.splice(0)) w.reject(err);
    for (const w of this.#draining.splice(0)) w.reject(err);
    this.#batch = [];
    this.#unsent = [];
    this.#inbox.wake(err);
  }
}
