/**
 * One column of the batch being built: growable JS-owned Arrow buffers that take the core's output
 * regions after each decoding with one copy per buffer. Bitmaps (validity, bool values) are
 * continued at any bit: the core writes them from bit `length & 7`, so the first byte is ORed into
 * the partial last byte here and the rest copied. Buffers double as they fill; `seal()` hands them
 * out as a `ColumnBuffers` and starts new ones of the same capacities, so a run of batches of one
 * shape grows once. New memory is expensive (the first write to each page faults it in: about
 * 2 ns a byte here, far more than the decoding), so buffers handed back with `recycle()` are reused
 * before any is allocated.
 */
import { ColumnKind } from '../../wasm/layout.js';
import type { ColumnDecoder } from '../../wasm/columns.js';
import type { ArrowType, ArrowValues, ColumnBuffers } from './column-buffers.js';

/** Bytes per value of each fixed-width kind (bool is a bitmap, the variable-width kinds have offsets). */
const widths: Partial<Record<ColumnKind, number>> = {
  [ColumnKind.INT16]: 2,
  [ColumnKind.INT32]: 4,
  [ColumnKind.INT64]: 8,
  [ColumnKind.FLOAT32]: 4,
  [ColumnKind.FLOAT64]: 8,
  [ColumnKind.DATE]: 4,
  [ColumnKind.TIMESTAMP]: 8,
  [ColumnKind.TIMESTAMPTZ]: 8,
  [ColumnKind.TIME]: 8,
  [ColumnKind.UUID]: 16,
};

/** Bytes of an int32 offset. */
const OFFSET_SIZE = 4;
/** Smallest buffer allocated, in bytes (buffers start 8-byte aligned at offset 0 of their own ArrayBuffer). */
const MIN_BYTES = 64;
/** Most bytes reserved ahead of need for a column's data (past it, the buffer doubles as it fills). */
const MAX_DATA_RESERVE = 0x200_0000;
/** Recycled buffers kept per column (one batch has at most three). */
const MAX_SPARE = 6;
/** Bytes of a reused buffer that must read zero: the first bitmap byte (ORed into) and the first offset. */
const CLEAN_PREFIX = 8;

/** Bytes of a bitmap of `bits` bits. */
const bitmapBytes = (bits: number): number => (bits + 7) >>> 3;

/** A buffer of at least `need` bytes (or `hint`, if larger) holding the first `keep` bytes of `old` (doubling). */
function grow(old: Uint8Array<ArrayBuffer>, need: number, keep: number, hint = 0): Uint8Array<ArrayBuffer> {
  if (need <= old.length) return old;
  const next = new Uint8Array(Math.max(need, old.length * 2, hint, MIN_BYTES));
  next.set(old.subarray(0, keep));
  return next;
}

/** Zeroes the prefix a reused buffer must have clean (ORed bitmap byte, first offset); returns it. */
function clean(b: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  b.fill(0, 0, CLEAN_PREFIX);
  return b;
}

/** Appends `rows` bits from `src` (which starts at bit `length & 7`) to the bitmap `dst` of `length` bits. */
function appendBits(dst: Uint8Array, length: number, src: Uint8Array, rows: number): void {
  if (rows === 0) return;
  const at = length >>> 3;
  const end = (length & 7) + rows;
  const bytes = bitmapBytes(end);
  // A byte started by an earlier append keeps its bits (those past them are clean: masked below);
  // a fresh byte is assigned, since a reused buffer may hold a previous batch's bits there.
  dst[at] = (length & 7) === 0 ? src[0]! : dst[at]! | src[0]!;
  if (bytes > 1) dst.set(src.subarray(1, bytes), at + 1);
  // The core wrote bits for every row it was asked for; keep only the rows taken.
  if ((end & 7) !== 0) dst[at + bytes - 1] = dst[at + bytes - 1]! & ((1 << (end & 7)) - 1);
}

/** The growable buffers of one column of the open batch. */
export class ColumnAccumulator {
  /** Rows and NULLs so far. */
  length = 0;
  nullCount = 0;
  /** Data bytes so far (variable-width kinds). */
  dataLength = 0;
  private validity: Uint8Array<ArrayBuffer>;
  /** Fixed-width values, the bool bitmap, or the int32 offsets' bytes. */
  private values: Uint8Array<ArrayBuffer>;
  private data: Uint8Array<ArrayBuffer>;
  /** Bytes per value; 0 for bool and the variable-width kinds. */
  private readonly width: number;
  readonly variable: boolean;
  /** Buffers handed back by `recycle()`. */
  private readonly spare: Uint8Array<ArrayBuffer>[] = [];

  constructor(
    readonly kind: ColumnKind,
    readonly binary: boolean,
    readonly type: ArrowType,
    /** Rows of a full batch: the capacity reserved up front (untouched pages cost nothing). */
    private readonly batchRows: number,
  ) {
    this.width = widths[kind] ?? 0;
    this.variable = this.width === 0 && kind !== ColumnKind.BOOL;
    this.validity = new Uint8Array(Math.max(MIN_BYTES, bitmapBytes(batchRows)));
    this.values = new Uint8Array(Math.max(MIN_BYTES, this.valueBytes(batchRows)));
    this.data = new Uint8Array(this.variable ? MIN_BYTES : 0);
  }

  /** Bytes of the values buffer for `rows` rows. */
  private valueBytes(rows: number): number {
    if (this.variable) return (rows + 1) * OFFSET_SIZE;
    if (this.width === 0) return bitmapBytes(rows);
    return rows * this.width;
  }

  /** Takes the `rows` rows of the decoder's last decoding (one copy per buffer). */
  take(decoder: ColumnDecoder, rows: number): void {
    const length = this.length;
    const total = length + rows;
    const outBits = bitmapBytes((length & 7) + rows);
    this.validity = grow(this.validity, bitmapBytes(total), bitmapBytes(length));
    appendBits(this.validity, length, decoder.validity(outBits), rows);
    this.values = grow(this.values, this.valueBytes(total), this.valueBytes(length));
    if (this.variable) {
      const data = decoder.data();
      const need = this.dataLength + data.length;
      // Reserve for a full batch at the bytes per row seen so far, rather than doubling up to it.
      this.data = grow(this.data, need, this.dataLength, Math.min(MAX_DATA_RESERVE, Math.ceil((need / total) * this.batchRows * 1.25)));
      this.data.set(data, this.dataLength);
      this.dataLength += data.length;
      this.values.set(decoder.values(rows * OFFSET_SIZE), (length + 1) * OFFSET_SIZE);
    } else if (this.width === 0) {
      appendBits(this.values, length, decoder.values(outBits), rows);
    } else {
      this.values.set(decoder.values(rows * this.width), length * this.width);
    }
    this.length = total;
    this.nullCount += decoder.nulls;
  }

  /** The column's buffers so far; the accumulator starts over with buffers of the same sizes. */
  seal(): ColumnBuffers {
    const { length, type } = this;
    const buffer = this.values.buffer;
    let column: ColumnBuffers;
    const validity = this.nullCount === 0 ? null : this.validity.subarray(0, bitmapBytes(length));
    const base = { type, length, nullCount: this.nullCount, validity };
    if (this.variable) {
      column = { ...base, offsets: new Int32Array(buffer, 0, length + 1), data: this.data.subarray(0, this.dataLength) };
    } else {
      column = { ...base, values: this.typedValues(buffer, length) };
    }
    // A validity bitmap that was not handed out (no NULL) is kept.
    this.validity = validity === null ? clean(this.validity) : this.buffer(this.validity.length);
    this.values = this.buffer(this.values.length);
    if (this.variable) this.data = this.buffer(this.data.length);
    this.length = this.nullCount = this.dataLength = 0;
    return column;
  }

  /**
   * Takes back the buffers of a sealed column of this accumulator for later batches: the caller
   * must not use them (or any view of them) afterwards.
   */
  recycle(column: ColumnBuffers): void {
    for (const view of [column.validity, column.values, column.offsets, column.data]) {
      if (view === null || view === undefined || !(view.buffer instanceof ArrayBuffer)) continue;
      if (this.spare.length < MAX_SPARE && !this.spare.some((b) => b.buffer === view.buffer)) this.spare.push(new Uint8Array(view.buffer));
    }
  }

  /** A buffer of at least `size` bytes: the smallest recycled one that fits (its prefix zeroed), else a new one. */
  private buffer(size: number): Uint8Array<ArrayBuffer> {
    let best = -1;
    for (let i = 0; i < this.spare.length; i++) {
      const length = this.spare[i]!.length;
      if (length >= size && (best < 0 || length < this.spare[best]!.length)) best = i;
    }
    if (best < 0) return new Uint8Array(Math.max(MIN_BYTES, size));
    return clean(this.spare.splice(best, 1)[0]!);
  }

  /** The values buffer as the typed array of the column's Arrow type. */
  private typedValues(buffer: ArrayBuffer, length: number): ArrowValues {
    switch (this.kind) {
      case ColumnKind.INT16:
        return new Int16Array(buffer, 0, length);
      case ColumnKind.INT32:
      case ColumnKind.DATE:
        return new Int32Array(buffer, 0, length);
      case ColumnKind.INT64:
      case ColumnKind.TIMESTAMP:
      case ColumnKind.TIMESTAMPTZ:
      case ColumnKind.TIME:
        return new BigInt64Array(buffer, 0, length);
      case ColumnKind.FLOAT32:
        return new Float32Array(buffer, 0, length);
      case ColumnKind.FLOAT64:
        return new Float64Array(buffer, 0, length);
      case ColumnKind.BOOL:
        return new Uint8Array(buffer, 0, bitmapBytes(length));
    }
    return new Uint8Array(buffer, 0, length * this.width);
  }
}
