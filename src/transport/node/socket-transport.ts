/**
 * NodeSocketTransport: a `Transport` over a Node stream (net.Socket, tls.TLSSocket, or any Duplex).
 *
 * Two input paths:
 * - **direct** (plain TCP or Unix sockets this library opens itself): `net.connect({ onread })` has
 *   the kernel read straight into the reader's free space in WASM memory. The `buffer` option is a
 *   FUNCTION, which Node calls after every read, so each read goes to the reader's current free space;
 *   when that space is too small (or Node still holds an older view) the bytes land in a small spill
 *   buffer and are copied in later. The socket is paused when the reader is nearly full.
 * - **copy** (TLS sockets and caller-supplied streams): `'data'` chunks are queued and copied into the
 *   reader when the connection asks for input; the stream is paused when the queue grows past a
 *   bound and resumed when the connection needs bytes.
 * Every failure becomes a typed error, stored once; every pending and later operation rejects with it.
 *
 * An idle session does not keep the Node process alive: the socket is `ref()`ed only while a read
 * waits, a write is in progress or the connection is closing, like an idle keep-alive socket. So a
 * script that reads its results and simply ends (the seed's quick start) exits.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { ConnectionError, ErrorCode, PgStreamError } from '../../errors.js';
import { closedError, guard, socketError } from './socket-guard.js';
import { peerCertificate } from './tls.js';
import type { ByteSink, CancelRequestSender, Transport } from '../transport.js';

/** Reads smaller than this go to the spill buffer, and the socket pauses below this much free space. */
const MIN_DIRECT_READ = 16 * 1024;
/** Size of the spill buffer used when the reader has too little contiguous free space. */
const SPILL_SIZE = 64 * 1024;
/** Queued (not yet copied) input above which a stream is paused. */
const MAX_QUEUED = 256 * 1024;
/**
 * The same bound while a write is in progress. A server blocked on its own output stops reading
 * ours, so if the client stopped reading while it writes, both sides would wait forever (a large
 * pipeline flushed before its results are read): input keeps flowing into the queue meanwhile, up
 * to this much, after which the caller must read concurrently.
 */
const MAX_QUEUED_WRITING = 64 * 1024 * 1024;
/** How long `end()` waits for the peer to close before destroying the socket. */
const END_TIMEOUT_MS = 5_000;

/** Options of a transport over an existing stream. */
export interface NodeSocketTransportOptions {
  /** True when `stream` is encrypted (a TLS socket). */
  encrypted: boolean;
  /** True for a private channel without TLS (a Unix socket): a cleartext password may cross it. */
  confidential?: boolean;
  /** How to send a CancelRequest to the same server (a fresh socket with the same security). */
  cancel?: CancelRequestSender;
}

/** A sink that takes nothing: input waits in the queue until the session attaches its reader. */
const UNATTACHED: ByteSink = {
  writable: () => new Uint8Array(0),
  commit: () => undefined,
  push: () => 0,
  free: 0,
};

interface PendingWrite {
  resolve(): void;
  reject(err: PgStreamError): void;
}

/** Sockets opened by `openDirect`, with their spill buffers: their input arrives through `onread`. */
const directSockets = new WeakMap<Duplex, { spill: Uint8Array; transport: NodeSocketTransport | null }>();

/** A Transport over a Node stream. */
export class NodeSocketTransport implements Transport {
  readonly encrypted: boolean;
  readonly confidential: boolean;
  readonly sendCancelRequest: CancelRequestSender | undefined;
  /** The stream carrying the session (for address and certificate queries). */
  readonly stream: Duplex;
  #sink: ByteSink = UNATTACHED;
  readonly #spill: Uint8Array | null;
  #error: PgStreamError | null = null;
  #queue: Uint8Array[] = [];
  #queueHead = 0;
  #queued = 0;
  #eof = false;
  #paused = false;
  #discard = false;
  #got = false;
  #waiter: { resolve(): void; reject(err: PgStreamError): void } | null = null;
  readonly #writes = new Set<PendingWrite>();
  #ending: Promise<void> | null = null;
  #directBytes = 0;
  #copiedBytes = 0;
  /** Writes of the current tick are corked: they leave together (one writev: a COPY header and its data). */
  #corked = false;

  /**
   * Wraps a stream. A socket from `openDirect` keeps its direct read path; any other stream is read
   * through `'data'` (copy mode) and must have no other `'data'` consumer.
   */
  constructor(stream: Duplex, options: NodeSocketTransportOptions) {
    this.stream = stream;
    this.encrypted = options.encrypted;
    this.confidential = options.confidential === true;
    this.sendCancelRequest = options.cancel;
    const direct = directSockets.get(stream);
    this.#spill = direct?.spill ?? null;
    this.#watch();
    if (direct !== undefined) {
      direct.transport = this;
    } else {
      stream.on('data', (chunk: Uint8Array) => this.#onData(chunk));
      stream.resume();
    }
  }

  /**
   * Opens a plain TCP or Unix socket whose reads land directly in the attached reader's memory
   * (`onread`), and wraps it. The stream may still be connecting: use `whenConnected(transport.stream)`.
   */
  static openDirect(options: net.NetConnectOpts, transportOptions: Omit<NodeSocketTransportOptions, 'encrypted'> = {}): NodeSocketTransport {
    const entry: { spill: Uint8Array; transport: NodeSocketTransport | null } = {
      spill: new Uint8Array(SPILL_SIZE),
      transport: null,
    };
    const socket = net.connect({
      ...options,
      onread: {
        // Node calls this once when the handle is created and again after every read: the view it
        // returns is where the NEXT read lands (see nextReadBuffer).
        buffer: () => entry.transport?.nextReadBuffer() ?? entry.spill,
        callback: (n: number, buf: Uint8Array) => entry.transport?.onDirectRead(n, buf),
      },
    } as net.NetConnectOpts);
    directSockets.set(socket, entry);
    return new NodeSocketTransport(socket, { ...transportOptions, encrypted: false });
  }

  get error(): PgStreamError | null {
    return this.#error;
  }

  /** The server's certificate (DER) when the stream is a TLS socket, for SCRAM channel binding. */
  get serverCertificate(): Uint8Array | null {
    return this.encrypted ? peerCertificate(this.stream) : null;
  }

  /** Attaches the session's reader; bytes received before this wait in the queue. */
  attach(sink: ByteSink): void {
    if (this.#sink !== UNATTACHED) throw new ConnectionError(ErrorCode.SOCKET_ERROR, 'the transport already has a reader attached');
    this.#sink = sink;
  }

  /** True when input reaches the reader through `onread` (no copy). */
  get direct(): boolean {
    return this.#spill !== null;
  }

  /** Bytes received but not yet handed to the reader. */
  get queued(): number {
    return this.#queued;
  }

  /** Input counters: bytes the kernel wrote straight into the reader, and bytes copied in. */
  get stats(): { readonly directBytes: number; readonly copiedBytes: number } {
    return { directBytes: this.#directBytes, copiedBytes: this.#copiedBytes };
  }

  /** Holds the process open only while an operation is in flight (see the module comment). */
  #updateRef(): void {
    const socket = this.stream as Partial<net.Socket>;
    if (typeof socket.ref !== 'function' || typeof socket.unref !== 'function') return;
    if (this.#waiter !== null || this.#writes.size > 0 || this.#ending !== null) socket.ref();
    else socket.unref();
  }

  #watch(): void {
    const s = guard(this.stream);
    if (s.error !== undefined) this.#fail(socketError(s.error));
    else if (this.stream.destroyed || s.closed) this.#fail(closedError());
    this.stream.on('error', (err: unknown) => this.#fail(socketError(err)));
    this.stream.on('end', () => {
      this.#eof = true;
      this.#wake();
    });
    this.stream.on('close', () => {
      this.#eof = true;
      if (this.#error === null && this.#ending === null && this.#queued === 0) this.#fail(closedError());
      else this.#wake();
    });
  }

  #onData(chunk: Uint8Array): void {
    if (this.#error !== null || this.#discard) return;
    if (this.#waiter !== null && this.#queued === 0) {
      // The connection is waiting for input, so no message view is outstanding: copy in now.
      const taken = this.#sink.push(chunk);
      this.#copiedBytes += taken;
      if (taken > 0) this.#got = true;
      if (taken < chunk.length) this.#enqueue(taken === 0 ? chunk : chunk.subarray(taken));
      this.#wake();
      return;
    }
    this.#enqueue(chunk);
  }

  /**
   * Where the next direct read lands (internal; Node asks after every read). The reader's free
   * space, unless it is too small (a zero-length buffer would fail the read) or spilled bytes are
   * still queued: those are pushed into the reader later, and a region handed to the kernel must
   * not be written by anyone else meanwhile, so until the queue is drained reads go to the spill
   * buffer too. A region the reader has since moved past is fixed up by `commit(n, landed)`.
   */
  nextReadBuffer(): Uint8Array {
    const spill = this.#spill!;
    if (this.#queued > 0 || this.#error !== null || this.#discard) return spill;
    try {
      const free = this.#sink.writable();
      return free.length >= MIN_DIRECT_READ ? free : spill;
    } catch {
      return spill;
    }
  }

  /** The `onread` callback of a direct socket (internal). */
  onDirectRead(n: number, buf: Uint8Array): false | undefined {
    if (this.#error !== null) return false;
    if (this.#discard) return undefined;
    if (buf === this.#spill) {
      this.#queue.push(buf.slice(0, n));
      this.#queued += n;
    } else {
      try {
        this.#sink.commit(n, buf);
      } catch (err) {
        this.#fail(err instanceof PgStreamError ? err : socketError(err, 'read failed'));
        return false;
      }
      this.#got = true;
      this.#directBytes += n;
    }
    this.#wake();
    // While writing, a full reader does not stop reading: the spill buffer feeds the queue instead.
    const writing = this.#writes.size > 0;
    if ((this.#sink.free < MIN_DIRECT_READ && !writing) || this.#queued >= this.#queueLimit()) {
      this.#paused = true;
      return false;
    }
    return undefined;
  }

  /** How much input may queue up now. */
  #queueLimit(): number {
    return this.#writes.size > 0 ? MAX_QUEUED_WRITING : MAX_QUEUED;
  }

  #enqueue(chunk: Uint8Array): void {
    this.#queue.push(chunk);
    this.#queued += chunk.length;
    if (this.#queued >= this.#queueLimit() && !this.#paused) {
      this.#paused = true;
      this.stream.pause();
    }
  }

  /** Moves queued bytes into the sink; returns how many moved. */
  #drainQueue(): number {
    let moved = 0;
    while (this.#queue.length > 0) {
      const head = this.#queue[0]!;
      const chunk = this.#queueHead === 0 ? head : head.subarray(this.#queueHead);
      const taken = this.#sink.push(chunk);
      this.#copiedBytes += taken;
      moved += taken;
      this.#queued -= taken;
      if (taken < chunk.length) {
        this.#queueHead += taken;
        break;
      }
      this.#queue.shift();
      this.#queueHead = 0;
    }
    if (moved > 0) this.#got = true;
    return moved;
  }

  #wake(): void {
    const w = this.#waiter;
    if (w === null) return;
    if (this.#error !== null) {
      this.#waiter = null;
      w.reject(this.#error);
      return;
    }
    if (this.#queued > 0) this.#drainQueue();
    if (this.#got) {
      this.#waiter = null;
      this.#updateRef();
      w.resolve();
    } else if (this.#eof && this.#queued === 0) {
      this.#fail(closedError());
    }
  }

  fill(): Promise<void> {
    if (this.#error !== null) {
      // After a failure, only what was already received is delivered; then the failure.
      if (this.#queued > 0 && this.#waiter === null && this.#drainQueue() > 0) return Promise.resolve();
      return Promise.reject(this.#error);
    }
    if (this.#ending !== null) return Promise.reject(closedError('the connection was closed'));
    if (this.#waiter !== null) {
      return Promise.reject(new ConnectionError(ErrorCode.SOCKET_ERROR, 'fill() called while another fill() is pending'));
    }
    this.#got = false;
    if (this.#queued > 0) {
      if (this.#drainQueue() === 0) {
        // The reader is full yet has no complete message: it cannot make progress.
        this.#fail(new ConnectionError(ErrorCode.SOCKET_ERROR, 'the receive buffer is full and holds no complete message'));
        return Promise.reject(this.#error!);
      }
      this.#resume();
      return Promise.resolve();
    }
    if (this.#eof) {
      this.#fail(closedError());
      return Promise.reject(this.#error!);
    }
    this.#resume();
    return new Promise<void>((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.#updateRef();
    });
  }

  /** Restarts reading once the consumer needs bytes and the queue is small. */
  #resume(): void {
    if (!this.#paused || this.#queued >= MAX_QUEUED / 2) return;
    this.#paused = false;
    this.stream.resume();
  }

  write(data: Uint8Array): Promise<void> {
    if (this.#error !== null) return Promise.reject(this.#error);
    if (this.#ending !== null) return Promise.reject(closedError('the connection was closed'));
    return new Promise<void>((resolve, reject) => {
      const pending: PendingWrite = { resolve, reject };
      this.#writes.add(pending);
      this.#updateRef();
      // Keep reading while the write is in progress (see MAX_QUEUED_WRITING).
      if (this.#paused && this.#queued < MAX_QUEUED_WRITING) {
        this.#paused = false;
        this.stream.resume();
      }
      this.#cork();
      this.stream.write(data, (err?: Error | null) => {
        if (!this.#writes.delete(pending)) return;
        this.#updateRef();
        if (err) {
          this.#fail(socketError(err, 'write failed'));
          reject(this.#error!);
        } else {
          resolve();
        }
      });
    });
  }

  /** Corks the stream until the end of the tick, so that this tick's writes go out in one system call. */
  #cork(): void {
    if (this.#corked) return;
    const stream = this.stream as Partial<net.Socket>;
    if (typeof stream.cork !== 'function' || typeof stream.uncork !== 'function') return;
    this.#corked = true;
    stream.cork();
    process.nextTick(() => {
      this.#corked = false;
      stream.uncork!();
    });
  }

  end(): Promise<void> {
    if (this.#ending !== null) return this.#ending;
    const stream = this.stream;
    this.#ending = new Promise<void>((resolve) => {
      if (stream.destroyed || this.#error !== null) {
        stream.destroy();
        resolve();
        return;
      }
      const timer = setTimeout(() => stream.destroy(), END_TIMEOUT_MS);
      timer.unref?.();
      stream.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      // Keep reading, discarding input, so the peer's close is seen even if reading was paused.
      this.#discard = true;
      this.#queue = [];
      this.#queued = 0;
      this.#paused = false;
      stream.resume();
      stream.end();
    });
    this.#updateRef();
    this.#settleAll(closedError('the connection was closed'));
    return this.#ending;
  }

  destroy(err: PgStreamError): void {
    this.#fail(err);
  }

  #fail(err: PgStreamError): void {
    if (this.#error !== null) return;
    this.#error = err;
    // Bytes already received stay readable (`fill()` still hands them over): the server's last
    // words — a FATAL ErrorResponse before it closed — must not be lost to a failed write.
    this.stream.destroy();
    this.#settleAll(err);
  }

  #settleAll(err: PgStreamError): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.reject(err);
    const writes = [...this.#writes];
    this.#writes.clear();
    for (const p of writes) p.reject(err);
  }
}
