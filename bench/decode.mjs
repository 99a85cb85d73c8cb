/**
 * In-memory decode micro benchmarks (PERFORMANCE.md, suite 1). One process runs ONE case:
 *
 *   node --expose-gc bench/decode.mjs --case rows5:ours:strings [--rows N] [--iters K] [--warmup W]
 *
 * A case is stream:implementation:level.
 *   streams: rows5, rows5_utf8, text1k, cols40, binary7 (bench/streams.mjs)
 *   implementations: ours (dist/: BackendReader + DataRow views), js (bench/js-anchor.mjs, the
 *     "equally optimised JS" design), pgprotocol (pg-protocol's Parser, what `pg` uses)
 *   levels: scan (ours only: the WASM core framing + field index of bytes already in its memory,
 *     as our sockets deliver them, no JS objects), scancopy (the same, timing the copy of each
 *     chunk into its memory too, as push() does with a caller's buffer), index (frame +
 *     field index through the public API, no strings), strings (a string for every field);
 *     ours: index and strings take bytes as our sockets deliver them (see `feed`), index-push and
 *     strings-push through push() from the caller's buffers,
 *     columnar (integer columns into typed arrays, text columns as strings), typed (a typed JS
 *     value for every field of a binary-format stream)
 * It prints one JSON line (see lib.mjs) with the timed runs and a checksum that run.mjs compares
 * across implementations of the same stream and level, so a fast wrong decoder cannot win.
 */
import { JsFrameIndex } from './js-anchor.mjs';
import { ourExports, parseArgs, report, requireOurs, timeRuns, unavailable } from './lib.mjs';
import { OID, makeStream } from './streams.mjs';

const DATA_ROW = 'D'.charCodeAt(0);
const INT_OIDS = new Set([OID.INT4, OID.INT8, 21 /* int2 */]);
const PG_EPOCH_MS = 946684800000;
const TWO32 = 4294967296;

// ------------------------------------------------------------------ pg-protocol (anchor)

async function pgProtocol(stream, level) {
  if (level !== 'strings') throw new Error(`pg-protocol has no "${level}" level`);
  if (stream.name === 'binary7') throw new Error('pg-protocol Parser has no binary mode');
  const { Parser } = await import('pg-protocol/dist/parser.js');
  // pg-protocol wants Buffers; make the views once, outside the timed loop.
  const bufs = stream.chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  return () => {
    const parser = new Parser();
    let chars = 0;
    let nulls = 0;
    let rows = 0;
    const onMessage = (msg) => {
      if (msg.name !== 'dataRow') return;
      rows++;
      const fields = msg.fields;
      for (let i = 0; i < fields.length; i++) {
        const s = fields[i];
        if (s === null) nulls++;
        else chars += s.length;
      }
    };
    for (const b of bufs) parser.parse(b, onMessage);
    return { rows, chars, nulls };
  };
}

// ------------------------------------------------------------------ pure-JS anchor

function columnTypes(body) {
  // RowDescription body: Int16 count, then per field: name\0, Int32 table, Int16 attr, Int32 type, ...
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

function uuidString(buf, o) {
  let s = '';
  for (let k = 0; k < 16; k++) {
    if (k === 4 || k === 6 || k === 8 || k === 10) s += '-';
    s += HEX2[buf[o + k]];
  }
  return s;
}

/** Binary NUMERIC to its text form (numeric.c: get_str_from_var), positive/negative, no NaN/Inf. */
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

function jsAnchor(stream, level) {
  const { chunks } = stream;
  if (level === 'index') {
    return () => {
      const r = new JsFrameIndex();
      let messages = 0;
      let fields = 0;
      for (const c of chunks) { r.push(c); messages += r.scan(false); fields += r.fields; }
      return { messages, fields };
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
      return { rows, chars, nulls };
    };
  }
  if (level === 'columnar') {
    if (stream.name === 'binary7') throw new Error('columnar level is for text streams');
    return () => {
      const r = new JsFrameIndex();
      let types = null;
      let ints = [];
      let texts = [];
      let sum = 0;
      let chars = 0;
      let rows = 0;
      for (const c of chunks) {
        r.push(c);
        r.scan(true);
        if (types === null && r.rowDescription) {
          types = columnTypes(r.rowDescription);
          ints = types.map((t) => (INT_OIDS.has(t) ? new Float64Array(16384) : null));
          texts = types.map((t) => (INT_OIDS.has(t) ? null : new Array(16384)));
        }
        const n = r.rows;
        if (n === 0) continue;
        rows += n;
        const batch = r.batchString();
        const width = types.length;
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
      return { rows, sum, chars };
    };
  }
  if (level === 'typed') {
    if (stream.name !== 'binary7') throw new Error('typed level is for the binary stream');
    return () => {
      const r = new JsFrameIndex();
      let types = null;
      let rows = 0;
      let sumInt4 = 0;
      let chars = 0;
      let trues = 0;
      for (const c of chunks) {
        r.push(c);
        r.scan(false);
        if (types === null && r.rowDescription) types = columnTypes(r.rowDescription);
        const { buf, dv, fieldOff, fieldLen } = r;
        rows += r.rows;
        for (let row = 0; row < r.rows; row++) {
          const f0 = r.rowField[row];
          for (let col = 0; col < types.length; col++) {
            const f = f0 + col;
            if (fieldLen[f] < 0) continue;
            const o = fieldOff[f];
            switch (types[col]) {
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
              default: throw new Error(`no binary decoder for type ${types[col]}`);
            }
          }
        }
      }
      return { rows, sumInt4, trues, chars };
    };
  }
  throw new Error(`unknown level ${level}`);
}

// ------------------------------------------------------------------ ours (dist/)

/**
 * The WASM core alone (no message objects): `scan()` frames ≤ 64 KiB per call into its message and
 * field tables (with the batch's all-ASCII answer), exactly as BackendReader drives it. With
 * `copy`, the timed work includes copying each 64 KiB chunk into the core's memory (what push()
 * does with a caller's buffer); without, only the scans are timed: the bytes are where a socket we
 * open puts them (Node's `onread` reads straight into WASM memory), so nothing is copied.
 */
async function oursScan(stream, copy) {
  const { createCore } = await ourExports(['createCore'], 'wasm/core.js');
  const { Layout, Status } = await requireOurs('wasm/layout.js', ['Layout', 'Status']);
  const { INPUT, INPUT_SIZE, RESULT } = Layout;
  const R = RESULT >> 2;
  const BUDGET = 0x1_0000;
  const core = createCore();
  core.configure(0x1000_0000);
  const mem = core.bytes;
  const words = core.words;
  return () => {
    let head = INPUT;
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

async function ours(stream, level) {
  if (level === 'scan' || level === 'scancopy') return oursScan(stream, level === 'scancopy');
  const { BackendReader } = await ourExports(['BackendReader'], 'protocol/frame-reader.js');
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
      let types = null;
      let rows = 0;
      let sum = 0;
      let chars = 0;
      let ints = [];
      const texts = [];
      const drain = () => {
        for (;;) {
          const block = reader.nextRows();
          if (block !== null) {
            const n = block.rowCount;
            rows += n;
            for (let col = 0; col < types.length; col++) {
              const t = types[col];
              if (t === OID.INT4 || t === 21) block.int32(col, ints[col]);
              else if (t === OID.INT8) block.int64(col, ints[col]);
              else block.text(col, texts[col]);
            }
            // Consume the block's columns (a real consumer would hand them on here).
            for (let col = 0; col < types.length; col++) {
              const intCol = ints[col];
              if (intCol !== null) for (let r = 0; r < n; r++) sum += intCol[r];
              else { const tc = texts[col]; for (let r = 0; r < n; r++) { const v = tc[r]; if (v !== null) chars += v.length; } }
            }
            continue;
          }
          const msg = reader.next();
          if (msg === null) return;
          if (msg.type === 'RowDescription') {
            types = msg.fields.map((f) => f.typeOid);
            ints = types.map((t) => (t === OID.INT8 ? new Float64Array(16384) : INT_OIDS.has(t) ? new Int32Array(16384) : null));
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
      return { rows, sum, chars };
    };
  }
  throw new Error(`our library has no public "${level}" decoding API yet`);
}

// ------------------------------------------------------------------ main

const args = parseArgs();
const name = String(args.case ?? '');
const [streamName, impl, level] = name.split(':');
const iters = Number(args.iters ?? 5);
const warmup = Number(args.warmup ?? 2);
const rows = args.rows === undefined ? undefined : Number(args.rows);

try {
  const stream = makeStream(streamName, rows);
  const make = { ours, js: jsAnchor, pgprotocol: pgProtocol }[impl];
  if (!make) throw new Error(`unknown implementation ${impl}`);
  let run;
  try {
    run = await make(stream, level);
  } catch (e) {
    unavailable(name, e);
    process.exit(0);
  }
  const { ms, last } = await timeRuns(run, { warmup, iters });
  report({ name, ms, bytes: stream.bytes.length, rows: stream.rows, check: last });
} catch (e) {
  report({ name, error: String(e?.stack ?? e) });
  process.exitCode = 1;
}
