// @ts-check
/**
 * The slice of Node's `Buffer` that pg-protocol's `Parser` calls (allocUnsafe, copy, slice,
 * readInt16BE / readInt32BE / readUInt32BE, toString(encoding, start, end)), for the browser
 * benchmark only. A browser has no `Buffer`; a bundler user supplies a polyfill (the `buffer` npm
 * package, which this repository does not install). esbuild's `inject` puts this class wherever the
 * bundled pg-protocol says `Buffer`. Strings: short ASCII ranges become char codes directly (what JS
 * Buffer polyfills do, and cheaper than a TextDecoder call per field), anything else goes through
 * `TextDecoder`, as our own browser build does (src/protocol/text.ts) — the shim does not hold
 * pg-protocol back.
 */

const utf8 = new TextDecoder('utf-8');
/** Ranges up to this long take the ASCII path when they are ASCII (a TextDecoder call costs more). */
const SHORT = 64;
/** Bytes from here on are not ASCII. */
const ASCII_END = 0x80;

/** A Uint8Array with the Node Buffer methods pg-protocol uses. */
class BrowserBuffer extends Uint8Array {
  /** @param {number} size */
  static allocUnsafe(size) {
    return new BrowserBuffer(size);
  }

  /**
   * A Buffer over the same memory (as Node's Buffer.from(arrayBuffer, offset, length)).
   * @param {ArrayBuffer} buffer
   * @param {number} [offset]
   * @param {number} [length]
   */
  static fromMemory(buffer, offset = 0, length = buffer.byteLength - offset) {
    return new BrowserBuffer(buffer, offset, length);
  }

  /**
   * Copies `this[start, end)` into `target` at `targetStart`; returns the bytes copied.
   * @param {Uint8Array} target
   * @param {number} [targetStart]
   * @param {number} [start]
   * @param {number} [end]
   */
  copy(target, targetStart = 0, start = 0, end = this.length) {
    target.set(this.subarray(start, end), targetStart);
    return end - start;
  }

  /**
   * A view, like Node's (not a copy, unlike Uint8Array's slice).
   * @override
   * @param {number} [start]
   * @param {number} [end]
   * @returns {BrowserBuffer}
   */
  slice(start, end) {
    return /** @type {BrowserBuffer} */ (this.subarray(start, end));
  }

  /** @param {number} offset */
  readInt16BE(offset) {
    return ((this[offset] << 24) | (this[offset + 1] << 16)) >> 16;
  }

  /** @param {number} offset */
  readInt32BE(offset) {
    return (this[offset] << 24) | (this[offset + 1] << 16) | (this[offset + 2] << 8) | this[offset + 3];
  }

  /** @param {number} offset */
  readUInt32BE(offset) {
    return this.readInt32BE(offset) >>> 0;
  }

  /**
   * UTF-8 text of `this[start, end)` (the encoding argument is always utf-8 in pg-protocol).
   * @override
   * @param {string} [_encoding]
   * @param {number} [start]
   * @param {number} [end]
   */
  toString(_encoding, start = 0, end = this.length) {
    if (end - start <= SHORT) {
      // Short ASCII (most fields): char codes straight from the bytes, as JS Buffer polyfills do.
      let ascii = true;
      for (let i = start; i < end; i++) if (this[i] >= ASCII_END) { ascii = false; break; }
      if (ascii) return String.fromCharCode.apply(null, /** @type {number[]} */ (/** @type {unknown} */ (this.subarray(start, end))));
    }
    return utf8.decode(this.subarray(start, end));
  }
}

export { BrowserBuffer as Buffer };
