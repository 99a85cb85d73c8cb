/**
 * Which WASM column decoder reads a PostgreSQL type, and the Arrow type it produces: the mapping
 * of PRODUCT.md's Layer 3 (int8 → Int64, numeric → decimal text in Utf8, timestamptz → Timestamp in
 * UTC, uuid → FixedSizeBinary(16), …). Any other type can still be read as text (ColumnKind.TEXT of
 * its text format).
 */
import { ColumnKind } from '../../wasm/layout.js';
import { oid } from '../oids.js';
import type { ArrowType } from './column-buffers.js';

const UTF8: ArrowType = { typeId: 'Utf8' };

/** The Arrow type each column kind produces. */
const arrowTypes: Record<ColumnKind, ArrowType> = {
  [ColumnKind.BOOL]: { typeId: 'Bool' },
  [ColumnKind.INT16]: { typeId: 'Int', bitWidth: 16, signed: true },
  [ColumnKind.INT32]: { typeId: 'Int', bitWidth: 32, signed: true },
  [ColumnKind.INT64]: { typeId: 'Int', bitWidth: 64, signed: true },
  [ColumnKind.FLOAT32]: { typeId: 'FloatingPoint', precision: 'SINGLE' },
  [ColumnKind.FLOAT64]: { typeId: 'FloatingPoint', precision: 'DOUBLE' },
  [ColumnKind.DATE]: { typeId: 'Date', unit: 'DAY' },
  [ColumnKind.TIMESTAMP]: { typeId: 'Timestamp', unit: 'MICROSECOND', timezone: null },
  [ColumnKind.TIMESTAMPTZ]: { typeId: 'Timestamp', unit: 'MICROSECOND', timezone: 'UTC' },
  [ColumnKind.TIME]: { typeId: 'Time', unit: 'MICROSECOND', bitWidth: 64 },
  [ColumnKind.UUID]: { typeId: 'FixedSizeBinary', byteWidth: 16 },
  [ColumnKind.TEXT]: UTF8,
  [ColumnKind.BYTEA]: { typeId: 'Binary' },
  [ColumnKind.JSONB]: UTF8,
  [ColumnKind.NUMERIC]: UTF8,
};

/** The column kind of each built-in type with a columnar decoder. */
const kinds = new Map<number, ColumnKind>([
  [oid.BOOL, ColumnKind.BOOL],
  [oid.INT2, ColumnKind.INT16],
  [oid.INT4, ColumnKind.INT32],
  [oid.INT8, ColumnKind.INT64],
  [oid.FLOAT4, ColumnKind.FLOAT32],
  [oid.FLOAT8, ColumnKind.FLOAT64],
  [oid.DATE, ColumnKind.DATE],
  [oid.TIMESTAMP, ColumnKind.TIMESTAMP],
  [oid.TIMESTAMPTZ, ColumnKind.TIMESTAMPTZ],
  [oid.TIME, ColumnKind.TIME],
  [oid.UUID, ColumnKind.UUID],
  [oid.TEXT, ColumnKind.TEXT],
  [oid.VARCHAR, ColumnKind.TEXT],
  [oid.BPCHAR, ColumnKind.TEXT],
  [oid.NAME, ColumnKind.TEXT],
  [oid.JSON, ColumnKind.TEXT],
  [oid.BYTEA, ColumnKind.BYTEA],
  [oid.JSONB, ColumnKind.JSONB],
  [oid.NUMERIC, ColumnKind.NUMERIC],
]);

/** The Arrow type a column kind produces. */
export function arrowTypeOf(kind: ColumnKind): ArrowType {
  return arrowTypes[kind];
}

/** The column kind that decodes type `typeOid`, or undefined when it has none (read it as text). */
export function columnKindOf(typeOid: number): ColumnKind | undefined {
  return kinds.get(typeOid);
}
