/**
 * A minimal FlatBuffers writer: just what Arrow's IPC metadata (Schema.fbs, Message.fbs, File.fbs)
 * needs — tables with scalar and offset fields, strings, vectors of offsets and of structs.
 *
 * The layout follows the FlatBuffers binary format: an object refers to another through an unsigned
 * 32-bit offset that points forward (to a higher address), so children must be written before their
 * parents. The buffer is therefore built back to front: `offset` counts bytes from the END of the
 * buffer, everything is prepended, and `finish` prepends the root offset last. A table begins with a
 * signed 32-bit offset to its vtable (table position minus vtable position); the vtable is a list of
 * 16-bit numbers: its own size, the table's size, then each field's position inside the table
 * (0 = absent, the reader uses the schema's default). Scalars are little-endian and aligned to their
 * size; because the finished length is a multiple of the largest alignment used, alignment measured
 * from the end is alignment from the start too.
 */
import { ClientError, ErrorCode } from '../../errors.js';

const UOFFSET_SIZE = 4;
const VOFFSET_SIZE = 2;
/** The vtable's two leading entries: vtable size and table size. */
const VTABLE_HEADER_ENTRIES = 2;
/** Largest object a vtable entry (16 bits) can describe. */
const MAX_VOFFSET = 0xffff;
const TWO_POW_32 = 2 ** 32;
const INITIAL_CAPACITY = 256;

const utf8 = new TextEncoder();

/** Writes one FlatBuffer back to front; offsets returned by its methods refer to written objects. */
export class FlatBufferBuilder {
  private bytes: Uint8Array;
  private view: DataView;
  /** Index of the first written byte: the data is `bytes[head, bytes.length)`. */
  private head: number;
  private minAlign = 1;
  /** Per slot of the open table: the field's offset, 0 when absent; null when no table is open. */
  private slots: number[] | null = null;
  private tableStart = 0;

  constructor(initialCapacity = INITIAL_CAPACITY) {
    this.bytes = new Uint8Array(initialCapacity);
    this.view = new DataView(this.bytes.buffer);
    this.head = initialCapacity;
  }

  /** Bytes written so far: an object's "offset" is this value right after it was written. */
  get offset(): number {
    return this.bytes.length - this.head;
  }

  /**
   * Pads so that, once `additional` more bytes are prepended, the head is aligned to `size`, and
   * makes room for those bytes.
   */
  align(size: number, additional: number): void {
    if (size > this.minAlign) this.minAlign = size;
    const pad = (size - ((this.offset + additional) % size)) % size;
    this.reserve(pad + additional);
    this.head -= pad;
    this.bytes.fill(0, this.head, this.head + pad);
  }

  /** Prepends an 8-bit integer (also a bool). */
  prependInt8(value: number): void {
    this.align(1, 1);
    this.head -= 1;
    this.view.setInt8(this.head, value);
  }

  /** Prepends a 16-bit integer. */
  prependInt16(value: number): void {
    this.align(2, 2);
    this.head -= 2;
    this.view.setInt16(this.head, value, true);
  }

  /** Prepends a 32-bit integer. */
  prependInt32(value: number): void {
    this.align(4, 4);
    this.head -= 4;
    this.view.setInt32(this.head, value, true);
  }

  /** Prepends a 64-bit integer given as a non-negative safe integer (lengths and offsets). */
  prependInt64(value: number): void {
    this.align(8, 8);
    this.head -= 8;
    writeInt64(this.view, this.head, value);
  }

  /** Prepends an offset to an object already written (its `offset`). */
  prependOffset(target: number): void {
    this.align(UOFFSET_SIZE, UOFFSET_SIZE);
    const relative = this.offset + UOFFSET_SIZE - target;
    if (target <= 0 || relative <= 0) throw new RangeError('flatbuffer offset to an object not yet written');
    this.head -= UOFFSET_SIZE;
    this.view.setUint32(this.head, relative, true);
  }

  /** Writes a string (UTF-8, NUL-terminated, 32-bit length prefix); returns its offset. */
  createString(s: string): number {
    this.assertNoOpenTable();
    const encoded = utf8.encode(s);
    this.align(UOFFSET_SIZE, encoded.length + 1);
    this.head -= encoded.length + 1;
    this.bytes.set(encoded, this.head);
    this.bytes[this.head + encoded.length] = 0;
    this.prependInt32(encoded.length);
    return this.offset;
  }

  /** Writes a vector of offsets to objects already written; returns its offset. */
  createOffsetVector(targets: readonly number[]): number {
    this.assertNoOpenTable();
    this.align(UOFFSET_SIZE, targets.length * UOFFSET_SIZE);
    for (let i = targets.length - 1; i >= 0; i--) this.prependOffset(targets[i]!);
    this.prependInt32(targets.length);
    return this.offset;
  }

  /**
   * Writes a vector of `count` structs of `size` bytes aligned to `alignment`; `write(view, pos, i)`
   * fills struct `i` at `view` position `pos` (zeroed beforehand, so padding stays 0).
   */
  createStructVector(size: number, alignment: number, count: number, write: (view: DataView, pos: number, i: number) => void): number {
    this.assertNoOpenTable();
    const bytes = size * count;
    this.align(Math.max(UOFFSET_SIZE, alignment), bytes);
    this.head -= bytes;
    this.bytes.fill(0, this.head, this.head + bytes);
    for (let i = 0; i < count; i++) write(this.view, this.head + i * size, i);
    this.prependInt32(count);
    return this.offset;
  }

  /** Opens a table with `slotCount` field slots (the schema's field ids; a union takes two). */
  startTable(slotCount: number): void {
    this.assertNoOpenTable();
    this.slots = new Array<number>(slotCount).fill(0);
    this.tableStart = this.offset;
  }

  /** Adds an 8-bit (or bool) field. */
  addInt8(slot: number, value: number): void {
    this.prependInt8(value);
    this.mark(slot);
  }

  /** Adds a 16-bit field (enums declared `short`). */
  addInt16(slot: number, value: number): void {
    this.prependInt16(value);
    this.mark(slot);
  }

  /** Adds a 32-bit field. */
  addInt32(slot: number, value: number): void {
    this.prependInt32(value);
    this.mark(slot);
  }

  /** Adds a 64-bit field from a non-negative safe integer. */
  addInt64(slot: number, value: number): void {
    this.prependInt64(value);
    this.mark(slot);
  }

  /** Adds an offset field (a string, vector, table or union value written before the table). */
  addOffset(slot: number, target: number): void {
    this.prependOffset(target);
    this.mark(slot);
  }

  /** Closes the open table, writes its vtable, and returns the table's offset. */
  endTable(): number {
    const slots = this.slots;
    if (slots === null) throw new RangeError('flatbuffer endTable without startTable');
    // Placeholder for the table's signed offset to its vtable, patched below.
    this.prependInt32(0);
    const tableOffset = this.offset;
    let used = slots.length;
    while (used > 0 && slots[used - 1] === 0) used--;
    const tableSize = tableOffset - this.tableStart;
    if (tableSize > MAX_VOFFSET) throw new RangeError('flatbuffer table too large for its vtable');
    for (let i = used - 1; i >= 0; i--) {
      const at = slots[i]!;
      this.prependInt16(at === 0 ? 0 : tableOffset - at);
    }
    this.prependInt16(tableSize);
    this.prependInt16((used + VTABLE_HEADER_ENTRIES) * VOFFSET_SIZE);
    const vtableOffset = this.offset;
    // The table's first word: table position − vtable position (the vtable precedes it here).
    this.view.setInt32(this.bytes.length - tableOffset, vtableOffset - tableOffset, true);
    this.slots = null;
    return tableOffset;
  }

  /** Prepends the root table's offset and returns the finished buffer (a view of the builder's memory). */
  finish(root: number): Uint8Array {
    this.assertNoOpenTable();
    this.align(Math.max(this.minAlign, UOFFSET_SIZE), UOFFSET_SIZE);
    this.prependOffset(root);
    return this.bytes.subarray(this.head);
  }

  private mark(slot: number): void {
    const slots = this.slots;
    if (slots === null || slot < 0 || slot >= slots.length) throw new RangeError(`flatbuffer field slot ${slot} outside the open table`);
    slots[slot] = this.offset;
  }

  private assertNoOpenTable(): void {
    if (this.slots !== null) throw new RangeError('flatbuffer objects cannot be written inside an open table');
  }

  /** Makes room for `n` more bytes before the head, moving the data to the end of a larger buffer. */
  private reserve(n: number): void {
    if (this.head >= n) return;
    const used = this.offset;
    const capacity = Math.max(this.bytes.length * 2, used + n);
    const next = new Uint8Array(capacity);
    next.set(this.bytes.subarray(this.head), capacity - used);
    this.bytes = next;
    this.view = new DataView(next.buffer);
    this.head = capacity - used;
  }
}

/** Writes a non-negative safe integer as a little-endian 64-bit integer. */
export function writeInt64(view: DataView, pos: number, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new ClientError(ErrorCode.INVALID_ARGUMENT, `64-bit length or offset out of range: ${value}`);
  }
  view.setUint32(pos, value >>> 0, true);
  view.setUint32(pos + 4, Math.floor(value / TWO_POW_32), true);
}
