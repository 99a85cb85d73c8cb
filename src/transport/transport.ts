/**
 * The Transport contract: what a session needs from a byte stream, whatever carries it (a Node
 * TCP/TLS/Unix socket, a WebSocket to a bridge, an in-process PGlite, or an in-memory pair in a test).
 *
 * Input flows one way: the session attaches a `ByteSink` (its `BackendReader`, whose free space lives
 * in WASM memory) once, before the first `fill()`; the transport puts bytes into it and the session
 * takes decoded messages out. Bytes are only pushed into the sink when the session asks for them
 * (`fill()`), or land directly in the sink's free space (never in a region holding an unread or
 * current message), so a message view handed to the caller stays valid until the next receive.
 * Unread input is bounded: a transport stops reading from its peer while the consumer lags and
 * starts again when `fill()` is called.
 * This module has no Node imports: it is shared by every transport and runs in browsers.
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

/**
 * Sends a CancelRequest packet (already encoded) to the same server over a fresh connection with
 * the same transport security, and resolves once the server closed that connection
 * (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-CANCELING-REQUESTS).
 * Rejects with a typed error, at the latest after `timeoutMs`.
 */
export type CancelRequestSender = (packet: Uint8Array, timeoutMs: number) => Promise<void>;

/** A bidirectional byte stream carrying one protocol session. */
export interface Transport {
  /** True when the bytes travel encrypted (TLS): cancel requests must then use TLS too. */
  readonly encrypted: boolean;
  /**
   * True when the channel is private without TLS (a Unix socket, an in-process server): a cleartext
   * password may cross it. Absent means false.
   */
  readonly confidential?: boolean;
  /** The server's certificate (DER), for SCRAM channel binding (tls-server-end-point); absent when unknown. */
  readonly serverCertificate?: Uint8Array | null;
  /** The error that ended this transport, or null while it is usable. */
  readonly error: PgStreamError | null;
  /** Attaches the sink input is delivered to; called once by the session before the first `fill()`. */
  attach(sink: ByteSink): void;
  /**
   * Delivers more input to the sink. Resolves once at least one new byte was delivered; rejects with
   * the transport's error, or a `ConnectionError` (`PGS_CONNECTION_CLOSED`) at end of stream.
   */
  fill(): Promise<void>;
  /**
   * Sends `data`. Resolves once the bytes were handed on (after backpressure cleared); until then the
   * caller must not modify `data`.
   */
  write(data: Uint8Array): Promise<void>;
  /** Ends the stream gracefully (sending nothing more) and resolves once it is closed; idempotent. */
  end(): Promise<void>;
  /** Tears the stream down at once; every pending and later operation rejects with `err`. */
  destroy(err: PgStreamError): void;
  /** How this transport reaches the same server again for a CancelRequest, when it can. */
  readonly sendCancelRequest?: CancelRequestSender;
}
