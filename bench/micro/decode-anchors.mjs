// @ts-check
/**
 * The anchors of the in-memory decode benchmarks (decode.mjs): pg-protocol's `Parser`, what `pg`
 * uses (a string per field), and the pure-JS design of js-anchor.mjs at every level it has.
 * Each returns the timed run of one case, its setup done outside the timed part.
 */
import { JsFrameIndex } from './js-anchor.mjs';
import { COLUMN_CAPACITY, INT_OIDS, OID, knownTypes } from './streams.mjs';

/** @import { Run } from '../lib/types.js' */
/** @import { Stream } from './streams.mjs' */
/** @import { BackendMessage, DataRowMessage } from 'pg-protocol/dist/messages.js' */

const PG_EPOCH_MS = 946684800000;
const TWO32 = 4294967296;

// ------------------------------------------------------------------ pg-protocol (anchor)

/**
 * pg-protocol's Parser, a string for every field (its one level). On the binary stream it does what
 * `pg` does with binary results: every field becomes a UTF-8 string all the same.
 * @param {Stream} stream
 * @param {string} level
 * @returns {Promise<Run>}
 */
export async function pgProtocol(stream, level) {
  if (level !== 'strings') throw new Error(`pg-protocol has no "${level}" level`);
  const { Parser } = await import('pg-protocol/dist/parser.js');
  // pg-protocol wants Buffers; make the views once, outside the timed loop.
  const bufs = stream.chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  return () => {
    const parser = new Parser();
    let chars = 0;
    let nulls = 0;
    let rows = 0;
    /** @param {BackendMessage} msg */
    const onMessage = (msg) => {
      if (msg.name !== 'dataRow') return;
      rows++;
      /** @type {(string | null)[]} */
      const fields = /** @type {DataRowMessage} */ (msg).fields;
      for (let i = 0; i < fields.length; i++) {
        const s = fields[i];
        if (s === null) nulls++;
        else chars += s.length;
      }
    };
    for (const b of bufs) parser.parse(b, onMessage);
    return { check: { rows, chars, nulls } };
  };
}

// ------------------------------------------------------------------ pure-JS anchor

/**
 * The type OID of every column of a RowDescription body: Int16 count, then per field: name\0,
 * Int32 table, Int16 attr, Int32 type, Int16 size, Int32 modifier, Int16 format.
 * @param {Uint8Array} body
 * @returns {number[]}
 */
function columnTypes(body) {
  const dv = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const n = dv.getInt16(0);
  const types = [];
  let p = 2;
  for (let i = 0; i < n; i++) {
    while (body[p] !== 0) p++;
    p += 1 + 4 + 2;
    types.push(dv.getInt32(p));
    p += 4 + 2 + 4 + 2;
  }
  return types;
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A binary uuid at `o` in its text form.
 * @param {Uint8Array} buf
 * @param {number} o
 */
function uuidString(buf, o) {
  let s = '';
  for (let k = 0; k < 16; k++) {
    if (k === 4 || k === 6 || k === 8 || k === 10) s += '-';
    s += HEX2[buf[o + k]];
  }
  return s;
}

/**
 * Binary NUMERIC to its text form (numeric.c: get_str_from_var), positive/negative, no NaN/Inf.
 * @param {DataView} dv
 * @param {number} o
 */
function numericString(dv, o) {
  const ndigits = dv.getInt16(o);
  const weight = dv.getInt16(o + 2);
  const sign = dv.getUint16(o + 4);
  const dscale = dv.getUint16(o + 6);
  let s = sign === 0x4000 ? '-' : '';
  if (weight < 0) s += '0';
  for (let d = 0; d <= weight; d++) {
    const digit = d < ndigits ? dv.getInt16(o + 8 + 2 * d) : 0;
    s += d === 0 ? String(digit) : String(digit).padStart(4, '0');
  }
  if (dscale > 0) {
    let frac = '';
    for (let d = weight + 1; frac.length < dscale; d++) {
      const digit = d >= 0 && d < ndigits ? dv.getInt16(o + 8 + 2 * d) : 0;
      frac += String(digit).padStart(4, '0');
    }
    s += `.${frac.slice(0, dscale)}`;
  }
  return s;
}

/**
 * The pure-JS anchor at `level`: index, strings, columnar (text streams) or typed (binary7).
 * @param {Stream} stream
 * @param {string} level
 * @returns {Run}
 */
export function jsAnchor(stream, level) {
  const { chunks } = stream;
  if (level === 'index') {
    return () => {
      const r = new JsFrameIndex();
      let messages = 0;
      let fields = 0;
      for (const c of chunks) { r.push(c); messages += r.scan(false); fields += r.fields; }
      return { check: { messages, fields } };
    };
  }
  if (level === 'strings') {
    if (stream.name === 'binary7') throw new Error('strings level is for text streams');
    return () => {
      const r = new JsFrameIndex();
      let chars = 0;
      let nulls = 0;
      let rows = 0;
      for (const c of chunks) {
        r.push(c);
        r.scan(true);
        if (r.rows === 0) continue;
        rows += r.rows;
        const batch = r.batchString();
        for (let f = 0; f < r.fields; f++) {
          const s = r.text(f, batch);
          if (s === null) nulls++;
          else chars += s.length;
        }
      }
      return { check: { rows, chars, nulls } };
    };
  }
  if (level === 'columnar') {
    if (stream.name === 'binary7') throw new Error('columnar level is for text streams');
    return () => {
      const r = new JsFrameIndex();
      /** @type {number[] | null} */
      let types = null;
      /** @type {(Float64Array | null)[]} */
      let ints = [];
      /** @type {(string | null)[][]} */
      let texts = [];
      let sum = 0;
      let chars = 0;
      let rows = 0;
      for (const c of chunks) {
        r.push(c);
        r.scan(true);
        if (types === null && r.rowDescription) {
          types = columnTypes(r.rowDescription);
          ints = types.map((t) => (INT_OIDS.has(t) ? new Float64Array(COLUMN_CAPACITY) : null));
          texts = types.map((t) => (INT_OIDS.has(t) ? [] : new Array(COLUMN_CAPACITY)));
        }
        const n = r.rows;
        if (n === 0) continue;
        rows += n;
        const batch = r.batchString();
        const width = knownTypes(types).length;
        for (let row = 0; row < n; row++) {
          const f0 = r.rowField[row];
          for (let col = 0; col < width; col++) {
            const intCol = ints[col];
            if (intCol !== null) intCol[row] = r.int(f0 + col);
            else texts[col][row] = r.text(f0 + col, batch);
          }
        }
        // Consume the batch's columns (a real consumer would hand them on here).
        for (let col = 0; col < width; col++) {
          const intCol = ints[col];
          if (intCol !== null) for (let row = 0; row < n; row++) sum += intCol[row];
          else for (let row = 0; row < n; row++) { const s = texts[col][row]; if (s !== null) chars += s.length; }
        }
      }
      return { check: { rows, sum, chars } };
    };
  }
  if (level === 'typed') {
    if (stream.name !== 'binary7') throw new Error('typed level is for the binary stream');
    return () => {
      const r = new JsFrameIndex();
      /** @type {number[] | null} */
      let types = null;
      let rows = 0;
      let sumInt4 = 0;
      let chars = 0;
      let trues = 0;
      for (const c of chunks) {
        r.push(c);
        r.scan(false);
        if (types === null && r.rowDescription) types = columnTypes(r.rowDescription);
        if (r.rows === 0) continue;
        const cols = knownTypes(types);
        const { buf, dv, fieldOff, fieldLen } = r;
        rows += r.rows;
        for (let row = 0; row < r.rows; row++) {
          const f0 = r.rowField[row];
          for (let col = 0; col < cols.length; col++) {
            const f = f0 + col;
            if (fieldLen[f] < 0) continue;
            const o = fieldOff[f];
            switch (cols[col]) {
              case OID.INT4: sumInt4 += dv.getInt32(o); break;
              case OID.INT8: if (dv.getBigInt64(o) < 0n) sumInt4--; break;
              case OID.FLOAT8: if (dv.getFloat64(o) < 0) sumInt4--; break;
              case OID.BOOL: if (buf[o] === 1) trues++; break;
              case OID.TIMESTAMPTZ: {
                const ms = (dv.getInt32(o) * TWO32 + dv.getUint32(o + 4)) / 1000 + PG_EPOCH_MS;
                if (ms < 0) sumInt4--;
                break;
              }
              case OID.UUID: chars += uuidString(buf, o).length; break;
              case OID.NUMERIC: chars += numericString(dv, o).length; break;
              default: throw new Error(`no binary decoder for type ${cols[col]}`);
            }
          }
        }
      }
      return { check: { rows, sumInt4, trues, chars } };
    };
  }
  throw new Error(`unknown level ${level}`);
}
