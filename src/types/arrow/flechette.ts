/**
 * `ColumnBatch` → `@uwdata/flechette` `Table` without copying a column buffer. Flechette has a
 * zero-copy path from buffers: `batchType(type, options)` returns the batch class its own IPC
 * decoder instantiates with `{ length, nullCount, type, validity, values, offsets }`; wrapped in a
 * `Column` per field and a `Table`, those batches read the ColumnBatch's typed arrays directly
 * (flechette's direct batches trim `values` with `subarray`, a view of the same memory).
 *
 * @uwdata/flechette is an OPTIONAL peer dependency: this module never imports it; the caller passes
 * the module (`import * as flechette from '@uwdata/flechette'; toFlechette(batch, flechette)`).
 */
import type { ColumnBatch } from './batch.js';
import { commonSchema } from './batch.js';
import type { ArrowType, ColumnBuffers } from './column-buffers.js';
import { fieldMetadata } from './field.js';

/**
 * A flechette data type, batch, column or field object. `any`, because flechette's signatures take
 * its own classes, which a structural interface cannot name without importing flechette, and the
 * module must stay optional (not even a type import, so the declarations need no flechette).
 */
type FlechetteType = any;

/** Flechette's value extraction options (its `ExtractionOptions`), passed through to `batchType`. */
export interface FlechetteOptions {
  /** int64 as bigint instead of number. */
  useBigInt?: boolean;
  /** Timestamps as bigint (raw microseconds) instead of millisecond numbers. */
  useBigIntTimestamp?: boolean;
  /** Dates and timestamps as `Date` objects. */
  useDate?: boolean;
  /** Rows as proxy objects. */
  useProxy?: boolean;
}

/** The members of the `@uwdata/flechette` module that toFlechette uses (pass the module namespace itself). */
export interface FlechetteModule {
  /** The batch class flechette's IPC decoder uses for a type. */
  batchType(type: FlechetteType, options?: FlechetteOptions): new (props: FlechetteType) => FlechetteType;
  /** `new Column(batches, type)`. */
  Column: new (data: FlechetteType[], type?: FlechetteType) => FlechetteType;
  /** `new Table(schema, columns, useProxy)`. */
  Table: new (schema: FlechetteType, children: FlechetteType[], useProxy?: boolean) => object;
  /** `field(name, type, nullable, metadata)`. */
  field(name: string, type: FlechetteType, nullable: boolean, metadata: Map<string, string>): FlechetteType;
  /** The type factories of the Arrow types pg-stream produces (column-buffers.ts). */
  bool(): FlechetteType;
  int(bitWidth: 16 | 32 | 64, signed: boolean): FlechetteType;
  float32(): FlechetteType;
  float64(): FlechetteType;
  utf8(): FlechetteType;
  binary(): FlechetteType;
  fixedSizeBinary(stride: number): FlechetteType;
  dateDay(): FlechetteType;
  timestamp(unit: FlechetteType, timezone: string | null): FlechetteType;
  time(unit: FlechetteType): FlechetteType;
  /** flechette's enums (Arrow's Schema.fbs values). */
  readonly TimeUnit: { readonly MICROSECOND: FlechetteType };
  readonly Version: { readonly V5: number };
  readonly Endianness: { readonly Little: number };
}

/**
 * A flechette `Table` over one batch or several (at least one) with the same fields. No column
 * buffer is copied. A batch without columns gives a table of 0 rows (flechette counts rows by columns).
 */
export function toFlechette<M extends FlechetteModule>(
  batches: ColumnBatch | readonly ColumnBatch[],
  flechette: M,
  options: FlechetteOptions = {},
): InstanceType<M['Table']> {
  const list = Array.isArray(batches) ? batches : [batches as ColumnBatch];
  const [fields] = commonSchema(list);
  const types = fields.map((f) => flechetteType(f.arrowType, flechette));
  const columns = fields.map((_, i) => {
    const type = types[i]!;
    const Batch = flechette.batchType(type, options);
    return new flechette.Column(list.map((batch) => new Batch(batchProps(batch.column(i), type))), type);
  });
  const schema = {
    version: flechette.Version.V5,
    endianness: flechette.Endianness.Little,
    fields: fields.map((f, i) => flechette.field(f.name, types[i]!, f.nullable, new Map(fieldMetadata(f)))),
    metadata: null,
  };
  return new flechette.Table(schema, columns, options.useProxy) as InstanceType<M['Table']>;
}

/** The props flechette's batch constructors take; flechette names the variable-width bytes `values`. */
function batchProps(c: ColumnBuffers, type: FlechetteType): FlechetteType {
  const validity = c.nullCount > 0 && c.validity !== null ? c.validity : undefined;
  const base = { length: c.length, nullCount: c.nullCount, type, validity };
  return c.type.typeId === 'Utf8' || c.type.typeId === 'Binary'
    ? { ...base, offsets: c.offsets, values: c.data }
    : { ...base, values: c.values };
}

function flechetteType(t: ArrowType, f: FlechetteModule): FlechetteType {
  switch (t.typeId) {
    case 'Bool':
      return f.bool();
    case 'Int':
      return f.int(t.bitWidth, true);
    case 'FloatingPoint':
      return t.precision === 'SINGLE' ? f.float32() : f.float64();
    case 'Utf8':
      return f.utf8();
    case 'Binary':
      return f.binary();
    case 'FixedSizeBinary':
      return f.fixedSizeBinary(t.byteWidth);
    case 'Date':
      return f.dateDay();
    case 'Timestamp':
      return f.timestamp(f.TimeUnit.MICROSECOND, t.timezone);
    case 'Time':
      return f.time(f.TimeUnit.MICROSECOND);
  }
}
