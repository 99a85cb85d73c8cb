/**
 * `conn.copyFrom(sql, source)`: feeds a `COPY … FROM STDIN` from an async iterable of bytes or
 * strings (a Node Readable is one), a web ReadableStream, or a plain array, and resolves to
 * `{ rowCount }` once the server committed the COPY
 * (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-COPY).
 * - Backpressure: the source is read only as fast as the transport takes the data.
 * - No copy of the caller's bytes where a view will do: a chunk of 16 KiB or more goes to the
 *   transport as it is, behind its CopyData header; smaller chunks and strings are gathered into
 *   one CopyData of up to 64 KiB (message boundaries need not match rows).
 * - The truth about the write (RELIABILITY.md cases 18, 29): a source that fails sends CopyFail, so
 *   the server rolls the COPY back, and the call rejects (PGS_COPY_SOURCE, with the source's error
 *   as cause); a server error while the client streams stops the writing and rejects with it; an
 *   abort or the timeout sends CopyFail too (PGS_ABORTED, PGS_TIMEOUT). The connection stays usable
 *   in each case; a server that does not answer within the cancel timeout after the interruption
 *   fails the connection (PGS_TIMEOUT). A lost connection rejects with the connection's error — or
 *   PGS_OUTCOME_UNKNOWN once CopyDone was sent and the answer is missing (the server may have
 *   committed). It never resolves for rows that are not there.
 * - The source is released whenever it is not read to its end (its iterator's `return()`: a Node
 *   Readable is destroyed, a web stream cancelled): a failure, an interruption, a server error, a
 *   lost connection.
 * The connection is held while the COPY runs: other calls wait for it.
 */
import { ClientError, ConnectionError, ErrorCode, QueryError, ServerError } from '../errors.js';
import type { PgStreamError } from '../errors.js';
import { FrontendCode, Limits } from '../protocol/codes.js';
import { encodeCopyDone } from '../protocol/frontend/copy-done.js';
import { encodeCopyFail } from '../protocol/frontend/copy-fail.js';
import { encodeQuery } from '../protocol/frontend/query.js';
import type { BackendMessage } from '../protocol/messages.js';
import type { Outcome } from '../protocol/session-state-codes.js';
import { MessageWriter } from '../protocol/writer.js';
import { yieldToEvents } from '../platform.js';
import type { QueryContext } from './context.js';
import type { CallOptions, InterruptHost } from './interrupt.js';
import { Step } from './operation.js';
import type { Operation } from './operation.js';
import { checkReady } from './run.js';
import { outcomeUnknown } from './segment.js';

/** What COPY FROM STDIN reads. */
export type CopySource =
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>
  | ReadableStream<Uint8Array | string>;

/** What a finished COPY FROM reports. */
export interface CopyFromResult {
  /** Rows the server copied (the COPY command tag). */
  readonly rowCount: number;
}

/** Chunks at least this large are sent as they are, behind their own header (no copy). */
const THROUGH = 16 * 1024;
/** Gathered CopyData messages are closed at this size and the send buffer flushed. */
const GATHER = 64 * 1024;
/**
 * After this many bytes sent, the writing yields to the event loop once, so the receive loop reads
 * what the server said meanwhile (an ErrorResponse stops the writing). Not after every write: a
 * turn of the event loop per 64 KiB cost more client CPU than the COPY's own work.
 */
const YIELD_EVERY = 1024 * 1024;
/** The CopyData length word counts itself. */
const LENGTH_WORD = 4;

/** The answers to the COPY's Query: CopyInResponse, then CommandComplete or ErrorResponse, then ReadyForQuery. */
class CopyInOp implements Operation {
  readonly sync = true;
  error: PgStreamError | null = null;
  rowCount: number | null = null;
  /** Resolves when the server is ready for data (or refused to be: check `error`). */
  readonly ready: Promise<void>;
  /** Resolves at ReadyForQuery (or when the connection failed). */
  readonly done: Promise<void>;
  #ready!: () => void;
  #done!: () => void;
  copying = false;
  /** The server stopped the COPY (ErrorResponse): the client must stop writing. */
  stopped = false;
  /** The connection failed before the COPY's ReadyForQuery: its error. */
  lost: PgStreamError | null = null;
  /** The COPY's answers come next (the server runs it or is about to). */
  running = false;
  /** Resolves when the server stopped the COPY or the connection failed (the writer must stop waiting). */
  readonly halted: Promise<void>;
  #halt!: () => void;

  constructor(private readonly onStart: () => void) {
    this.ready = new Promise<void>((resolve) => (this.#ready = resolve));
    this.done = new Promise<void>((resolve) => (this.#done = resolve));
    this.halted = new Promise<void>((resolve) => (this.#halt = resolve));
  }

  started(): void {
    this.running = true;
    this.onStart();
  }

  handle(msg: BackendMessage, _outcome: Outcome): Step {
    switch (msg.type) {
      case 'CopyInResponse':
        this.copying = true;
        this.#ready();
        return Step.CONTINUE;
      case 'CommandComplete':
        this.rowCount = msg.rows;
        return Step.CONTINUE;
      case 'ErrorResponse':
        this.error ??= new ServerError(new Map(msg.fields));
        this.stopped = true;
        this.#ready();
        this.#halt();
        return Step.CONTINUE;
      case 'ReadyForQuery':
        this.stopped = true;
        this.#ready();
        this.#halt();
        this.#done();
        return Step.DONE;
      default:
        if (!this.copying) {
          this.error ??= new ClientError(ErrorCode.INVALID_ARGUMENT, `copyFrom() needs COPY … FROM STDIN; the server answered with ${msg.type}`);
        }
        return Step.CONTINUE;
    }
  }

  skipped(): void {
    // A simple Query owns its ReadyForQuery: never skipped.
  }

  fail(err: PgStreamError): void {
    this.error ??= err;
    this.lost = err;
    this.stopped = true;
    this.#ready();
    this.#halt();
    this.#done();
  }
}

/** The chunks of `source`, whatever its kind. */
function chunksOf(source: CopySource): AsyncIterator<Uint8Array | string> | Iterator<Uint8Array | string> {
  const s = source as { [Symbol.asyncIterator]?: unknown; [Symbol.iterator]?: unknown; getReader?: unknown };
  if (typeof s[Symbol.asyncIterator] === 'function') return (source as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  if (typeof s.getReader === 'function') {
    const reader = (source as ReadableStream<Uint8Array | string>).getReader();
    return {
      next: async () => {
        const r = await reader.read();
        return r.done ? { value: undefined, done: true } : { value: r.value, done: false };
      },
      return: async () => {
        await reader.cancel().catch(() => undefined);
        return { value: undefined, done: true };
      },
    };
  }
  if (typeof s[Symbol.iterator] === 'function' && typeof source !== 'string') return (source as Iterable<Uint8Array | string>)[Symbol.iterator]();
  throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'a COPY source must be an (async) iterable of Uint8Array or string chunks, or a ReadableStream');
}

/**
 * Gathers small chunks into one CopyData in a buffer of its own (never the connection's send
 * buffer, which a flush may take while a message is still open), sent when it reaches GATHER.
 */
class Gatherer {
  /** Bytes sent since the writing last yielded to the event loop. */
  #unyielded = 0;
  #w = new MessageWriter(GATHER + GATHER / 4);
  #spare = new MessageWriter(GATHER + GATHER / 4);
  /** The length word's offset of the open CopyData, or -1. */
  #open = -1;

  /** Bytes gathered. */
  get size(): number {
    return this.#w.length;
  }

  add(chunk: Uint8Array | string): void {
    const w = this.#w;
    if (this.#open < 0) this.#open = w.begin(FrontendCode.COPY_DATA);
    if (typeof chunk === 'string') w.utf8(chunk);
    else w.bytes(chunk);
  }

  /** Sends what was gathered (after everything written before it); the buffers alternate. */
  async send(ctx: QueryContext): Promise<void> {
    if (this.#open < 0) return;
    const w = this.#w;
    w.finish(this.#open);
    this.#open = -1;
    this.#w = this.#spare;
    this.#spare = w;
    // The transport is done with the buffer once this resolves: only then may it be written again.
    const data = w.written();
    await ctx.writeThrough(data);
    w.clear();
    await this.sent(data.length);
  }

  /** Counts bytes sent; yields to the event loop once every YIELD_EVERY bytes. */
  async sent(bytes: number): Promise<void> {
    this.#unyielded += bytes;
    if (this.#unyielded < YIELD_EVERY) return;
    this.#unyielded = 0;
    await yieldToEvents();
  }
}

/** What a race of the source against an interruption or the server's stop resolves to when the source lost. */
const STOP = Symbol('stop');

/** Runs one COPY FROM STDIN (see the module comment). */
export async function copyFrom(ctx: QueryContext & InterruptHost, sql: string, source: CopySource, options: CallOptions = {}): Promise<CopyFromResult> {
  if (typeof sql !== 'string') throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'copyFrom needs the SQL of a COPY … FROM STDIN');
  const chunks = chunksOf(source);
  checkReady(ctx);
  // An abort or the timeout ends the COPY with CopyFail (the server rolls it back); before the server
  // is ready for data, with a CancelRequest. Either way the server has the cancel timeout to answer,
  // then the connection is destroyed (PGS_TIMEOUT): a stalled server cannot hold the call.
  const { signal, timeout } = options;
  if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) {
    throw new ClientError(ErrorCode.INVALID_ARGUMENT, `timeout must be a positive number of milliseconds, got ${String(timeout)}`);
  }
  if (signal?.aborted === true) throw new QueryError(ErrorCode.ABORTED, 'the call was aborted by its signal', { cause: signal.reason });
  let aborted: typeof ErrorCode.ABORTED | typeof ErrorCode.TIMEOUT | null = null;
  let op: CopyInOp | null = null;
  let grace: ReturnType<typeof setTimeout> | null = null;
  let cancelled = false;
  let wake!: () => void;
  const interrupted = new Promise<typeof STOP>((resolve) => (wake = () => resolve(STOP)));
  /** Before CopyInResponse the COPY may be waiting (a lock): cancel it, once it is what the server runs. */
  const cancelIfWaiting = (): void => {
    if (aborted === null || cancelled || op === null || !op.running || op.copying || op.stopped) return;
    cancelled = true;
    ctx.cancel().catch(() => undefined);
  };
  const bound = (): void => {
    if (op === null || grace !== null) return;
    const ms = ctx.cancelTimeoutMs;
    const p = op;
    grace = setTimeout(() => {
      if (p.lost === null) ctx.destroy(new ConnectionError(ErrorCode.TIMEOUT, `COPY FROM: the server did not answer within ${ms} ms of the interruption`));
    }, ms);
  };
  const interrupt = (code: typeof ErrorCode.ABORTED | typeof ErrorCode.TIMEOUT): void => {
    if (aborted !== null) return;
    aborted = code;
    wake();
    cancelIfWaiting();
    bound();
  };
  const onAbort = (): void => interrupt(ErrorCode.ABORTED);
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = timeout === undefined ? null : setTimeout(() => interrupt(ErrorCode.TIMEOUT), timeout);
  /** The source is read to its end (nothing to release) or released (return(): a Node Readable is destroyed). */
  let exhausted = false;
  /** A `next()` of the source is pending (an async generator's return() would wait behind it). */
  let reading = false;
  const releaseSource = async (): Promise<void> => {
    if (exhausted) return;
    exhausted = true;
    try {
      const r = chunks.return?.() as Promise<unknown> | undefined;
      if (r !== undefined && typeof (r as { then?: unknown }).then === 'function') {
        const settled = (r as Promise<unknown>).then(noop, noop);
        if (!reading) await settled;
      }
    } catch {
      // The source's own cleanup failed: nothing more to do with it.
    }
  };
  let doneSent = false;
  const turn = ctx.turn(true);
  const releaseTurn = typeof turn === 'function' ? turn : await turn;
  try {
    if (aborted !== null) throw new QueryError(aborted, 'the call was interrupted before it started');
    encodeQuery(ctx.writer, sql);
    ctx.requests.sentQuery();
    op = new CopyInOp(cancelIfWaiting);
    const current = op;
    if (aborted !== null) bound();
    ctx.enqueue(current);
    ctx.scheduleFlush();
    // An interruption before the server is ready ends by the server's answer to the cancel, or the grace period.
    await current.ready;
    let failure: unknown = undefined;
    if (current.copying && !current.stopped) {
      const gather = new Gatherer();
      ctx.clientTurn(true);
      try {
        for (;;) {
          if (current.stopped || aborted !== null || ctx.error !== null) break;
          const next = Promise.resolve(chunks.next());
          reading = true;
          next.then(() => (reading = false), () => (reading = false));
          let r: IteratorResult<Uint8Array | string> | typeof STOP;
          try {
            r = await Promise.race([next, interrupted, current.halted.then((): typeof STOP => STOP)]);
          } catch (err) {
            exhausted = true;
            throw new SourceFailure(err);
          }
          if (r === STOP) {
            next.catch(noop);
            break;
          }
          if (r.done === true) {
            exhausted = true;
            break;
          }
          const chunk = r.value;
          if (typeof chunk !== 'string' && !(chunk instanceof Uint8Array)) {
            throw new ClientError(ErrorCode.INVALID_ARGUMENT, `a COPY chunk must be a Uint8Array or a string, got ${typeof chunk}`);
          }
          if (typeof chunk !== 'string' && chunk.length >= THROUGH) {
            if (chunk.length > Limits.MAX_MESSAGE_LENGTH - LENGTH_WORD) throw new ClientError(ErrorCode.MESSAGE_TOO_LARGE, 'a COPY chunk exceeds the 1 GiB message limit');
            await gather.send(ctx);
            const w = ctx.writer;
            w.u8(FrontendCode.COPY_DATA);
            w.i32(chunk.length + LENGTH_WORD);
            await ctx.writeThrough(chunk);
            await gather.sent(chunk.length);
          } else {
            gather.add(chunk);
            if (gather.size >= GATHER) await gather.send(ctx);
          }
        }
        if (aborted === null) await gather.send(ctx);
      } catch (err) {
        // A failed write is the connection's failure (ctx.error), not the source's.
        if (ctx.error === null || err instanceof SourceFailure) failure = err instanceof SourceFailure ? err.cause : err;
      } finally {
        ctx.clientTurn(false);
      }
      if (current.stopped && !current.copying) {
        // Nothing to end: the server already refused.
      } else if (ctx.error === null) {
        if (failure !== undefined || aborted !== null) {
          const why = aborted !== null ? (aborted === ErrorCode.TIMEOUT ? 'timed out' : 'aborted by the caller') : `the source failed: ${failure instanceof Error ? failure.message : String(failure)}`;
          encodeCopyFail(ctx.writer, `pg-stream: ${why}`.slice(0, 1000));
        } else if (!current.stopped) {
          encodeCopyDone(ctx.writer);
          doneSent = true;
        }
        ctx.scheduleFlush();
      }
      // Stop reading the source unless it was read to its end (the server stopped, the connection
      // was lost, the call was interrupted, the source failed).
      await releaseSource();
    }
    await current.done;
    const lost = current.lost;
    if (lost !== null) {
      // Lost after CopyDone with the COPY unanswered: the server may have committed it (its own
      // FATAL, read in order before anything else, says it did not).
      if (doneSent && current.rowCount === null && !(lost instanceof ServerError)) throw outcomeUnknown(lost);
      throw lost;
    }
    if (aborted !== null) {
      const what = aborted === ErrorCode.TIMEOUT ? `did not finish within its timeout of ${timeout} ms` : 'was aborted by its signal';
      throw new QueryError(aborted, `COPY FROM ${what}: the server rolled it back`, { cause: current.error ?? undefined });
    }
    if (failure !== undefined) {
      if (failure instanceof ClientError) throw failure;
      throw new QueryError(ErrorCode.COPY_SOURCE, 'the COPY source failed: the server rolled the COPY back', { cause: failure });
    }
    if (current.error !== null) throw current.error;
    return { rowCount: current.rowCount ?? 0 };
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (timer !== null) clearTimeout(timer);
    if (grace !== null) clearTimeout(grace);
    await releaseSource();
    releaseTurn();
  }
}

/** An error thrown by the COPY source (told apart from a failed write). */
class SourceFailure extends Error {
  constructor(cause: unknown) {
    super('the COPY source failed', { cause });
  }
}

function noop(): void {}
