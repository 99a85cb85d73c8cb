/**
 * Arrow's IPC metadata as FlatBuffers: the `Message` table (holding a `Schema` or a `RecordBatch`)
 * and the file `Footer`, encoded with FlatBufferBuilder. Field ids, union members and enum values
 * are those of Arrow's format/Schema.fbs, Message.fbs and File.fbs; a union field occupies two
 * slots (its `_type` discriminator, then its value), and union discriminators start at 1 (0 = NONE).
 */
import type { ArrowType } from './column-buffers.js';
import { fieldMetadata } from './field.js';
import type { ColumnField } from './field.js';
import { FlatBufferBuilder, writeInt64 } from './flatbuffer-builder.js';

/** MetadataVersion.V5: the current format version (Schema.fbs). */
export const METADATA_VERSION_V5 = 4;

/** MessageHeader union discriminators (Message.fbs). */
const MessageHeader = { Schema: 1, RecordBatch: 3 } as const;

/** Type union discriminators (Schema.fbs), for the types pg-stream writes. */
const TypeUnion = {
  Int: 2,
  FloatingPoint: 3,
  Binary: 4,
  Utf8: 5,
  Bool: 6,
  Date: 8,
  Time: 9,
  Timestamp: 10,
  FixedSizeBinary: 15,
} as const;

/** Precision enum (Schema.fbs). */
const Precision = { SINGLE: 1, DOUBLE: 2 } as const;
/** DateUnit enum (Schema.fbs). */
const DateUnit = { DAY: 0 } as const;
/** TimeUnit enum (Schema.fbs). */
const TimeUnit = { MICROSECOND: 2 } as const;

/** Field slots of each table, in declaration order (a union takes `_type` then value). */
const MessageSlot = { version: 0, headerType: 1, header: 2, bodyLength: 3, count: 5 } as const;
const SchemaSlot = { fields: 1, count: 4 } as const;
const FieldSlot = { name: 0, nullable: 1, typeType: 2, type: 3, children: 5, customMetadata: 6, count: 7 } as const;
const KeyValueSlot = { key: 0, value: 1, count: 2 } as const;
const RecordBatchSlot = { length: 0, nodes: 1, buffers: 2, count: 5 } as const;
const FooterSlot = { version: 0, schema: 1, dictionaries: 2, recordBatches: 3, count: 5 } as const;
const IntSlot = { bitWidth: 0, isSigned: 1, count: 2 } as const;
const FloatingPointSlot = { precision: 0, count: 1 } as const;
const FixedSizeBinarySlot = { byteWidth: 0, count: 1 } as const;
const DateSlot = { unit: 0, count: 1 } as const;
const TimeSlot = { unit: 0, bitWidth: 1, count: 2 } as const;
const TimestampSlot = { unit: 0, timezone: 1, count: 2 } as const;

/** Byte sizes and alignment of the structs: FieldNode and Buffer are two longs; Block is long, int, long. */
const FIELD_NODE_SIZE = 16;
const BUFFER_SIZE = 16;
const BLOCK_SIZE = 24;
const STRUCT_ALIGN = 8;
const BLOCK_METADATA_LENGTH_AT = 8;
const BLOCK_BODY_LENGTH_AT = 16;
const SECOND_LONG_AT = 8;

/** A RecordBatch's per-column (length, null count). */
export interface IpcFieldNode {
  readonly length: number;
  readonly nullCount: number;
}

/** Where one buffer lies in a RecordBatch's body. */
export interface IpcBufferRegion {
  readonly offset: number;
  readonly length: number;
}

/** Where one message lies in an IPC file (offset of its continuation marker, framed metadata and body lengths). */
export interface IpcBlock {
  readonly offset: number;
  readonly metaDataLength: number;
  readonly bodyLength: number;
}

/** The `Message` flatbuffer of a Schema message. */
export function encodeSchemaMessage(fields: readonly ColumnField[]): Uint8Array {
  const b = new FlatBufferBuilder();
  const schema = writeSchema(b, fields);
  return b.finish(writeMessage(b, MessageHeader.Schema, schema, 0));
}

/** The `Message` flatbuffer of a RecordBatch message with these nodes and buffer regions. */
export function encodeRecordBatchMessage(
  length: number,
  nodes: readonly IpcFieldNode[],
  buffers: readonly IpcBufferRegion[],
  bodyLength: number,
): Uint8Array {
  const b = new FlatBufferBuilder();
  const nodesVec = b.createStructVector(FIELD_NODE_SIZE, STRUCT_ALIGN, nodes.length, (view, pos, i) => {
    writeInt64(view, pos, nodes[i]!.length);
    writeInt64(view, pos + SECOND_LONG_AT, nodes[i]!.nullCount);
  });
  const buffersVec = b.createStructVector(BUFFER_SIZE, STRUCT_ALIGN, buffers.length, (view, pos, i) => {
    writeInt64(view, pos, buffers[i]!.offset);
    writeInt64(view, pos + SECOND_LONG_AT, buffers[i]!.length);
  });
  b.startTable(RecordBatchSlot.count);
  b.addInt64(RecordBatchSlot.length, length);
  b.addOffset(RecordBatchSlot.nodes, nodesVec);
  b.addOffset(RecordBatchSlot.buffers, buffersVec);
  const batch = b.endTable();
  return b.finish(writeMessage(b, MessageHeader.RecordBatch, batch, bodyLength));
}

/** The `Footer` flatbuffer of an IPC file: the schema and where each record batch lies. */
export function encodeFooter(fields: readonly ColumnField[], recordBatches: readonly IpcBlock[]): Uint8Array {
  const b = new FlatBufferBuilder();
  const schema = writeSchema(b, fields);
  const dictionaries = b.createStructVector(BLOCK_SIZE, STRUCT_ALIGN, 0, () => undefined);
  const blocks = b.createStructVector(BLOCK_SIZE, STRUCT_ALIGN, recordBatches.length, (view, pos, i) => {
    const block = recordBatches[i]!;
    writeInt64(view, pos, block.offset);
    view.setInt32(pos + BLOCK_METADATA_LENGTH_AT, block.metaDataLength, true);
    writeInt64(view, pos + BLOCK_BODY_LENGTH_AT, block.bodyLength);
  });
  b.startTable(FooterSlot.count);
  b.addOffset(FooterSlot.schema, schema);
  b.addOffset(FooterSlot.dictionaries, dictionaries);
  b.addOffset(FooterSlot.recordBatches, blocks);
  b.addInt16(FooterSlot.version, METADATA_VERSION_V5);
  return b.finish(b.endTable());
}

function writeMessage(b: FlatBufferBuilder, headerType: number, header: number, bodyLength: number): number {
  b.startTable(MessageSlot.count);
  b.addInt64(MessageSlot.bodyLength, bodyLength);
  b.addOffset(MessageSlot.header, header);
  b.addInt16(MessageSlot.version, METADATA_VERSION_V5);
  b.addInt8(MessageSlot.headerType, headerType);
  return b.endTable();
}

function writeSchema(b: FlatBufferBuilder, fields: readonly ColumnField[]): number {
  const fieldTables = fields.map((f) => writeField(b, f));
  const fieldsVec = b.createOffsetVector(fieldTables);
  // endianness is left out: its default, Little, is what every buffer here is.
  b.startTable(SchemaSlot.count);
  b.addOffset(SchemaSlot.fields, fieldsVec);
  return b.endTable();
}

function writeField(b: FlatBufferBuilder, field: ColumnField): number {
  const name = b.createString(field.name);
  const [typeType, type] = writeType(b, field.arrowType);
  // An empty children vector rather than none: Arrow C++ rejects a Field whose children are absent.
  const children = b.createOffsetVector([]);
  const pairs = fieldMetadata(field).map(([key, value]) => writeKeyValue(b, key, value));
  const metadata = b.createOffsetVector(pairs);
  b.startTable(FieldSlot.count);
  b.addOffset(FieldSlot.name, name);
  b.addOffset(FieldSlot.type, type);
  b.addOffset(FieldSlot.children, children);
  b.addOffset(FieldSlot.customMetadata, metadata);
  b.addInt8(FieldSlot.typeType, typeType);
  b.addInt8(FieldSlot.nullable, field.nullable ? 1 : 0);
  return b.endTable();
}

function writeKeyValue(b: FlatBufferBuilder, key: string, value: string): number {
  const k = b.createString(key);
  const v = b.createString(value);
  b.startTable(KeyValueSlot.count);
  b.addOffset(KeyValueSlot.key, k);
  b.addOffset(KeyValueSlot.value, v);
  return b.endTable();
}

/** Writes the type's table; returns [Type union discriminator, table offset]. */
function writeType(b: FlatBufferBuilder, t: ArrowType): [number, number] {
  switch (t.typeId) {
    case 'Bool':
      return [TypeUnion.Bool, emptyTable(b)];
    case 'Utf8':
      return [TypeUnion.Utf8, emptyTable(b)];
    case 'Binary':
      return [TypeUnion.Binary, emptyTable(b)];
    case 'Int':
      b.startTable(IntSlot.count);
      b.addInt32(IntSlot.bitWidth, t.bitWidth);
      b.addInt8(IntSlot.isSigned, t.signed ? 1 : 0);
      return [TypeUnion.Int, b.endTable()];
    case 'FloatingPoint':
      b.startTable(FloatingPointSlot.count);
      b.addInt16(FloatingPointSlot.precision, Precision[t.precision]);
      return [TypeUnion.FloatingPoint, b.endTable()];
    case 'FixedSizeBinary':
      b.startTable(FixedSizeBinarySlot.count);
      b.addInt32(FixedSizeBinarySlot.byteWidth, t.byteWidth);
      return [TypeUnion.FixedSizeBinary, b.endTable()];
    case 'Date':
      b.startTable(DateSlot.count);
      b.addInt16(DateSlot.unit, DateUnit[t.unit]);
      return [TypeUnion.Date, b.endTable()];
    case 'Time':
      b.startTable(TimeSlot.count);
      b.addInt32(TimeSlot.bitWidth, t.bitWidth);
      b.addInt16(TimeSlot.unit, TimeUnit[t.unit]);
      return [TypeUnion.Time, b.endTable()];
    case 'Timestamp': {
      const timezone = t.timezone === null ? 0 : b.createString(t.timezone);
      b.startTable(TimestampSlot.count);
      if (timezone !== 0) b.addOffset(TimestampSlot.timezone, timezone);
      b.addInt16(TimestampSlot.unit, TimeUnit[t.unit]);
      return [TypeUnion.Timestamp, b.endTable()];
    }
  }
}

function emptyTable(b: FlatBufferBuilder): number {
  b.startTable(0);
  return b.endTable();
}
