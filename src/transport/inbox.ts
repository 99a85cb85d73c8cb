/**
 * Inbox: the read side of the Transport contract (src/transport/transport.ts) for transports whose
 * source cannot read into the session's buffer or be paused — a WebSocket's frames, PGlite's
 * answers. Received chunks wait here until the session's `fill()` asks; each fill moves as much as
 * the session's reader takes (a partial chunk stays queued as a view, never copied twice). The
 * Node socket transport reads straight into WASM memory and needs none of this.
 *
 * The transport keeps its own failure (it also fails writes); it hands it to `wake()` and `fill()`
 * so that what was received before the failure is still delivered first, then the failure.
 */
import { ConnectionError, ErrorCode } from '../errors.js';
import type { PgStreamError } from '../errors.js';
import type { ByteSink } from './transport.js';

/** A sink that takes nothing: input waits in the inbox until the session attaches its reader. */
const UNATTACHED: ByteSink = {
  writable: () => new Uint8Array(0),
  commit: () => undefined,
  push: () => 0,
  free: 0,
};

interface Waiter {
  resolve(): void;
  reject(err: PgStreamError): void;
}

/** Received bytes held for the session (see the module comment). */
export class Inbox {
  #sink: ByteSink = UNATTACHED;
  #chunks: Uint8Array[] = [];
  #queued = 0;
  /** The current fill() has moved bytes into the sink. */
  #got = false;
  #waiter: Waiter | null = null;

  /** `stuck` fails the transport when its reader is full yet holds no complete message. */
  constructor(private readonly stuck: (err: PgStreamError) => void) {}

  /** Bytes received but not yet handed to the session's reader. */
  get queued(): number {
    return this.#queued;
  }

  /** The session's reader (Transport.attach). */
  attach(sink: ByteSink): void {
    if (this.#sink !== UNATTACHED) throw new ConnectionError(ErrorCode.SOCKET_ERROR, 'the transport already has a reader attached');
    this.#sink = sink;
  }

  /**
   * A received chunk, owned by the inbox from now on. When the session is waiting and nothing is
   * queued, no message view is outstanding: the chunk goes straight into its reader.
   */
  add(chunk: Uint8Array, error: PgStreamError | null): void {
    if (chunk.length === 0) return;
    if (this.#waiter !== null && this.#queued === 0) {
      const taken = this.#sink.push(chunk);
      if (taken > 0) this.#got = true;
      if (taken < chunk.length) this.#queue(chunk.subarray(taken));
    } else {
      this.#queue(chunk);
    }
    this.wake(error);
  }

  #queue(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.#queued += chunk.length;
  }

  /** Moves queued bytes into the sink; returns how many moved. */
  #drain(): number {
    let moved = 0;
    while (this.#chunks.length > 0) {
      const head = this.#chunks[0]!;
      const taken = this.#sink.push(head);
      moved += taken;
      this.#queued -= taken;
      if (taken < head.length) {
        this.#chunks[0] = head.subarray(taken);
        break;
      }
      this.#chunks.shift();
    }
    if (moved > 0) this.#got = true;
    return moved;
  }

  /** Settles a pending fill(): with bytes if any moved, else with the transport's failure if any. */
  wake(error: PgStreamError | null): void {
    const w = this.#waiter;
    if (w === null) return;
    if (this.#queued > 0) this.#drain();
    if (this.#got) {
      this.#waiter = null;
      w.resolve();
    } else if (error !== null) {
      this.#waiter = null;
      w.reject(error);
    }
  }

  /**
   * Transport.fill(): resolves once bytes moved into the session's reader. `ending` — end() was
   * called; `error` — the transport's failure (what was received before it is delivered first).
   */
  fill(ending: boolean, error: PgStreamError | null): Promise<void> {
    if (ending && error === null) {
      return Promise.reject(new ConnectionError(ErrorCode.CONNECTION_CLOSED, 'the connection was closed'));
    }
    if (this.#waiter !== null) {
      return Promise.reject(new ConnectionError(ErrorCode.SOCKET_ERROR, 'fill() called while another fill() is pending'));
    }
    this.#got = false;
    if (this.#queued > 0) {
      if (this.#drain() > 0) return Promise.resolve();
      // The reader is full yet holds no complete message: it cannot make progress.
      const err = new ConnectionError(ErrorCode.SOCKET_ERROR, 'the receive buffer is full and holds no complete message');
      this.stuck(err);
      return Promise.reject(error ?? err);
    }
    if (error !== null) return Promise.reject(error);
    return new Promise<void>((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** The transport is ending: a pending fill() rejects as closed. */
  close(): void {
    const w = this.#waiter;
    this.#waiter = null;
    w?.reject(new ConnectionError(ErrorCode.CONNECTION_CLOSED, 'the connection was closed'));
  }
}
