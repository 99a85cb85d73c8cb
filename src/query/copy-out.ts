/**
 * `conn.copyTo(sql)`: the data of a `COPY … TO STDOUT` as an async iterable of byte chunks, read as
 * the consumer asks: a slow consumer pauses the socket and memory stays flat (RELIABILITY.md case
 * 19). A chunk holds one or more whole CopyData payloads (the server sends one row per message):
 * the small ones that arrived together are gathered into one reused buffer of up to 64 KiB, so a
 * million rows cost thousands of iterations instead of a million; a large payload comes alone, as a
 * view of the receive buffer. Either way a chunk is valid until the next one is asked for. Also as a web
 * `ReadableStream` (`stream()`), or piped into a Node Writable or a web WritableStream with
 * backpressure (`pipeTo()`; chunks are copied there, since a sink may keep them). For a Node
 * Readable: `Readable.from(conn.copyTo(sql))`, or `stream.pipeline(conn.copyTo(sql), file)`.
 * The COPY runs as a simple Query (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-COPY);
 * the iteration ends at ReadyForQuery and throws the server's error if there was one. Leaving the
 * loop early reads and discards the rest, so the connection stays usable.
 */
import { ClientError, ErrorCode, ServerError } from '../errors.js';
import type { PgStreamError } from '../errors.js';
import type { FormatCode } from '../protocol/codes.js';
import { encodeCopyFail } from '../protocol/frontend/copy-fail.js';
import { encodeQuery } from '../protocol/frontend/query.js';
import type { BackendMessage } from '../protocol/messages.js';
import type { Outcome } from '../protocol/session-state-codes.js';
import { CopyBatches } from './copy-batches.js';
import type { CopyBatchOptions } from './copy-batches.js';
import type { QueryContext } from './context.js';
import type { CallOptions, Interrupt, InterruptHost } from './interrupt.js';
import { Step } from './operation.js';
import type { Operation } from './operation.js';
import { takeTurn } from './run.js';

/** A Node Writable, as `pipeTo` uses it (no import of node:stream: duck-typed). */
export interface NodeWritableLike {
  write(chunk: Uint8Array, callback?: (err?: Error | null) => void): boolean;
  end(callback?: () => void): unknown;
  once(event: 'drain' | 'error' | 'close', listener: (...args: unknown[]) => void): unknown;
  off?(event: string, listener: (...args: unknown[]) => void): unknown;
}

/** The size of the buffer small CopyData payloads are gathered into. */
const GATHER_BYTES = 64 * 1024;
/** A payload at least this large is delivered alone, as a view (no copy). */
const ALONE_BYTES = 16 * 1024;

/** The rows of a COPY … TO STDOUT, as byte chunks. */
export class CopyOut implements AsyncIterableIterator<Uint8Array>, Operation {
  readonly sync = true;
  #started = false;
  #chunk: Uint8Array | null = null;
  #ready = false;
  #waiter: { resolve(r: IteratorResult<Uint8Array>): void; reject(e: unknown): void } | null = null;
  #done = false;
  #error: PgStreamError | null = null;
  #discarding = false;
  #copying = false;
  #format: FormatCode | null = null;
  #columnFormats: readonly FormatCode[] = [];
  #rowCount: number | null = null;
  #interrupt: Interrupt | null = null;
  /** Small payloads gathered for the next chunk, and how many bytes of it are filled. */
  #gathered: Uint8Array | null = null;
  #filled = 0;
  /** A payload that did not fit the gathered chunk: a view valid while the loop is paused. */
  #carry: Uint8Array | null = null;
  readonly #result: { value: Uint8Array; done: false } = { value: new Uint8Array(0), done: false };

  constructor(
    private readonly ctx: QueryContext & InterruptHost,
    private readonly sql: string,
    private readonly options: CallOptions = {},
  ) {
    if (typeof sql !== 'string') throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'copyTo needs the SQL of a COPY … TO STDOUT');
  }

  /** The overall format (0 text, 1 binary) once the COPY started; null before. */
  get format(): FormatCode | null {
    return this.#format;
  }

  /** Each column's format once the COPY started. */
  get columnFormats(): readonly FormatCode[] {
    return this.#columnFormats;
  }

  /** Rows copied (the COPY command tag), once the COPY ended. */
  get rowCount(): number | null {
    return this.#rowCount;
  }

  async #start(): Promise<void> {
    this.#started = true;
    const turn = takeTurn(this.ctx, this.options);
    this.#interrupt = turn instanceof Promise ? await turn : turn;
    encodeQuery(this.ctx.writer, this.sql);
    this.ctx.requests.sentQuery();
    this.ctx.enqueue(this);
    this.ctx.scheduleFlush();
  }

  // ---------------------------------------------------------------- Operation (the receive loop)

  started(): void {
    this.#interrupt?.started();
  }

  handle(msg: BackendMessage, _outcome: Outcome): Step {
    switch (msg.type) {
      case 'CopyOutResponse':
        this.#copying = true;
        this.#format = msg.format;
        this.#columnFormats = msg.columnFormats;
        return Step.CONTINUE;
      case 'CopyData':
        return this.#discarding ? Step.CONTINUE : this.#gather(msg.data);
      case 'CommandComplete':
        this.#rowCount = msg.rows;
        return this.#filled > 0 ? this.#deliverGathered() : Step.CONTINUE;
      case 'ErrorResponse':
        this.#error ??= new ServerError(new Map(msg.fields));
        // What arrived before the error still reaches the consumer, then the error.
        return this.#filled > 0 ? this.#deliverGathered() : Step.CONTINUE;
      case 'CopyInResponse':
        // Not a COPY TO: get the server out of COPY IN mode at once.
        this.#error ??= new ClientError(ErrorCode.INVALID_ARGUMENT, 'copyTo() needs COPY … TO STDOUT; this statement is a COPY FROM STDIN');
        encodeCopyFail(this.ctx.writer, 'pg-stream: copyTo() was given a COPY FROM STDIN');
        this.ctx.scheduleFlush();
        return Step.CONTINUE;
      case 'ReadyForQuery':
        this.#finish();
        return Step.DONE;
      default:
        if (!this.#copying) {
          this.#error ??= new ClientError(ErrorCode.INVALID_ARGUMENT, `copyTo() needs COPY … TO STDOUT; the server answered with ${msg.type}`);
        }
        return Step.CONTINUE;
    }
  }

  inputDrained(): Step {
    return this.#filled > 0 ? this.#deliverGathered() : Step.CONTINUE;
  }

  skipped(): void {
    // A simple Query owns its ReadyForQuery: never skipped.
  }

  /** One CopyData payload (a view valid until the loop reads on): gathered, or delivered. */
  #gather(data: Uint8Array): Step {
    const n = data.length;
    if (n >= ALONE_BYTES || this.#filled + n > GATHER_BYTES) {
      if (this.#filled === 0) return this.#deliver(data);
      this.#carry = data;
      return this.#deliverGathered();
    }
    const into = (this.#gathered ??= new Uint8Array(GATHER_BYTES));
    into.set(data, this.#filled);
    this.#filled += n;
    return Step.CONTINUE;
  }

  #deliverGathered(): Step {
    return this.#deliver(this.#gathered!.subarray(0, this.#filled));
  }

  /** Hands `chunk` to the consumer (or holds it until asked) and pauses the loop. */
  #deliver(chunk: Uint8Array): Step {
    this.#chunk = chunk;
    const waiter = this.#waiter;
    if (waiter !== null) {
      this.#waiter = null;
      this.#result.value = chunk;
      waiter.resolve(this.#result);
    } else {
      this.#ready = true;
    }
    return Step.PAUSE;
  }

  /** The consumer asked for more: the last chunk is no longer used; a carried payload goes first. */
  #release(): void {
    if (this.#ready) return;
    this.#filled = 0;
    const carry = this.#carry;
    if (carry === null) return;
    this.#carry = null;
    this.#gather(carry);
  }

  fail(err: PgStreamError): void {
    this.#error ??= err;
    this.#finish();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#chunk = null;
    this.#ready = false;
    this.#carry = null;
    const fate = this.#interrupt?.map(this.#error === null ? { kind: 'done' } : { kind: 'failed', error: this.#error }) ?? null;
    if (fate !== null) this.#error = fate;
    const waiter = this.#waiter;
    this.#waiter = null;
    if (waiter === null) return;
    if (this.#error === null) waiter.resolve({ value: undefined, done: true });
    else waiter.reject(this.#error);
  }

  // ---------------------------------------------------------------- the consumer

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** The next chunk (a view valid until the next call), or the end. */
  next(): Promise<IteratorResult<Uint8Array>> {
    if (!this.#started) return this.#start().then(() => this.next());
    this.#release();
    if (this.#ready) {
      this.#ready = false;
      this.#result.value = this.#chunk!;
      return Promise.resolve(this.#result);
    }
    if (this.#done) return this.#error === null ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(this.#error);
    return new Promise<IteratorResult<Uint8Array>>((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.ctx.resume();
    });
  }

  /** Leaving the loop early: the rest of the data is read and discarded. */
  async return(): Promise<IteratorResult<Uint8Array>> {
    if (!this.#started || this.#done) return { value: undefined, done: true };
    this.#discarding = true;
    this.#ready = false;
    this.#filled = 0;
    this.#carry = null;
    try {
      await new Promise<IteratorResult<Uint8Array>>((resolve, reject) => {
        this.#waiter = { resolve, reject };
        this.ctx.resume();
      });
    } catch {
      // The consumer left: the COPY's own failure does not matter to it.
    }
    return { value: undefined, done: true };
  }

  /**
   * The COPY's rows as Arrow `ColumnBatch`es instead of bytes (`COPY … TO STDOUT (FORMAT binary)`,
   * decoded column by column; without `types`, learned by describing the COPY's query or table):
   * see copy-batches.ts. Call it before reading any bytes; the two ways of reading exclude each other.
   */
  batches(options: CopyBatchOptions = {}): CopyBatches {
    if (this.#started) throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'batches() needs a copyTo() whose bytes were not read');
    this.#started = true;
    this.#done = true;
    return new CopyBatches(this.ctx, this.sql, { signal: this.options.signal, timeout: this.options.timeout, ...options });
  }

  /** The data as a web ReadableStream of copied chunks (pulled as the reader reads). */
  stream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        const r = await this.next();
        if (r.done === true) controller.close();
        else controller.enqueue(r.value.slice());
      },
      cancel: async () => {
        await this.return();
      },
    });
  }

  /**
   * Writes every chunk (copied) into `dest` — a Node Writable (waits for `'drain'` when it says so)
   * or a web WritableStream (waits for its writer) — and ends it. Resolves with the row count.
   */
  async pipeTo(dest: NodeWritableLike | WritableStream<Uint8Array>): Promise<number | null> {
    if (typeof (dest as WritableStream).getWriter === 'function') {
      const writer = (dest as WritableStream<Uint8Array>).getWriter();
      try {
        for await (const chunk of this) {
          await writer.ready;
          await writer.write(chunk.slice());
        }
        await writer.close();
      } catch (err) {
        await writer.abort(err).catch(() => undefined);
        throw err;
      }
      return this.#rowCount;
    }
    const node = dest as NodeWritableLike;
    for await (const chunk of this) {
      if (!node.write(chunk.slice())) await drained(node);
    }
    await new Promise<void>((resolve) => node.end(() => resolve()));
    return this.#rowCount;
  }
}

/** Resolves when a Node Writable drained (or rejects when it failed first). */
function drained(w: NodeWritableLike): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onDrain = (): void => {
      w.off?.('error', onError);
      resolve();
    };
    const onError = (err: unknown): void => {
      w.off?.('drain', onDrain);
      reject(err);
    };
    w.once('drain', onDrain);
    w.once('error', onError);
  });
}
