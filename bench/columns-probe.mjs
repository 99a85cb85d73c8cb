/**
 * A probe (not yet part of bench/run.mjs) timing columnar decoding into Arrow buffers in WASM
 * (ColumnBatchBuilder) against a string for every field through DataRow `text(i)` and against
 * pg-protocol's Parser, on the same in-memory bytes, fed in 64 KiB chunks:
 *   - rows5 (bench/streams.mjs): text DataRows of int8, int4, ~20-byte text, ~9-byte text, NULL;
 *   - binary7: binary DataRows of int4, int8, float8, bool, timestamptz, uuid, numeric;
 *   - rows5 and binary7 as COPY BINARY streams (the same values, `COPY … (FORMAT binary)` framing).
 *
 *   npm run build && node --expose-gc bench/columns-probe.mjs [--rows N] [--runs K]
 *
 * Prints, per case, the fastest of K runs after a warm-up, in CPU time of this process (user +
 * system: on a shared machine wall time mostly measures the neighbours): ms, rows/s, ns per row,
 * and the ratio to pg-protocol's strings on rows5. "recycled" cases hand every batch back with
 * `ColumnBatchBuilder.recycle()`, as a consumer that is done with a batch can; the others keep every
 * batch's buffers (new memory for each batch: the first write to each page faults it in).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chunks, makeStream } from './streams.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = async (rel) => {
  const file = join(ROOT, 'dist', rel);
  if (!existsSync(file)) throw new Error(`dist/${rel} is missing: run npm run build`);
  return import(pathToFileURL(file).href);
};
const { BackendReader } = await load('protocol/frame-reader.js');
const { ColumnBatchBuilder } = await load('types/arrow/column-builder.js');
const { ColumnKind } = await load('wasm/layout.js');

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROWS = arg('rows', 1_000_000);
const RUNS = arg('runs', 7);
const TEXT = 0;
const BINARY = 1;
const DATA_ROW = 'D'.charCodeAt(0);

// ------------------------------------------------------------------ COPY BINARY versions of the streams

/** COPY BINARY bytes of the DataRows of a stream (a DataRow body is a COPY tuple; numbers re-encoded for rows5). */
function copyOf(stream, binaryFields) {
  const src = stream.bytes;
  const dv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const out = Buffer.allocUnsafe(src.length + 64);
  const odv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.set([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00], 0);
  odv.setInt32(11, 0);
  odv.setInt32(15, 0);
  let o = 19;
  for (let p = 0; p < src.length; ) {
    const type = src[p];
    const length = dv.getInt32(p + 1);
    if (type === DATA_ROW) {
      const body = p + 5;
      if (binaryFields === null) {
        out.set(src.subarray(body, p + 1 + length), o);
        o += length - 4;
      } else {
        // rows5 as a binary COPY: the two integers become int8/int4 binary, the texts stay.
        const count = dv.getInt16(body);
        odv.setInt16(o, count);
        o += 2;
        let q = body + 2;
        for (let f = 0; f < count; f++) {
          const n = dv.getInt32(q);
          q += 4;
          if (n < 0) {
            odv.setInt32(o, -1);
            o += 4;
          } else if (binaryFields[f] === 8) {
            odv.setInt32(o, 8);
            odv.setBigInt64(o + 4, BigInt(src.toString('latin1', q, q + n)));
            o += 12;
          } else if (binaryFields[f] === 4) {
            odv.setInt32(o, 4);
            odv.setInt32(o + 4, Number(src.toString('latin1', q, q + n)));
            o += 8;
          } else {
            odv.setInt32(o, n);
            out.set(src.subarray(q, q + n), o + 4);
            o += 4 + n;
          }
          q += n;
        }
      }
    }
    p += 1 + length;
  }
  odv.setInt16(o, -1);
  o += 2;
  return out.subarray(0, o);
}

// ------------------------------------------------------------------ cases

const ROWS5_TEXT = [ColumnKind.INT64, ColumnKind.INT32, ColumnKind.TEXT, ColumnKind.TEXT, ColumnKind.TEXT].map((kind) => ({ kind, format: TEXT }));
const ROWS5_BINARY = [ColumnKind.INT64, ColumnKind.INT32, ColumnKind.TEXT, ColumnKind.TEXT, ColumnKind.TEXT].map((kind) => ({ kind, format: BINARY }));
const BINARY7 = [ColumnKind.INT32, ColumnKind.INT64, ColumnKind.FLOAT64, ColumnKind.BOOL, ColumnKind.TIMESTAMPTZ, ColumnKind.UUID, ColumnKind.NUMERIC]
  .map((kind) => ({ kind, format: BINARY }));

/** DataRows → Arrow batches of 65536 rows; returns the rows decoded. */
function columnsFromDataRows(stream, specs, recycle = false) {
  return () => {
    const reader = new BackendReader();
    const builder = new ColumnBatchBuilder(specs);
    let rows = 0;
    const take = () => {
      for (let b; (b = builder.takeBatch()) !== null; ) {
        rows += b[0].length;
        if (recycle) builder.recycle(b);
      }
    };
    for (const chunk of stream.chunks) {
      for (let off = 0; off < chunk.length; ) {
        off += reader.push(chunk.subarray(off));
        for (;;) {
          const block = reader.nextRows();
          if (block !== null) {
            builder.appendRows(block);
            continue;
          }
          if (reader.next() === null) break;
        }
      }
      take();
    }
    builder.finish();
    take();
    return rows;
  };
}

/** COPY BINARY bytes → Arrow batches of 65536 rows, 64 KiB at a time. */
function columnsFromCopy(copyChunks, specs, recycle = false) {
  return () => {
    const builder = new ColumnBatchBuilder(specs);
    let rows = 0;
    for (const chunk of copyChunks) {
      builder.appendCopyData(chunk);
      for (let b; (b = builder.takeBatch()) !== null; ) {
        rows += b[0].length;
        if (recycle) builder.recycle(b);
      }
    }
    builder.finishCopy();
    builder.finish();
    for (let b; (b = builder.takeBatch()) !== null; ) rows += b[0].length;
    return rows;
  };
}

/** A string for every field through DataRow `text(i)` (the existing path). */
function stringsFromDataRows(stream) {
  return () => {
    const reader = new BackendReader();
    let rows = 0;
    let chars = 0;
    for (const chunk of stream.chunks) {
      for (let off = 0; off < chunk.length; ) {
        off += reader.push(chunk.subarray(off));
        for (let m; (m = reader.next()) !== null; ) {
          if (m.type !== 'DataRow') continue;
          rows++;
          for (let i = 0; i < m.fieldCount; i++) chars += m.text(i)?.length ?? 0;
        }
      }
    }
    return rows + chars * 0;
  };
}

/** pg-protocol's Parser, a string per field (what `pg` uses). */
async function pgProtocolStrings(stream) {
  const { Parser } = await import('pg-protocol/dist/parser.js');
  const bufs = stream.chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  return () => {
    const parser = new Parser();
    let rows = 0;
    for (const b of bufs) parser.parse(b, (msg) => {
      if (msg.name === 'dataRow') rows++;
    });
    return rows;
  };
}

function time(fn) {
  const expected = fn();
  let best = Infinity;
  for (let k = 0; k < RUNS; k++) {
    globalThis.gc?.();
    const t = process.cpuUsage();
    const rows = fn();
    const used = process.cpuUsage(t);
    best = Math.min(best, (used.user + used.system) / 1000);
    if (rows !== expected) throw new Error(`run ${k} decoded ${rows} rows, the warm-up ${expected}`);
  }
  return { ms: best, rows: expected };
}

const rows5 = makeStream('rows5', ROWS);
const binary7 = makeStream('binary7', ROWS);
const rows5Copy = chunks(copyOf(rows5, [8, 4, 0, 0, 0]));
const binary7Copy = chunks(copyOf(binary7, null));

const cases = [
  ['rows5: pg-protocol, a string per field', await pgProtocolStrings(rows5)],
  ['rows5: DataRow text(i), a string per field', stringsFromDataRows(rows5)],
  ['rows5: DataRows (text) → Arrow columns', columnsFromDataRows(rows5, ROWS5_TEXT)],
  ['rows5: DataRows (text) → Arrow, recycled', columnsFromDataRows(rows5, ROWS5_TEXT, true)],
  ['rows5: COPY BINARY → Arrow columns', columnsFromCopy(rows5Copy, ROWS5_BINARY)],
  ['rows5: COPY BINARY → Arrow, recycled', columnsFromCopy(rows5Copy, ROWS5_BINARY, true)],
  ['binary7: DataRows (binary) → Arrow columns', columnsFromDataRows(binary7, BINARY7)],
  ['binary7: DataRows (binary) → Arrow, recycled', columnsFromDataRows(binary7, BINARY7, true)],
  ['binary7: COPY BINARY → Arrow columns', columnsFromCopy(binary7Copy, BINARY7)],
  ['binary7: COPY BINARY → Arrow, recycled', columnsFromCopy(binary7Copy, BINARY7, true)],
];

console.log(`Node ${process.version}, ${ROWS} rows, fastest of ${RUNS} runs (CPU time)`);
let anchor = 0;
for (const [name, fn] of cases) {
  const { ms, rows } = time(fn);
  if (anchor === 0) anchor = ms;
  const line = [
    name.padEnd(46),
    `${ms.toFixed(1).padStart(8)} ms`,
    `${(rows / ms / 1000).toFixed(2).padStart(7)} M rows/s`,
    `${((ms * 1e6) / rows).toFixed(0).padStart(5)} ns/row`,
    `${(anchor / ms).toFixed(2).padStart(6)}x pg-protocol`,
  ];
  console.log(line.join('  '));
}
