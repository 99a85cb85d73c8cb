// @ts-check
/**
 * Synthetic backend byte streams for the in-memory decode benchmarks (PERFORMANCE.md, suite 1).
 *
 * Written independently of src/ (plain DataView), so that a bug in our encoders cannot make the
 * decoder look good. Every stream is what a server would send for one simple query:
 * RowDescription, N DataRows, CommandComplete, ReadyForQuery; it is returned as one contiguous
 * Buffer plus the 64 KiB chunks a socket would deliver (views into it, not copies).
 *
 * Message layouts: https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunks } from '../lib/chunks.mjs';

/** @import { StreamName } from '../lib/types.js' */

/** Backend type bytes used here (named as in src/protocol/codes.ts, spelled out independently). */
const ROW_DESCRIPTION = 'T'.charCodeAt(0);
const DATA_ROW = 'D'.charCodeAt(0);
const COMMAND_COMPLETE = 'C'.charCodeAt(0);
const READY_FOR_QUERY = 'Z'.charCodeAt(0);
const IDLE = 'I'.charCodeAt(0);

/** Type OIDs (pg_type.dat). */
export const OID = { BOOL: 16, INT8: 20, INT2: 21, INT4: 23, TEXT: 25, FLOAT8: 701, TIMESTAMPTZ: 1184, NUMERIC: 1700, UUID: 2950 };

/** A growable big-endian byte writer over a DataView (just enough for these streams). */
class Out {
  /** @param {number} capacity */
  constructor(capacity) {
    this.buf = Buffer.allocUnsafe(capacity);
    this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    this.pos = 0;
  }
  /** @param {number} n bytes about to be written */
  ensure(n) {
    if (this.pos + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.pos + n) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
    this.dv = new DataView(next.buffer, next.byteOffset, next.byteLength);
  }
  /** @param {number} v */
  u8(v) { this.ensure(1); this.dv.setUint8(this.pos, v); this.pos += 1; }
  /** @param {number} v */
  i16(v) { this.ensure(2); this.dv.setInt16(this.pos, v); this.pos += 2; }
  /** @param {number} v */
  i32(v) { this.ensure(4); this.dv.setInt32(this.pos, v); this.pos += 4; }
  /** @param {bigint} v */
  i64(v) { this.ensure(8); this.dv.setBigInt64(this.pos, v); this.pos += 8; }
  /** @param {number} v */
  f64(v) { this.ensure(8); this.dv.setFloat64(this.pos, v); this.pos += 8; }
  /** Raw bytes of a UTF-8 string, returns the byte count. @param {string} s */
  str(s) { this.ensure(s.length * 3); const n = this.buf.write(s, this.pos, 'utf8'); this.pos += n; return n; }
  /** A NUL-terminated string. @param {string} s */
  cstr(s) { this.str(s); this.u8(0); }
  /** @param {Uint8Array} bytes */
  raw(bytes) { this.ensure(bytes.length); this.buf.set(bytes, this.pos); this.pos += bytes.length; }
  /** Opens a typed message; returns the offset of its length word. @param {number} code */
  begin(code) { this.u8(code); const at = this.pos; this.i32(0); return at; }
  /** Patches the length word (it counts itself, not the type byte). @param {number} at */
  finish(at) { this.dv.setInt32(at, this.pos - at); }
  /** A text field: Int32 length + bytes. @param {string} s */
  textField(s) { const at = this.pos; this.i32(0); const n = this.str(s); this.dv.setInt32(at, n); }
  nullField() { this.i32(-1); }
  done() { return this.buf.subarray(0, this.pos); }
}

/**
 * Deterministic PRNG (mulberry32), so every process benchmarks identical bytes.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A RowDescription of `columns`: [name, type OID, type size, format code].
 * @param {Out} out
 * @param {readonly [string, number, number, number][]} columns
 */
function rowDescription(out, columns) {
  const at = out.begin(ROW_DESCRIPTION);
  out.i16(columns.length);
  for (const [name, typeOid, typeSize, format] of columns) {
    out.cstr(name);
    out.i32(0); // table OID
    out.i16(0); // column attribute number
    out.i32(typeOid);
    out.i16(typeSize);
    out.i32(-1); // type modifier
    out.i16(format);
  }
  out.finish(at);
}

/**
 * CommandComplete `SELECT rows` + ReadyForQuery (idle).
 * @param {Out} out
 * @param {number} rows
 */
function trailer(out, rows) {
  let at = out.begin(COMMAND_COMPLETE);
  out.cstr(`SELECT ${rows}`);
  out.finish(at);
  at = out.begin(READY_FOR_QUERY);
  out.u8(IDLE);
  out.finish(at);
}

const HEX = '0123456789abcdef';
/**
 * `n` random hex digits.
 * @param {() => number} r
 * @param {number} n
 */
const hexString = (r, n) => { let s = ''; for (let i = 0; i < n; i++) s += HEX[(r() * 16) | 0]; return s; };
/** Non-ASCII samples of about 20 UTF-8 bytes (2- and 3-byte sequences). */
const NON_ASCII = ['crème brûlée à côté', 'Grüße aus München!', 'naïve façade señor', 'Ελληνικά κείμ', '日本語のテキス'];

/**
 * rows5: RowDescription + `rows` DataRows of five text fields (int8 as text, int4 as text,
 * a ~20-byte text, a ~9-byte text, NULL) + CommandComplete + ReadyForQuery — ≈67 bytes per row.
 * With `nonAscii` > 0, that fraction of rows carries non-ASCII UTF-8 in the 20-byte field.
 * @param {number} rows
 * @param {{ nonAscii?: number }} [options]
 */
export function rows5(rows, { nonAscii = 0 } = {}) {
  const out = new Out(rows * 72 + 1024);
  const r = rng(5);
  rowDescription(out, [['id', OID.INT8, 8, 0], ['qty', OID.INT4, 4, 0], ['md5', OID.TEXT, -1, 0], ['tag', OID.TEXT, -1, 0], ['nul', OID.TEXT, -1, 0]]);
  for (let i = 1; i <= rows; i++) {
    const at = out.begin(DATA_ROW);
    out.i16(5);
    out.textField(String(i));
    out.textField(String((r() * 100000) | 0));
    out.textField(nonAscii > 0 && r() < nonAscii ? NON_ASCII[i % NON_ASCII.length] : hexString(r, 20));
    out.textField(`tag_${String(i % 100000).padStart(5, '0')}`);
    out.nullField();
    out.finish(at);
  }
  trailer(out, rows);
  return out.done();
}

/**
 * `rows` DataRows of one 1 KiB text field (long values: the string-building cost dominates).
 * @param {number} rows
 */
export function text1k(rows) {
  const out = new Out(rows * 1040 + 1024);
  const r = rng(1);
  const base = hexString(r, 1024);
  rowDescription(out, [['body', OID.TEXT, -1, 0]]);
  for (let i = 0; i < rows; i++) {
    const at = out.begin(DATA_ROW);
    out.i16(1);
    const k = i % 1000;
    out.textField(base.slice(k) + base.slice(0, k));
    out.finish(at);
  }
  trailer(out, rows);
  return out.done();
}

/**
 * `rows` DataRows of 40 short text columns of 1..12 bytes, every 10th one NULL (node-postgres's shape).
 * @param {number} rows
 */
export function cols40(rows) {
  const out = new Out(rows * 40 * 11 + 4096);
  const r = rng(40);
  /** @type {[string, number, number, number][]} */
  const cols = [];
  for (let c = 0; c < 40; c++) cols.push([`c${c}`, OID.TEXT, -1, 0]);
  rowDescription(out, cols);
  const pool = [];
  for (let k = 0; k < 4096; k++) pool.push(hexString(r, 1 + ((r() * 12) | 0)));
  for (let i = 0; i < rows; i++) {
    const at = out.begin(DATA_ROW);
    out.i16(40);
    for (let c = 0; c < 40; c++) {
      if (c % 10 === 9) out.nullField();
      else out.textField(pool[(i * 40 + c) & 4095]);
    }
    out.finish(at);
  }
  trailer(out, rows);
  return out.done();
}

/** Microseconds between the Unix epoch and PostgreSQL's epoch (2000-01-01). */
const PG_EPOCH_US = 946684800000000n;

/**
 * Binary NUMERIC (numeric.c, numeric_send): ndigits, weight, sign, dscale, base-10000 digits.
 * @param {Out} out
 * @param {number} intPart
 * @param {number} frac2 two decimals, 0..99
 */
function numericBinary(out, intPart, frac2) {
  const digits = [];
  let n = intPart;
  while (n > 0) { digits.unshift(n % 10000); n = Math.floor(n / 10000); }
  const weight = digits.length - 1;
  if (frac2 !== 0) digits.push(frac2 * 100);
  out.i32(8 + 2 * digits.length);
  out.i16(digits.length);
  out.i16(digits.length === 0 ? 0 : weight);
  out.i16(0); // sign: positive
  out.i16(2); // dscale
  for (const d of digits) out.i16(d);
}

/**
 * `rows` DataRows in binary format of (int4, int8, float8, bool, timestamptz, uuid, numeric),
 * the RowDescription announcing format 1 for every column.
 * @param {number} rows
 */
export function binary7(rows) {
  const out = new Out(rows * 100 + 1024);
  const r = rng(7);
  rowDescription(out, [
    ['i4', OID.INT4, 4, 1], ['i8', OID.INT8, 8, 1], ['f8', OID.FLOAT8, 8, 1], ['b', OID.BOOL, 1, 1],
    ['ts', OID.TIMESTAMPTZ, 8, 1], ['u', OID.UUID, 16, 1], ['n', OID.NUMERIC, -1, 1],
  ]);
  const uuid = new Uint8Array(16);
  const t0 = 1_700_000_000_000_000n - PG_EPOCH_US;
  for (let i = 0; i < rows; i++) {
    const at = out.begin(DATA_ROW);
    out.i16(7);
    out.i32(4); out.i32(i);
    out.i32(8); out.i64(BigInt(i) * 1_000_003n);
    out.i32(8); out.f64(r() * 1e6);
    out.i32(1); out.u8(i & 1);
    out.i32(8); out.i64(t0 + BigInt(i) * 1_000_000n);
    for (let k = 0; k < 16; k++) uuid[k] = (r() * 256) | 0;
    out.i32(16); out.raw(uuid);
    numericBinary(out, (r() * 1e7) | 0, (r() * 100) | 0);
    out.finish(at);
  }
  trailer(out, rows);
  return out.done();
}

/** Integer type OIDs: the columns the columnar levels decode into typed arrays. */
export const INT_OIDS = new Set([OID.INT2, OID.INT4, OID.INT8]);

/** Rows a column array of the columnar levels holds: more than a 64 KiB chunk can carry (a DataRow is ≥ 7 bytes). */
export const COLUMN_CAPACITY = 16384;

/**
 * The column types of a stream once its RowDescription was read.
 * @param {number[] | null} types
 * @returns {number[]}
 */
export function knownTypes(types) {
  if (types === null) throw new Error('a DataRow before the RowDescription');
  return types;
}

/**
 * The named streams: their full-size row count and their generator.
 * @type {Record<StreamName, { rows: number, make: (rows: number) => Buffer }>}
 */
export const STREAMS = {
  rows5: { rows: 1_000_000, make: (n) => rows5(n) },
  rows5_utf8: { rows: 1_000_000, make: (n) => rows5(n, { nonAscii: 0.1 }) },
  text1k: { rows: 100_000, make: (n) => text1k(n) },
  cols40: { rows: 100_000, make: (n) => cols40(n) },
  binary7: { rows: 1_000_000, make: (n) => binary7(n) },
};

/** Bump when a generator changes, so cached files are rebuilt. */
const FORMAT_VERSION = 1;

/**
 * A stream: its bytes, and the 64 KiB chunks a socket would deliver them in (views into the bytes).
 * @typedef {{ name: StreamName, rows: number, bytes: Buffer, chunks: Buffer[] }} Stream
 */

/**
 * Whether `name` names a stream.
 * @param {string} name
 * @returns {name is StreamName}
 */
export const isStreamName = (name) => Object.hasOwn(STREAMS, name);

/**
 * Builds stream `name` with `rows` rows (default: its full size) and its 64 KiB chunks. The bytes
 * are cached in the OS temp directory: every benchmark process reads identical bytes, and no
 * process spends a second generating them.
 * @param {string} name
 * @param {number} [rows]
 * @returns {Stream}
 */
export function makeStream(name, rows) {
  if (!isStreamName(name)) throw new Error(`unknown stream ${name}; known: ${Object.keys(STREAMS).join(', ')}`);
  const spec = STREAMS[name];
  const n = rows ?? spec.rows;
  const dir = join(tmpdir(), 'pg-stream-bench');
  const file = join(dir, `${name}-${n}-v${FORMAT_VERSION}.bin`);
  let bytes;
  if (existsSync(file)) {
    bytes = readFileSync(file);
  } else {
    bytes = spec.make(n);
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}`;
    writeFileSync(tmp, bytes);
    renameSync(tmp, file);
  }
  return { name, rows: n, bytes, chunks: chunks(bytes) };
}
