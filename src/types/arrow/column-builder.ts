/**
 * ColumnBatchBuilder: rows decoded column by column in WebAssembly into batches of Arrow buffers,
 * up to `batchRows` rows each (PRODUCT.md, Layer 3). Rows come as
 * - `RowBlock`s (`BackendReader.nextRows()`): DataRows of one scan batch, decoded in the reader's
 *   own core with one WASM call per column per block;
 * - COPY BINARY bytes (`appendCopyData`, the payloads of CopyData messages in order, cut anywhere):
 *   staged in the builder's own core ~64 KiB at a time, indexed by the COPY scanner, then decoded
 *   the same way.
 * After each decoding the core's output is appended to JS-owned buffers (column-accumulator.ts), so
 * a text column costs no JS string. Full batches queue up for `takeBatch()`; `finish()` closes the
 * last one. A block's rows are decoded at once, so it may be released as soon as `appendRows` returns.
 * A value that does not decode (a typed error) leaves the open batch incomplete: the builder then
 * rethrows that error from every later call.
 */
import { ClientError, ErrorCode, PgStreamError, ProtocolError } from '../../errors.js';
import { FormatCode } from '../../protocol/codes.js';
import type { RowBlock } from '../../protocol/row-block.js';
import { ColumnDecoder, CopyScanner, CopyStop, RowSource } from '../../wasm/columns.js';
import { createCore, type WasmCore } from '../../wasm/core.js';
import { ColumnKind, Layout } from '../../wasm/layout.js';
import { ColumnAccumulator } from './column-accumulator.js';
import type { ArrowType, ColumnBuffers } from './column-buffers.js';
import { arrowTypeOf } from './column-kinds.js';

/** How one column is read. */
export interface ColumnSpec {
  /** The decoder (column-kinds.ts `columnKindOf(typeOid)`, or ColumnKind.TEXT for any text-format value). */
  readonly kind: ColumnKind;
  /** The format its fields arrive in (RowDescription's format code; COPY BINARY is binary). */
  readonly format: FormatCode;
  /** The Arrow type to report; default: the kind's (column-kinds.ts `arrowTypeOf`). */
  readonly type?: ArrowType;
}

/** Options of a ColumnBatchBuilder. */
export interface ColumnBatchBuilderOptions {
  /** Rows per batch (default 65536). */
  batchRows?: number;
  /** The core COPY bytes are staged in (default: a fresh one, made on first use). */
  copyCore?: WasmCore;
}

/** Default rows per batch. */
export const DEFAULT_BATCH_ROWS = 0x1_0000;
/** COPY bytes staged before a scan: the reader's scan budget (PERFORMANCE.md: ~64 KiB batches). */
const COPY_STAGE_BUDGET = 0x1_0000;
/** Chunks up to this size are staged byte by byte (faster than TypedArray#set for a row). */
const SMALL_COPY = 256;
/** Rows a column reserves room for before any arrive. */
const MAX_RESERVED_ROWS = 0x10_0000;
/** A column's data is sealed into a batch before it can outgrow Arrow's int32 offsets. */
const MAX_BATCH_DATA = 0x7000_0000;
const { INPUT, INPUT_SIZE, MAX_ROWS } = Layout;
const INPUT_END = INPUT + INPUT_SIZE;

function invalid(what: string): ClientError {
  return new ClientError(ErrorCode.INVALID_ARGUMENT, what);
}

/** Builds batches of Arrow column buffers from DataRow blocks or a COPY BINARY stream. */
export class ColumnBatchBuilder {
  private readonly batchRows: number;
  private readonly columns: ColumnAccumulator[];
  private readonly ready: ColumnBuffers[][] = [];
  private decoder: ColumnDecoder | null = null;
  private copyCore: WasmCore | null;
  private scanner: CopyScanner | null = null;
  /** End of the staged COPY bytes in the copy core's input region. */
  private staged: number = INPUT;
  /** The COPY trailer has been read (any later byte is an error: one stream per builder). */
  private copyEnded = false;
  /** Rows in the open batch. */
  private open = 0;
  /** The error that broke the open batch; rethrown by every later call. */
  private error: PgStreamError | null = null;

  constructor(specs: readonly ColumnSpec[], options: ColumnBatchBuilderOptions = {}) {
    const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS;
    if (!Number.isInteger(batchRows) || batchRows < 1 || batchRows > 0x7fff_ffff) throw invalid(`batchRows must be a positive integer, got ${batchRows}`);
    this.batchRows = batchRows;
    // Reserved up front for a full batch (capped: a huge batchRows grows as rows come).
    const initial = Math.min(batchRows, MAX_RESERVED_ROWS);
    this.columns = specs.map((spec, i) => {
      if (arrowTypeOf(spec.kind) === undefined) throw invalid(`column ${i} has no column kind ${String(spec.kind)}`);
      if (spec.format !== FormatCode.Text && spec.format !== FormatCode.Binary) throw invalid(`column ${i}: format must be 0 (text) or 1 (binary)`);
      return new ColumnAccumulator(spec.kind, spec.format === FormatCode.Binary, spec.type ?? arrowTypeOf(spec.kind), initial);
    });
    this.copyCore = options.copyCore ?? null;
  }

  /** Rows in the open batch. */
  get pending(): number {
    return this.open;
  }

  /** Finished batches waiting for `takeBatch()`. */
  get readyBatches(): number {
    return this.ready.length;
  }

  /** Decodes every row of `block`; full batches queue up. */
  appendRows(block: RowBlock): void {
    this.guard(() => this.decodeRows(block.wasm, RowSource.MESSAGES, block.firstMessage, block.rowCount));
  }

  /** Takes the next bytes of a COPY BINARY stream (CopyData payloads, in order, cut anywhere). */
  appendCopyData(bytes: Uint8Array): void {
    // Called once per CopyData message (a row, as PostgreSQL sends them): no closure per call.
    if (this.error !== null) throw this.error;
    try {
      this.stage(bytes);
    } catch (err) {
      throw this.poison(err);
    }
  }

  /**
   * Takes the payloads of a run of CopyData messages framed by a reader (`BackendReader.nextRows(
   * MessageCode.COPY_DATA)`), copied from the reader's memory without a JS object per message.
   */
  appendCopyMessages(block: RowBlock): void {
    if (this.error !== null) throw this.error;
    try {
      const source = block.wasm.refresh();
      for (let r = 0; r < block.rowCount; r++) {
        const body = block.bodyAt(r);
        this.stage(source, body, body + block.lengthAt(r));
      }
    } catch (err) {
      throw this.poison(err);
    }
  }

  /**
   * Ends the COPY stream: decodes what is staged, and checks that the trailer was read (a stream
   * cut short, or ending inside a tuple, is a ProtocolError).
   */
  finishCopy(): void {
    this.guard(() => {
      if (this.scanner === null) throw invalid('finishCopy() without COPY data');
      this.scanStaged();
      if (!this.copyEnded) throw new ProtocolError(ErrorCode.MALFORMED_MESSAGE, 'the COPY BINARY stream ended before its trailer');
    });
  }

  /** Closes the open batch (if it has rows) so that `takeBatch()` returns it. */
  finish(): void {
    this.guard(() => {
      if (this.open > 0) this.seal();
    });
  }

  /** The oldest finished batch, one ColumnBuffers per column; null when none is ready. */
  takeBatch(): ColumnBuffers[] | null {
    return this.ready.shift() ?? null;
  }

  /**
   * Hands a batch's buffers back for reuse by later batches (new memory costs more than decoding
   * into it). The batch and every view of its buffers must not be used afterwards.
   */
  recycle(batch: readonly ColumnBuffers[]): void {
    if (batch.length !== this.columns.length) throw invalid(`a batch of ${batch.length} columns does not come from this builder of ${this.columns.length}`);
    batch.forEach((column, i) => this.columns[i]!.recycle(column));
  }

  /** Runs `work`, poisoning the builder with the first error it throws. */
  private guard(work: () => void): void {
    if (this.error !== null) throw this.error;
    try {
      work();
    } catch (err) {
      throw this.poison(err);
    }
  }

  /** Records the error that broke the open batch (rethrown by every later call); returns it. */
  private poison(err: unknown): PgStreamError {
    this.error = err instanceof PgStreamError ? err : new ProtocolError(ErrorCode.WASM_FAULT, `column decoding failed: ${String(err)}`, { cause: err });
    return this.error;
  }

  /** Copies COPY bytes `bytes[start, end)` into the copy core's input region, scanning every ~64 KiB. */
  private stage(bytes: Uint8Array, start = 0, end = bytes.length): void {
    const core = this.copyCore ??= createCore();
    if (this.scanner === null) {
      this.scanner = new CopyScanner(core);
      this.scanner.reset(this.columns.length);
    }
    const memory = core.refresh();
    const length = end - start;
    if (length <= SMALL_COPY && this.staged + length < INPUT_END) {
      // A row's worth: a loop beats TypedArray#set's fixed cost (and a view) at this size.
      let at = this.staged;
      for (let i = start; i < end; i++) memory[at++] = bytes[i]!;
      this.staged = at;
      if (at - INPUT >= COPY_STAGE_BUDGET) this.scanStaged();
      return;
    }
    for (let off = start; off < end; ) {
      const n = Math.min(end - off, INPUT_END - this.staged);
      core.refresh().set(bytes.subarray(off, off + n), this.staged);
      this.staged += n;
      off += n;
      if (this.staged - INPUT >= COPY_STAGE_BUDGET) this.scanStaged();
    }
  }

  /** Scans the staged COPY bytes and decodes the tuples they complete. */
  private scanStaged(): void {
    const core = this.copyCore!;
    const scanner = this.scanner!;
    let start: number = INPUT;
    for (;;) {
      const stop = scanner.scan(start, this.staged);
      this.decodeRows(core, RowSource.TUPLES, 0, scanner.tuples);
      if (stop === CopyStop.TABLE_FULL) {
        if (scanner.tuples === 0 && scanner.stop === start) throw new ProtocolError(ErrorCode.WASM_FAULT, 'the COPY scanner made no progress');
        start = scanner.stop;
        continue;
      }
      if (stop === CopyStop.END) this.copyEnded = true;
      break;
    }
    this.staged = INPUT;
  }

  /** Decodes `rows` rows from entry `first` of `source` in `core`, sealing batches as they fill. */
  private decodeRows(core: WasmCore, source: RowSource, first: number, rows: number): void {
    let decoder = this.decoder;
    if (decoder === null || decoder.core !== core) decoder = this.decoder = new ColumnDecoder(core);
    while (rows > 0) {
      if (this.open > 0 && this.columns.some((c) => c.dataLength > MAX_BATCH_DATA)) this.seal();
      const take = Math.min(rows, this.batchRows - this.open, MAX_ROWS);
      for (let col = 0; col < this.columns.length; col++) {
        const column = this.columns[col]!;
        for (let done = 0; done < take; ) {
          decoder.decode(source, first + done, take - done, col, column.kind, column.binary, column.length & 7, column.dataLength);
          column.take(decoder, decoder.rows);
          done += decoder.rows;
        }
      }
      first += take;
      rows -= take;
      this.open += take;
      if (this.open >= this.batchRows) this.seal();
    }
  }

  /** Moves the open batch to the ready queue. */
  private seal(): void {
    this.ready.push(this.columns.map((c) => c.seal()));
    this.open = 0;
  }
}
