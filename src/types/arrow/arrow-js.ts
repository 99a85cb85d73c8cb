/**
 * `ColumnBatch` → `apache-arrow` (arrow-js) `Table` without copying a column buffer: each column's
 * `Data` is made (`makeData`) over the batch's own typed arrays — arrow-js keeps a typed array of
 * the type's `ArrayType` as it is, and re-views a `Uint8Array` over the same memory.
 *
 * apache-arrow is an OPTIONAL peer dependency: this module never imports it; the caller passes the
 * module (`import * as arrow from 'apache-arrow'; toArrowJS(batch, arrow)`), so the library bundles
 * and runs without it and uses whichever arrow-js version the application has.
 */
import { ClientError, ErrorCode } from '../../errors.js';
import type { ColumnBatch } from './batch.js';
import { commonSchema, sameFields } from './batch.js';
import type { ArrowType, ColumnBuffers } from './column-buffers.js';
import { fieldMetadata } from './field.js';
import type { ColumnField } from './field.js';

/**
 * An arrow-js `DataType` (or `Field`, `Data`…) instance. `any`, because arrow-js's constructors take
 * its own generic classes, which a structural interface cannot name without importing apache-arrow,
 * and the module must stay optional (not even a type import, so the declarations need no arrow-js).
 */
type ArrowJsType = any;
/** A constructor of an arrow-js type without parameters. */
type ArrowJsTypeClass = new () => ArrowJsType;

/** The props of arrow-js `makeData` that toArrowJS uses. */
export interface ArrowJsDataProps {
  type: ArrowJsType;
  length: number;
  nullCount: number;
  nullBitmap?: Uint8Array;
  data?: ArrayBufferView;
  valueOffsets?: Int32Array;
  children?: ArrowJsType[];
}

/** The members of the `apache-arrow` module that toArrowJS uses (pass the module namespace itself). */
export interface ArrowJsModule {
  /** `makeData(props)`: a `Data` over the given buffers. */
  makeData(props: ArrowJsDataProps): ArrowJsType;
  /** `new Field(name, type, nullable, metadata)`. */
  Field: new (name: string, type: ArrowJsType, nullable: boolean, metadata: Map<string, string>) => ArrowJsType;
  /** `new Schema(fields)`. */
  Schema: new (fields: ArrowJsType[]) => ArrowJsType;
  /** `new Struct(fields)`: the record batch's row type. */
  Struct: new (children: ArrowJsType[]) => ArrowJsType;
  /** `new RecordBatch(schema, structData)`. */
  RecordBatch: new (schema: ArrowJsType, data: ArrowJsType) => ArrowJsType;
  /** `new Table(schema, recordBatches)`. */
  Table: new (schema: ArrowJsType, batches: ArrowJsType[]) => object;
  /** The type classes of the Arrow types pg-stream produces (column-buffers.ts). */
  Bool: ArrowJsTypeClass;
  Int16: ArrowJsTypeClass;
  Int32: ArrowJsTypeClass;
  Int64: ArrowJsTypeClass;
  Float32: ArrowJsTypeClass;
  Float64: ArrowJsTypeClass;
  Utf8: ArrowJsTypeClass;
  Binary: ArrowJsTypeClass;
  DateDay: ArrowJsTypeClass;
  TimeMicrosecond: ArrowJsTypeClass;
  FixedSizeBinary: new (byteWidth: number) => ArrowJsType;
  TimestampMicrosecond: new (timezone?: string | null) => ArrowJsType;
}

/**
 * An arrow-js `Table` over one batch, or over several (at least one) batches with the same fields
 * (one arrow-js `RecordBatch` each). No column buffer is copied: each `Data`'s `values`, `valueOffsets` and
 * `nullBitmap` view the batch's own memory. The fields carry `pg.type_oid`/`pg.type_name` metadata.
 * Fields sharing a name must be identical (see checkDistinctNames).
 */
export function toArrowJS<M extends ArrowJsModule>(
  batches: ColumnBatch | readonly ColumnBatch[],
  arrow: M,
): InstanceType<M['Table']> {
  const list = Array.isArray(batches) ? batches : [batches as ColumnBatch];
  const [fields] = commonSchema(list);
  checkDistinctNames(fields);
  const arrowFields = fields.map((f) => toArrowField(f, arrow));
  const schema = new arrow.Schema(arrowFields);
  const rowType = new arrow.Struct(arrowFields);
  const recordBatches = list.map((batch) => {
    const children = fields.map((f, i) => toArrowData(batch.column(i), arrowTypeOf(f.arrowType, arrow), arrow));
    const data = arrow.makeData({ type: rowType, length: batch.numRows, nullCount: 0, children });
    return new arrow.RecordBatch(schema, data);
  });
  return new arrow.Table(schema, recordBatches) as InstanceType<M['Table']>;
}

/**
 * arrow-js merges fields BY NAME when it builds a RecordBatch (`Schema.assign`, used by its
 * RecordBatch constructor and by its IPC reader): of two fields called the same, the later one's
 * type, nullability and metadata replace the earlier one's, so the table would describe a column
 * wrongly (or arrow-js throws "schemas must be equivalent"). The Arrow format allows duplicate names
 * and `toIPC()` writes them faithfully (flechette reads them right); for arrow-js, identical
 * duplicates (`SELECT a.id, b.id` of one type) are harmless and anything else is refused here.
 */
function checkDistinctNames(fields: readonly ColumnField[]): void {
  const seen = new Map<string, ColumnField>();
  for (const f of fields) {
    const earlier = seen.get(f.name);
    if (earlier !== undefined && !sameFields([earlier], [f])) {
      throw new ClientError(
        ErrorCode.INVALID_ARGUMENT,
        `two columns named ${JSON.stringify(f.name)} of different types: apache-arrow merges fields by name; alias one of them`,
      );
    }
    seen.set(f.name, f);
  }
}

function toArrowField(f: ColumnField, arrow: ArrowJsModule): ArrowJsType {
  return new arrow.Field(f.name, arrowTypeOf(f.arrowType, arrow), f.nullable, new Map(fieldMetadata(f)));
}

function toArrowData(c: ColumnBuffers, type: ArrowJsType, arrow: ArrowJsModule): ArrowJsType {
  const props: ArrowJsDataProps = { type, length: c.length, nullCount: c.nullCount };
  if (c.validity !== null && c.nullCount > 0) props.nullBitmap = c.validity;
  if (c.type.typeId === 'Utf8' || c.type.typeId === 'Binary') {
    props.valueOffsets = c.offsets!;
    props.data = c.data!;
  } else {
    props.data = c.values!;
  }
  return arrow.makeData(props);
}

/** The arrow-js type instance of an Arrow type. */
function arrowTypeOf(t: ArrowType, arrow: ArrowJsModule): ArrowJsType {
  switch (t.typeId) {
    case 'Bool':
      return new arrow.Bool();
    case 'Int':
      return t.bitWidth === 16 ? new arrow.Int16() : t.bitWidth === 32 ? new arrow.Int32() : new arrow.Int64();
    case 'FloatingPoint':
      return t.precision === 'SINGLE' ? new arrow.Float32() : new arrow.Float64();
    case 'Utf8':
      return new arrow.Utf8();
    case 'Binary':
      return new arrow.Binary();
    case 'FixedSizeBinary':
      return new arrow.FixedSizeBinary(t.byteWidth);
    case 'Date':
      return new arrow.DateDay();
    case 'Timestamp':
      return new arrow.TimestampMicrosecond(t.timezone);
    case 'Time':
      return new arrow.TimeMicrosecond();
  }
}
