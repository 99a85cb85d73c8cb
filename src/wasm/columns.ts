/**
 * Typed access to the core's columnar exports: `ColumnDecoder` decodes one column of a run of rows
 * into the Arrow output regions (assembly/columns/index.ts) and says what was written; `CopyScanner`
 * indexes a COPY BINARY stream into the tuple table (assembly/copy-binary.ts). Statuses become typed
 * errors here: a value that does not decode as its type is a ProtocolError `PGS_MALFORMED_VALUE`, a
 * broken COPY stream `PGS_MALFORMED_MESSAGE`, a tuple larger than the carry region
 * `PGS_FRAME_TOO_LARGE`, and stale or out-of-range arguments a ClientError `PGS_INVALID_ARGUMENT`.
 * Views into the output regions are valid until the next call on the same core.
 */
import { ClientError, ErrorCode, PgStreamError, ProtocolError } from '../errors.js';
import type { WasmCore } from './core.js';
import { ColumnKind, Layout, Status } from './layout.js';

/** Where a decoding's rows are: DataRows of the message table, or tuples of the COPY tuple table. */
export const RowSource = { MESSAGES: Layout.SOURCE_MESSAGES, TUPLES: Layout.SOURCE_TUPLES } as const;
/** One of the row sources. */
export type RowSource = (typeof RowSource)[keyof typeof RowSource];

const RESULT = Layout.RESULT >> 2;

/** PostgreSQL's name for the type each kind reads, for error messages. */
const kindNames: Record<number, string> = {
  [ColumnKind.BOOL]: 'bool',
  [ColumnKind.INT16]: 'int2',
  [ColumnKind.INT32]: 'int4',
  [ColumnKind.INT64]: 'int8',
  [ColumnKind.FLOAT32]: 'float4',
  [ColumnKind.FLOAT64]: 'float8',
  [ColumnKind.DATE]: 'date',
  [ColumnKind.TIMESTAMP]: 'timestamp',
  [ColumnKind.TIMESTAMPTZ]: 'timestamptz',
  [ColumnKind.TIME]: 'time',
  [ColumnKind.UUID]: 'uuid',
  [ColumnKind.TEXT]: 'text',
  [ColumnKind.BYTEA]: 'bytea',
  [ColumnKind.JSONB]: 'jsonb',
  [ColumnKind.NUMERIC]: 'numeric',
};

/** The error for a failed decoding of column `col` at row `row` (relative to the call's first row). */
function decodeError(status: number, col: number, row: number, kind: ColumnKind, binary: boolean): PgStreamError {
  const what = `column ${col} of row ${row} (${kindNames[kind] ?? `kind ${kind}`}, ${binary ? 'binary' : 'text'} format)`;
  switch (status) {
    case Status.BAD_LENGTH:
      return new ProtocolError(ErrorCode.MALFORMED_VALUE, `${what} has a length its type cannot have`);
    case Status.BAD_VALUE:
      return new ProtocolError(ErrorCode.MALFORMED_VALUE, `${what} holds a value its type cannot have`);
    case Status.BAD_TEXT:
      return new ProtocolError(ErrorCode.MALFORMED_VALUE, `${what} is not the server's text output of its type`);
    case Status.OUT_OF_RANGE:
      return new ProtocolError(ErrorCode.MALFORMED_VALUE, `${what} is out of the range of its Arrow type`);
    case Status.OUTPUT_FULL:
      return new ProtocolError(ErrorCode.MALFORMED_VALUE, `${what} needs more than ${Layout.OUT_DATA_SIZE} bytes once decoded`);
    case Status.NO_SUCH_COLUMN:
      return new ClientError(ErrorCode.INVALID_ARGUMENT, `row ${row} has no column ${col}`);
    case Status.BAD_ARGUMENT:
      return new ClientError(ErrorCode.INVALID_ARGUMENT, `the rows to decode are out of range or no longer valid (row ${row})`);
  }
  return new ProtocolError(ErrorCode.WASM_FAULT, `the WebAssembly column decoder returned the unexpected status ${status}`);
}

/** Decodes columns of framed rows into the core's Arrow output regions. */
export class ColumnDecoder {
  /** Rows written by the last `decode` (all asked for, unless it returned false). */
  rows = 0;
  /** NULLs among them. */
  nulls = 0;
  /** Bytes of OUT_DATA written (variable-width kinds). */
  dataBytes = 0;

  constructor(readonly core: WasmCore) {}

  /**
   * Decodes column `col` of `rows` rows from entry `first` of `source` as `kind`. The validity (and a
   * bool bitmap) start at bit `bitOffset` (0..7); variable-width end offsets are `base` + the bytes
   * written. True when every row was written; false when OUT_DATA filled first (`this.rows` were:
   * take them and continue from there). Throws the typed error of a bad value or argument.
   */
  decode(source: RowSource, first: number, rows: number, col: number, kind: ColumnKind, binary: boolean, bitOffset: number, base: number): boolean {
    const status = this.core.decodeColumn(source, first, rows, col, kind, binary, bitOffset, base);
    this.core.refresh();
    const words = this.core.words;
    this.rows = words[RESULT + Layout.RESULT_ROWS]!;
    this.nulls = words[RESULT + Layout.RESULT_NULLS]!;
    this.dataBytes = words[RESULT + Layout.RESULT_DATA]!;
    if (status === 0) return true;
    if (status === Status.OUTPUT_FULL && this.rows > 0) return false;
    throw decodeError(status, col, words[RESULT + Layout.RESULT_DETAIL]!, kind, binary);
  }

  /** The validity bitmap of the last decoding: `bytes` bytes from OUT_VALIDITY. */
  validity(bytes: number): Uint8Array {
    return this.core.refresh().subarray(Layout.OUT_VALIDITY, Layout.OUT_VALIDITY + bytes);
  }

  /** The first `bytes` bytes of OUT_VALUES (values, the bool bitmap, or int32 end offsets). */
  values(bytes: number): Uint8Array {
    return this.core.refresh().subarray(Layout.OUT_VALUES, Layout.OUT_VALUES + bytes);
  }

  /** The data bytes of the last decoding. */
  data(): Uint8Array {
    return this.core.refresh().subarray(Layout.OUT_DATA, Layout.OUT_DATA + this.dataBytes);
  }
}

/** How a COPY scan stopped. */
export const CopyStop = {
  /** Every byte was taken; more of the stream is expected. */
  NEED_MORE: Status.NEED_MORE,
  /** The tables or the carry region filled: decode the tuples, then scan again from `stop`. */
  TABLE_FULL: Status.TABLE_FULL,
  /** The trailer was read; the stream is over. */
  END: Status.COPY_END,
} as const;
/** One of the ways a COPY scan stops. */
export type CopyStop = (typeof CopyStop)[keyof typeof CopyStop];

/** The typed error of a COPY scan that failed. */
function copyError(status: number, detail: number): PgStreamError {
  switch (status) {
    case Status.COPY_HEADER:
      return new ProtocolError(ErrorCode.MALFORMED_MESSAGE, 'COPY BINARY data does not start with the PGCOPY signature and a valid header');
    case Status.COPY_FLAGS:
      return new ProtocolError(ErrorCode.MALFORMED_MESSAGE, `COPY BINARY header flags 0x${(detail >>> 0).toString(16)} set OIDs or an unknown critical bit`);
    case Status.COPY_FIELD_COUNT:
      return new ProtocolError(ErrorCode.MALFORMED_MESSAGE, `COPY BINARY tuple has ${detail} fields, not the stream's count`);
    case Status.FIELD_LENGTH:
      return new ProtocolError(ErrorCode.MALFORMED_MESSAGE, `COPY BINARY field ${detail} has a negative length other than -1`);
    case Status.TRAILING_BYTES:
      return new ProtocolError(ErrorCode.MALFORMED_MESSAGE, `COPY BINARY data has ${detail} bytes after its trailer`);
    case Status.TUPLE_TOO_BIG:
      return new ProtocolError(ErrorCode.FRAME_TOO_LARGE, `a COPY BINARY tuple split across messages is larger than ${Layout.CARRY_SIZE} bytes`);
    case Status.BAD_ARGUMENT:
      return new ClientError(ErrorCode.INVALID_ARGUMENT, 'the COPY bytes to scan are outside the input region or no longer valid');
  }
  return new ProtocolError(ErrorCode.WASM_FAULT, `the WebAssembly COPY scanner returned the unexpected status ${status}`);
}

/** Indexes a COPY BINARY stream into the core's tuple table, for `ColumnDecoder` with RowSource.TUPLES. */
export class CopyScanner {
  /** Tuples indexed by the last scan (tuple-table entries 0..tuples-1). */
  tuples = 0;
  /** The next free field-table entry after the last scan. */
  fieldsEnd = 0;
  /** Where the last scan stopped: an absolute offset in the core's memory. */
  stop = 0;
  /** Message-table entry where the last `scanMessages` stopped. */
  message = 0;

  constructor(readonly core: WasmCore) {}

  /** Starts a stream whose tuples have `fieldCount` fields (-1: as many as the first tuple). */
  reset(fieldCount: number): void {
    if (this.core.copyReset(fieldCount) !== 0) throw new ClientError(ErrorCode.INVALID_ARGUMENT, `a COPY tuple cannot have ${fieldCount} fields`);
  }

  /** Scans the stream bytes [start, end) of the input region, fields from entry `fieldBase`. */
  scan(start: number, end: number, fieldBase = 0): CopyStop {
    return this.settle(this.core.copyScan(start, end, fieldBase));
  }

  /** Scans the CopyData messages at message-table entries [first, first + count) from `offset` of the first. */
  scanMessages(first: number, count: number, offset = 0, fieldBase = 0): CopyStop {
    return this.settle(this.core.copyScanMessages(first, count, offset, fieldBase));
  }

  private settle(status: number): CopyStop {
    this.core.refresh();
    const words = this.core.words;
    this.tuples = words[RESULT + Layout.RESULT_ROWS]!;
    this.fieldsEnd = words[RESULT + Layout.RESULT_FIELDS]!;
    this.stop = words[RESULT + Layout.RESULT_STOP]!;
    this.message = words[RESULT + Layout.RESULT_MESSAGES]!;
    if (status === Status.NEED_MORE || status === Status.TABLE_FULL || status === Status.COPY_END) return status;
    throw copyError(status, words[RESULT + Layout.RESULT_DETAIL]!);
  }
}
