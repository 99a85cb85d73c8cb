/**
 * MessageBuffer: the frontend API over a standalone buffer, for building bytes without a
 * connection (tests, proxies, batching, benchmarks): `new MessageBuffer().query('SELECT 1').bytes()`.
 * It also writes the untyped startup-phase packets, which a connection sends on its own.
 */
import { MessageWriter } from '../writer.js';
import { encodeCancelRequest } from './cancel-request.js';
import { encodeGSSENCRequest } from './gssenc-request.js';
import { PgProtocol } from './protocol.js';
import { encodeSSLRequest } from './ssl-request.js';
import { encodeStartupMessage, type StartupMessageOptions } from './startup-message.js';

/** A growable buffer of frontend messages with the chainable PgProtocol API. */
export class MessageBuffer extends PgProtocol {
  /** The underlying writer (shared, not copied, when one is passed in). */
  readonly writer: MessageWriter;

  /** A new buffer, or the chainable API over an existing writer. */
  constructor(writerOrCapacity?: MessageWriter | number) {
    super();
    this.writer = writerOrCapacity instanceof MessageWriter ? writerOrCapacity : new MessageWriter(writerOrCapacity);
  }

  protected get out(): MessageWriter {
    return this.writer;
  }

  /** Number of bytes written. */
  get length(): number {
    return this.writer.length;
  }

  /** A copy of the bytes written so far. */
  bytes(): Uint8Array {
    return this.writer.toBytes();
  }

  /** The bytes written so far, without copying: valid until the next write or `clear()`. */
  view(): Uint8Array {
    return this.writer.written();
  }

  /** Forgets everything written, keeping the allocation. */
  clear(): this {
    this.writer.clear();
    return this;
  }

  /** StartupMessage (protocol 3.x, `user` required). */
  startupMessage(options: StartupMessageOptions): this {
    encodeStartupMessage(this.writer, options);
    return this;
  }

  /** SSLRequest. */
  sslRequest(): this {
    encodeSSLRequest(this.writer);
    return this;
  }

  /** GSSENCRequest. */
  gssencRequest(): this {
    encodeGSSENCRequest(this.writer);
    return this;
  }

  /** CancelRequest for the session `processId` with its secret key (4..256 bytes). */
  cancelRequest(processId: number, secretKey: Uint8Array): this {
    encodeCancelRequest(this.writer, processId, secretKey);
    return this;
  }
}
