/**
 * FrontendReader: framing of the byte stream a client sends, for playing the server (test suites,
 * proxies, protocol tools). Pure JS: the server side is never the hot path of this library.
 *
 * The stream starts with untyped startup-phase packets (SSLRequest, GSSENCRequest, CancelRequest,
 * StartupMessage; at most 10000 bytes each, as PostgreSQL allows) and switches to typed messages
 * after the StartupMessage. Every length is checked against a limit for its message type before any
 * room is made for the body, the way PostgreSQL's SocketBackend does (PQ_SMALL_MESSAGE_LIMIT for
 * Sync, Describe and friends; a large limit for Query, Parse, Bind, FunctionCall and CopyData).
 *
 * Decoded messages hold views into the reader's buffer, and stay valid forever: the reader never
 * writes over bytes it has handed out — when it runs out of room it moves the unread tail into a
 * fresh buffer instead of compacting in place.
 */
import { ErrorCode, PgStreamError, ProtocolError } from '../../errors.js';
import { FrontendCode, Limits } from '../codes.js';
import type { FrontendMessage, PasswordKind } from '../messages.js';
import { decodeFrontend, decodeStartupPacket, describeCode, isFrontendCode } from './dispatch.js';
import { invalidArgument } from './checks.js';
import { MAX_STARTUP_PACKET_LENGTH } from './startup-message.js';

/** Options of a FrontendReader. */
export interface FrontendReaderOptions {
  /** Start with untyped startup packets (default true); false reads typed messages from the first byte. */
  startup?: boolean;
  /**
   * Largest Query, Parse, Bind, FunctionCall or CopyData accepted, length word included
   * (default 256 MiB, at most 1 GiB).
   */
  maxMessageLength?: number;
  /** What a `p` message is, until changed through `passwordKind` (default `PasswordMessage`). */
  passwordKind?: PasswordKind;
}

/** Where the reader is in the stream. */
export type FrontendReaderPhase = 'startup' | 'typed' | 'cancelled';

/** Default large-message limit: 256 MiB. */
export const DEFAULT_MAX_FRONTEND_MESSAGE = 256 * 1024 * 1024;
/** PostgreSQL's PQ_SMALL_MESSAGE_LIMIT (libpq/libpq.h): Close, Describe, Execute, Flush, Sync, Terminate, CopyDone, CopyFail. */
export const SMALL_MESSAGE_LIMIT = 10000;
/** PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH (libpq/auth.h): the `p` messages. */
export const AUTH_MESSAGE_LIMIT = 65535;

const LENGTH_WORD = 4;
const TYPE_BYTE = 1;
const HEADER = TYPE_BYTE + LENGTH_WORD;
const STARTUP_CODE_SIZE = 4;
const MIN_CAPACITY = 16 * 1024;

/** Reads frontend messages out of a byte stream pushed in arbitrary chunks. */
export class FrontendReader {
  /** What the next `p` message is: the server sets this as authentication proceeds. */
  passwordKind: PasswordKind;
  private buf = new Uint8Array(0);
  private start = 0;
  private end = 0;
  /** Total length of the message being assembled, once its header has been checked (0: unknown); caps growth. */
  private want = 0;
  private state: FrontendReaderPhase;
  private failure: PgStreamError | null = null;
  private readonly maxLarge: number;

  constructor(options: FrontendReaderOptions = {}) {
    this.state = options.startup === false ? 'typed' : 'startup';
    this.passwordKind = options.passwordKind ?? 'PasswordMessage';
    const max = options.maxMessageLength ?? DEFAULT_MAX_FRONTEND_MESSAGE;
    if (!Number.isInteger(max) || max < LENGTH_WORD || max > Limits.MAX_MESSAGE_LENGTH) {
      throw invalidArgument(`maxMessageLength must be an integer from ${LENGTH_WORD} to ${Limits.MAX_MESSAGE_LENGTH}`);
    }
    this.maxLarge = max;
  }

  /** `startup` until the StartupMessage, then `typed`; `cancelled` after a CancelRequest. */
  get phase(): FrontendReaderPhase {
    return this.state;
  }

  /** Bytes received but not yet returned as messages (after an SSLRequest this must be 0: injected bytes). */
  get buffered(): number {
    return this.end - this.start;
  }

  /**
   * Copies `chunk` in. Call `next()` until it returns null after every push: that is where each
   * length is checked, so the buffer never grows far past one message. Ignored after an error.
   */
  push(chunk: Uint8Array): void {
    const n = chunk.length;
    if (n === 0 || this.failure !== null) return;
    if (this.end + n > this.buf.length) {
      const held = this.end - this.start;
      const needed = held + n;
      // Grow geometrically, so memory follows the bytes that actually arrived and never a length a
      // client merely claimed; but not past the message being assembled when its size is known.
      let cap = Math.max(MIN_CAPACITY, needed, held * 2);
      if (this.want > 0) cap = Math.max(needed, Math.min(cap, this.want));
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(this.start, this.end));
      this.buf = next;
      this.start = 0;
      this.end = held;
    }
    this.buf.set(chunk, this.end);
    this.end += n;
  }

  /**
   * The next complete message, or null when more bytes are needed. Malformed input throws a
   * ProtocolError, and every later call throws it again (the stream cannot be resynchronised).
   */
  next(): FrontendMessage | null {
    if (this.failure !== null) throw this.failure;
    try {
      return this.read();
    } catch (err) {
      this.failure =
        err instanceof PgStreamError ? err : new ProtocolError(ErrorCode.MALFORMED_MESSAGE, 'undecodable frontend message', { cause: err });
      throw this.failure;
    }
  }

  private read(): FrontendMessage | null {
    switch (this.state) {
      case 'startup':
        return this.readStartupPacket();
      case 'typed':
        return this.readTyped();
      case 'cancelled':
        if (this.end > this.start) {
          throw new ProtocolError(ErrorCode.UNEXPECTED_MESSAGE, 'the client sent bytes after a CancelRequest');
        }
        return null;
    }
  }

  private readStartupPacket(): FrontendMessage | null {
    if (this.end - this.start < LENGTH_WORD) return null;
    const len = this.int32(this.start);
    if (len < LENGTH_WORD + STARTUP_CODE_SIZE) {
      throw new ProtocolError(ErrorCode.FRAME_LENGTH_TOO_SHORT, `startup packet length ${len} is too short`);
    }
    if (len - LENGTH_WORD > MAX_STARTUP_PACKET_LENGTH) {
      throw new ProtocolError(ErrorCode.FRAME_TOO_LARGE, `startup packet length ${len} exceeds ${MAX_STARTUP_PACKET_LENGTH}`);
    }
    const body = this.take(len, LENGTH_WORD);
    if (body === null) return null;
    const msg = decodeStartupPacket(body);
    if (msg.type === 'StartupMessage') this.state = 'typed';
    else if (msg.type === 'CancelRequest') this.state = 'cancelled';
    return msg;
  }

  private readTyped(): FrontendMessage | null {
    if (this.end === this.start) return null;
    const code = this.buf[this.start]!;
    if (!isFrontendCode(code)) {
      throw new ProtocolError(ErrorCode.UNKNOWN_MESSAGE, `unknown frontend message type ${describeCode(code)}`);
    }
    if (this.end - this.start < HEADER) return null;
    const len = this.int32(this.start + TYPE_BYTE);
    if (len < LENGTH_WORD) {
      throw new ProtocolError(ErrorCode.FRAME_LENGTH_TOO_SHORT, `frontend message ${describeCode(code)} has length ${len}`);
    }
    const cap = this.limitFor(code);
    if (len > cap) {
      throw new ProtocolError(ErrorCode.FRAME_TOO_LARGE, `frontend message ${describeCode(code)} of ${len} bytes exceeds its limit of ${cap}`);
    }
    const body = this.take(TYPE_BYTE + len, HEADER);
    return body === null ? null : decodeFrontend(code, body, this.passwordKind);
  }

  /** The body of a frame of `total` bytes with a `header`-byte header, or null (remembering the size). */
  private take(total: number, header: number): Uint8Array | null {
    if (this.end - this.start < total) {
      this.want = total;
      return null;
    }
    const body = this.buf.subarray(this.start + header, this.start + total);
    this.start += total;
    this.want = 0;
    return body;
  }

  /** PostgreSQL's per-type length limits (postgres.c SocketBackend, auth.c). */
  private limitFor(code: number): number {
    switch (code) {
      case FrontendCode.QUERY:
      case FrontendCode.PARSE:
      case FrontendCode.BIND:
      case FrontendCode.FUNCTION_CALL:
      case FrontendCode.COPY_DATA:
        return this.maxLarge;
      case FrontendCode.PASSWORD_MESSAGE:
        return AUTH_MESSAGE_LIMIT;
      default:
        return SMALL_MESSAGE_LIMIT;
    }
  }

  private int32(p: number): number {
    const b = this.buf;
    return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
  }
}
