/**
 * BackendReader: turns the backend byte stream into messages, framed in place in WASM memory.
 *
 * Bytes arrive by `push()` (copied in) or straight into `writable()` followed by `commit()` (a
 * transport reading into WASM memory). `next()` frames ~64 KiB at a time with the WASM core, then
 * hands out the framed messages one by one: DataRow as one reusable view (no allocation per row),
 * everything else through `decodeBackend`. A message is valid until the next `next()`; only then
 * is the unconsumed tail moved to the start of the input region (compaction never moves a byte a
 * caller may still be reading, and moves each byte at most once: linear time, RELIABILITY case 25).
 *
 * A message that cannot fit the input region takes the slow path: its body is accumulated in a JS
 * array (only up to `maxMessageLength`; above that the header alone is a `PGS_FRAME_TOO_LARGE`,
 * before anything is allocated, case 24) and decoded in pure JS. The array grows as the body
 * arrives (doubling, from twice the input region), so a header alone never reserves its length.
 * Every violation is a typed `ProtocolError`; after one the reader is poisoned and rethrows it.
 *
 * `nextRows()` takes a run of DataRows at once for column-at-a-time decoding (see row-block.ts).
 * Memory: each reader owns a WebAssembly instance whose memory is fixed at Layout.MEMORY_PAGES
 * pages (5.4 MiB: a 1 MiB input region, the tables, and the column output regions; pages never
 * touched are not resident); it never grows (RELIABILITY.md case 26).
 */
import { ClientError, ErrorCode, PgStreamError, ProtocolError } from '../errors.js';
import { createCore, type WasmCore } from '../wasm/core.js';
import { Layout, Status } from '../wasm/layout.js';
import { CoreTables } from '../wasm/tables.js';
import { scanError } from './scan-errors.js';
import { decodeBackend } from './backend/index.js';
import { decodeDataRow, WasmDataRow } from './backend/data-row.js';
import { Limits, MessageCode } from './codes.js';
import type { BackendMessage } from './messages.js';
import { RowBlock } from './row-block.js';

/** Options of a BackendReader. */
export interface BackendReaderOptions {
  /**
   * Largest declared length (counting itself) accepted for DataRow, CopyData, RowDescription and
   * FunctionCallResponse; default 256 MiB, at most 1 GiB. Other types have fixed, smaller caps.
   */
  maxMessageLength?: number;
}

/** Default `maxMessageLength`: 256 MiB. */
export const DEFAULT_MAX_MESSAGE_LENGTH = 0x1000_0000;
/** Bytes framed per scan: batches above 64 KiB make the batch-string trick slower (PERFORMANCE.md). */
const BATCH_BUDGET = 0x1_0000;
/** The type byte and the length word. */
const HEADER = 5;
/** The length word counts itself. */
const LENGTH_WORD = 4;
/** First capacity of a slow-path body; it doubles as bytes arrive, up to the declared length. */
const SLOW_PATH_FIRST = 2 * Layout.INPUT_SIZE;

const { INPUT, INPUT_SIZE } = Layout;
const INPUT_END = INPUT + INPUT_SIZE;

const DATA_ROW = MessageCode.DATA_ROW;

function invalid(what: string): ClientError {
  return new ClientError(ErrorCode.INVALID_ARGUMENT, what);
}

/** Frames and decodes the messages of a backend (server → client) byte stream. */
export class BackendReader {
  private readonly core: WasmCore;
  private readonly tables: CoreTables;
  private readonly row: WasmDataRow;
  private readonly block: RowBlock;
  private maxLength: number;
  /** First byte of the input region not yet framed. */
  private head: number = INPUT;
  /** End of the bytes written to the input region. */
  private tail: number = INPUT;
  /** Next message-table entry to hand out, and how many the last scan framed. */
  private cursor = 0;
  private count = 0;
  /** Slow path: the body of a message larger than the input region, its type, and bytes received. */
  private big: Uint8Array | null = null;
  private bigType = 0;
  private bigFilled = 0;
  /** The slow-path body's declared length (`big` grows towards it). */
  private bigLength = 0;
  /** Wire length of the last message `next()` returned when it came from the slow path, else -1. */
  private bigDelivered = -1;
  private error: PgStreamError | null = null;

  constructor(options: BackendReaderOptions = {}) {
    const max = checkMaxLength(options.maxMessageLength ?? DEFAULT_MAX_MESSAGE_LENGTH);
    this.maxLength = max;
    this.core = createCore();
    this.core.configure(max);
    this.tables = new CoreTables(this.core);
    this.row = new WasmDataRow(this.tables);
    this.block = new RowBlock(this.tables, this.row);
  }

  /**
   * The largest DataRow, CopyData, RowDescription or FunctionCallResponse accepted (length word
   * included); longer headers are refused before any of the body is read. May be changed at any
   * time: a connection keeps it tiny until ReadyForQuery, when none of those messages is valid, so
   * that an unauthenticated server cannot make it reserve memory.
   */
  get maxMessageLength(): number {
    return this.maxLength;
  }

  set maxMessageLength(max: number) {
    this.maxLength = checkMaxLength(max);
    this.core.configure(max);
  }

  /** Free space a transport may read into directly; report what landed with `commit()`. */
  writable(): Uint8Array {
    this.check();
    if (this.big !== null && this.bigFilled < this.bigLength) {
      return this.reserveBig(this.bigFilled + 1).subarray(this.bigFilled);
    }
    return this.tables.bytes.subarray(this.tail, INPUT_END);
  }

  /**
   * `n` bytes were written into a view from `writable()`. If that view (`landed`) is not where
   * `writable()` points now (it was handed to a socket earlier), its bytes are moved into place.
   */
  commit(n: number, landed?: Uint8Array): void {
    this.check();
    if (!Number.isInteger(n) || n < 0) throw invalid(`commit(${n}): not a byte count`);
    if (landed !== undefined) {
      if (n > landed.length) throw invalid(`commit(${n}) exceeds the ${landed.length}-byte view it names`);
      if (!this.isWritablePosition(landed)) {
        if (this.ingest(landed.subarray(0, n)) !== n) throw invalid(`commit(${n}): no room for the bytes that landed`);
        return;
      }
    }
    if (this.big !== null && this.bigFilled < this.bigLength) {
      if (n > this.big.length - this.bigFilled) throw invalid(`commit(${n}) exceeds the writable space`);
      this.bigFilled += n;
      return;
    }
    if (n > INPUT_END - this.tail) throw invalid(`commit(${n}) exceeds the writable space`);
    this.tail += n;
  }

  /** Copies bytes in; returns how many were taken (0 when full: consume messages with `next()` first). */
  push(chunk: Uint8Array): number {
    this.check();
    return this.ingest(chunk);
  }

  /** Bytes held that `next()` has not returned yet. */
  get buffered(): number {
    const start = this.cursor < this.count ? this.tables.messageBody(this.cursor) - HEADER : this.head;
    return this.tail - start + (this.big === null ? 0 : HEADER + this.bigFilled);
  }

  /** Bytes `push()` could take now. */
  get free(): number {
    const big = this.big === null ? 0 : this.bigLength - this.bigFilled;
    return big + INPUT_END - this.tail;
  }

  /**
   * The next complete message, or null when more bytes are needed. Invalidates the previous
   * message. Throws a ProtocolError on malformed input, and the same error on every later call.
   */
  next(): BackendMessage | null {
    // Fast path: the next DataRow of the current batch (a detached view reads undefined: slow path).
    const k = this.cursor;
    if (k < this.count) {
      const t = this.tables;
      if (t.messageType(k) === DATA_ROW) {
        this.cursor = k + 1;
        const body = t.messageBody(k);
        return this.row.point(t.messageFirstField(k), t.fieldCountAt(body), body, t.messageLength(k));
      }
    }
    return this.nextSlow();
  }

  /**
   * The length word of the last message `next()` returned, as on the wire (it counts itself, not
   * the type byte): what a trace prints, without encoding the message again.
   */
  get messageLength(): number {
    if (this.bigDelivered >= 0) return this.bigDelivered;
    return this.cursor > 0 ? this.tables.messageLength(this.cursor - 1) + LENGTH_WORD : 0;
  }

  /** Every other case of `next()`: other messages, a new batch, errors (which poison the reader). */
  private nextSlow(): BackendMessage | null {
    if (this.error !== null) throw this.error;
    try {
      // A detached view reads as empty: the memory buffer was replaced, rebuild the views.
      if (this.tables.detached) this.refresh();
      if (this.cursor < this.count) return this.message(this.cursor++);
      return this.advance();
    } catch (err) {
      throw this.poison(err);
    }
  }

  /** Records the error every later call rethrows. */
  private poison(err: unknown): PgStreamError {
    this.count = this.cursor = 0;
    this.error = err instanceof PgStreamError ? err : new ProtocolError(ErrorCode.MALFORMED_MESSAGE, `could not decode a backend message: ${String(err)}`, { cause: err });
    return this.error;
  }

  /**
   * The run of DataRows (or of messages of `type`, e.g. CopyData) at the front of the stream, taken
   * at once for column-at-a-time decoding; null when the next message is not one (take it with
   * `next()`) or more bytes are needed.
   * Invalidates the previous message or block; the block is valid until the next call of either.
   */
  nextRows(type: number = DATA_ROW): RowBlock | null {
    if (this.error !== null) throw this.error;
    try {
      if (this.tables.detached) this.refresh();
      if (this.cursor >= this.count && !this.frame()) return null;
      const start = this.cursor;
      const rows = this.tables.dataRowRun(start, this.count, type);
      if (rows === 0) return null;
      this.cursor = start + rows;
      return this.block.point(start, rows);
    } catch (err) {
      throw this.poison(err);
    }
  }

  /** Message-table entry `k` of the current batch as a message. */
  private message(k: number): BackendMessage {
    const t = this.tables;
    const type = t.messageType(k);
    const body = t.messageBody(k);
    const length = t.messageLength(k);
    if (type === DATA_ROW) return this.row.point(t.messageFirstField(k), t.fieldCountAt(body), body, length);
    return decodeBackend(type, t.bytes.subarray(body, body + length));
  }

  /** Everything handed out is consumed: deliver the slow-path message, or frame the next batch. */
  private advance(): BackendMessage | null {
    if (this.frame()) return this.message(this.cursor++);
    const big = this.big;
    if (big === null || this.bigFilled < this.bigLength) return null;
    this.big = null;
    this.bigDelivered = this.bigLength + LENGTH_WORD;
    return this.bigType === MessageCode.DATA_ROW ? decodeDataRow(big) : decodeBackend(this.bigType, big);
  }

  /**
   * Frames the next batch into the message table; true when it holds a message. False when more
   * bytes are needed or a slow-path message comes first (`advance()` delivers it once complete).
   */
  private frame(): boolean {
    this.count = this.cursor = 0;
    this.bigDelivered = -1;
    if (this.big !== null) return false;
    if (this.head === this.tail) {
      this.head = this.tail = INPUT;
      return false;
    }
    this.refresh();
    const status = this.core.scan(this.head, this.tail, BATCH_BUDGET);
    const t = this.tables;
    const messages = t.result(Layout.RESULT_MESSAGES);
    const stop = t.result(Layout.RESULT_STOP);
    if (messages > 0) {
      // Anything after them (a violation, a message too big) is met again by the next scan from `stop`.
      this.row.batch(this.head, stop, t.result(Layout.RESULT_FIELDS), t.result(Layout.RESULT_ASCII) === 1);
      this.head = stop;
      this.count = messages;
      return true;
    }
    if (status === Status.NEED_MORE) {
      this.compact();
      return false;
    }
    const type = t.result(Layout.RESULT_TYPE);
    const length = t.result(Layout.RESULT_LENGTH);
    if (status === Status.TOO_BIG) {
      this.startBig(type, length);
      return false;
    }
    throw scanError(status, type, length, t.result(Layout.RESULT_DETAIL));
  }

  /** Moves the incomplete message at `head` to the start of the input region. */
  private compact(): void {
    if (this.head === INPUT) return;
    this.tables.bytes.copyWithin(INPUT, this.head, this.tail);
    this.tail -= this.head - INPUT;
    this.head = INPUT;
  }

  /** Starts the slow path for a message longer than the input region (the core checked the cap). */
  private startBig(type: number, length: number): void {
    if (length > this.maxLength) {
      throw scanError(Status.TOO_LARGE, type, length, this.maxLength);
    }
    // Everything buffered belongs to this message: it is longer than the region.
    const have = this.tail - this.head - HEADER;
    const big = new Uint8Array(Math.min(length - LENGTH_WORD, Math.max(SLOW_PATH_FIRST, have)));
    big.set(this.tables.bytes.subarray(this.head + HEADER, this.tail));
    this.big = big;
    this.bigType = type;
    this.bigFilled = have;
    this.bigLength = length - LENGTH_WORD;
    this.head = this.tail = INPUT;
  }

  /** Grows the slow-path body to hold `need` bytes: doubling, never past its declared length. */
  private reserveBig(need: number): Uint8Array {
    const big = this.big!;
    if (need <= big.length) return big;
    const grown = new Uint8Array(Math.min(this.bigLength, Math.max(need, big.length * 2)));
    grown.set(big.subarray(0, this.bigFilled));
    this.big = grown;
    return grown;
  }

  /** Takes bytes in stream order: into the slow-path body first, then the input region. */
  private ingest(chunk: Uint8Array): number {
    let taken = 0;
    if (this.big !== null && this.bigFilled < this.bigLength) {
      taken = Math.min(chunk.length, this.bigLength - this.bigFilled);
      this.reserveBig(this.bigFilled + taken).set(chunk.subarray(0, taken), this.bigFilled);
      this.bigFilled += taken;
      if (taken === chunk.length) return taken;
    }
    this.refresh();
    const memory = this.tables.bytes;
    const n = Math.min(chunk.length - taken, INPUT_END - this.tail);
    if (chunk.buffer === memory.buffer) {
      const from = chunk.byteOffset + taken;
      memory.copyWithin(this.tail, from, from + n);
    } else {
      memory.set(chunk.subarray(taken, taken + n), this.tail);
    }
    this.tail += n;
    return taken + n;
  }

  /** True when `view` starts where `writable()` points now. */
  private isWritablePosition(view: Uint8Array): boolean {
    const big = this.big;
    if (big !== null && this.bigFilled < this.bigLength) {
      return view.buffer === big.buffer && view.byteOffset === big.byteOffset + this.bigFilled;
    }
    return view.buffer === this.tables.bytes.buffer && view.byteOffset === this.tail;
  }

  /** Rebuilds the memory views if the WASM memory's buffer changed (RELIABILITY case 26). */
  private refresh(): void {
    this.tables.refresh();
  }

  private check(): void {
    if (this.error !== null) throw this.error;
  }
}

/** Validates a `maxMessageLength`: at least the length word, at most the protocol's 1 GiB. */
function checkMaxLength(max: number): number {
  if (!Number.isInteger(max) || max < LENGTH_WORD || max > Limits.MAX_MESSAGE_LENGTH) {
    throw invalid(`maxMessageLength must be an integer in [${LENGTH_WORD}, ${Limits.MAX_MESSAGE_LENGTH}], got ${max}`);
  }
  return max;
}
