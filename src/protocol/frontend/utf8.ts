/**
 * Writing strings as UTF-8 into a MessageWriter, fast for every length.
 *
 * A JS loop wins for short ASCII strings (no call overhead) but costs a few nanoseconds per
 * character; a native encoder costs about a thousand instructions per call, then almost nothing
 * per character (measured: 256 chars, loop 0.9 µs, Node `utf8Write` 0.1 µs; crossover near 40
 * characters). So: short strings are copied in JS; longer ones go to Node's
 * `Buffer.prototype.utf8Write` when it exists (platform.ts; this still runs in browsers) or to
 * `TextEncoder.encodeInto`. All paths agree byte for byte: a lone surrogate becomes U+FFFD.
 */
import { ClientError, ErrorCode } from '../../errors.js';
import type { MessageWriter } from '../writer.js';
import { nodeByteLength, nodeUtf8Write } from '../../platform.js';
import { putU8, reserve } from './frame.js';
const encoder = new TextEncoder();

/** Below this length the JS loop beats a native call. */
export const SHORT_STRING = 40;
/** Up to this many UTF-16 units the worst case (3 bytes each) is reserved at once. */
const RESERVE_WORST_CASE = 1 << 20;
const MAX_BYTES_PER_UNIT = 3;
const ASCII_MAX = 0x7f;
const CHUNK = 1 << 16;

/** Writes `s` as UTF-8 (no terminator) at the end of `w`; returns the number of bytes written. */
export function writeUtf8(w: MessageWriter, s: string): number {
  const len = s.length;
  const start = w.length;
  if (len < SHORT_STRING) {
    reserve(w, len);
    const buf = w.buf;
    let p = start;
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c > ASCII_MAX) return w.utf8(s);
      buf[p++] = c;
    }
    w.length = p;
    return len;
  }
  if (len <= RESERVE_WORST_CASE) {
    const room = len * MAX_BYTES_PER_UNIT;
    reserve(w, room);
    const n =
      nodeUtf8Write !== undefined
        ? nodeUtf8Write.call(w.buf, s, start, room)
        : encoder.encodeInto(s, w.buf.subarray(start, start + room)).written;
    w.length = start + n;
    return n;
  }
  if (nodeUtf8Write !== undefined && nodeByteLength !== undefined) {
    const n = nodeByteLength(s, 'utf8');
    w.ensure(n);
    w.length = start + nodeUtf8Write.call(w.buf, s, start, n);
    return w.length - start;
  }
  // Huge strings in browsers: encode in chunks rather than reserving three times the length.
  let read = 0;
  while (read < len) {
    w.ensure(Math.max(len - read, CHUNK));
    const r = encoder.encodeInto(read === 0 ? s : s.slice(read), w.buf.subarray(w.length));
    read += r.read;
    w.length += r.written;
  }
  return w.length - start;
}

/** Writes `s` NUL-terminated; a NUL inside `s` is `PGS_NUL_IN_STRING` (the server would truncate). */
export function writeCString(w: MessageWriter, s: string): void {
  if (s.indexOf('\0') !== -1) {
    throw new ClientError(ErrorCode.NUL_IN_STRING, 'a protocol string may not contain a NUL character');
  }
  writeUtf8(w, s);
  putU8(w, 0);
}
