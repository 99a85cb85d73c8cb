/**
 * Arrow IPC stream and file written incrementally: one chunk per message as the batches arrive
 * (from `conn.batches()` or any iterable), so a result of any size goes to a file or socket with one
 * batch in memory at a time. The bytes are those of `ColumnBatch.toIPCStream` / `toIPCFile` for the
 * same batches (ipc-writer.ts), cut at message boundaries.
 */
import { ClientError, ErrorCode } from '../../errors.js';
import { ColumnBatch, sameFields } from './batch.js';
import { checkField } from './check-column.js';
import type { ColumnField } from './field.js';
import type { IpcBlock } from './ipc-flatbuffers.js';
import { encodeFooter } from './ipc-flatbuffers.js';
import {
  ARROW_FILE_MAGIC,
  IPC_ALIGNMENT,
  encodeIpcEndOfStream,
  encodeIpcRecordBatch,
  encodeIpcSchema,
} from './ipc-writer.js';

/** Continuation marker + int32 metadata length, before every message's flatbuffer. */
const PREFIX_SIZE = 8;
const LENGTH_AT = 4;
const INT32_SIZE = 4;

/** Batches from a sync or async source. */
export type BatchSource = Iterable<ColumnBatch> | AsyncIterable<ColumnBatch>;

/**
 * The Arrow IPC stream of `batches`, a chunk per message: the Schema (from `fields`, else from the
 * first batch), a RecordBatch per batch, the end-of-stream marker. A batch whose fields differ from
 * the schema stops the stream with PGS_INVALID_ARGUMENT (the chunks before it were valid messages).
 */
export async function* encodeIpcStreamChunks(batches: BatchSource, fields?: readonly ColumnField[]): AsyncGenerator<Uint8Array> {
  let schema = checkedFields(fields);
  if (schema !== undefined) yield encodeIpcSchema(schema);
  let index = 0;
  for await (const batch of batches) {
    checkBatch(schema, batch, index++);
    if (schema === undefined) {
      schema = batch.fields;
      yield encodeIpcSchema(schema);
    }
    yield encodeIpcRecordBatch(batch);
  }
  if (schema === undefined) throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'an Arrow stream of no batch needs its fields');
  yield encodeIpcEndOfStream();
}

/**
 * The Arrow IPC file of `batches`, chunk by chunk: the magic, the stream's messages, then the footer
 * (which lists where each record batch lies), its length and the magic again.
 */
export async function* encodeIpcFileChunks(batches: BatchSource, fields?: readonly ColumnField[]): AsyncGenerator<Uint8Array> {
  let schema = checkedFields(fields);
  let position = 0;
  const blocks: IpcBlock[] = [];
  const emit = (chunk: Uint8Array): Uint8Array => {
    position += chunk.length;
    return chunk;
  };
  if (schema !== undefined) {
    yield emit(encodeMagic(true));
    yield emit(encodeIpcSchema(schema));
  }
  let index = 0;
  for await (const batch of batches) {
    checkBatch(schema, batch, index++);
    if (schema === undefined) {
      schema = batch.fields;
      yield emit(encodeMagic(true));
      yield emit(encodeIpcSchema(schema));
    }
    const message = encodeIpcRecordBatch(batch);
    const metaDataLength = PREFIX_SIZE + new DataView(message.buffer, message.byteOffset, message.byteLength).getInt32(LENGTH_AT, true);
    blocks.push({ offset: position, metaDataLength, bodyLength: message.length - metaDataLength });
    yield emit(message);
  }
  if (schema === undefined) throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'an Arrow file of no batch needs its fields');
  yield emit(encodeIpcEndOfStream());
  const footer = encodeFooter(schema, blocks);
  const tail = new Uint8Array(footer.length + INT32_SIZE + ARROW_FILE_MAGIC.length);
  tail.set(footer, 0);
  new DataView(tail.buffer).setInt32(footer.length, footer.length, true);
  tail.set(encodeMagic(false), footer.length + INT32_SIZE);
  yield tail;
}

/** `ARROW1`, padded to 8 bytes at the start of a file, bare at its end. */
function encodeMagic(padded: boolean): Uint8Array {
  const out = new Uint8Array(padded ? Math.ceil(ARROW_FILE_MAGIC.length / IPC_ALIGNMENT) * IPC_ALIGNMENT : ARROW_FILE_MAGIC.length);
  for (let i = 0; i < ARROW_FILE_MAGIC.length; i++) out[i] = ARROW_FILE_MAGIC.charCodeAt(i);
  return out;
}

function checkedFields(fields: readonly ColumnField[] | undefined): readonly ColumnField[] | undefined {
  fields?.forEach((f, i) => checkField(f, `field ${i}`));
  return fields;
}

/** Throws unless `batch` is a ColumnBatch with the schema's fields (any fields when there is no schema yet). */
function checkBatch(schema: readonly ColumnField[] | undefined, batch: ColumnBatch, index: number): void {
  if (!(batch instanceof ColumnBatch)) throw new ClientError(ErrorCode.INVALID_ARGUMENT, `batch ${index} is not a ColumnBatch`);
  if (schema !== undefined && !sameFields(schema, batch.fields)) {
    throw new ClientError(ErrorCode.INVALID_ARGUMENT, `batch ${index}'s fields differ from the stream's schema`);
  }
}
