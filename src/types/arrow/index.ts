/**
 * The columnar layer: `ColumnBatch` (PostgreSQL columns as Apache Arrow buffers), the OID → Arrow
 * type mapping, Arrow IPC stream/file writing, and zero-copy hand-over to apache-arrow and flechette
 * (both optional: the caller passes the module). Browser-safe, no runtime dependency.
 */
export type { ArrowType, ColumnBuffers } from './column-buffers.js';
export {
  arrowTypeForOid,
  pgTypeName,
  mappedTypeOids,
  sameArrowType,
  describeArrowType,
  PG_TYPE_OID_KEY,
  PG_TYPE_NAME_KEY,
  PG_TYPE_MOD_KEY,
  ARROW_BOOL,
  ARROW_INT16,
  ARROW_INT32,
  ARROW_INT64,
  ARROW_FLOAT32,
  ARROW_FLOAT64,
  ARROW_UTF8,
  ARROW_BINARY,
  ARROW_UUID,
  ARROW_DATE32,
  ARROW_TIMESTAMP,
  ARROW_TIMESTAMPTZ,
  ARROW_TIME64,
} from './arrow-type.js';
export { columnField, fieldMetadata } from './field.js';
export type { ColumnField, ColumnFieldOptions } from './field.js';
export { ColumnBatch, sameFields } from './batch.js';
export {
  encodeIpcStream,
  encodeIpcFile,
  encodeIpcSchema,
  encodeIpcRecordBatch,
  encodeIpcEndOfStream,
  IPC_CONTINUATION_MARKER,
  ARROW_FILE_MAGIC,
} from './ipc-writer.js';
export { encodeIpcStreamChunks, encodeIpcFileChunks } from './ipc-chunks.js';
export type { BatchSource } from './ipc-chunks.js';
export { toArrowJS } from './arrow-js.js';
export type { ArrowJsModule, ArrowJsDataProps } from './arrow-js.js';
export { toFlechette } from './flechette.js';
export type { FlechetteModule, FlechetteOptions } from './flechette.js';
