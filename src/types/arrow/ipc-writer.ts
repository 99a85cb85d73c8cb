/**
 * Arrow IPC framing (the columnar format's "Serialization and Interprocess Communication"): each
 * message is the continuation marker 0xFFFFFFFF, a little-endian int32 metadata length (the
 * `Message` flatbuffer plus padding to 8 bytes), the flatbuffer, then the body — the column buffers
 * in field order, each padded to 8 bytes. A stream is a Schema message, RecordBatch messages and
 * the end-of-stream marker (continuation + length 0). A file is the magic `ARROW1` (padded to 8),
 * the same stream, the `Footer` flatbuffer, its int32 length and `ARROW1` again; the footer's
 * blocks point at each record batch so readers can seek.
 *
 * Every output is computed first (metadata and where each buffer goes) and written into ONE
 * allocation: the column buffers are copied once, into the IPC bytes.
 */
import type { ColumnBuffers, RecordBatchLike } from './column-buffers.js';
import type { ColumnField } from './field.js';
import { encodeFooter, encodeRecordBatchMessage, encodeSchemaMessage } from './ipc-flatbuffers.js';
import type { IpcBlock, IpcBufferRegion, IpcFieldNode } from './ipc-flatbuffers.js';

/** Every message's first word (since format 0.15): tells readers a length follows. */
export const IPC_CONTINUATION_MARKER = 0xffffffff;
/** Alignment of metadata and of every body buffer. */
export const IPC_ALIGNMENT = 8;
/** The IPC file magic, at both ends of a file. */
export const ARROW_FILE_MAGIC = 'ARROW1';
/** Continuation marker + int32 length. */
const PREFIX_SIZE = 8;
const INT32_SIZE = 4;
const BITS_PER_BYTE = 8;
const EMPTY = new Uint8Array(0);

/** One message to write: its metadata flatbuffer and its body buffers with their body offsets. */
interface MessagePlan {
  readonly metadata: Uint8Array;
  /** The framed metadata: prefix + flatbuffer + padding (an IPC file Block's metaDataLength). */
  readonly framedLength: number;
  readonly buffers: readonly Uint8Array[];
  readonly regions: readonly IpcBufferRegion[];
  readonly bodyLength: number;
}

/** The Arrow IPC stream of these batches (a Schema message, one RecordBatch each, end of stream). */
export function encodeIpcStream(fields: readonly ColumnField[], batches: readonly RecordBatchLike[]): Uint8Array {
  const plans = [planSchema(fields), ...batches.map(planRecordBatch)];
  const out = new Uint8Array(plans.reduce((n, p) => n + messageSize(p), 0) + PREFIX_SIZE);
  const view = new DataView(out.buffer);
  let pos = 0;
  for (const plan of plans) pos = writeMessage(out, view, pos, plan);
  writeEndOfStream(view, pos);
  return out;
}

/** The Arrow IPC file of these batches: `ARROW1`, the stream, the footer with one block per batch. */
export function encodeIpcFile(fields: readonly ColumnField[], batches: readonly RecordBatchLike[]): Uint8Array {
  const schema = planSchema(fields);
  const plans = batches.map(planRecordBatch);
  const blocks: IpcBlock[] = [];
  let pos = align(ARROW_FILE_MAGIC.length) + messageSize(schema);
  for (const plan of plans) {
    blocks.push({ offset: pos, metaDataLength: plan.framedLength, bodyLength: plan.bodyLength });
    pos += messageSize(plan);
  }
  const footer = encodeFooter(fields, blocks);
  const streamEnd = pos + PREFIX_SIZE;
  const out = new Uint8Array(streamEnd + footer.length + INT32_SIZE + ARROW_FILE_MAGIC.length);
  const view = new DataView(out.buffer);
  writeMagic(out, 0);
  pos = writeMessage(out, view, align(ARROW_FILE_MAGIC.length), schema);
  for (const plan of plans) pos = writeMessage(out, view, pos, plan);
  writeEndOfStream(view, pos);
  out.set(footer, streamEnd);
  view.setInt32(streamEnd + footer.length, footer.length, true);
  writeMagic(out, streamEnd + footer.length + INT32_SIZE);
  return out;
}

/** The framed Schema message alone (to start a stream written piece by piece). */
export function encodeIpcSchema(fields: readonly ColumnField[]): Uint8Array {
  return encodePlan(planSchema(fields));
}

/** One framed RecordBatch message alone (metadata and body; follows `encodeIpcSchema`). */
export function encodeIpcRecordBatch(batch: RecordBatchLike): Uint8Array {
  return encodePlan(planRecordBatch(batch));
}

/** The end-of-stream marker: continuation + metadata length 0. */
export function encodeIpcEndOfStream(): Uint8Array {
  const out = new Uint8Array(PREFIX_SIZE);
  writeEndOfStream(new DataView(out.buffer), 0);
  return out;
}

function encodePlan(plan: MessagePlan): Uint8Array {
  const out = new Uint8Array(messageSize(plan));
  writeMessage(out, new DataView(out.buffer), 0, plan);
  return out;
}

function planSchema(fields: readonly ColumnField[]): MessagePlan {
  const metadata = encodeSchemaMessage(fields);
  return { metadata, framedLength: framed(metadata), buffers: [], regions: [], bodyLength: 0 };
}

function planRecordBatch(batch: RecordBatchLike): MessagePlan {
  const nodes: IpcFieldNode[] = [];
  const buffers: Uint8Array[] = [];
  const regions: IpcBufferRegion[] = [];
  let bodyLength = 0;
  for (let i = 0; i < batch.fields.length; i++) {
    const column = batch.column(i);
    nodes.push({ length: column.length, nullCount: column.nullCount });
    for (const bytes of columnBodyBuffers(column)) {
      buffers.push(bytes);
      regions.push({ offset: bodyLength, length: bytes.length });
      bodyLength += align(bytes.length);
    }
  }
  const metadata = encodeRecordBatchMessage(batch.numRows, nodes, regions, bodyLength);
  return { metadata, framedLength: framed(metadata), buffers, regions, bodyLength };
}

/**
 * A column's buffers in IPC order, cut to exactly the bytes its length needs: validity (empty when
 * there is no NULL, as the format allows), then values, or offsets and data.
 */
function columnBodyBuffers(c: ColumnBuffers): Uint8Array[] {
  const bitmapBytes = Math.ceil(c.length / BITS_PER_BYTE);
  const validity = c.nullCount === 0 || c.validity === null ? EMPTY : c.validity.subarray(0, bitmapBytes);
  const t = c.type;
  switch (t.typeId) {
    case 'Utf8':
    case 'Binary': {
      const offsets = c.offsets!;
      return [validity, bytesOf(offsets, c.length + 1), c.data!.subarray(0, offsets[c.length]!)];
    }
    case 'Bool':
      return [validity, (c.values as Uint8Array).subarray(0, bitmapBytes)];
    case 'FixedSizeBinary':
      return [validity, (c.values as Uint8Array).subarray(0, c.length * t.byteWidth)];
    default:
      return [validity, bytesOf(c.values!, c.length)];
  }
}

/** The first `count` elements of a typed array as bytes (a view, no copy). */
function bytesOf(a: ArrayBufferView & { readonly BYTES_PER_ELEMENT: number }, count: number): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, count * a.BYTES_PER_ELEMENT);
}

function messageSize(plan: MessagePlan): number {
  return plan.framedLength + plan.bodyLength;
}

function framed(metadata: Uint8Array): number {
  return align(PREFIX_SIZE + metadata.length);
}

function align(n: number): number {
  return Math.ceil(n / IPC_ALIGNMENT) * IPC_ALIGNMENT;
}

/** Writes one framed message at `pos` (the output is zeroed, so padding needs no writes); returns the end. */
function writeMessage(out: Uint8Array, view: DataView, pos: number, plan: MessagePlan): number {
  view.setUint32(pos, IPC_CONTINUATION_MARKER, true);
  view.setInt32(pos + INT32_SIZE, plan.framedLength - PREFIX_SIZE, true);
  out.set(plan.metadata, pos + PREFIX_SIZE);
  const body = pos + plan.framedLength;
  for (let i = 0; i < plan.buffers.length; i++) out.set(plan.buffers[i]!, body + plan.regions[i]!.offset);
  return body + plan.bodyLength;
}

function writeEndOfStream(view: DataView, pos: number): void {
  view.setUint32(pos, IPC_CONTINUATION_MARKER, true);
  view.setInt32(pos + INT32_SIZE, 0, true);
}

function writeMagic(out: Uint8Array, pos: number): void {
  for (let i = 0; i < ARROW_FILE_MAGIC.length; i++) out[pos + i] = ARROW_FILE_MAGIC.charCodeAt(i);
}
