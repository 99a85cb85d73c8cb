/**
 * The platform module: the one place that looks for Node-only fast paths, so that the codec runs
 * unchanged in browsers. Nothing is imported from Node: `Buffer`'s native string methods are found
 * by feature detection on `globalThis` and are `undefined` elsewhere, where callers fall back to
 * `TextDecoder`/`TextEncoder`. They are native calls: worth it above a few dozen characters.
 */

/** `Buffer.prototype.utf8Slice` / `latin1Slice`: decode `this[start, end)` to a string. */
export type SliceFn = (this: Uint8Array, start: number, end: number) => string;
/** `Buffer.prototype.utf8Write`: encode `s` into `this` at `offset`, at most `length` bytes. */
export type Utf8WriteFn = (this: Uint8Array, s: string, offset: number, length: number) => number;
/** `Buffer.byteLength`: the encoded length of `s`. */
export type ByteLengthFn = (s: string, encoding: string) => number;

interface NodeBuffer {
  prototype: { utf8Slice?: SliceFn; latin1Slice?: SliceFn; utf8Write?: Utf8WriteFn };
  byteLength?: ByteLengthFn;
}

const nodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;

/** Node's native UTF-8 decoder (invalid sequences become U+FFFD), or undefined. */
export const nodeUtf8Slice: SliceFn | undefined = nodeBuffer?.prototype.utf8Slice;
/** Node's native Latin-1 decoder, or undefined. */
export const nodeLatin1Slice: SliceFn | undefined = nodeBuffer?.prototype.latin1Slice;
/** Node's native UTF-8 encoder into a byte array, or undefined. */
export const nodeUtf8Write: Utf8WriteFn | undefined = nodeBuffer?.prototype.utf8Write;
/** Node's native UTF-8 length of a string, or undefined. */
export const nodeByteLength: ByteLengthFn | undefined = nodeBuffer?.byteLength;

/** `setImmediate` (Node) or a zero-delay timer (browsers). */
const later: (fn: () => void) => unknown =
  (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate ?? ((fn) => setTimeout(fn, 0));

/**
 * Resolves after the event loop has had a turn for I/O. A writer whose writes all complete at once
 * (a fast local socket) would otherwise run in microtasks alone and never see what the server says
 * meanwhile (an error in the middle of COPY FROM, RELIABILITY.md case 18).
 */
export function yieldToEvents(): Promise<void> {
  return new Promise<void>((resolve) => {
    later(resolve);
  });
}
