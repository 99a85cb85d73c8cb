/**
 * DataRow (`D`): Int16 field count, then per field an Int32 length (-1 = NULL) and that many bytes.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-DATAROW
 *
 * Two views implement `DataRowView`:
 * - `WasmDataRow`: the frame reader's one reusable view, re-pointed at each row the WASM core has
 *   indexed (no allocation per row or per field). ASCII fields are cut with `substring` out of ONE
 *   Latin-1 string per scan batch, built on the first `text()` of the batch; other fields are
 *   decoded one by one as UTF-8. The scan says whether a whole batch is ASCII (the common case: no
 *   check per field); for a batch that is not, the core fills per-field flags on its first `text()`.
 *   Valid until the reader's next `next()`.
 * - `DetachedDataRow`: a body plus a JS index; what `decodeDataRow` (slow path, `decodeBackend`) and
 *   `copy()` return. A copied row stays valid forever.
 * Invalid UTF-8 (RELIABILITY case 7): `text()` never throws; each invalid sequence becomes U+FFFD.
 */
import { ClientError, ErrorCode } from '../../errors.js';
import { Limits, MessageCode } from '../codes.js';
import type { DataRowView } from '../messages.js';
import { decodeLatin1, decodeUtf8 } from '../text.js';
import { atomically, type MessageWriter } from '../writer.js';
import { Status } from '../../wasm/layout.js';
import { scanError } from '../scan-errors.js';
import type { CoreTables } from '../../wasm/tables.js';

/** The length word of a NULL field. */
const NULL_LENGTH = -1;
/** Bytes of a field's length word. */
const LENGTH_WORD = 4;
/** Bytes of the field count. */
const COUNT_SIZE = 2;

function badIndex(i: number, count: number): ClientError {
  return new ClientError(ErrorCode.INVALID_ARGUMENT, `field index ${i} is outside 0..${count - 1} of this DataRow`);
}

/** A row over its own body and index: what `decodeDataRow` and `copy()` return. */
export class DetachedDataRow implements DataRowView {
  readonly type = 'DataRow';
  readonly code = MessageCode.DATA_ROW;

  /** `index` holds (offset in `body`, length or -1) per field. */
  constructor(
    private readonly body: Uint8Array,
    private readonly index: Int32Array,
  ) {}

  get fieldCount(): number {
    return this.index.length >> 1;
  }

  private at(i: number): number {
    if (i >>> 0 !== i || i >= this.index.length >> 1) throw badIndex(i, this.index.length >> 1);
    return i << 1;
  }

  isNull(i: number): boolean {
    return this.index[this.at(i) + 1]! < 0;
  }

  fieldLength(i: number): number {
    return this.index[this.at(i) + 1]!;
  }

  fieldOffset(i: number): number {
    return this.index[this.at(i)]!;
  }

  get buffer(): Uint8Array {
    return this.body;
  }

  bytes(i: number): Uint8Array | null {
    const k = this.at(i);
    const length = this.index[k + 1]!;
    if (length < 0) return null;
    const offset = this.index[k]!;
    return this.body.subarray(offset, offset + length);
  }

  text(i: number): string | null {
    const k = this.at(i);
    const length = this.index[k + 1]!;
    if (length <= 0) return length === 0 ? '' : null;
    const offset = this.index[k]!;
    return decodeUtf8(this.body, offset, offset + length);
  }

  copy(): DataRowView {
    return new DetachedDataRow(this.body.slice(), this.index);
  }
}

/**
 * Indexes a DataRow body in JS (a row larger than the WASM input region) with the checks the WASM
 * scanner makes, reported through the same statuses (src/protocol/scan-errors.ts): the count must fit
 * (RELIABILITY case 6, checked before allocating), no negative length but -1 (CVE-2026-32286 class),
 * no field past the end (CVE-2026-6477 class), no bytes left over.
 */
export function indexDataRow(body: Uint8Array): Int32Array {
  const n = body.length;
  const declared = n + LENGTH_WORD;
  if (n < COUNT_SIZE) throw scanError(Status.LENGTH_TOO_SHORT, MessageCode.DATA_ROW, declared, COUNT_SIZE + LENGTH_WORD);
  const count = (body[0]! << 8) | body[1]!;
  if (count * LENGTH_WORD > n - COUNT_SIZE) throw scanError(Status.FIELD_COUNT, MessageCode.DATA_ROW, declared, count);
  const index = new Int32Array(count << 1);
  let q = COUNT_SIZE;
  for (let i = 0; i < count; i++) {
    if (n - q < LENGTH_WORD) throw scanError(Status.FIELD_OVERRUN, MessageCode.DATA_ROW, declared, i);
    const length = (body[q]! << 24) | (body[q + 1]! << 16) | (body[q + 2]! << 8) | body[q + 3]!;
    q += LENGTH_WORD;
    index[i << 1] = q;
    index[(i << 1) + 1] = length;
    if (length < 0) {
      if (length !== NULL_LENGTH) throw scanError(Status.FIELD_LENGTH, MessageCode.DATA_ROW, declared, i);
    } else {
      if (length > n - q) throw scanError(Status.FIELD_OVERRUN, MessageCode.DATA_ROW, declared, i);
      q += length;
    }
  }
  if (q !== n) throw scanError(Status.TRAILING_BYTES, MessageCode.DATA_ROW, declared, n - q);
  return index;
}

/** Decodes a DataRow body in pure JS (the reader's slow path and `decodeBackend`); fields are views. */
export function decodeDataRow(body: Uint8Array): DataRowView {
  return new DetachedDataRow(body, indexDataRow(body));
}

/**
 * Writes a DataRow (playing the server): strings as UTF-8, bytes as they are, null as NULL.
 * At most 65535 fields; all or nothing.
 */
export function encodeDataRow(w: MessageWriter, values: readonly (Uint8Array | string | null)[]): void {
  atomically(w, () => {
    if (values.length > Limits.MAX_PARAMETERS) {
      throw new ClientError(ErrorCode.TOO_MANY_PARAMETERS, `a DataRow of ${values.length} fields exceeds the protocol limit of ${Limits.MAX_PARAMETERS}`);
    }
    const start = w.begin(MessageCode.DATA_ROW);
    w.u16(values.length);
    for (const v of values) {
      if (v === null) {
        w.i32(NULL_LENGTH);
      } else if (v instanceof Uint8Array) {
        w.i32(v.length);
        w.bytes(v);
      } else if (typeof v === 'string') {
        const at = w.length;
        w.i32(0);
        const n = w.utf8(v);
        w.view.setInt32(at, n);
      } else {
        throw new ClientError(ErrorCode.INVALID_ARGUMENT, `a DataRow value must be a Uint8Array, a string or null, got ${typeof v}`);
      }
    }
    w.finish(start);
  });
}

/**
 * The reader's reusable row view over the WASM core's field table (read through CoreTables). The
 * reader calls `batch()` after each scan and `point()` for each row; nothing is allocated per row.
 */
export class WasmDataRow implements DataRowView {
  readonly type = 'DataRow';
  readonly code = MessageCode.DATA_ROW;
  fieldCount = 0;
  private first = 0;
  private body = 0;
  private length = 0;
  private batchStart = 0;
  private batchEnd = 0;
  private batchFields = 0;
  private batchText: string | null = null;
  /**
   * `batchText` once built for a batch the scan said is all ASCII, else null: then every field is
   * a substring of it, and one null check is the whole fast-path test.
   */
  private asciiText: string | null = null;
  /** Every field of the batch is ASCII (the scan says so). */
  private batchAscii = false;
  /** The per-field ASCII flags of a batch that is not all ASCII have been filled. */
  private flagged = false;

  constructor(private readonly tables: CoreTables) {}

  /** A new scan batch: bytes [start, end), `fields` field-table entries, all of them ASCII or not. */
  batch(start: number, end: number, fields: number, ascii: boolean): void {
    this.batchStart = start;
    this.batchEnd = end;
    this.batchFields = fields;
    this.batchText = null;
    this.asciiText = null;
    this.batchAscii = ascii;
    this.flagged = false;
  }

  /** Points the view at a row: its first field-table entry, field count, and body [body, body + length). */
  point(first: number, count: number, body: number, length: number): this {
    this.first = first;
    this.fieldCount = count;
    this.body = body;
    this.length = length;
    return this;
  }

  /** The field-table index of field `i` of this row, after checking `i` and the views. */
  private field(i: number): number {
    if (i >>> 0 !== i || i >= this.fieldCount) throw badIndex(i, this.fieldCount);
    // A detached view reads as empty: the memory buffer was replaced (case 26), rebuild the views.
    if (this.tables.detached) this.tables.refresh();
    return this.first + i;
  }

  isNull(i: number): boolean {
    return this.tables.fieldLength(this.field(i)) < 0;
  }

  fieldLength(i: number): number {
    return this.tables.fieldLength(this.field(i));
  }

  fieldOffset(i: number): number {
    return this.tables.fieldOffset(this.field(i));
  }

  get buffer(): Uint8Array {
    const t = this.tables;
    if (t.detached) t.refresh();
    return t.bytes;
  }

  bytes(i: number): Uint8Array | null {
    const f = this.field(i);
    const t = this.tables;
    const length = t.fieldLength(f);
    if (length < 0) return null;
    const offset = t.fieldOffset(f);
    return t.bytes.subarray(offset, offset + length);
  }

  text(i: number): string | null {
    if (i >>> 0 !== i || i >= this.fieldCount) throw badIndex(i, this.fieldCount);
    return this.textOf(this.first + i);
  }

  /**
   * The text of field-table entry `f` of the current batch: ASCII fields are cut out of the batch's
   * one Latin-1 string, others decoded as UTF-8 (also used for a column of a RowBlock).
   */
  textOf(f: number): string | null {
    const t = this.tables;
    let length = t.fieldLength(f) as number | undefined;
    if (length === undefined) {
      // Views detached: the memory buffer was replaced (case 26). Checked here, where a detached
      // view reads undefined, rather than on every call: this is the hot path.
      t.refresh();
      length = t.fieldLength(f);
    }
    if (length <= 0) return length === 0 ? '' : null;
    const at = t.fieldOffset(f) - this.batchStart;
    const ascii = this.asciiText;
    if (ascii !== null) return ascii.substring(at, at + length);
    return this.textSlow(f, at, length);
  }

  /** `textOf` for the first field of a batch, and for every field of a batch that is not all ASCII. */
  private textSlow(f: number, at: number, length: number): string {
    if (this.batchAscii) {
      this.asciiText = this.batchText ?? this.latin1();
      return this.asciiText.substring(at, at + length);
    }
    if (this.isAsciiField(f)) return (this.batchText ?? this.latin1()).substring(at, at + length);
    const offset = this.batchStart + at;
    return decodeUtf8(this.tables.bytes, offset, offset + length);
  }

  copy(): DataRowView {
    const t = this.tables;
    if (t.detached) t.refresh();
    return new DetachedDataRow(t.bytes.slice(this.body, this.body + this.length), t.rowIndex(this.first, this.fieldCount, this.body));
  }

  /** The batch's one Latin-1 string (ASCII fields are cut out of it). */
  private latin1(): string {
    this.batchText = decodeLatin1(this.tables.bytes, this.batchStart, this.batchEnd);
    return this.batchText;
  }

  /** The ASCII flag of entry `f` of a batch that is not all ASCII (the flags are filled on first use). */
  private isAsciiField(f: number): boolean {
    if (!this.flagged) {
      this.tables.core.classify(0, this.batchFields);
      this.flagged = true;
    }
    return this.tables.fieldIsAscii(f);
  }
}
