/**
 * Message boundaries for the PGlite transport. PGlite's backend reads its input from the bytes of
 * one call: a message cut in two across calls would be read short (and a short read inside COPY
 * ends the backend). So frontend bytes are cut into whole messages first (`FrontendFramer`), and
 * the backend's answers are scanned (`backendMessages`) to see what the server did: started a COPY
 * FROM STDIN, finished with which transaction status.
 * https://www.postgresql.org/docs/current/protocol-overview.html#PROTOCOL-MESSAGE-CONCEPTS
 */
import { ProtocolError, ErrorCode } from '../../errors.js';
import { Limits, MessageCode } from '../../protocol/codes.js';
import { decodeUtf8 } from '../../protocol/text.js';

/** The length word of every message (it counts itself). */
const LENGTH_WORD = 4;
/** The type byte of a typed message. */
const TYPE_BYTE = 1;
/** The request code (protocol version, SSLRequest, …) after an untyped packet's length word. */
const REQUEST_CODE = 4;
/** A typed message's header: its type byte and length word. */
const TYPED_HEADER = TYPE_BYTE + LENGTH_WORD;
/** An untyped (startup-phase) packet's header: its length word and request code. */
const UNTYPED_HEADER = LENGTH_WORD + REQUEST_CODE;
/** The framer's first buffer size. */
const MIN_CAPACITY = 4096;

/** One complete frontend message (or startup-phase packet). */
export interface FrontendFrame {
  /** The type byte; 0 for an untyped startup-phase packet. */
  readonly type: number;
  /** The whole message, header included. */
  readonly bytes: Uint8Array;
  /** The request code of an untyped packet (protocol version, SSLRequest, …); 0 for typed ones. */
  readonly code: number;
}

/** Accumulates frontend bytes and hands out whole messages. */
export class FrontendFramer {
  #buf = new Uint8Array(0);
  #start = 0;
  #end = 0;
  /** The next packet is untyped (the startup phase: StartupMessage, SSLRequest, GSSENCRequest, CancelRequest). */
  untyped = true;

  /** Bytes held that do not yet make a whole message. */
  get pending(): number {
    return this.#end - this.#start;
  }

  /** Appends `data` (copied). */
  push(data: Uint8Array): void {
    const held = this.#end - this.#start;
    if (this.#end + data.length > this.#buf.length) {
      if (held + data.length <= this.#buf.length) {
        this.#buf.copyWithin(0, this.#start, this.#end);
      } else {
        const next = new Uint8Array(Math.max(2 * this.#buf.length, held + data.length, MIN_CAPACITY));
        next.set(this.#buf.subarray(this.#start, this.#end));
        this.#buf = next;
      }
      this.#start = 0;
      this.#end = held;
    }
    this.#buf.set(data, this.#end);
    this.#end += data.length;
  }

  /** The next whole message (a copy), or null until more bytes arrive. Throws on a malformed length. */
  next(): FrontendFrame | null {
    const held = this.#end - this.#start;
    const header = this.untyped ? UNTYPED_HEADER : TYPED_HEADER;
    if (held < header) return null;
    const view = new DataView(this.#buf.buffer, this.#buf.byteOffset + this.#start, held);
    const typeLength = this.untyped ? 0 : TYPE_BYTE;
    const length = view.getInt32(typeLength);
    const minimum = this.untyped ? UNTYPED_HEADER : LENGTH_WORD;
    if (length < minimum || length > Limits.MAX_MESSAGE_LENGTH) {
      throw new ProtocolError(ErrorCode.MALFORMED_MESSAGE, `a frontend message declares an impossible length (${length})`);
    }
    const total = typeLength + length;
    if (held < total) return null;
    const bytes = this.#buf.slice(this.#start, this.#start + total);
    this.#start += total;
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return this.untyped ? { type: 0, bytes, code: view.getInt32(LENGTH_WORD) } : { type: bytes[0]!, bytes, code: 0 };
  }
}

/** Where one backend message lies in an answer. */
export interface BackendSpan {
  readonly type: number;
  /** Offset of the type byte. */
  readonly start: number;
  /** Offset just past the message. */
  readonly end: number;
}

/** The messages of a backend answer (PGlite's answers hold whole messages only). */
export function backendMessages(answer: Uint8Array): BackendSpan[] {
  const spans: BackendSpan[] = [];
  const view = new DataView(answer.buffer, answer.byteOffset, answer.byteLength);
  let at = 0;
  while (at + TYPED_HEADER <= answer.length) {
    const end = at + TYPE_BYTE + view.getInt32(at + TYPE_BYTE);
    if (end < at + TYPED_HEADER || end > answer.length) break;
    spans.push({ type: answer[at]!, start: at, end });
    at = end;
  }
  return spans;
}

/** The transaction status byte of the last ReadyForQuery in `answer`, or null when it has none. */
export function lastTransactionStatus(answer: Uint8Array, spans: readonly BackendSpan[]): number | null {
  for (let i = spans.length - 1; i >= 0; i--) {
    const s = spans[i]!;
    if (s.type === MessageCode.READY_FOR_QUERY) return answer[s.start + TYPED_HEADER]!;
  }
  return null;
}

/** The command tags of the CommandComplete messages in `answer`. */
export function commandTags(answer: Uint8Array, spans: readonly BackendSpan[]): string[] {
  return spans
    .filter((s) => s.type === MessageCode.COMMAND_COMPLETE)
    .map((s) => decodeUtf8(answer, s.start + TYPED_HEADER, s.end - 1));
}

/** The SQL of a Query message (its body is one NUL-terminated string). */
export function querySql(frame: FrontendFrame): string {
  return decodeUtf8(frame.bytes, TYPED_HEADER, frame.bytes.length - 1);
}

/** Counts the messages of a type among `frames`. */
export function countFrames(frames: readonly FrontendFrame[], type: number): number {
  let n = 0;
  for (const f of frames) if (f.type === type) n++;
  return n;
}

/** Concatenates byte arrays into one new array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
