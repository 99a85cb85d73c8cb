/**
 * Which Arrow type a PostgreSQL column becomes, and the field metadata that keeps the PostgreSQL
 * type alongside it.
 *
 * The mapping follows the binary wire representations (PostgreSQL's `*send` functions, e.g.
 * src/backend/utils/adt/int.c, timestamp.c, uuid.c): integers and floats keep their width, `date`
 * is a day count (Date32), `timestamp`/`timestamptz`/`time` are microsecond counts
 * (Timestamp[us] / Time64[us]), `uuid` is 16 raw bytes. Text-like types and `numeric` become
 * Utf8: `numeric` as its decimal text because Arrow's Decimal128/256 need a fixed precision and
 * scale that an unconstrained `numeric` column does not have (NaN and ±Infinity included).
 *
 * `oid` becomes Int64, not UInt32: the column-buffer contract (column-buffers.ts) has only signed
 * integer types and no `Uint32Array` values, and Int64 holds every oid exactly and is read by every
 * Arrow consumer, whereas unsigned types are patchily supported downstream.
 */
import { oid } from '../oids.js';
import type { ArrowType } from './column-buffers.js';

/** Field metadata key holding the PostgreSQL type OID (decimal text). */
export const PG_TYPE_OID_KEY = 'pg.type_oid';
/** Field metadata key holding the PostgreSQL type name (`pg_type.typname`), when known. */
export const PG_TYPE_NAME_KEY = 'pg.type_name';
/** Field metadata key holding the type modifier (`atttypmod`, decimal text), when the field has one. */
export const PG_TYPE_MOD_KEY = 'pg.type_mod';

/** Bool. */
export const ARROW_BOOL: ArrowType = Object.freeze({ typeId: 'Bool' });
/** Int16 (int2). */
export const ARROW_INT16: ArrowType = Object.freeze({ typeId: 'Int', bitWidth: 16, signed: true });
/** Int32 (int4). */
export const ARROW_INT32: ArrowType = Object.freeze({ typeId: 'Int', bitWidth: 32, signed: true });
/** Int64 (int8, oid). */
export const ARROW_INT64: ArrowType = Object.freeze({ typeId: 'Int', bitWidth: 64, signed: true });
/** Float32 (float4). */
export const ARROW_FLOAT32: ArrowType = Object.freeze({ typeId: 'FloatingPoint', precision: 'SINGLE' });
/** Float64 (float8). */
export const ARROW_FLOAT64: ArrowType = Object.freeze({ typeId: 'FloatingPoint', precision: 'DOUBLE' });
/** Utf8 (text-like types, json, jsonb, numeric as decimal text). */
export const ARROW_UTF8: ArrowType = Object.freeze({ typeId: 'Utf8' });
/** Binary (bytea). */
export const ARROW_BINARY: ArrowType = Object.freeze({ typeId: 'Binary' });
/** FixedSizeBinary(16) (uuid). */
export const ARROW_UUID: ArrowType = Object.freeze({ typeId: 'FixedSizeBinary', byteWidth: 16 });
/** Date32: days since 1970-01-01 (date). */
export const ARROW_DATE32: ArrowType = Object.freeze({ typeId: 'Date', unit: 'DAY' });
/** Timestamp[us] without a time zone (timestamp): microseconds since 1970-01-01 00:00, local wall time. */
export const ARROW_TIMESTAMP: ArrowType = Object.freeze({ typeId: 'Timestamp', unit: 'MICROSECOND', timezone: null });
/** Timestamp[us, UTC] (timestamptz): microseconds since 1970-01-01 00:00 UTC. */
export const ARROW_TIMESTAMPTZ: ArrowType = Object.freeze({ typeId: 'Timestamp', unit: 'MICROSECOND', timezone: 'UTC' });
/** Time64[us] (time): microseconds since midnight; PostgreSQL's 24:00:00 is 86 400 000 000 (check-column.ts). */
export const ARROW_TIME64: ArrowType = Object.freeze({ typeId: 'Time', unit: 'MICROSECOND', bitWidth: 64 });

/** The mapped built-in types: OID → [typname, Arrow type]. */
const MAPPED: ReadonlyMap<number, readonly [string, ArrowType]> = new Map<number, readonly [string, ArrowType]>([
  [oid.BOOL, ['bool', ARROW_BOOL]],
  [oid.INT2, ['int2', ARROW_INT16]],
  [oid.INT4, ['int4', ARROW_INT32]],
  [oid.INT8, ['int8', ARROW_INT64]],
  [oid.OID, ['oid', ARROW_INT64]],
  [oid.FLOAT4, ['float4', ARROW_FLOAT32]],
  [oid.FLOAT8, ['float8', ARROW_FLOAT64]],
  [oid.DATE, ['date', ARROW_DATE32]],
  [oid.TIMESTAMP, ['timestamp', ARROW_TIMESTAMP]],
  [oid.TIMESTAMPTZ, ['timestamptz', ARROW_TIMESTAMPTZ]],
  [oid.TIME, ['time', ARROW_TIME64]],
  [oid.UUID, ['uuid', ARROW_UUID]],
  [oid.TEXT, ['text', ARROW_UTF8]],
  [oid.VARCHAR, ['varchar', ARROW_UTF8]],
  [oid.BPCHAR, ['bpchar', ARROW_UTF8]],
  [oid.NAME, ['name', ARROW_UTF8]],
  [oid.JSON, ['json', ARROW_UTF8]],
  [oid.JSONB, ['jsonb', ARROW_UTF8]],
  [oid.NUMERIC, ['numeric', ARROW_UTF8]],
  [oid.BYTEA, ['bytea', ARROW_BINARY]],
]);

/** The Arrow type a column of this PostgreSQL type becomes, or undefined for a type with no mapping. */
export function arrowTypeForOid(typeOid: number): ArrowType | undefined {
  return MAPPED.get(typeOid)?.[1];
}

/** The `pg_type.typname` of a mapped built-in type, or undefined. */
export function pgTypeName(typeOid: number): string | undefined {
  return MAPPED.get(typeOid)?.[0];
}

/** The OIDs `arrowTypeForOid` maps, in a stable order. */
export function mappedTypeOids(): number[] {
  return [...MAPPED.keys()];
}

/** True when two Arrow types are the same type (same id and parameters). */
export function sameArrowType(a: ArrowType, b: ArrowType): boolean {
  switch (a.typeId) {
    case 'Int':
      return b.typeId === 'Int' && a.bitWidth === b.bitWidth && a.signed === b.signed;
    case 'FloatingPoint':
      return b.typeId === 'FloatingPoint' && a.precision === b.precision;
    case 'FixedSizeBinary':
      return b.typeId === 'FixedSizeBinary' && a.byteWidth === b.byteWidth;
    case 'Date':
      return b.typeId === 'Date' && a.unit === b.unit;
    case 'Timestamp':
      return b.typeId === 'Timestamp' && a.unit === b.unit && a.timezone === b.timezone;
    case 'Time':
      return b.typeId === 'Time' && a.unit === b.unit && a.bitWidth === b.bitWidth;
    default:
      return a.typeId === b.typeId;
  }
}

/** A short readable name of an Arrow type for messages, in Arrow's own spelling (`Timestamp[us, UTC]`). */
export function describeArrowType(t: ArrowType): string {
  switch (t.typeId) {
    case 'Int':
      return `Int${t.bitWidth}`;
    case 'FloatingPoint':
      return t.precision === 'SINGLE' ? 'Float32' : 'Float64';
    case 'FixedSizeBinary':
      return `FixedSizeBinary(${t.byteWidth})`;
    case 'Date':
      return 'Date32';
    case 'Timestamp':
      return t.timezone === null ? 'Timestamp[us]' : `Timestamp[us, ${t.timezone}]`;
    case 'Time':
      return 'Time64[us]';
    default:
      return t.typeId;
  }
}
