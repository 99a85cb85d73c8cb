/**
 * MessageWriter: the growable byte buffer every encoder writes into (the seed's `BufMut`).
 *
 * Messages are written as "begin (type byte + length placeholder), body, finish (patch the length,
 * check the limit)", the way pgx does it. An encoder that fails part-way rolls back to its `mark()`,
 * so a typed error always leaves the buffer exactly as it was: nothing half-written is ever sent.
 * Only `Uint8Array`/`DataView`: this module runs in browsers too.
 *
 * `utf8()` is the library's one UTF-8 writer, fast for every length: a JS loop wins for short ASCII
 * strings (no call overhead) but costs a few nanoseconds per character; a native encoder costs
 * about a thousand instructions per call, then almost nothing per character (measured: 256 chars,
 * loop 0.9 µs, Node `utf8Write` 0.1 µs; crossover near 40 characters). So short strings are copied
 * in JS; longer ones go to Node's `Buffer.prototype.utf8Write` when it exists (src/platform.ts) or
 * to `TextEncoder.encodeInto`. All paths agree byte for byte: a lone surrogate becomes U+FFFD.
 */
import { ClientError, ErrorCode } from '../errors.js';
import { nodeByteLength, nodeUtf8Write } from '../platform.js';
import { Limits } from './codes.js';

const encoder = new TextEncoder();

/** Below this length the JS loop beats a native call. */
export const SHORT_STRING = 40;
/** Up to this many UTF-16 units the worst case (3 bytes each) is reserved at once. */
const RESERVE_WORST_CASE = 1 << 20;
const MAX_BYTES_PER_UNIT = 3;
const ASCII_MAX = 0x7f;
/** Chunk size for huge strings in browsers (no native byte length to reserve exactly). */
const CHUNK = 1 << 16;

/** A growable output buffer for protocol messages. */
export class MessageWriter {
  /** The backing store; only `[0, length)` holds written bytes. Replaced when the buffer grows. */
  buf: Uint8Array;
  /** A DataView over `buf`, rebuilt with it. */
  view: DataView;
  /** Number of bytes written. */
  length = 0;

  constructor(initialCapacity = 8192) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Position to roll back to if the message being written turns out to be invalid. */
  mark(): number {
    return this.length;
  }

  /** Discards everything written after `mark`. */
  rollback(mark: number): void {
    this.length = mark;
  }

  /** Writes a type byte and a length placeholder; returns the offset of the length field. */
  begin(code: number): number {
    this.ensure(5);
    this.buf[this.length] = code;
    const start = this.length + 1;
    this.length += 5;
    return start;
  }

  /** Starts an untyped startup-phase packet (length placeholder only). */
  beginUntyped(): number {
    this.ensure(4);
    const start = this.length;
    this.length += 4;
    return start;
  }

  /**
   * Patches the length at `start` (which counts itself) after checking the 1 GiB limit. Callers
   * write inside `atomically()`, which rolls the whole message back when this throws.
   */
  finish(start: number): void {
    const len = this.length - start;
    if (len > Limits.MAX_MESSAGE_LENGTH) {
      throw new ClientError(ErrorCode.MESSAGE_TOO_LARGE, `message of ${len} bytes exceeds the 1 GiB protocol limit`);
    }
    this.view.setInt32(start, len);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v;
  }

  i16(v: number): void {
    this.ensure(2);
    this.view.setInt16(this.length, v);
    this.length += 2;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.length, v);
    this.length += 2;
  }

  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.length, v);
    this.length += 4;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, v);
    this.length += 4;
  }

  i64(v: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.length, v);
    this.length += 8;
  }

  f32(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.length, v);
    this.length += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, v);
    this.length += 8;
  }

  /** Copies raw bytes. */
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Writes `s` as UTF-8 without a terminator; returns the number of bytes written. */
  utf8(s: string): number {
    const len = s.length;
    const start = this.length;
    if (len < SHORT_STRING) {
      if (start + len > this.buf.length) this.ensure(len);
      const buf = this.buf;
      let p = start;
      let i = 0;
      for (; i < len; i++) {
        const c = s.charCodeAt(i);
        if (c > ASCII_MAX) break;
        buf[p++] = c;
      }
      if (i === len) {
        this.length = p;
        return len;
      }
    }
    if (len <= RESERVE_WORST_CASE) {
      const room = len * MAX_BYTES_PER_UNIT;
      if (start + room > this.buf.length) this.ensure(room);
      const n = nodeUtf8Write !== undefined
        ? nodeUtf8Write.call(this.buf, s, start, room)
        : encoder.encodeInto(s, this.buf.subarray(start, start + room)).written;
      this.length = start + n;
      return n;
    }
    if (nodeUtf8Write !== undefined && nodeByteLength !== undefined) {
      const n = nodeByteLength(s, 'utf8');
      this.ensure(n);
      this.length = start + nodeUtf8Write.call(this.buf, s, start, n);
      return this.length - start;
    }
    // Huge strings in browsers: encode in chunks rather than reserving three times the length.
    let read = 0;
    while (read < len) {
      this.ensure(Math.max(len - read, CHUNK));
      const r = encoder.encodeInto(read === 0 ? s : s.slice(read), this.buf.subarray(this.length));
      read += r.read;
      this.length += r.written;
    }
    return this.length - start;
  }

  /** Writes a NUL-terminated string; a NUL inside `s` is a ClientError (the server would truncate). */
  cstring(s: string): void {
    if (s.indexOf('\0') !== -1) {
      throw new ClientError(ErrorCode.NUL_IN_STRING, 'a protocol string may not contain a NUL character');
    }
    this.utf8(s);
    this.u8(0);
  }

  /** The written bytes as a view (no copy): valid until the next write or `clear()`. */
  written(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  /** A copy of the written bytes. */
  toBytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  /** Forgets everything written, keeping the allocation. */
  clear(): void {
    this.length = 0;
  }
}

/** Runs `write` as one all-or-nothing unit: on any error the writer is rolled back, then it rethrows. */
export function atomically<T>(w: MessageWriter, write: () => T): T {
  const mark = w.length;
  try {
    return write();
  } catch (err) {
    w.rollback(mark);
    throw err;
  }
}
