/**
 * Decoders of one direction each, built on the project's codec: the frontend stream through
 * `FrontendReader` (startup packets included), the backend stream through `BackendReader`. Each
 * pulls one message at a time and says where it ended (its length, as PQtrace prints it, is the
 * bytes it took minus the type byte; an untyped startup packet's length is all of it) and when its
 * last byte arrived.
 *
 * The backend stream is not all messages: after SSLRequest or GSSENCRequest the server answers
 * with one untyped byte (`S`/`G` accept, `N` refuse, or an ErrorResponse), so the backend decoder
 * is told of each such request and reads that byte itself (protocol-flow.html, "SSL Session
 * Encryption" and "GSSAPI Session Encryption"). A decode failure is rethrown as a CaptureError
 * keeping the codec's code, with the direction and the byte offset of the message that failed.
 */
import { AUTH_MESSAGE_LIMIT, BackendReader, EncryptionResponse, FrontendCode, FrontendReader, PgStreamError } from '../../codec.js';
import { ErrorCode } from '../../errors.js';
import type { BackendMessage, FrontendMessage } from '../../codec.js';
import { ByteQueue } from './byte-queue.js';
import { CaptureError } from './capture-error.js';
import { guessPasswordKind } from './password-kind.js';
import { startsTlsHandshake } from './session-start.js';

/** Which way the bytes went. */
export type Side = 'frontend' | 'backend';

/** Bytes handed to a reader at a time: bounds the copy a reader makes of a large input. */
const PIECE = 64 * 1024;
const TYPE_BYTE = 1;
const LENGTH_WORD = 4;
const UNTYPED: ReadonlySet<FrontendMessage['type']> = new Set(['StartupMessage', 'SSLRequest', 'GSSENCRequest', 'CancelRequest']);

/** What the server answers an encryption request with. */
export type ResponseKind = 'SSLResponse' | 'GSSENCResponse';

/** The message that TLS or GSSAPI encryption hides a session behind. */
export const ENCRYPTED_MESSAGE = 'the session is TLS-encrypted; capture before TLS or use sslmode=disable';
/** The same for GSSAPI encryption. */
export const GSS_ENCRYPTED_MESSAGE = 'the session is GSSAPI-encrypted; capture before encryption or use gssencmode=disable';

/** A decoded frontend message. */
export interface FrontendItem {
  readonly message: FrontendMessage;
  readonly length: number;
  readonly time: number | undefined;
}

/** A decoded backend message (valid until the next pull), or the one-byte answer to an encryption request. */
export type BackendItem =
  | { readonly kind: 'message'; readonly message: BackendMessage; readonly length: number; readonly time: number | undefined }
  | { readonly kind: 'response'; readonly response: ResponseKind; readonly value: number; readonly time: number | undefined };

/** The codec's error, placed: same code, message prefixed with the direction and offset. */
function placed(side: Side, offset: number, err: unknown): CaptureError {
  if (err instanceof CaptureError) return err;
  const code = err instanceof PgStreamError ? err.code : ErrorCode.MALFORMED_MESSAGE;
  const detail = err instanceof Error ? err.message : String(err);
  return new CaptureError(code, `${side} stream, message at byte offset ${offset}: ${detail}`, { cause: err });
}

/** Describes the message a stream was cut inside of: its type byte and declared length when present. */
function cutShort(side: Side, queue: ByteQueue, offset: number, typed: boolean): CaptureError {
  const present = queue.length - offset;
  const head = queue.peek(offset, TYPE_BYTE + LENGTH_WORD);
  let what = 'a message';
  const lengthAt = typed ? TYPE_BYTE : 0;
  if (head.length >= lengthAt + LENGTH_WORD) {
    const declared = new DataView(head.buffer).getInt32(lengthAt);
    const type = typed ? ` '${String.fromCharCode(head[0]!)}'` : ' startup packet';
    what = `a${type} message of declared length ${declared}`;
  }
  return new CaptureError(ErrorCode.CAPTURE_TRUNCATED, `the ${side} stream ends inside ${what} at byte offset ${offset} (${present} bytes present)`);
}

/** Decodes the client's stream. */
export class FrontendDecoder {
  readonly queue = new ByteQueue();
  private readonly reader: FrontendReader;
  private consumed = 0;
  /** True once the server's Authentication requests say what `p` is; until then it is guessed from the body. */
  private told = false;
  private sawSaslInitial = false;

  /** `startup` false: the capture began after the startup phase, so the stream starts with typed messages. */
  constructor(startup: boolean) {
    this.reader = new FrontendReader({ startup });
  }

  /** What the next `p` message is (the server's Authentication requests decide it). */
  set passwordKind(kind: FrontendReader['passwordKind']) {
    this.reader.passwordKind = kind;
    this.told = true;
  }

  /** The next message, or null until more bytes arrive; throws a CaptureError when the stream does not decode. */
  next(): FrontendItem | null {
    for (;;) {
      if (this.reader.phase === 'startup' && this.reader.buffered === 0) this.refuseTls();
      if (!this.told && this.reader.phase === 'typed') this.guessKind();
      let message: FrontendMessage | null;
      try {
        message = this.reader.next();
      } catch (err) {
        throw placed('frontend', this.consumed, err);
      }
      if (message !== null) {
        const start = this.consumed;
        this.consumed = this.queue.takenOffset - this.reader.buffered;
        const taken = this.consumed - start;
        const time = this.queue.timeAt(this.consumed - 1);
        this.queue.release(this.consumed);
        if (message.type === 'SASLInitialResponse') this.sawSaslInitial = true;
        return { message, length: UNTYPED.has(message.type) ? taken : taken - TYPE_BYTE, time };
      }
      const piece = this.queue.take(PIECE);
      if (piece === null) return null;
      this.reader.push(piece);
    }
  }

  /** Throws the cut-short error when bytes remain that form no whole message. */
  finish(): void {
    if (this.queue.length > this.consumed) throw cutShort('frontend', this.queue, this.consumed, this.reader.phase !== 'startup');
  }

  /** Sets the kind of a whole `p` message waiting at the consumed offset from its body (password-kind.ts). */
  private guessKind(): void {
    const at = this.consumed;
    if (this.queue.byteAt(at) !== FrontendCode.PASSWORD_MESSAGE) return;
    const header = this.queue.peek(at + TYPE_BYTE, LENGTH_WORD);
    if (header.length < LENGTH_WORD) return;
    const length = new DataView(header.buffer).getInt32(0);
    // Only once the whole message is there: looking at a partial body again per chunk would be quadratic.
    if (length < LENGTH_WORD || length > AUTH_MESSAGE_LIMIT || this.queue.length < at + TYPE_BYTE + length) return;
    this.reader.passwordKind = guessPasswordKind(this.queue.peek(at + TYPE_BYTE + LENGTH_WORD, length - LENGTH_WORD), this.sawSaslInitial);
  }

  /** A TLS handshake where a startup packet belongs: direct TLS (sslnegotiation=direct) or TLS after `S`. */
  private refuseTls(): void {
    const at = this.queue.takenOffset;
    if (startsTlsHandshake(this.queue.byteAt(at), this.queue.byteAt(at + 1))) {
      throw new CaptureError(ErrorCode.CAPTURE_ENCRYPTED, `${ENCRYPTED_MESSAGE} (the client starts a TLS handshake at byte offset ${at})`);
    }
  }
}

/** Decodes the server's stream. */
export class BackendDecoder {
  readonly queue = new ByteQueue();
  private readonly reader = new BackendReader();
  private consumed = 0;
  /** Encryption requests the server has yet to answer, oldest first. */
  private readonly awaiting: ResponseKind[] = [];

  /** The client sent SSLRequest or GSSENCRequest: the server's next byte answers it. */
  expectResponse(kind: ResponseKind): void {
    this.awaiting.push(kind);
  }

  /** The next message or encryption response, or null until more bytes arrive. */
  next(): BackendItem | null {
    for (;;) {
      if (this.awaiting.length > 0 && this.reader.buffered === 0) {
        const response = this.response();
        if (response !== undefined) return response;
      }
      let message: BackendMessage | null;
      try {
        message = this.reader.next();
      } catch (err) {
        throw placed('backend', this.consumed, err);
      }
      if (message !== null) {
        const start = this.consumed;
        this.consumed = this.queue.takenOffset - this.reader.buffered;
        const time = this.queue.timeAt(this.consumed - 1);
        this.queue.release(this.consumed);
        return { kind: 'message', message, length: this.consumed - start - TYPE_BYTE, time };
      }
      const room = this.reader.free;
      if (room === 0) throw placed('backend', this.consumed, new Error('the backend reader has no room and no message'));
      const piece = this.queue.take(Math.min(PIECE, room));
      if (piece === null) return null;
      let pushed: number;
      try {
        pushed = this.reader.push(piece);
      } catch (err) {
        throw placed('backend', this.consumed, err);
      }
      if (pushed !== piece.length) throw placed('backend', this.consumed, new Error(`the backend reader took ${pushed} of ${piece.length} bytes it had room for`));
    }
  }

  /** Throws the cut-short error when bytes remain that form no whole message. */
  finish(): void {
    if (this.queue.length > this.consumed) throw cutShort('backend', this.queue, this.consumed, true);
  }

  /**
   * The answer byte to the oldest encryption request; undefined when the byte has not arrived or
   * is an ErrorResponse's type byte (the server refused by error: it is decoded as a message).
   */
  private response(): BackendItem | undefined {
    const at = this.queue.takenOffset;
    const value = this.queue.byteAt(at);
    if (value === undefined) return undefined;
    if (value === EncryptionResponse.ERROR) {
      this.awaiting.length = 0;
      return undefined;
    }
    const response = this.awaiting.shift()!;
    const accept = response === 'SSLResponse' ? EncryptionResponse.ACCEPT : EncryptionResponse.ACCEPT_GSS;
    if (value !== accept && value !== EncryptionResponse.REJECT) {
      throw new CaptureError(ErrorCode.TLS_INVALID_RESPONSE, `backend stream at byte offset ${at}: 0x${value.toString(16).padStart(2, '0')} is not an answer to ${response === 'SSLResponse' ? 'SSLRequest' : 'GSSENCRequest'}`);
    }
    this.queue.take(1);
    this.consumed = at + 1;
    const time = this.queue.timeAt(at);
    this.queue.release(this.consumed);
    return { kind: 'response', response, value, time };
  }
}
