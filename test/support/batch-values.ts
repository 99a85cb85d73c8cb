/**
 * Helpers for tests of `conn.batches()` / `copyTo().batches()` / `copyFrom(batches)`: a batch's
 * values as the JS values `run()` returns with exact temporal modes (int8 → bigint, timestamps →
 * microsecond bigints, dates → day numbers, ±infinity → ±Infinity), so the two readings compare
 * with `toEqual`, and the types registry that gives them.
 */
import { Time, TypeRegistry, oid } from '../../src/index.js';
import type { ColumnBatch, ColumnBuffers } from '../../src/index.js';

/** The registry whose run() values the batch values are compared with. */
export function exactTypes(): TypeRegistry {
  return new TypeRegistry({ int8: 'bigint', timestamps: 'micros', dates: 'days' });
}

const INT32_MAX = 2 ** 31 - 1;
const INT64_MAX = (1n << 63n) - 1n;

/** True when row `i` of column `c` is not NULL. */
export function isValid(c: ColumnBuffers, i: number): boolean {
  return c.validity === null || ((c.validity[i >> 3]! >> (i & 7)) & 1) === 1;
}

function uuidText(b: Uint8Array): string {
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Value `i` of column `c` of a field of type `typeOid`, as run() gives it (see the module comment). */
export function arrowValue(c: ColumnBuffers, i: number, typeOid: number): unknown {
  if (!isValid(c, i)) return null;
  const t = c.type;
  switch (t.typeId) {
    case 'Bool':
      return (((c.values as Uint8Array)[i >> 3]! >> (i & 7)) & 1) === 1;
    case 'Int':
      return (c.values as ArrayLike<number | bigint>)[i];
    case 'FloatingPoint':
      return (c.values as Float32Array | Float64Array)[i];
    case 'Date': {
      const d = (c.values as Int32Array)[i]!;
      return d === INT32_MAX ? Infinity : d === -INT32_MAX - 1 ? -Infinity : d;
    }
    case 'Timestamp': {
      const v = (c.values as BigInt64Array)[i]!;
      return v === INT64_MAX ? Infinity : v === -INT64_MAX - 1n ? -Infinity : v;
    }
    case 'Time':
      return Number((c.values as BigInt64Array)[i]!);
    case 'FixedSizeBinary':
      return uuidText((c.values as Uint8Array).subarray(i * 16, i * 16 + 16));
    case 'Binary':
      return Array.from(c.data!.subarray(c.offsets![i]!, c.offsets![i + 1]!));
    case 'Utf8': {
      const s = new TextDecoder('utf-8', { fatal: true }).decode(c.data!.subarray(c.offsets![i]!, c.offsets![i + 1]!));
      return typeOid === oid.JSON || typeOid === oid.JSONB ? JSON.parse(s) : s;
    }
  }
  throw new Error(`unexpected Arrow type ${JSON.stringify(t as unknown)}`);
}

/** A run() value in the shape `arrowValue` gives (Time → micros, bytes → arrays). */
export function rowValue(v: unknown): unknown {
  if (v instanceof Time) return v.micros;
  if (v instanceof Uint8Array) return Array.from(v);
  return v;
}

/** Every row of `batches`, as arrays of `arrowValue`s. */
export function batchRows(batches: readonly ColumnBatch[]): unknown[][] {
  const out: unknown[][] = [];
  for (const b of batches) {
    const cols = b.fields.map((_, j) => b.column(j));
    for (let i = 0; i < b.numRows; i++) out.push(cols.map((c, j) => arrowValue(c, i, b.fields[j]!.typeOid)));
  }
  return out;
}
