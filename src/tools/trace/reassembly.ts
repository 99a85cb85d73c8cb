/**
 * TCP stream reassembly for one direction of a connection (RFC 9293 section 3.4: sequence numbers
 * are 32-bit and wrap; SYN and FIN each take one sequence number). Segments may arrive
 * retransmitted, overlapping or out of order; the bytes come out once each, in stream order, as
 * soon as they are contiguous, stamped with the packet that made them available (what a receiving
 * socket would see). Where copies disagree, the bytes that came out first win.
 *
 * Positions are kept as stream offsets (bytes since the first data byte, not wrapped): a sequence
 * number is placed relative to the next expected one as a signed 32-bit distance, which is exact
 * while the capture never jumps more than 2 GiB, and lets a stream run past 4 GiB. Out-of-order
 * segments wait in a min-heap of views into the capture (no copy, O(log n) per segment), so a
 * hostile capture costs time and memory in proportion to its packets, never to a sequence gap.
 */

/** Bytes that became contiguous, with the packet that completed them. */
export interface StreamChunk {
  readonly bytes: Uint8Array;
  /** Epoch milliseconds of that packet, or undefined when the capture has no time for it. */
  readonly time: number | undefined;
  /** The packet's number in the capture. */
  readonly packet: number;
}

/** What reassembly needs of a segment. */
export interface SegmentInput {
  readonly sequence: number;
  readonly syn: boolean;
  readonly fin: boolean;
  readonly rst: boolean;
  readonly payload: Uint8Array;
  /** Payload bytes the capture lacks after `payload` (snapshot length). */
  readonly missing: number;
}

/** Bytes the capture proves were sent but never delivered. */
export interface StreamGap {
  /** Stream offset of the first missing byte. */
  readonly offset: number;
  /** How many bytes are missing before the next captured byte (or the end the capture proves). */
  readonly missing: number;
  /** The packet whose payload the snapshot length cut, when that is where the gap starts. */
  readonly snapshotCutPacket: number | null;
}

interface Pending {
  readonly start: number;
  readonly bytes: Uint8Array;
  /** Arrival order: among equal starts the first copy wins. */
  readonly order: number;
}

const UINT32 = 0x1_0000_0000;

function before(a: Pending, b: Pending): boolean {
  return a.start < b.start || (a.start === b.start && a.order < b.order);
}

/** A binary min-heap of pending segments by (start, arrival). */
class PendingHeap {
  private readonly items: Pending[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Pending | undefined {
    return this.items[0];
  }

  push(item: Pending): void {
    const a = this.items;
    a.push(item);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): Pending | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    a[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < a.length && before(a[l]!, a[m]!)) m = l;
      if (r < a.length && before(a[r]!, a[m]!)) m = r;
      if (m === i) break;
      [a[i], a[m]] = [a[m]!, a[i]!];
      i = m;
    }
    return top;
  }
}

/** Reassembles one direction of a TCP connection. */
export class TcpReassembler {
  private started = false;
  private synSeen = false;
  /** Sequence number of the next byte to deliver, and its stream offset. */
  private nextSequence = 0;
  private offset = 0;
  /** Stream offset the FIN closes the stream at, once seen. */
  private finOffset: number | null = null;
  /** The furthest stream offset the capture proves was sent. */
  private knownEnd = 0;
  private readonly pending = new PendingHeap();
  private arrivals = 0;
  private cut: { end: number; packet: number } | null = null;
  private reset = false;

  /** True once a SYN started this direction (false for a capture that began mid-connection). */
  get sawSyn(): boolean {
    return this.synSeen;
  }

  /** True after a FIN whose bytes have all been delivered, or after a RST. */
  get finished(): boolean {
    return this.reset || (this.finOffset !== null && this.offset >= this.finOffset);
  }

  /** Bytes delivered so far. */
  get delivered(): number {
    return this.offset;
  }

  /** Ends the stream where it is (the connection was reset): later segments are ignored. */
  abort(): void {
    this.reset = true;
  }

  /** Takes a segment; `deliver` receives each run of bytes that became contiguous. */
  segment(seg: SegmentInput, time: number | undefined, packet: number, deliver: (chunk: StreamChunk) => void): void {
    if (this.reset) return;
    if (seg.syn && !this.synSeen && this.offset === 0) {
      // The SYN takes one sequence number; data on a SYN (TCP Fast Open) starts after it.
      this.started = this.synSeen = true;
      this.nextSequence = (seg.sequence + 1) % UINT32;
    } else if (!this.started) {
      this.started = true;
      this.nextSequence = seg.sequence;
    }
    if (seg.rst) {
      this.reset = true;
      return;
    }
    const first = seg.syn ? (seg.sequence + 1) % UINT32 : seg.sequence;
    const start = this.offset + ((first - this.nextSequence) | 0);
    const end = start + seg.payload.length;
    const sent = end + seg.missing;
    if (seg.fin && this.finOffset === null) this.finOffset = sent;
    this.knownEnd = Math.max(this.knownEnd, this.finOffset === null ? sent : Math.min(sent, this.finOffset));
    if (seg.missing > 0) this.cut = { end, packet };
    if (seg.payload.length > 0) this.place(start, seg.payload, time, packet, deliver);
  }

  /** Where the capture lost bytes of this direction, or null when nothing proven sent is missing. */
  gap(): StreamGap | null {
    if (this.knownEnd <= this.offset) return null;
    const next = this.pending.peek();
    const upTo = next === undefined ? this.knownEnd : Math.min(next.start, this.knownEnd);
    const cut = this.cut !== null && this.cut.end === this.offset ? this.cut.packet : null;
    return { offset: this.offset, missing: upTo - this.offset, snapshotCutPacket: cut };
  }

  private place(start: number, bytes: Uint8Array, time: number | undefined, packet: number, deliver: (chunk: StreamChunk) => void): void {
    let b = bytes;
    if (this.finOffset !== null && start + b.length > this.finOffset) b = b.subarray(0, Math.max(0, this.finOffset - start));
    const end = start + b.length;
    if (end <= this.offset) return;
    if (start > this.offset) {
      this.pending.push({ start, bytes: b, order: this.arrivals++ });
      return;
    }
    this.emit(b.subarray(this.offset - start), time, packet, deliver);
    for (let p = this.pending.peek(); p !== undefined && p.start <= this.offset; p = this.pending.peek()) {
      this.pending.pop();
      const pEnd = p.start + p.bytes.length;
      if (pEnd > this.offset) this.emit(p.bytes.subarray(this.offset - p.start), time, packet, deliver);
    }
  }

  private emit(bytes: Uint8Array, time: number | undefined, packet: number, deliver: (chunk: StreamChunk) => void): void {
    this.offset += bytes.length;
    this.nextSequence = (this.nextSequence + bytes.length) % UINT32;
    deliver({ bytes, time, packet });
  }
}
