// @ts-check
/**
 * "Equally optimised JS": the planning prototype's pure-JS design (PERFORMANCE.md), kept as an
 * anchor so readers see what the WASM core buys over the best plain JavaScript.
 *
 * Design: copy each socket chunk into one reused buffer; one pass frames every complete message
 * (DataView for the big-endian lengths) and records each DataRow field's offset, length and an
 * ASCII flag in typed arrays; strings are then made from ONE latin1 string per scanned batch
 * (`substring` per short ASCII field, `utf8Slice` per non-ASCII or long field) — never a
 * TextDecoder per field.
 * Node-only (Buffer's latin1Slice/utf8Slice), like the prototype.
 */

const DATA_ROW = 'D'.charCodeAt(0);
const ROW_DESCRIPTION = 'T'.charCodeAt(0);
const HEADER = 5; // type byte + Int32 length
/** Longer fields skip the ASCII scan and go straight to utf8Slice (SIMD in V8 beats a JS byte loop). */
const SHORT_FIELD = 64;
const MINUS = '-'.charCodeAt(0);
const ZERO = '0'.charCodeAt(0);

/** Framer + DataRow field index over a stream of chunks. */
export class JsFrameIndex {
  /** @param {number} [capacity] buffer size (grow() doubles it for a longer message) */
  constructor(capacity = 256 * 1024) {
    this.start = 0; // first unscanned byte
    this.end = 0; // end of buffered bytes
    this.buf = Buffer.allocUnsafe(capacity);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, capacity);
    // The index of one scan(), sized for its upper bounds: a message is ≥ 5 bytes, a field ≥ 4.
    this.msgCode = new Uint8Array((capacity / HEADER) | 0); // type byte per message
    this.msgBody = new Int32Array(this.msgCode.length); // body offset per message
    this.rowField = new Int32Array(this.msgCode.length + 1); // first field index per DataRow
    this.fieldOff = new Int32Array((capacity / 4) | 0); // offset of each field's bytes
    this.fieldLen = new Int32Array(this.fieldOff.length); // length of each field, -1 for NULL
    this.fieldAscii = new Uint8Array(this.fieldOff.length); // 1: short and all ASCII
    this.messages = 0; // messages found by the last scan()
    this.rows = 0; // DataRows found by the last scan()
    this.fields = 0; // fields indexed by the last scan()
    this.batchStart = 0; // the bytes the last scan() covered: [batchStart, batchEnd)
    this.batchEnd = 0;
    /** Body of the last RowDescription seen, for callers. @type {Buffer | null} */
    this.rowDescription = null;
  }

  /**
   * Takes a buffer of `capacity` bytes (keeping the unscanned ones) and the tables for a scan of it.
   * @param {number} capacity
   */
  grow(capacity) {
    const next = new JsFrameIndex(capacity);
    this.buf.copy(next.buf, 0, this.start, this.end);
    this.end -= this.start;
    this.start = 0;
    this.buf = next.buf;
    this.dv = next.dv;
    this.msgCode = next.msgCode;
    this.msgBody = next.msgBody;
    this.rowField = next.rowField;
    this.fieldOff = next.fieldOff;
    this.fieldLen = next.fieldLen;
    this.fieldAscii = next.fieldAscii;
  }

  /**
   * Copies a chunk in (compacting the unscanned tail to the front first).
   * @param {Uint8Array} chunk
   */
  push(chunk) {
    if (this.start > 0) {
      this.buf.copyWithin(0, this.start, this.end);
      this.end -= this.start;
      this.start = 0;
    }
    if (this.end + chunk.length > this.buf.length) this.grow(Math.max(this.buf.length * 2, this.end + chunk.length));
    this.buf.set(chunk, this.end);
    this.end += chunk.length;
  }

  /**
   * Frames every complete message and indexes DataRow fields; returns the message count.
   * @param {boolean} [ascii] flag short all-ASCII fields (for text(); off when only indexing)
   */
  scan(ascii = true) {
    const { buf, dv, msgCode, msgBody, rowField, fieldOff, fieldLen, fieldAscii } = this;
    let pos = this.start;
    const end = this.end;
    let m = 0;
    let f = 0;
    let rows = 0;
    this.batchStart = pos;
    while (pos + HEADER <= end) {
      const len = dv.getInt32(pos + 1);
      const next = pos + 1 + len;
      if (len < 4) throw new Error('malformed message length');
      if (next > end) break; // incomplete: push() grows the buffer if the message needs it
      const code = buf[pos];
      msgCode[m] = code;
      msgBody[m] = pos + HEADER;
      if (code === DATA_ROW) {
        rowField[rows++] = f;
        const n = dv.getInt16(pos + HEADER);
        let p = pos + HEADER + 2;
        for (let i = 0; i < n; i++) {
          const flen = dv.getInt32(p);
          p += 4;
          fieldOff[f] = p;
          fieldLen[f] = flen;
          let bits = 0;
          if (flen > 0) {
            if (!ascii || flen > SHORT_FIELD) bits = 0x80;
            else for (let k = p; k < p + flen; k++) bits |= buf[k];
            p += flen;
          }
          fieldAscii[f++] = bits < 0x80 ? 1 : 0;
        }
        if (p !== next) throw new Error('malformed DataRow');
      } else if (code === ROW_DESCRIPTION) {
        this.rowDescription = this.buf.subarray(pos + HEADER, next);
      }
      m++;
      pos = next;
    }
    rowField[rows] = f;
    this.start = pos;
    this.batchEnd = pos;
    this.messages = m;
    this.rows = rows;
    this.fields = f;
    return m;
  }

  /** One latin1 string covering the last scanned batch (the basis of every ASCII field string). */
  batchString() {
    return this.buf.latin1Slice(this.batchStart, this.batchEnd);
  }

  /**
   * The string of indexed field `f` (null for NULL), given the batch string.
   * @param {number} f
   * @param {string} batch
   */
  text(f, batch) {
    const len = this.fieldLen[f];
    if (len < 0) return null;
    const off = this.fieldOff[f];
    if (this.fieldAscii[f] === 1) return batch.substring(off - this.batchStart, off - this.batchStart + len);
    return this.buf.utf8Slice(off, off + len);
  }

  /**
   * Parses indexed field `f` (ASCII decimal digits, optional sign) as an integer; NaN for NULL.
   * @param {number} f
   */
  int(f) {
    const len = this.fieldLen[f];
    if (len < 0) return NaN;
    const buf = this.buf;
    let p = this.fieldOff[f];
    const e = p + len;
    const neg = buf[p] === MINUS;
    if (neg) p++;
    let v = 0;
    for (; p < e; p++) v = v * 10 + (buf[p] - ZERO);
    return neg ? -v : v;
  }
}
