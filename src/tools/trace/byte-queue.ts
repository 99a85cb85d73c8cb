/**
 * The bytes of one direction of a session, as they became available: chunks (views, never copies)
 * with the time each arrived, addressed by stream offset. A decoder takes them in pieces, asks
 * which chunk held a message's last byte (that message's time), and peeks at bytes it has not
 * consumed to describe a message cut short. Chunks wholly before the consumed offset are dropped.
 */

interface Chunk {
  readonly bytes: Uint8Array;
  readonly time: number | undefined;
  /** Stream offset of the chunk's first byte. */
  readonly start: number;
}

/** Chunks dropped before the array is compacted (keeps `release` amortised O(1)). */
const COMPACT_AFTER = 1024;

/** One direction's bytes, in stream order. */
export class ByteQueue {
  private chunks: Chunk[] = [];
  /** Index of the first chunk still held. */
  private first = 0;
  private total = 0;
  /** Offset of the next byte `take` hands out. */
  private taken = 0;
  /** Index of the chunk holding offset `taken` (or chunks.length). */
  private takeChunk = 0;

  /** Bytes appended so far. */
  get length(): number {
    return this.total;
  }

  /** Offset of the next byte `take` returns. */
  get takenOffset(): number {
    return this.taken;
  }

  /** Appends a chunk that arrived at `time`. */
  append(bytes: Uint8Array, time: number | undefined): void {
    if (bytes.length === 0) return;
    this.chunks.push({ bytes, time, start: this.total });
    this.total += bytes.length;
  }

  /** The next at most `max` bytes not yet taken (a view), or null when every byte has been taken. */
  take(max: number): Uint8Array | null {
    while (this.takeChunk < this.chunks.length) {
      const c = this.chunks[this.takeChunk]!;
      const from = this.taken - c.start;
      if (from < c.bytes.length) {
        const piece = c.bytes.subarray(from, Math.min(c.bytes.length, from + max));
        this.taken += piece.length;
        return piece;
      }
      this.takeChunk++;
    }
    return null;
  }

  /** The byte at `offset`, or undefined when it has not arrived (or was released). */
  byteAt(offset: number): number | undefined {
    const c = this.find(offset);
    return c === undefined ? undefined : c.bytes[offset - c.start];
  }

  /** Up to `n` bytes from `offset` (copied; for messages about a cut-short message). */
  peek(offset: number, n: number): Uint8Array {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const b = this.byteAt(offset + i);
      if (b === undefined) break;
      out.push(b);
    }
    return Uint8Array.from(out);
  }

  /** Time of the chunk holding the byte at `offset`. */
  timeAt(offset: number): number | undefined {
    return this.find(offset)?.time;
  }

  /** Forgets chunks that end at or before `offset`. */
  release(offset: number): void {
    const limit = Math.min(this.takeChunk, this.chunks.length);
    while (this.first < limit) {
      const c = this.chunks[this.first]!;
      if (c.start + c.bytes.length > offset) break;
      this.first++;
    }
    if (this.first >= COMPACT_AFTER) {
      this.chunks = this.chunks.slice(this.first);
      this.takeChunk -= this.first;
      this.first = 0;
    }
  }

  /** The held chunk containing `offset` (binary search). */
  private find(offset: number): Chunk | undefined {
    let lo = this.first;
    let hi = this.chunks.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = this.chunks[mid]!;
      if (offset < c.start) hi = mid - 1;
      else if (offset >= c.start + c.bytes.length) lo = mid + 1;
      else return c;
    }
    return undefined;
  }
}
