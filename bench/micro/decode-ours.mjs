// @ts-check
/**
 * Our side of the in-memory decode benchmarks (decode.mjs), through the public API of the package
 * entry: the WASM core's scan alone, `BackendReader.next()` with DataRow `text(i)`, `nextRows()`
 * column blocks, Arrow batches built in WASM and typed values through the type codecs (the last
 * two from the compiled modules `conn.batches()` and `run()` use). Each returns the timed run of one case, its setup done outside the timed part.
 */
import { internal, ourExports } from '../lib/ours.mjs';
import { COLUMN_CAPACITY, INT_OIDS, OID, knownTypes } from './streams.mjs';

/** @import { BackendReader } from 'pg-stream' */
/** @import { Run } from '../lib/types.js' */
/** @import { Stream } from './streams.mjs' */

/**
 * The WASM core alone (no message objects): `scan()` frames ≤ 64 KiB per call into its message and
 * field tables (with the batch's all-ASCII answer), exactly as BackendReader drives it. With
 * `copy`, the timed work includes copying each 64 KiB chunk into the core's memory (what push()
 * does with a caller's buffer); without, only the scans are timed: the bytes are where a socket we
 * open puts them (Node's `onread` reads straight into WASM memory), so nothing is copied.
 * @param {Stream} stream
 * @param {boolean} copy
 * @returns {Promise<Run>}
 */
async function oursScan(stream, copy) {
  const { createCore } = await ourExports(['createCore'], ['wasm/core.js']);
  const { Layout, Status } = await internal('wasm/layout.js', ['Layout', 'Status']);
  const { INPUT, INPUT_SIZE, RESULT } = Layout;
  const R = RESULT >> 2;
  const BUDGET = 0x1_0000;
  const core = createCore();
  core.configure(0x1000_0000);
  const mem = core.bytes;
  const words = core.words;
  return () => {
    /** @type {number} */
    let head = INPUT;
    /** @type {number} */
    let tail = INPUT;
    let messages = 0;
    let fields = 0;
    let scanNs = 0n;
    const t0 = process.hrtime.bigint();
    for (const c of stream.chunks) {
      if (head > INPUT) { mem.copyWithin(INPUT, head, tail); tail -= head - INPUT; head = INPUT; }
      if (tail + c.length > INPUT + INPUT_SIZE) throw new Error('input region full');
      mem.set(c, tail);
      tail += c.length;
      const s0 = copy ? 0n : process.hrtime.bigint();
      for (;;) {
        const status = core.scan(head, tail, BUDGET);
        const m = words[R + Layout.RESULT_MESSAGES];
        if (status < 0) throw new Error(`scan status ${status}`);
        if (m === 0) break;
        messages += m;
        fields += words[R + Layout.RESULT_FIELDS];
        head = words[R + Layout.RESULT_STOP];
        if (status === Status.NEED_MORE) break;
      }
      if (!copy) scanNs += process.hrtime.bigint() - s0;
    }
    const ns = copy ? process.hrtime.bigint() - t0 : scanNs;
    return { check: { messages, fields }, selfMs: Number(ns) / 1e6 };
  };
}

/**
 * Delivers every chunk to `reader`, calling `drain()` (which takes the messages, true when it took
 * any) after each; returns the ms to count.
 * - `socket`: as our TCP sockets deliver bytes: they land in `reader.writable()` (Node's `onread`
 *   reads straight into WASM memory) and are committed. Copying a chunk there stands in for the
 *   kernel's copy into a socket buffer, which no decoder's figure includes (pg-protocol's Parser
 *   is handed ready Buffers), so that copy alone is not timed; writable(), commit() and decoding are.
 * - otherwise: `push()` copies from the caller's buffer (TLS and caller-supplied streams), all timed.
 * @param {BackendReader} reader
 * @param {readonly Uint8Array[]} chunks
 * @param {() => boolean} drain
 * @param {boolean} socket
 */
function feed(reader, chunks, drain, socket) {
  const clock = process.hrtime.bigint;
  let untimed = 0n;
  const t0 = clock();
  for (const c of chunks) {
    for (let off = 0; off < c.length; ) {
      let taken;
      if (socket) {
        const room = reader.writable();
        taken = Math.min(room.length, c.length - off);
        const c0 = clock();
        room.set(off === 0 && taken === c.length ? c : c.subarray(off, off + taken));
        untimed += clock() - c0;
        reader.commit(taken);
      } else {
        taken = reader.push(off === 0 ? c : c.subarray(off));
      }
      off += taken;
      if (!drain() && taken === 0) throw new Error('BackendReader took no bytes and returned no message');
    }
  }
  return Number(clock() - t0 - untimed) / 1e6;
}

/**
 * Ours at `level`: scan / scancopy (the core alone), index / strings (as our sockets deliver bytes),
 * index-push / strings-push (through push()), columnar (nextRows() blocks).
 * @param {Stream} stream
 * @param {string} level
 * @returns {Promise<Run>}
 */
export async function ours(stream, level) {
  if (level === 'scan' || level === 'scancopy') return oursScan(stream, level === 'scancopy');
  const { BackendReader, MessageCode } = await ourExports(['BackendReader', 'MessageCode'], ['protocol/backend-reader.js', 'protocol/codes.js']);
  const { DATA_ROW, ROW_DESCRIPTION } = MessageCode;
  const { chunks } = stream;
  // As a user writes it: a pull loop over next() after each chunk (no callback per message).
  const socket = !level.endsWith('-push');
  const base = level.replace(/-push$/, '');
  if (base === 'index') {
    return () => {
      const reader = new BackendReader();
      let messages = 0;
      let fields = 0;
      const selfMs = feed(reader, chunks, () => {
        const before = messages;
        for (let msg = reader.next(); msg !== null; msg = reader.next()) {
          messages++;
          if (msg.code === DATA_ROW) fields += msg.fieldCount;
        }
        return messages > before;
      }, socket);
      return { check: { messages, fields }, selfMs };
    };
  }
  if (base === 'strings') {
    if (stream.name === 'binary7') throw new Error('strings level is for text streams');
    return () => {
      const reader = new BackendReader();
      let chars = 0;
      let nulls = 0;
      let rows = 0;
      let messages = 0;
      const selfMs = feed(reader, chunks, () => {
        const before = messages;
        for (let msg = reader.next(); msg !== null; msg = reader.next()) {
          messages++;
          if (msg.code !== DATA_ROW) continue;
          rows++;
          const n = msg.fieldCount;
          for (let i = 0; i < n; i++) {
            const s = msg.text(i);
            if (s === null) nulls++;
            else chars += s.length;
          }
        }
        return messages > before;
      }, socket);
      return { check: { rows, chars, nulls }, selfMs };
    };
  }
  if (level === 'columnar') {
    if (stream.name === 'binary7') throw new Error('columnar level is for text streams');
    if (typeof BackendReader.prototype.nextRows !== 'function') throw new Error('BackendReader has no nextRows() (column-at-a-time decoding) yet');
    return () => {
      const reader = new BackendReader();
      /** @type {number[] | null} */
      let types = null;
      let rows = 0;
      let sum = 0;
      let chars = 0;
      /** @type {(Int32Array | Float64Array | null)[]} */
      let ints = [];
      /** @type {(string | null)[][]} */
      const texts = [];
      const drain = () => {
        for (;;) {
          const block = reader.nextRows();
          if (block !== null) {
            const n = block.rowCount;
            const width = knownTypes(types).length;
            rows += n;
            for (let col = 0; col < width; col++) {
              const out = ints[col];
              if (out instanceof Int32Array) block.int32(col, out);
              else if (out instanceof Float64Array) block.int64(col, out);
              else block.text(col, texts[col]);
            }
            // Consume the block's columns (a real consumer would hand them on here).
            for (let col = 0; col < width; col++) {
              const intCol = ints[col];
              if (intCol !== null) for (let r = 0; r < n; r++) sum += intCol[r];
              else { const tc = texts[col]; for (let r = 0; r < n; r++) { const v = tc[r]; if (v !== null) chars += v.length; } }
            }
            continue;
          }
          const msg = reader.next();
          if (msg === null) return;
          if (msg.code === ROW_DESCRIPTION) {
            types = msg.fields.map((f) => f.typeOid);
            ints = types.map((t) => (t === OID.INT8 ? new Float64Array(COLUMN_CAPACITY) : INT_OIDS.has(t) ? new Int32Array(COLUMN_CAPACITY) : null));
            for (let col = 0; col < types.length; col++) texts[col] = [];
          }
        }
      };
      for (const c of stream.chunks) {
        let off = 0;
        while (off < c.length) {
          const taken = reader.push(off === 0 ? c : c.subarray(off));
          off += taken;
          drain();
          if (taken === 0 && reader.free === 0) throw new Error('BackendReader is full and returned no message');
        }
      }
      return { check: { rows, sum, chars } };
    };
  }
  if (level === 'arrow') return oursArrow(stream, BackendReader);
  if (level === 'typed') return oursTyped(stream, BackendReader);
  throw new Error(`our library has no public "${level}" decoding API yet`);
}

/**
 * Arrow columns, as `conn.batches()` builds them: runs of DataRows (`nextRows()` blocks, framed as
 * our sockets deliver the bytes) decoded column by column in WASM into Arrow buffers — validity
 * bitmaps, fixed-width values, offsets + UTF-8 data — with no JS value per field
 * (src/types/arrow/column-builder.ts; the columns of each type from src/query/batch-columns.ts).
 * The batches are handed on unrecycled, as `conn.batches()` hands them to its caller.
 * @param {Stream} stream
 * @param {typeof BackendReader} Reader
 * @returns {Promise<Run>}
 */
async function oursArrow(stream, Reader) {
  const { ColumnBatchBuilder } = await internal('types/arrow/column-builder.js', ['ColumnBatchBuilder']);
  const { batchColumns } = await internal('query/batch-columns.js', ['batchColumns']);
  return () => {
    const reader = new Reader();
    /** @type {{ builder: InstanceType<typeof ColumnBatchBuilder> | null }} */
    const open = { builder: null };
    let rows = 0;
    let nulls = 0;
    let dataBytes = 0;
    const take = () => {
      for (let b = open.builder?.takeBatch() ?? null; b !== null; b = open.builder?.takeBatch() ?? null) {
        rows += b[0]?.length ?? 0;
        for (const col of b) {
          nulls += col.nullCount;
          dataBytes += col.data?.length ?? 0;
        }
      }
    };
    const selfMs = feed(reader, stream.chunks, () => {
      let took = false;
      for (;;) {
        const block = open.builder === null ? null : reader.nextRows();
        if (block !== null) {
          open.builder?.appendRows(block);
          took = true;
          take();
          continue;
        }
        const msg = reader.next();
        if (msg === null) break;
        took = true;
        if (msg.type === 'RowDescription') open.builder = new ColumnBatchBuilder(batchColumns(msg.fields).specs);
      }
      return took;
    }, true);
    open.builder?.finish();
    take();
    return { check: { rows, nulls, dataBytes }, selfMs };
  };
}

/**
 * A typed JS value for every field of the binary stream, through the type codecs `run()` and
 * `stream()` use (src/types/registry.ts, default options: int8 → bigint, numeric → exact string,
 * timestamptz → Date, uuid → string), reading each field in place (`fieldOffset`/`fieldLength`).
 * Its checksum is the pure-JS anchor's (decode-anchors.mjs, level typed).
 * @param {Stream} stream
 * @param {typeof BackendReader} Reader
 * @returns {Promise<Run>}
 */
async function oursTyped(stream, Reader) {
  if (stream.name !== 'binary7') throw new Error('typed level is for the binary stream');
  const { TypeRegistry } = await internal('types/registry.js', ['TypeRegistry']);
  const types = new TypeRegistry();
  return () => {
    const reader = new Reader();
    /** @type {((bytes: Uint8Array, start: number, length: number) => unknown)[]} */
    let decoders = [];
    /** @type {number[]} */
    let oids = [];
    let rows = 0;
    let sumInt4 = 0;
    let chars = 0;
    let trues = 0;
    const selfMs = feed(reader, stream.chunks, () => {
      let took = false;
      for (let msg = reader.next(); msg !== null; msg = reader.next()) {
        took = true;
        if (msg.type === 'RowDescription') {
          oids = msg.fields.map((f) => f.typeOid);
          decoders = oids.map((oid) => types.binaryDecoder(oid));
          continue;
        }
        if (msg.type !== 'DataRow') continue;
        rows++;
        const buf = msg.buffer;
        for (let col = 0; col < decoders.length; col++) {
          const len = msg.fieldLength(col);
          if (len < 0) continue;
          const v = decoders[col](buf, msg.fieldOffset(col), len);
          switch (oids[col]) {
            case OID.INT4: sumInt4 += /** @type {number} */ (v); break;
            case OID.INT8: if (/** @type {bigint} */ (v) < 0n) sumInt4--; break;
            case OID.FLOAT8: if (/** @type {number} */ (v) < 0) sumInt4--; break;
            case OID.BOOL: if (v === true) trues++; break;
            case OID.TIMESTAMPTZ: if (/** @type {Date} */ (v).getTime() < 0) sumInt4--; break;
            case OID.UUID: case OID.NUMERIC: chars += /** @type {string} */ (v).length; break;
            default: throw new Error(`no binary decoder for type ${oids[col]}`);
          }
        }
      }
      return took;
    }, true);
    return { check: { rows, sumInt4, chars, trues }, selfMs };
  };
}
