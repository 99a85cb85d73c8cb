/**
 * Buffer's native string decoders that @types/node leaves undeclared (lib/buffer.js of Node
 * defines them on Buffer.prototype; `toString('latin1', …)` calls them after argument checks).
 * The pure-JS anchor (bench/micro/js-anchor.mjs) calls them directly, as the prototype did.
 */
declare global {
  interface Buffer {
    /** Bytes [start, end) as Latin-1 characters, one per byte. */
    latin1Slice(start: number, end: number): string;
    /** Bytes [start, end) decoded as UTF-8 (invalid sequences become U+FFFD). */
    utf8Slice(start: number, end: number): string;
  }
}

export {};
