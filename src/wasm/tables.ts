/**
 * CoreTables: the one place on the JS side that reads the tables the WASM core writes — the
 * message table and the field table filled by a scan (assembly/framing.ts), the RESULT block, and
 * the typed-column region (assembly/columns.ts). Everything else (the BackendReader, the DataRow
 * view, RowBlock) asks this class; their code never indexes linear memory by hand.
 *
 * The accessors are small on purpose: V8 inlines them into the reader's hot loop. A view of a
 * replaced memory buffer is detached and reads `undefined`/length 0 (RELIABILITY.md case 26);
 * `refresh()` rebuilds the views, and `detached` tells callers cheaply when they must.
 */
import type { WasmCore } from './core.js';
import { Layout } from './layout.js';

const { MESSAGE_WORDS, MESSAGE_TYPE, MESSAGE_BODY, MESSAGE_LENGTH, MESSAGE_FIRST_FIELD, FIELD_WORDS } = Layout;
/** i32 index of the message table. */
const MESSAGE_TABLE = Layout.MESSAGES >> 2;
/** i32 index of the field table. */
const FIELD_TABLE = Layout.FIELDS >> 2;
/** i32 index of the RESULT block. */
const RESULT = Layout.RESULT >> 2;

/** Views of one core's tables. */
export class CoreTables {
  /** The whole linear memory, byte by byte (the input region holds the messages' bytes). */
  bytes: Uint8Array;
  /** The whole linear memory as i32 words. */
  words: Int32Array;

  constructor(readonly core: WasmCore) {
    this.bytes = core.bytes;
    this.words = core.words;
  }

  /** True when the views are detached (the memory buffer was replaced): call `refresh()`. */
  get detached(): boolean {
    return this.bytes.length === 0;
  }

  /** Rebuilds the views if the memory buffer changed; true when it did. */
  refresh(): boolean {
    const bytes = this.core.refresh();
    if (bytes === this.bytes) return false;
    this.bytes = bytes;
    this.words = this.core.words;
    return true;
  }

  // ------------------------------------------------------------------ message table (entry k)

  /** The type byte of message-table entry `k`. */
  messageType(k: number): number {
    return this.words[MESSAGE_TABLE + k * MESSAGE_WORDS + MESSAGE_TYPE]!;
  }

  /** Absolute offset of the body of entry `k` (after its 5-byte header). */
  messageBody(k: number): number {
    return this.words[MESSAGE_TABLE + k * MESSAGE_WORDS + MESSAGE_BODY]!;
  }

  /** Body length of entry `k` (the declared length minus the length word). */
  messageLength(k: number): number {
    return this.words[MESSAGE_TABLE + k * MESSAGE_WORDS + MESSAGE_LENGTH]!;
  }

  /** Field-table index of the first field of entry `k` (DataRows only). */
  messageFirstField(k: number): number {
    return this.words[MESSAGE_TABLE + k * MESSAGE_WORDS + MESSAGE_FIRST_FIELD]!;
  }

  /** The field count of the DataRow whose body starts at `body` (its leading Int16). */
  fieldCountAt(body: number): number {
    const b = this.bytes;
    return (b[body]! << 8) | b[body + 1]!;
  }

  /** Entries [first, first + count) of the table that are DataRows in a row: how many. */
  dataRowRun(first: number, count: number, dataRow: number): number {
    const words = this.words;
    let k = first;
    while (k < count && words[MESSAGE_TABLE + k * MESSAGE_WORDS + MESSAGE_TYPE] === dataRow) k++;
    return k - first;
  }

  // ------------------------------------------------------------------ field table (entry f)

  /** Absolute offset of field-table entry `f` (its first byte in the input region). */
  fieldOffset(f: number): number {
    return this.words[FIELD_TABLE + f * FIELD_WORDS]!;
  }

  /**
   * Length of field-table entry `f`, -1 for NULL. Reads `undefined` when the views are detached:
   * hot callers check that instead of `detached` on every call.
   */
  fieldLength(f: number): number {
    return this.words[FIELD_TABLE + f * FIELD_WORDS + 1]!;
  }

  /** The per-field ASCII flag of entry `f` (valid after `WasmCore.classify`). */
  fieldIsAscii(f: number): boolean {
    return this.bytes[Layout.ASCII + f] !== 0;
  }

  /** Field offsets of a row as offsets into its own body, with lengths: the index a detached copy keeps. */
  rowIndex(first: number, count: number, body: number): Int32Array {
    const index = new Int32Array(count << 1);
    const words = this.words;
    for (let i = 0; i < count; i++) {
      const e = FIELD_TABLE + (first + i) * FIELD_WORDS;
      index[i << 1] = words[e]! - body;
      index[(i << 1) + 1] = words[e + 1]!;
    }
    return index;
  }

  // ------------------------------------------------------------------ RESULT block

  /** A word of the RESULT block (`Layout.RESULT_*`). */
  result(slot: number): number {
    return this.words[RESULT + slot]!;
  }

  // ------------------------------------------------------------------ typed column region

  /** The int32 column output of the last `decodeIntColumn` (`rows` values, a view). */
  int32Column(rows: number): Int32Array {
    return new Int32Array(this.bytes.buffer, Layout.COLUMN, rows);
  }

  /** The int64 column output of the last `decodeIntColumn` (a view). */
  int64Column(rows: number): BigInt64Array {
    return new BigInt64Array(this.bytes.buffer, Layout.COLUMN, rows);
  }

  /** The exact-double column output of the last `decodeIntColumn` (a view). */
  float64Column(rows: number): Float64Array {
    return new Float64Array(this.bytes.buffer, Layout.COLUMN, rows);
  }

  /** The NULL flags (1 = NULL) of the last column decoding (a view). */
  columnNulls(rows: number): Uint8Array {
    return this.bytes.subarray(Layout.COLUMN_NULLS, Layout.COLUMN_NULLS + rows);
  }
}
