/**
 * Connection tracing in libpq's PQtrace format: every message in both directions goes to a
 * `Tracer` (src/protocol/trace.ts), startup included. Sent bytes are decoded with a FrontendReader
 * (the builders write bytes, not message objects; lengths come from the frames themselves);
 * received messages are traced as the connection takes them from the reader, with the wire length
 * the reader reports (no re-encoding). The tracer redacts secrets itself; a tracer or sink that
 * throws is isolated and never affects the connection.
 */
import { EncryptionResponse } from '../protocol/codes.js';
import { FrontendReader } from '../protocol/frontend/frontend-reader.js';
import type { BackendMessage, FrontendMessage, PasswordKind } from '../protocol/messages.js';
import type { Tracer } from '../protocol/trace.js';
import type { PgStreamError } from '../errors.js';
import type { BackendReader } from '../protocol/backend-reader.js';
import type { ByteSink, CancelRequestSender, Transport } from '../transport/transport.js';
import type { FrameSource } from './connection.js';

const LENGTH_WORD = 4;
const TYPE_BYTE = 1;
const UNTYPED: ReadonlySet<FrontendMessage['type']> = new Set(['StartupMessage', 'SSLRequest', 'GSSENCRequest', 'CancelRequest']);
/** The SSLRequest packet is always 8 bytes (length word + request code). */
const SSL_REQUEST_LENGTH = 8;

function int32(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getInt32(at);
}

/** Feeds one session's traffic to a Tracer. */
export class WireTracer {
  readonly #tracer: Tracer;
  readonly #frontend = new FrontendReader();
  #broken = false;

  constructor(tracer: Tracer) {
    this.#tracer = tracer;
  }

  /** What the next `p` message is (only the authentication exchange can tell). */
  set passwordKind(kind: PasswordKind) {
    this.#frontend.passwordKind = kind;
  }

  #safely(fn: () => void): void {
    try {
      fn();
    } catch {
      // A failing tracer must not break the session it observes.
    }
  }

  /** Traces the SSLRequest and the server's one-byte answer. */
  sslExchange(accepted: boolean): void {
    this.#safely(() => {
      this.#tracer.frontend({ type: 'SSLRequest' }, SSL_REQUEST_LENGTH);
      this.#tracer.charResponse('SSLResponse', accepted ? EncryptionResponse.ACCEPT : EncryptionResponse.REJECT);
    });
  }

  /** Traces the messages in `bytes` (whole messages, as the connection writes them). */
  sent(bytes: Uint8Array): void {
    if (this.#broken) return;
    this.#safely(() => {
      this.#frontend.push(bytes);
      let pos = 0;
      for (;;) {
        let msg: FrontendMessage | null;
        try {
          msg = this.#frontend.next();
        } catch {
          this.#broken = true;
          return;
        }
        if (msg === null || pos + LENGTH_WORD > bytes.length) return;
        const untyped = UNTYPED.has(msg.type);
        const length = untyped ? int32(bytes, pos) : int32(bytes, pos + TYPE_BYTE);
        pos += untyped ? length : length + TYPE_BYTE;
        this.#tracer.frontend(msg, length);
      }
    });
  }

  /** Traces one received message; `length` is its length word as on the wire. */
  received(msg: BackendMessage, length: number): void {
    this.#safely(() => this.#tracer.backend(msg, length));
  }
}

/** A Transport that traces what is written through it. */
export class TracingTransport implements Transport {
  constructor(
    private readonly inner: Transport,
    private readonly wire: WireTracer,
  ) {}

  get encrypted(): boolean {
    return this.inner.encrypted;
  }

  get error(): PgStreamError | null {
    return this.inner.error;
  }

  get confidential(): boolean {
    return this.inner.confidential === true;
  }

  get serverCertificate(): Uint8Array | null {
    return this.inner.serverCertificate ?? null;
  }

  get sendCancelRequest(): CancelRequestSender | undefined {
    return this.inner.sendCancelRequest;
  }

  attach(sink: ByteSink): void {
    this.inner.attach(sink);
  }

  fill(): Promise<void> {
    return this.inner.fill();
  }

  write(data: Uint8Array): Promise<void> {
    this.wire.sent(data);
    return this.inner.write(data);
  }

  end(): Promise<void> {
    return this.inner.end();
  }

  destroy(err: PgStreamError): void {
    this.inner.destroy(err);
  }
}

/** A reader wrapper that traces each message as it is taken, with its wire length. */
export class TracingSource implements FrameSource {
  constructor(
    private readonly inner: BackendReader,
    private readonly wire: WireTracer,
  ) {}

  next(): BackendMessage | null {
    const msg = this.inner.next();
    if (msg !== null) this.wire.received(msg, this.inner.messageLength);
    return msg;
  }
}
