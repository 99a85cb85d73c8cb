/**
 * Small byte helpers shared by the authentication code. Plain `Uint8Array` only (no `Buffer`), so
 * everything under `src/auth` runs unchanged in Node and in browsers.
 */

const encoder = new TextEncoder();

/** Encodes a string as UTF-8 (lone surrogates become U+FFFD, as `TextEncoder` does). */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Concatenates byte arrays into one new array (inputs are not modified). */
export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

const HEX_DIGITS = '0123456789abcdef';

/** Lower-case hexadecimal, as PostgreSQL prints MD5 digests. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX_DIGITS[b >>> 4]! + HEX_DIGITS[b & 0xf]!;
  return s;
}

/**
 * Compares two byte arrays in time that depends only on their lengths, never on where they first
 * differ (so a forged SCRAM server signature cannot be found byte by byte). Different lengths are
 * unequal at once: the expected length is public.
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Overwrites secret material we own once it is no longer needed (best effort in a GC'd runtime). */
export function wipe(...arrays: readonly (Uint8Array | null | undefined)[]): void {
  for (const a of arrays) a?.fill(0);
}

/**
 * The same bytes as a view over a plain `ArrayBuffer`, which is what WebCrypto's `BufferSource`
 * accepts; copies only when the input lives in a `SharedArrayBuffer`.
 */
export function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

/**
 * Renders text that came from the server for an error message: printable ASCII only (anything
 * else becomes `?`) and at most `max` characters, so a hostile server cannot inject control
 * sequences or flood logs through our errors.
 */
export function printable(s: string, max = 200): string {
  let out = '';
  for (const ch of s) {
    if (out.length >= max) return out + '...';
    const c = ch.codePointAt(0)!;
    out += c >= 0x20 && c < 0x7f ? ch : '?';
  }
  return out;
}
