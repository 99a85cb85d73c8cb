/**
 * COPY BINARY data (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4) written
 * from `ColumnBatch`es or from JS rows with their types, for `conn.copyFrom(sql, …)` (the reverse
 * of `copyTo().batches()`). The bytes come out as ~64 KiB chunks, so the data is never all in
 * memory and the COPY FROM of src/query/copy-in.ts paces the writing (backpressure, CopyFail when
 * a source fails).
 *
 * Each value is written in its column's PostgreSQL binary form (what the type's `*recv` reads):
 * - a batch column by its field's `typeOid` and its Arrow type — integers into int2/int4/int8/oid
 *   (range-checked), floats into float4/float8, Date32/Timestamp[us]/Time64[us] shifted back to
 *   PostgreSQL's 2000-01-01 epoch (the infinity markers kept), uuid's 16 bytes, Utf8 as the text
 *   of text/varchar/bpchar/name/json (jsonb with its version byte), as numeric through the numeric
 *   codec, and for any other type through its codec (text decoded, then encoded in binary); Binary
 *   as the bytes themselves (bytea, or a type's binary form as `batches()` reads it);
 * - a JS row value by the registry's binary encoder of its column's type (the values `run()` returns).
 * A value that cannot be written is a ClientError PGS_INVALID_ARGUMENT: the COPY is then failed
 * (CopyFail), so the server keeps none of it.
 */
import { ClientError, ErrorCode } from '../errors.js';
import { MessageWriter } from '../protocol/writer.js';
import type { ColumnBatch } from '../types/arrow/batch.js';
import type { ColumnBuffers } from '../types/arrow/column-buffers.js';
import type { ColumnField } from '../types/arrow/field.js';
import { oid } from '../types/oids.js';
import type { TypeRegistry } from '../types/registry.js';
import { isBinaryCodec } from '../types/type-codec.js';
import type { BinaryTypeCodec } from '../types/type-codec.js';
import { COPY_BINARY_HEADER, COPY_BINARY_TRAILER } from './batches.js';

/** JS rows with their column types, for `conn.copyFrom(sql, { types, rows })`. */
export interface CopyRows {
  /** The type OID of each column, in the COPY's column order (`oid.INT4`, …). */
  readonly types: readonly number[];
  /** The rows: arrays of values as `run()` returns them (null or undefined for NULL). */
  readonly rows: Iterable<readonly unknown[]> | AsyncIterable<readonly unknown[]>;
}

/** Bytes gathered before a chunk goes out. */
const CHUNK = 0x1_0000;
/** Microseconds and days between 1970-01-01 and PostgreSQL's epoch, 2000-01-01. */
const EPOCH_USECS = 946_684_800_000_000n;
const EPOCH_DAYS = 10_957;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const NULL_LENGTH = -1;

function invalid(what: string): ClientError {
  return new ClientError(ErrorCode.INVALID_ARGUMENT, what);
}

/** Writes the value of row `r` (not NULL) with its length word. */
type FieldWriter = (w: MessageWriter, r: number) => void;

const isValid = (c: ColumnBuffers, r: number): boolean => c.validity === null || ((c.validity[r >>> 3]! >>> (r & 7)) & 1) === 1;

/** An int in range [min, max] of a target type, else the error. */
function ranged(v: number | bigint, min: number, max: number, type: string, where: string): number {
  const n = Number(v);
  if (n < min || n > max) throw invalid(`${where}: ${String(v)} is outside the range of ${type}`);
  return n;
}

/** Writes a value through a codec's binary encoder, length first (patched after). */
function viaCodec(w: MessageWriter, codec: BinaryTypeCodec, value: unknown): void {
  const at = w.length;
  w.i32(0);
  codec.encodeBinary(w, value);
  w.view.setInt32(at, w.length - at - 4);
}

/** The writer of column `c` of a batch, by its field's type (see the module comment). */
function columnWriter(f: ColumnField, c: ColumnBuffers, types: TypeRegistry, where: string): FieldWriter {
  const t = f.arrowType;
  const target = f.typeOid;
  const refuse = (): never => {
    throw invalid(`${where}: an Arrow ${t.typeId} column cannot be written as PostgreSQL type ${target} in COPY BINARY`);
  };
  switch (t.typeId) {
    case 'Bool': {
      if (target !== oid.BOOL) refuse();
      const bits = c.values as Uint8Array;
      return (w, r) => {
        w.i32(1);
        w.u8((bits[r >>> 3]! >>> (r & 7)) & 1);
      };
    }
    case 'Int': {
      const values = c.values as ArrayLike<number | bigint>;
      switch (target) {
        case oid.INT2:
          return (w, r) => {
            w.i32(2);
            w.i16(ranged(values[r]!, -32768, 32767, 'int2', where));
          };
        case oid.INT4:
          return (w, r) => {
            w.i32(4);
            w.i32(ranged(values[r]!, INT32_MIN, INT32_MAX, 'int4', where));
          };
        case oid.OID:
          return (w, r) => {
            w.i32(4);
            w.u32(ranged(values[r]!, 0, 0xffff_ffff, 'oid', where));
          };
        case oid.INT8:
          return (w, r) => {
            w.i32(8);
            w.i64(BigInt(values[r]!));
          };
      }
      return refuse();
    }
    case 'FloatingPoint': {
      const values = c.values as Float32Array | Float64Array;
      if (target === oid.FLOAT4) {
        return (w, r) => {
          w.i32(4);
          w.f32(values[r]!);
        };
      }
      if (target === oid.FLOAT8) {
        return (w, r) => {
          w.i32(8);
          w.f64(values[r]!);
        };
      }
      return refuse();
    }
    case 'Date': {
      if (target !== oid.DATE) refuse();
      const values = c.values as Int32Array;
      return (w, r) => {
        const d = values[r]!;
        w.i32(4);
        w.i32(d === INT32_MAX || d === INT32_MIN ? d : ranged(d - EPOCH_DAYS, INT32_MIN + 1, INT32_MAX - 1, 'date', where));
      };
    }
    case 'Timestamp':
    case 'Time': {
      const time = t.typeId === 'Time';
      if (time ? target !== oid.TIME : target !== oid.TIMESTAMP && target !== oid.TIMESTAMPTZ) refuse();
      const values = c.values as BigInt64Array;
      return (w, r) => {
        const v = values[r]!;
        const marker = time || v === INT64_MAX || v === INT64_MIN;
        const pg = marker ? v : v - EPOCH_USECS;
        // Shifted onto the -infinity marker or past int64: not a timestamp PostgreSQL has.
        if (!marker && pg <= INT64_MIN) throw invalid(`${where}: ${v} µs is before PostgreSQL's first timestamp`);
        w.i32(8);
        w.i64(pg);
      };
    }
    case 'FixedSizeBinary': {
      if (target !== oid.UUID || t.byteWidth !== 16) refuse();
      const bytes = c.values as Uint8Array;
      return (w, r) => {
        w.i32(16);
        w.bytes(bytes.subarray(r * 16, r * 16 + 16));
      };
    }
    case 'Utf8':
    case 'Binary': {
      const offsets = c.offsets!;
      const data = c.data!;
      const raw: FieldWriter = (w, r) => {
        const start = offsets[r]!;
        const end = offsets[r + 1]!;
        w.i32(end - start);
        w.bytes(data.subarray(start, end));
      };
      if (t.typeId === 'Binary') return raw;
      switch (target) {
        case oid.TEXT:
        case oid.VARCHAR:
        case oid.BPCHAR:
        case oid.NAME:
        case oid.JSON:
        case oid.XML:
          return raw;
        case oid.JSONB:
          return (w, r) => {
            const start = offsets[r]!;
            const end = offsets[r + 1]!;
            w.i32(end - start + 1);
            w.u8(1);
            w.bytes(data.subarray(start, end));
          };
      }
      // numeric and any other type: its text, through its codec, in binary.
      const codec = types.get(target);
      if (codec === undefined || !isBinaryCodec(codec)) return refuse();
      const utf8 = new TextDecoder('utf-8', { fatal: true });
      return (w, r) => viaCodec(w, codec, codec.decodeText(utf8.decode(data.subarray(offsets[r]!, offsets[r + 1]!))));
    }
  }
  return refuse();
}

/** Accumulates COPY BINARY bytes and hands them out in chunks. */
class ChunkWriter {
  readonly w = new MessageWriter(CHUNK + 0x1000);
  rows = 0;

  constructor() {
    this.w.bytes(COPY_BINARY_HEADER);
  }

  /** The bytes so far as a chunk (a copy: the sink may keep it), when at least `min` are gathered. */
  take(min = CHUNK): Uint8Array | null {
    if (this.w.length < min || this.w.length === 0) return null;
    const chunk = this.w.toBytes();
    this.w.clear();
    return chunk;
  }

  trailer(): Uint8Array {
    this.w.bytes(COPY_BINARY_TRAILER);
    return this.take(0)!;
  }
}

/** COPY BINARY chunks of `batches` (a batch's columns in the COPY's column order). */
export async function* copyBinaryOfBatches(
  batches: Iterable<ColumnBatch> | AsyncIterable<ColumnBatch>,
  types: TypeRegistry,
  counter: { rows: number },
): AsyncGenerator<Uint8Array> {
  const out = new ChunkWriter();
  const w = out.w;
  let b = 0;
  for await (const batch of batches) {
    if (typeof batch !== 'object' || batch === null || typeof (batch as Partial<ColumnBatch>).column !== 'function') {
      throw invalid(`item ${b} of the COPY source is not a ColumnBatch`);
    }
    const n = batch.fields.length;
    if (n > 0x7fff) throw invalid(`a COPY row cannot have ${n} columns`);
    const columns = batch.fields.map((_, i) => batch.column(i));
    const writers = batch.fields.map((f, i) => columnWriter(f, columns[i]!, types, `batch ${b}, column ${i} (${JSON.stringify(f.name)})`));
    for (let r = 0; r < batch.numRows; r++) {
      w.i16(n);
      for (let i = 0; i < n; i++) {
        if (isValid(columns[i]!, r)) writers[i]!(w, r);
        else w.i32(NULL_LENGTH);
      }
      counter.rows++;
      if (w.length >= CHUNK) yield out.take()!;
    }
    b++;
  }
  yield out.trailer();
}

/** COPY BINARY chunks of JS rows with their types (see CopyRows). */
export async function* copyBinaryOfRows(source: CopyRows, types: TypeRegistry, counter: { rows: number }): AsyncGenerator<Uint8Array> {
  const oids = source.types;
  if (!Array.isArray(oids) || oids.length > 0x7fff) throw invalid('copyFrom rows need types: an array of type OIDs, one per column');
  const codecs = oids.map((o: unknown, i) => {
    const codec = typeof o === 'number' ? types.get(o) : undefined;
    if (codec === undefined || !isBinaryCodec(codec)) throw invalid(`types[${i}] (${String(o)}) is not a type OID with a binary codec`);
    return codec;
  });
  const n = codecs.length;
  const out = new ChunkWriter();
  const w = out.w;
  for await (const row of source.rows) {
    if (!Array.isArray(row) || row.length !== n) throw invalid(`row ${counter.rows} must be an array of ${n} values`);
    w.i16(n);
    for (let i = 0; i < n; i++) {
      const v: unknown = row[i];
      if (v === null || v === undefined) w.i32(NULL_LENGTH);
      else viaCodec(w, codecs[i]!, v);
    }
    counter.rows++;
    if (w.length >= CHUNK) yield out.take()!;
  }
  yield out.trailer();
}
