/**
 * The checks a `ColumnBatch` makes of its fields and column buffers before trusting them: every
 * later step (IPC writing, zero-copy hand-over to Arrow libraries) reads the buffers by the counts
 * they claim, so a wrong count, a too-short buffer or a non-monotonic offset would write corrupt
 * Arrow data or read out of bounds. Each failure is a `ClientError` with `PGS_INVALID_ARGUMENT`.
 * The costs are linear in the row count over 32-bit words and bitmap bytes, never over string data
 * (UTF-8 validity is the decoder's guarantee: PostgreSQL sends text in the client encoding).
 */
import { ClientError, ErrorCode } from '../../errors.js';
import { describeArrowType, sameArrowType } from './arrow-type.js';
import type { ArrowType, ColumnBuffers } from './column-buffers.js';
import type { ColumnField } from './field.js';

const BITS_PER_BYTE = 8;
const MAX_OID = 0xffffffff;
/** Arrow's 32-bit offsets bound a column's length and its variable-width bytes. */
const MAX_INT32 = 0x7fffffff;
const BYTE_VALUES = 256;
const TWO_POW_32 = 2 ** 32;
/** Time64[us] values must lie in [0, one day): Arrow's Schema.fbs (`table Time`). */
const MICROS_PER_DAY = 86_400_000_000;
const DAY_HIGH_WORD = Math.floor(MICROS_PER_DAY / TWO_POW_32);
const DAY_LOW_WORD = MICROS_PER_DAY - DAY_HIGH_WORD * TWO_POW_32;
/** Index of the low 32-bit word of a 64-bit integer in memory (typed arrays use the platform's order). */
const LOW_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;
/** Set bits of every byte value: a byte's count is its low bit plus the count of the byte shifted right. */
const SET_BITS = new Uint8Array(BYTE_VALUES);
for (let b = 1; b < BYTE_VALUES; b++) SET_BITS[b] = (b & 1) + SET_BITS[b >>> 1]!;

/** The typed array class (by its `Symbol.toStringTag`, which survives realms) each fixed-width type needs. */
function valuesTag(t: ArrowType): string {
  switch (t.typeId) {
    case 'Int':
      return t.bitWidth === 16 ? 'Int16Array' : t.bitWidth === 32 ? 'Int32Array' : 'BigInt64Array';
    case 'FloatingPoint':
      return t.precision === 'SINGLE' ? 'Float32Array' : 'Float64Array';
    case 'Date':
      return 'Int32Array';
    case 'Timestamp':
    case 'Time':
      return 'BigInt64Array';
    default:
      return 'Uint8Array';
  }
}

function tagOf(x: unknown): string | undefined {
  return ArrayBuffer.isView(x) ? (x as unknown as { [Symbol.toStringTag]: string })[Symbol.toStringTag] : undefined;
}

function fail(message: string): never {
  throw new ClientError(ErrorCode.INVALID_ARGUMENT, message);
}

/** Throws unless `t` is one of the Arrow types of column-buffers.ts, with valid parameters. */
export function checkArrowType(t: unknown, where: string): asserts t is ArrowType {
  const a = t as Record<string, unknown> | null;
  const ok = (() => {
    if (typeof a !== 'object' || a === null) return false;
    switch (a.typeId) {
      case 'Bool':
      case 'Utf8':
      case 'Binary':
        return true;
      case 'Int':
        return (a.bitWidth === 16 || a.bitWidth === 32 || a.bitWidth === 64) && a.signed === true;
      case 'FloatingPoint':
        return a.precision === 'SINGLE' || a.precision === 'DOUBLE';
      case 'FixedSizeBinary':
        return Number.isInteger(a.byteWidth) && (a.byteWidth as number) > 0 && (a.byteWidth as number) <= MAX_INT32;
      case 'Date':
        return a.unit === 'DAY';
      case 'Timestamp':
        return a.unit === 'MICROSECOND' && (a.timezone === null || typeof a.timezone === 'string');
      case 'Time':
        return a.unit === 'MICROSECOND' && a.bitWidth === 64;
      default:
        return false;
    }
  })();
  if (!ok) fail(`${where}: not a supported Arrow type: ${safeJson(t)}`);
}

/** Throws unless `f` is a well-formed field. */
export function checkField(f: ColumnField, where: string): void {
  if (typeof f !== 'object' || f === null) fail(`${where}: a field must be an object`);
  if (typeof f.name !== 'string') fail(`${where}: the field name must be a string`);
  if (!Number.isInteger(f.typeOid) || f.typeOid < 0 || f.typeOid > MAX_OID) fail(`${where}: typeOid must be an OID, got ${String(f.typeOid)}`);
  if (typeof f.nullable !== 'boolean') fail(`${where}: nullable must be a boolean`);
  if (f.typeModifier !== undefined && !Number.isInteger(f.typeModifier)) fail(`${where}: typeModifier must be an integer`);
  checkArrowType(f.arrowType, where);
}

/** Throws unless `c` is a consistent column of `numRows` rows for field `f`. */
export function checkColumn(f: ColumnField, c: ColumnBuffers, numRows: number, where: string): void {
  if (typeof c !== 'object' || c === null) fail(`${where}: a column must be a ColumnBuffers object`);
  checkArrowType(c.type, where);
  if (!sameArrowType(c.type, f.arrowType)) {
    fail(`${where}: column type ${describeArrowType(c.type)} differs from the field's ${describeArrowType(f.arrowType)}`);
  }
  if (c.length !== numRows) fail(`${where}: length ${String(c.length)} differs from the batch's ${numRows} rows`);
  if (!Number.isInteger(c.nullCount) || c.nullCount < 0 || c.nullCount > numRows) {
    fail(`${where}: nullCount ${String(c.nullCount)} outside [0, ${numRows}]`);
  }
  if (!f.nullable && c.nullCount > 0) fail(`${where}: ${c.nullCount} NULLs in a non-nullable field`);
  const bitmapBytes = Math.ceil(numRows / BITS_PER_BYTE);
  if (c.validity === null || c.validity === undefined) {
    if (c.nullCount > 0) fail(`${where}: nullCount ${c.nullCount} without a validity bitmap`);
  } else {
    if (tagOf(c.validity) !== 'Uint8Array' || c.validity.length < bitmapBytes) {
      fail(`${where}: validity must be a Uint8Array of at least ${bitmapBytes} bytes`);
    }
    const nulls = numRows - countValid(c.validity, numRows);
    if (nulls !== c.nullCount) fail(`${where}: the validity bitmap has ${nulls} NULLs, nullCount says ${c.nullCount}`);
  }
  const t = c.type;
  if (t.typeId === 'Utf8' || t.typeId === 'Binary') {
    checkVariableWidth(c, numRows, where);
    return;
  }
  const tag = valuesTag(t);
  const needed = t.typeId === 'Bool' ? bitmapBytes : t.typeId === 'FixedSizeBinary' ? numRows * t.byteWidth : numRows;
  if (tagOf(c.values) !== tag || c.values!.length < needed) {
    fail(`${where}: ${describeArrowType(t)} values must be a ${tag} of at least ${needed} elements`);
  }
  if (t.typeId === 'Time') checkTimeOfDay(c, numRows, where);
}

/**
 * Time64[us] values must be times of day: [0, 86 400 000 000], the end included. Arrow documents
 * [0, 86 400 000 000), but PostgreSQL's `time '24:00:00'` (allowed by datetime.c) is a distinct
 * value: it is kept as 86 400 000 000, as the row decoder (`Time { micros }`) and the ADBC
 * PostgreSQL driver (which copies the int64 as it is) keep it, rather than silently turned into
 * another time. Reads the 64-bit values as 32-bit word pairs: no BigInt per row.
 */
function checkTimeOfDay(c: ColumnBuffers, numRows: number, where: string): void {
  const v = c.values as BigInt64Array;
  const words = new Uint32Array(v.buffer, v.byteOffset, numRows * 2);
  const validity = c.nullCount > 0 ? c.validity : null;
  for (let i = 0; i < numRows; i++) {
    if (validity !== null && (validity[i >>> 3]! & (1 << (i & (BITS_PER_BYTE - 1)))) === 0) continue;
    const low = words[2 * i + LOW_WORD]!;
    const high = words[2 * i + 1 - LOW_WORD]!;
    if (high > DAY_HIGH_WORD || (high === DAY_HIGH_WORD && low > DAY_LOW_WORD)) {
      fail(`${where}: row ${i}: time ${String(v[i])} us is not a time of day (0 to 86400000000, 24:00:00)`);
    }
  }
}

function checkVariableWidth(c: ColumnBuffers, numRows: number, where: string): void {
  const offsets = c.offsets;
  if (tagOf(offsets) !== 'Int32Array' || offsets!.length < numRows + 1) {
    fail(`${where}: offsets must be an Int32Array of at least ${numRows + 1} entries`);
  }
  if (tagOf(c.data) !== 'Uint8Array') fail(`${where}: data must be a Uint8Array`);
  const o = offsets!;
  if (o[0] !== 0) fail(`${where}: offsets must start at 0, got ${o[0]}`);
  let previous = 0;
  for (let i = 1; i <= numRows; i++) {
    const next = o[i]!;
    if (next < previous) fail(`${where}: offsets decrease at row ${i - 1} (${previous} then ${next})`);
    previous = next;
  }
  if (previous > c.data!.length) fail(`${where}: offsets reach ${previous} but data has ${c.data!.length} bytes`);
}

/** Set bits among the first `n` bits of an LSB-first bitmap. */
export function countValid(bitmap: Uint8Array, n: number): number {
  const whole = n >>> 3;
  let count = 0;
  for (let i = 0; i < whole; i++) count += SET_BITS[bitmap[i]!]!;
  const rest = n & (BITS_PER_BYTE - 1);
  if (rest !== 0) count += SET_BITS[bitmap[whole]! & ((1 << rest) - 1)]!;
  return count;
}

function safeJson(x: unknown): string {
  try {
    return JSON.stringify(x) ?? String(x);
  } catch {
    return String(x);
  }
}
