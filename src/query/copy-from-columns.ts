/**
 * `conn.copyFrom(sql, source)` for every kind of source: bytes or strings (copy-in.ts, as they
 * are), and the columnar ones, written as COPY BINARY (copy-binary-writer.ts) into a
 * `COPY … FROM STDIN (FORMAT binary)`:
 * - a `ColumnBatch`, an array or (async) iterable of them — `conn.batches(…)` and
 *   `conn.copyTo(…).batches()` are such iterables, so a table is copied between servers with no
 *   JS value per field;
 * - `{ types, rows }`: JS rows (arrays of values as `run()` returns them) with their column type OIDs.
 * An iterable whose kind is not known up front is told by its first item. The result is the
 * server's row count; a count above the rows sent cannot be true and is a ProtocolError
 * (PGS_UNEXPECTED_MESSAGE) — it may be lower when the COPY has a WHERE clause.
 */
import { ClientError, ErrorCode, ProtocolError } from '../errors.js';
import { ColumnBatch } from '../types/arrow/batch.js';
import { BatchStream } from './batches.js';
import { CopyBatches } from './copy-batches.js';
import { copyBinaryOfBatches, copyBinaryOfRows } from './copy-binary-writer.js';
import type { CopyRows } from './copy-binary-writer.js';
import { copyFrom } from './copy-in.js';
import type { CopyFromResult, CopySource } from './copy-in.js';
import type { QueryContext } from './context.js';
import type { CallOptions, InterruptHost } from './interrupt.js';

/** Column batches to write as COPY BINARY. */
export type ColumnBatchSource = ColumnBatch | Iterable<ColumnBatch> | AsyncIterable<ColumnBatch>;

/** Everything `conn.copyFrom` reads. */
export type CopyFromSource = CopySource | ColumnBatchSource | CopyRows;

function isCopyRows(s: unknown): s is CopyRows {
  return typeof s === 'object' && s !== null && 'types' in s && 'rows' in s && !(Symbol.asyncIterator in s) && !(Symbol.iterator in s);
}

/** A Node Readable (read as bytes, never peeked). */
function isNodeReadable(s: object): boolean {
  return typeof (s as { pipe?: unknown }).pipe === 'function' && typeof (s as { read?: unknown }).read === 'function';
}

/**
 * Chunks of a source whose items are either all ColumnBatches or all bytes/strings, told by the
 * first. Written by hand, not as an async generator: a generator's `return()` waits behind a
 * pending `next()`, so a source that never yields could not be released (copy-in.ts calls
 * `return()` on a timeout, an abort or a lost connection). Here `return()` reaches the caller's
 * iterator at once.
 */
function byFirstItem(source: Iterable<unknown> | AsyncIterable<unknown>, columns: (batches: AsyncIterable<ColumnBatch>) => AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array | string> {
  const it: Iterator<unknown> | AsyncIterator<unknown> = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : (source as Iterable<unknown>)[Symbol.iterator]();
  let first: IteratorResult<unknown> | null = null;
  let released = false;
  /** The source's items, the peeked first one again first. */
  const items: AsyncIterator<unknown> = {
    next: async () => {
      if (first === null) return it.next();
      const r = first;
      first = null;
      return r;
    },
    return: async () => {
      if (!released) {
        released = true;
        await it.return?.();
      }
      return { value: undefined, done: true };
    },
  };
  /** What copy-in.ts reads: the items themselves, or the COPY BINARY bytes of the batches; null until the first item. */
  let chunks: AsyncIterator<unknown> | null = null;
  const iterator: AsyncIterator<Uint8Array | string> = {
    next: async () => {
      if (chunks === null) {
        const r = await it.next();
        if (r.done === true) return { value: undefined, done: true };
        first = r;
        chunks = r.value instanceof ColumnBatch ? columns({ [Symbol.asyncIterator]: () => items as AsyncIterator<ColumnBatch> })[Symbol.asyncIterator]() : items;
      }
      return (await chunks.next()) as IteratorResult<Uint8Array | string>;
    },
    return: async () => {
      // The batch encoder's own return() may wait behind its pending next(): not awaited.
      if (chunks !== null && chunks !== items) Promise.resolve(chunks.return?.()).catch(() => undefined);
      return items.return!() as Promise<IteratorResult<Uint8Array | string>>;
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

/** Runs one COPY FROM STDIN from any source (see the module comment). */
export async function copyFromAny(ctx: QueryContext & InterruptHost, sql: string, source: CopyFromSource, options: CallOptions = {}): Promise<CopyFromResult> {
  const counter = { rows: 0 };
  const columns = (batches: ColumnBatchSource): AsyncIterable<Uint8Array> =>
    copyBinaryOfBatches(batches instanceof ColumnBatch ? [batches] : batches, ctx.types, counter);
  let bytes: CopySource;
  let columnar = true;
  if (source instanceof BatchStream || source instanceof CopyBatches) {
    // Its rows would come after the COPY, which waits for them: a deadlock, refused up front.
    if (source.reads(ctx)) throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'a COPY FROM cannot read batches from its own connection: read them on another one');
    bytes = columns(source);
  } else if (source instanceof ColumnBatch) {
    bytes = columns(source);
  } else if (isCopyRows(source)) {
    bytes = copyBinaryOfRows(source, ctx.types, counter);
  } else if (Array.isArray(source) && source.some((x) => x instanceof ColumnBatch)) {
    bytes = columns(source as ColumnBatch[]);
  } else if (Array.isArray(source) || typeof source !== 'object' || source === null || source instanceof ReadableStreamOrNothing() || isNodeReadable(source)) {
    bytes = source as CopySource;
    columnar = false;
  } else if (Symbol.asyncIterator in source || Symbol.iterator in source) {
    bytes = byFirstItem(source as AsyncIterable<unknown>, columns);
    columnar = false;
  } else {
    throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'copyFrom needs bytes or strings, ColumnBatches, or { types, rows }');
  }
  const result = await copyFrom(ctx, sql, bytes, options);
  if ((columnar || counter.rows > 0) && result.rowCount > counter.rows) {
    throw new ProtocolError(ErrorCode.UNEXPECTED_MESSAGE, `the server reports ${result.rowCount} rows copied, but ${counter.rows} were sent`);
  }
  return result;
}

/** The web ReadableStream class where there is one (a class no value is an instance of otherwise). */
function ReadableStreamOrNothing(): abstract new (...args: never[]) => unknown {
  return typeof ReadableStream === 'function' ? ReadableStream : (class {} as abstract new (...args: never[]) => unknown);
}
