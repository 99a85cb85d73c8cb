/**
 * An in-memory Transport: the session's bytes cross no socket at all. The client side implements
 * the library's `Transport` contract (src/transport/transport.ts) in plain JS — what a WebSocket or
 * PGlite transport does — and the server side is a Node Duplex that a FakeSession script plays on,
 * so every fake-server script runs over it unchanged. Writes are delivered asynchronously (a
 * microtask later), as a real carrier would; chunks can be split to exercise reassembly.
 */
import { Duplex } from 'node:stream';
import { ConnectionError, ErrorCode } from '../../src/errors.js';
import type { PgStreamError } from '../../src/errors.js';
import type { ByteSink, CancelRequestSender, Transport } from '../../src/transport/transport.js';
import { FakeSession } from './fake-server.js';
import type { FakeScript } from './fake-server.js';

/** The client end of an in-memory pair. */
export class MemoryTransport implements Transport {
  readonly encrypted = false;
  #error: PgStreamError | null = null;
  #sink: ByteSink | null = null;
  #inbox: Uint8Array[] = [];
  #eof = false;
  #waiter: { resolve(): void; reject(err: PgStreamError): void } | null = null;
  /** Bytes the client wrote, as the server received them. */
  readonly written: Uint8Array[] = [];
  sendCancelRequest?: CancelRequestSender;
  /** The last delivery to the server: writes and the end are delivered in order. */
  #last: Promise<void> = Promise.resolve();

  constructor(private readonly toServer: (chunk: Uint8Array | null) => void) {}

  get error(): PgStreamError | null {
    return this.#error;
  }

  attach(sink: ByteSink): void {
    this.#sink = sink;
  }

  /** Server → client bytes (null: the server closed). */
  deliver(chunk: Uint8Array | null): void {
    if (chunk === null) this.#eof = true;
    else this.#inbox.push(chunk);
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiter;
    if (w === null) return;
    if (this.#error !== null) {
      this.#waiter = null;
      w.reject(this.#error);
    } else if (this.#drain() > 0) {
      this.#waiter = null;
      w.resolve();
    } else if (this.#eof) {
      this.destroy(new ConnectionError(ErrorCode.CONNECTION_CLOSED, 'the in-memory server closed'));
    }
  }

  /** Moves queued bytes into the sink (as far as it has room); returns how many moved. */
  #drain(): number {
    const sink = this.#sink;
    if (sink === null) return 0;
    let moved = 0;
    while (this.#inbox.length > 0) {
      const head = this.#inbox[0]!;
      const taken = sink.push(head);
      moved += taken;
      if (taken < head.length) {
        this.#inbox[0] = head.subarray(taken);
        break;
      }
      this.#inbox.shift();
    }
    return moved;
  }

  fill(): Promise<void> {
    if (this.#error !== null) return Promise.reject(this.#error);
    return new Promise<void>((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.#wake();
    });
  }

  write(data: Uint8Array): Promise<void> {
    if (this.#error !== null) return Promise.reject(this.#error);
    const copy = data.slice();
    this.written.push(copy);
    this.#last = this.#last.then(() => this.toServer(copy));
    return this.#last;
  }

  end(): Promise<void> {
    if (this.#error === null) {
      this.#error = new ConnectionError(ErrorCode.CONNECTION_CLOSED, 'the connection was closed');
      this.#last = this.#last.then(() => this.toServer(null));
    }
    return this.#last;
  }

  destroy(err: PgStreamError): void {
    if (this.#error !== null) return;
    this.#error = err;
    this.toServer(null);
    const w = this.#waiter;
    this.#waiter = null;
    w?.reject(err);
  }
}

/** A client transport and the fake-server session playing `script` on the other end. */
export interface MemoryPair {
  readonly transport: MemoryTransport;
  readonly session: FakeSession;
  /** Resolves when the script finished (its error, if any, is on the session). */
  readonly finished: Promise<FakeSession>;
}

/** Starts `script` on the server end of a new in-memory pair. */
export function memoryPair(script: FakeScript): MemoryPair {
  let transport: MemoryTransport;
  const server = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      transport.deliver(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength).slice());
      callback();
    },
    final(callback) {
      transport.deliver(null);
      callback();
    },
    destroy(err, callback) {
      transport.deliver(null);
      callback(err);
    },
  });
  transport = new MemoryTransport((chunk) => {
    if (chunk === null) {
      server.push(null);
      server.destroy();
    } else {
      server.push(chunk);
    }
  });
  const session = new FakeSession(server);
  const finished = (async () => {
    try {
      await script(session);
    } catch (err) {
      session.error = err;
    }
    return session;
  })();
  return { transport, session, finished };
}
