/**
 * Hand-made sample columns of every mapped PostgreSQL type (with NULLs, extremes and non-ASCII
 * text), shared by the Arrow tests, and a helper that turns them into a ColumnBatch.
 */
import { arrowTypeForOid } from '../../src/types/arrow/arrow-type.js';
import { ColumnBatch } from '../../src/types/arrow/batch.js';
import type { ArrowType } from '../../src/types/arrow/column-buffers.js';
import type { ColumnField } from '../../src/types/arrow/field.js';
import { oid } from '../../src/types/oids.js';
import { buildColumn } from '../fixtures/arrow-columns.js';
import type { BuildOptions, Cell } from '../fixtures/arrow-columns.js';

/** One sample column: its field and canonical values. */
export interface Sample {
  readonly name: string;
  readonly typeOid: number;
  readonly typeName: string;
  readonly values: readonly Cell[];
}

const enc = new TextEncoder();
const uuid = (fill: number): Uint8Array => new Uint8Array(16).map((_, i) => (fill * 16 + i) & 0xff);
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** Five rows per column; NULLs in different places (row 4 is NULL everywhere but in `t_nn`). */
export const SAMPLES: readonly Sample[] = [
  { name: 'b', typeOid: oid.BOOL, typeName: 'bool', values: [true, false, null, true, null] },
  { name: 'i2', typeOid: oid.INT2, typeName: 'int2', values: [-32768, 32767, 0, null, null] },
  { name: 'i4', typeOid: oid.INT4, typeName: 'int4', values: [-2147483648, 2147483647, null, 7, null] },
  { name: 'i8', typeOid: oid.INT8, typeName: 'int8', values: [I64_MIN, I64_MAX, 0n, null, null] },
  { name: 'o', typeOid: oid.OID, typeName: 'oid', values: [0n, 4294967295n, 2950n, null, null] },
  { name: 'f4', typeOid: oid.FLOAT4, typeName: 'float4', values: [Math.fround(1.1), -0, Infinity, NaN, null] },
  { name: 'f8', typeOid: oid.FLOAT8, typeName: 'float8', values: [Math.PI, -Infinity, Number.MIN_VALUE, NaN, null] },
  { name: 'd', typeOid: oid.DATE, typeName: 'date', values: [0, -1, 10957, 2932896, null] },
  { name: 'ts', typeOid: oid.TIMESTAMP, typeName: 'timestamp', values: [0n, -1n, 946684800000000n, I64_MAX, null] },
  { name: 'tz', typeOid: oid.TIMESTAMPTZ, typeName: 'timestamptz', values: [1700000000123456n, I64_MIN, null, 1n, null] },
  { name: 't', typeOid: oid.TIME, typeName: 'time', values: [0n, 86399999999n, 43200000000n, null, null] },
  { name: 'u', typeOid: oid.UUID, typeName: 'uuid', values: [uuid(0), null, uuid(1), uuid(15), null] },
  { name: 'txt', typeOid: oid.TEXT, typeName: 'text', values: ['', 'plain', 'héllo wörld', '日本語 🐘', null] },
  { name: 'vc', typeOid: oid.VARCHAR, typeName: 'varchar', values: [null, 'x', '', 'ﬀ', null] },
  { name: 'bp', typeOid: oid.BPCHAR, typeName: 'bpchar', values: ['ab  ', null, '   ', 'z', null] },
  { name: 'nm', typeOid: oid.NAME, typeName: 'name', values: ['pg_class', 'tables', null, 'ünï', null] },
  { name: 'j', typeOid: oid.JSON, typeName: 'json', values: ['{"a": 1}', '[]', 'null', null, null] },
  { name: 'jb', typeOid: oid.JSONB, typeName: 'jsonb', values: ['{"a": "é"}', null, '"x"', '3', null] },
  { name: 'num', typeOid: oid.NUMERIC, typeName: 'numeric', values: ['3.14159265358979323846264338327950288', 'NaN', '-Infinity', '0', null] },
  { name: 'by', typeOid: oid.BYTEA, typeName: 'bytea', values: [new Uint8Array(0), enc.encode('\u0000\u00ff'), new Uint8Array([0, 255, 128]), null, null] },
];

/** The field of a sample. */
export function sampleField(s: Sample, nullable = true): ColumnField {
  return { name: s.name, typeOid: s.typeOid, arrowType: arrowTypeForOid(s.typeOid)!, nullable };
}

/** The arrow type of a sample. */
export function sampleType(s: Sample): ArrowType {
  return arrowTypeForOid(s.typeOid)!;
}

/** A batch of these samples (every column from `buildColumn`). */
export function sampleBatch(samples: readonly Sample[], options?: BuildOptions): ColumnBatch {
  return new ColumnBatch(
    samples.map((s) => sampleField(s)),
    samples.map((s) => buildColumn(sampleType(s), s.values, options)),
  );
}

/** The samples cut to rows [start, end). */
export function sliceSamples(samples: readonly Sample[], start: number, end: number): Sample[] {
  return samples.map((s) => ({ ...s, values: s.values.slice(start, end) }));
}
