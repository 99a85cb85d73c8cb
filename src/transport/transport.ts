/**
 * The Transport contract: what a connection needs from a byte stream, whatever carries it (a Node
 * TCP/TLS/Unix socket here; a WebSocket or an in-process PGlite elsewhere).
 *
 * Input flows one way: the transport puts bytes into a `ByteSink` (the `BackendReader`, whose free
 * space lives in WASM memory) and the connection takes decoded messages out of it. Bytes are only
 * pushed into the sink when the connection asks for them (`fill()`), or land directly in the sink's
 * free space (never in a region holding an unread or current message), so a message view handed to
 * the caller stays valid until the next receive. Unread input is bounded: a transport stops reading
 * from its peer while the consumer lags and starts again when `fill()` is called.
 * This module has no Node imports: it is shared by every transport.
 */
import type { PgStreamError } from '../errors.js';

/** Where a transport delivers input: the subset of `BackendReader` a transport uses. */
export interface ByteSink {
  /** Free space a transport may read into directly (a view into the reader's memory). */
  writable(): Uint8Array;
  /** `n` bytes were written into a view obtained from `writable()` (`landed` is that view). */
  commit(n: number, landed?: Uint8Array): void;
  /** Copies bytes in; returns how many were taken (0 when full: messages must be consumed first). */
  push(chunk: Uint8Array): number;
  /** Bytes `push()` could take now. */
  readonly free: number;
}

/** A bidirectional byte stream carrying one protocol session. */
export interface Transport {
  /** True when the bytes travel encrypted (TLS): cancel requests must then use TLS too. */
  readonly encrypted: boolean;
  /** The error that ended this transport, or null while it is usable. */
  readonly error: PgStreamError | null;
  /**
   * Delivers more input to the sink. Resolves once at least one new byte was delivered; rejects with
   * the transport's error, or a `ConnectionError` (`PGS_CONNECTION_CLOSED`) at end of stream.
   */
  fill(): Promise<void>;
  /**
   * Sends `data`. Resolves once the bytes were handed to the operating system (after backpressure
   * cleared); until then the caller must not modify `data`.
   */
  write(data: Uint8Array): Promise<void>;
  /** Ends the stream gracefully (sending nothing more) and resolves once it is closed; idempotent. */
  end(): Promise<void>;
  /** Tears the stream down at once; every pending and later operation rejects with `err`. */
  destroy(err: PgStreamError): void;
}
