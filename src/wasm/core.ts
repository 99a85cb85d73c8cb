/**
 * Loading the WebAssembly core: compiled once from the embedded bytes (or from a caller-supplied
 * `WebAssembly.Module`) and cached; instantiated once for the shared singleton (`getCore()`, used
 * for format codes) and once per `BackendReader` (`createCore()`, each with its own input region).
 *
 * Only numbers cross the boundary. Views into linear memory are rebuilt whenever `memory.buffer`
 * changes (the memory is fixed-size, so this never happens today, but a view must never go stale).
 * A trap inside WebAssembly never escapes as a raw `RuntimeError`: it becomes a `ProtocolError`
 * (`PGS_WASM_FAULT`) and the instance is replaced by a fresh one (RELIABILITY.md case 8).
 */
import { instantiateSync } from '@assemblyscript/loader';
import { ClientError, ErrorCode, ProtocolError } from '../errors.js';
import { wasmBytes } from './embedded.generated.js';
import { ColumnKind, Layout, Status } from './layout.js';

/** The raw exports of the core (assembly/index.ts). */
interface CoreExports {
  readonly memory: WebAssembly.Memory;
  collapseFormats(n: number): number;
  configure(maxLength: number): number;
  scan(start: number, end: number, budget: number): number;
  classify(first: number, count: number): number;
  decodeIntColumn(first: number, rows: number, col: number, binary: number, kind: number): number;
  decodeColumn(source: number, first: number, rows: number, col: number, kind: number, binary: number, bitOffset: number, base: number): number;
  copyReset(fieldCount: number): number;
  copyScan(start: number, end: number, fieldBase: number): number;
  copyScanMessages(first: number, count: number, offset: number, fieldBase: number): number;
  heapBase(): number;
  fault(): void;
}

/** Output kinds of `decodeIntColumn`: i32, i64, or f64 holding an exact integer (|v| < 2^53). */
export const IntColumnKind = { INT32: 0, INT64: 1, FLOAT64: 2 } as const;
/** One of the `decodeIntColumn` output kinds. */
export type IntColumnKind = (typeof IntColumnKind)[keyof typeof IntColumnKind];

let cachedModule: WebAssembly.Module | undefined;
let singleton: WasmCore | undefined;

/** Options of `initCore`. */
export interface InitCoreOptions {
  /** A module compiled by the caller (e.g. from a URL with `compileStreaming`); default: embedded. */
  module?: WebAssembly.Module;
}

/**
 * Compiles (or adopts) the core asynchronously and returns the shared instance. Browsers must call
 * this before `getCore()`/`createCore()`, because they refuse to compile large modules synchronously.
 */
export async function initCore(options: InitCoreOptions = {}): Promise<WasmCore> {
  if (options.module !== undefined) {
    const core = new WasmCore(options.module);
    cachedModule = options.module;
    singleton = core;
    return core;
  }
  cachedModule ??= await WebAssembly.compile(wasmBytes() as Uint8Array<ArrayBuffer>);
  return getCore();
}

/** The shared core (compiled synchronously from the embedded bytes on first use). */
export function getCore(): WasmCore {
  singleton ??= createCore();
  return singleton;
}

/** A fresh instance with its own memory, from the cached module (a reader needs its own input region). */
export function createCore(): WasmCore {
  cachedModule ??= new WebAssembly.Module(wasmBytes() as Uint8Array<ArrayBuffer>);
  return new WasmCore(cachedModule);
}

/** Turns a trap into a typed error; anything else is rethrown as it is. */
function fault(err: unknown, core: WasmCore): never {
  if (err instanceof WebAssembly.RuntimeError) {
    core.reset();
    throw new ProtocolError(ErrorCode.WASM_FAULT, `the WebAssembly core trapped (${err.message}); it was reset`, { cause: err });
  }
  throw err;
}

/** Refuses a module whose exported layout or status codes differ from the mirror in layout.ts. */
function checkLayout(exports: Record<string, unknown>): void {
  const expected: [string, number][] = [
    ...Object.entries(Layout),
    ...Object.entries(Status).map(([k, v]): [string, number] => [`STATUS_${k}`, v]),
    ...Object.entries(ColumnKind).map(([k, v]): [string, number] => [`KIND_${k}`, v]),
  ];
  for (const [name, value] of expected) {
    const g = exports[name];
    const actual = g instanceof WebAssembly.Global ? (g.value as number) : undefined;
    if (actual !== value) {
      throw new ProtocolError(ErrorCode.WASM_FAULT, `the WebAssembly core does not match this build: ${name} is ${actual}, expected ${value}`);
    }
  }
  const core = exports as unknown as CoreExports;
  if (core.heapBase() > Layout.LAYOUT_START || core.memory.buffer.byteLength < Layout.LAYOUT_END) {
    throw new ProtocolError(ErrorCode.WASM_FAULT, 'the WebAssembly core\'s static data or memory does not fit its layout');
  }
}

/** One instance of the core with views into its memory. */
export class WasmCore {
  /** The whole linear memory, byte by byte. */
  bytes!: Uint8Array;
  /** The whole linear memory as i32 words (index = offset / 4); the tables are read through it. */
  words!: Int32Array;
  /** The 65536 format-code bytes read by `collapseFormats` (re-read this after an error: reset rebuilds it). */
  formats!: Uint8Array;
  /** Raw exports; use the methods, which turn traps into typed errors. */
  exports!: CoreExports;

  constructor(readonly module: WebAssembly.Module) {
    this.instantiate();
  }

  private instantiate(): void {
    // AssemblyScript's loader would supply `env.abort`/`env.trace` (with readable messages) should a
    // build import them; both targets import nothing today, so this is a plain instantiation.
    const { instance } = instantiateSync(this.module, {});
    checkLayout(instance.exports as Record<string, unknown>);
    this.exports = instance.exports as unknown as CoreExports;
    this.views(this.exports.memory.buffer);
  }

  /** Rebuilds the views if `memory.buffer` has changed; returns the current byte view. */
  refresh(): Uint8Array {
    // Replacing the buffer detaches the old one, and a detached view has length 0: checking that
    // is cheap, where the `memory.buffer` getter is a call into the engine (hot: once per batch).
    if (this.bytes.length === 0) this.views(this.exports.memory.buffer);
    return this.bytes;
  }

  private views(buffer: ArrayBuffer): void {
    this.bytes = new Uint8Array(buffer);
    this.words = new Int32Array(buffer);
    this.formats = this.bytes.subarray(Layout.FORMATS, Layout.FORMATS + Layout.FORMATS_SIZE);
  }

  /** Replaces the instance by a fresh one (after a trap, its memory cannot be trusted). */
  reset(): void {
    this.instantiate();
  }

  /**
   * The 0/1/N format-code collapse of the first `n` bytes of `formats`: 0 (none or all text),
   * 1 (all the same: send `formats[0]`), or n.
   */
  collapseFormats(n: number): number {
    if (!Number.isInteger(n) || n < 0 || n > Layout.FORMATS_SIZE) {
      throw new ClientError(ErrorCode.INVALID_ARGUMENT, `format code count ${n} is outside 0..${Layout.FORMATS_SIZE}`);
    }
    try {
      return this.exports.collapseFormats(n);
    } catch (err) {
      return fault(err, this);
    }
  }

  /** Sets the largest length accepted for DataRow, CopyData, RowDescription and FunctionCallResponse. */
  configure(maxLength: number): void {
    let status: number;
    try {
      status = this.exports.configure(maxLength);
    } catch (err) {
      return fault(err, this);
    }
    if (status !== 0) throw new ClientError(ErrorCode.INVALID_ARGUMENT, `maximum message length ${maxLength} is out of range`);
  }

  /**
   * Frames the bytes at [start, end) into the message and field tables, stopping once `budget`
   * bytes are framed; says in RESULT_ASCII whether every field framed is ASCII. Returns a Status;
   * the details are in the RESULT block (`result(slot)`).
   */
  scan(start: number, end: number, budget: number): number {
    try {
      return this.exports.scan(start, end, budget);
    } catch (err) {
      return fault(err, this);
    }
  }

  /** Fills the ASCII flags of field entries [first, first + count) (for a batch that is not all ASCII). */
  classify(first: number, count: number): number {
    try {
      return this.exports.classify(first, count);
    } catch (err) {
      return fault(err, this);
    }
  }

  /**
   * Parses column `col` of the DataRows at message-table entries [first, first + rows) into the
   * COLUMN region as `kind` (IntColumnKind) and NULL flags into COLUMN_NULLS; returns a Status
   * (the failing row is `result(RESULT_DETAIL)`).
   */
  decodeIntColumn(first: number, rows: number, col: number, binary: boolean, kind: IntColumnKind): number {
    try {
      return this.exports.decodeIntColumn(first, rows, col, binary ? 1 : 0, kind);
    } catch (err) {
      return fault(err, this);
    }
  }

  /**
   * Decodes column `col` of rows [first, first + rows) of `source` (Layout.SOURCE_MESSAGES: DataRows
   * of the message table; SOURCE_TUPLES: COPY tuples) as `kind` into the OUT_* regions, the validity
   * and bool bitmaps from bit `bitOffset`, variable-width offsets plus `base`. Returns a Status (0,
   * OUTPUT_FULL, or an error with the row in RESULT_DETAIL); src/wasm/columns.ts types it.
   */
  decodeColumn(source: number, first: number, rows: number, col: number, kind: number, binary: boolean, bitOffset: number, base: number): number {
    try {
      return this.exports.decodeColumn(source, first, rows, col, kind, binary ? 1 : 0, bitOffset, base);
    } catch (err) {
      return fault(err, this);
    }
  }

  /** Starts a COPY BINARY stream whose tuples have `fieldCount` fields (-1: as the first tuple says). */
  copyReset(fieldCount: number): number {
    try {
      return this.exports.copyReset(fieldCount);
    } catch (err) {
      return fault(err, this);
    }
  }

  /** Scans COPY BINARY bytes [start, end) of the input region into the tuple and field tables; a Status. */
  copyScan(start: number, end: number, fieldBase: number): number {
    try {
      return this.exports.copyScan(start, end, fieldBase);
    } catch (err) {
      return fault(err, this);
    }
  }

  /** Scans the CopyData messages at message-table entries [first, first + count) from `offset`; a Status. */
  copyScanMessages(first: number, count: number, offset: number, fieldBase: number): number {
    try {
      return this.exports.copyScanMessages(first, count, offset, fieldBase);
    } catch (err) {
      return fault(err, this);
    }
  }

  /** One word of the RESULT block written by the last scan (Layout.RESULT_*). */
  result(slot: number): number {
    return this.words[(Layout.RESULT >> 2) + slot]!;
  }

  /** Traps inside WebAssembly on purpose, to show the fault is contained (tests only). */
  fault(): void {
    try {
      this.exports.fault();
    } catch (err) {
      fault(err, this);
    }
  }
}
