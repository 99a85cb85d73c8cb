/**
 * Big-endian reads of binary field values in place. Fields are views into the reader's memory
 * (WASM linear memory in the fast path), so nothing is copied: small integers are assembled by
 * hand, floats and 64-bit integers go through one DataView cached per backing buffer (rebuilt
 * when the buffer changes, e.g. after WASM memory growth).
 */
import { badLength } from '../value-errors.js';

let cached: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/** A DataView over `bytes.buffer` (index it with `bytes.byteOffset + i`). */
export function viewOf(bytes: Uint8Array): DataView<ArrayBufferLike> {
  if (cached.buffer !== bytes.buffer) cached = new DataView(bytes.buffer);
  return cached;
}

/** Throws `PGS_INVALID_VALUE` unless a fixed-width value has exactly `expected` bytes. */
export function checkLength(type: string, length: number, expected: number): void {
  if (length !== expected) throw badLength(type, length, expected);
}

/** Signed 16-bit big-endian integer at `bytes[i]`. */
export function readInt16(bytes: Uint8Array, i: number): number {
  return (((bytes[i]! << 8) | bytes[i + 1]!) << 16) >> 16;
}

/** Unsigned 16-bit big-endian integer at `bytes[i]`. */
export function readUint16(bytes: Uint8Array, i: number): number {
  return (bytes[i]! << 8) | bytes[i + 1]!;
}

/** Signed 32-bit big-endian integer at `bytes[i]`. */
export function readInt32(bytes: Uint8Array, i: number): number {
  return (bytes[i]! << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!;
}

/** Unsigned 32-bit big-endian integer at `bytes[i]`. */
export function readUint32(bytes: Uint8Array, i: number): number {
  return readInt32(bytes, i) >>> 0;
}

/** Signed 64-bit big-endian integer at `bytes[i]`, as a bigint. */
export function readBigInt64(bytes: Uint8Array, i: number): bigint {
  return viewOf(bytes).getBigInt64(bytes.byteOffset + i);
}
