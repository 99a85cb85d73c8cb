/**
 * Framing for the hot encoders (Bind, Parse, Describe, Execute, Sync, …): the writer's own
 * `begin`/`ensure` are calls the JIT does not always inline, and a closure passed to `atomically`
 * is an allocation per message; together they cost more than a small message itself. So the hot
 * encoders reserve with an inline capacity check, write the header by hand, and keep the
 * all-or-nothing contract of `atomically` with an inline mark/rollback.
 */
import type { MessageWriter } from '../writer.js';

/** Type byte + length word. */
export const HEADER_SIZE = 5;
const ASCII_MAX = 0x7f;
const INT32_SIZE = 4;
const INT16_SIZE = 2;

/** Makes room for `n` more bytes, calling the writer only when it must grow. */
export function reserve(w: MessageWriter, n: number): void {
  if (w.length + n > w.buf.length) w.ensure(n);
}

/**
 * Writes a type byte and a length placeholder; returns the offset of the length word, for
 * `w.finish(start)` (which checks the 1 GiB limit and patches the length).
 */
export function beginMessage(w: MessageWriter, code: number): number {
  reserve(w, HEADER_SIZE);
  const at = w.length;
  w.buf[at] = code;
  w.length = at + HEADER_SIZE;
  return at + 1;
}

/** Writes a whole message without a body (Sync, Flush, Terminate, CopyDone): nothing can fail once room is made. */
export function writeEmptyMessage(w: MessageWriter, code: number): void {
  w.finish(beginMessage(w, code));
}

/** Appends an Int32 big-endian (DataView stores compile to a byte swap and one store; four byte stores cost far more). */
export function putI32(w: MessageWriter, v: number): void {
  reserve(w, INT32_SIZE);
  w.view.setInt32(w.length, v);
  w.length += INT32_SIZE;
}

/** Appends a UInt16 big-endian. */
export function putU16(w: MessageWriter, v: number): void {
  reserve(w, INT16_SIZE);
  w.view.setUint16(w.length, v);
  w.length += INT16_SIZE;
}

/** Appends one byte. */
export function putU8(w: MessageWriter, v: number): void {
  reserve(w, 1);
  w.buf[w.length++] = v;
}

/**
 * Writes a statement or portal name as a C string (`null`: the empty name). Short ASCII names, the
 * common case, are copied char by char; anything else goes through `w.cstring`, which also refuses
 * an embedded NUL.
 */
export function writeName(w: MessageWriter, name: string | null): void {
  const n = name === null ? 0 : name.length;
  reserve(w, n + 1);
  const buf = w.buf;
  let p = w.length;
  for (let i = 0; i < n; i++) {
    const c = name!.charCodeAt(i);
    if (c === 0 || c > ASCII_MAX) return w.cstring(name!);
    buf[p++] = c;
  }
  buf[p] = 0;
  w.length = p + 1;
}
