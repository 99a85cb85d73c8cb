/**
 * Interrupt: `{ signal, timeout }` of one query-layer call. An abort (or the timeout) while the
 * call's statement runs sends a CancelRequest — only once the statement is the one the server is
 * running (cancelling earlier work queued on the same connection would hit the wrong statement) —
 * and the call rejects with PGS_ABORTED (PGS_TIMEOUT) once the server has answered, so the
 * connection is back at ReadyForQuery and usable. An already-aborted signal sends nothing. A
 * CancelRequest that reaches the server before the statement runs there (its messages still on the
 * way) is ignored by the server (an idle backend drops a cancel): so while the statement has not
 * settled, the cancel is sent again, at growing intervals. If the server does not answer within
 * the cancel timeout of the first one, the connection is failed
 * (PGS_TIMEOUT): a stalled server cannot hold the call forever (RELIABILITY.md cases 21, 22, 28).
 * A statement that completed before the cancel took effect keeps its result: the abort came too late.
 */
import { ClientError, ConnectionError, ErrorCode, QueryError } from '../errors.js';
import type { PgStreamError } from '../errors.js';
import type { StatementFate } from './segment.js';

/** Options every query-layer call takes. */
export interface CallOptions {
  /** Aborting it cancels the call (CancelRequest) and rejects it with PGS_ABORTED. */
  readonly signal?: AbortSignal | undefined;
  /** Milliseconds the call may take before it is cancelled and rejects with PGS_TIMEOUT. */
  readonly timeout?: number | undefined;
}

/** What an interrupt needs from the connection. */
export interface InterruptHost {
  /** Sends a CancelRequest for this session. */
  cancel(): Promise<void>;
  /** Fails the connection (the server did not answer a cancel in time). */
  destroy(err: PgStreamError): void;
  /** How long to wait for the server after a cancel before failing the connection. */
  readonly cancelTimeoutMs: number;
}

/** SQLSTATE query_canceled: what a cancelled statement fails with. */
const QUERY_CANCELED = '57014';

function interruptError(code: typeof ErrorCode.ABORTED | typeof ErrorCode.TIMEOUT, cause?: unknown, ms?: number): QueryError {
  const message = code === ErrorCode.TIMEOUT ? `the call did not finish within its timeout of ${ms} ms and was cancelled` : 'the call was aborted by its signal';
  return new QueryError(code, message, cause === undefined ? undefined : { cause });
}

/** The first re-send of a cancel comes after this share of the cancel timeout (within the bounds below). */
const RESEND_SHARE = 20;
const RESEND_FIRST_MS = 50;
/** Re-sends are at most this far apart (the interval doubles up to it). */
const RESEND_MAX_MS = 1_000;

/** The interruption state of one call. */
export class Interrupt {
  /** Which interruption happened (null: none). */
  #code: typeof ErrorCode.ABORTED | typeof ErrorCode.TIMEOUT | null = null;
  #running = false;
  #cancelled = false;
  #finished = false;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #grace: ReturnType<typeof setTimeout> | null = null;
  #resend: ReturnType<typeof setTimeout> | null = null;
  #answered = false;
  readonly #onAbort = (): void => this.#interrupt(ErrorCode.ABORTED);

  private constructor(
    private readonly host: InterruptHost,
    private readonly options: CallOptions,
  ) {}

  /**
   * The interrupt for `options`, or null when there is nothing to watch. Throws the rejection at
   * once for an already-aborted signal or a bad timeout (nothing is sent then).
   */
  static of(host: InterruptHost, options: CallOptions | undefined): Interrupt | null {
    if (options === undefined) return null;
    const { signal, timeout } = options;
    if (timeout !== undefined && !(Number.isFinite(timeout) && timeout > 0)) {
      throw new ClientError(ErrorCode.INVALID_ARGUMENT, `timeout must be a positive number of milliseconds, got ${String(timeout)}`);
    }
    if (signal?.aborted === true) throw interruptError(ErrorCode.ABORTED, signal.reason);
    if (signal === undefined && timeout === undefined) return null;
    const it = new Interrupt(host, options);
    signal?.addEventListener('abort', it.#onAbort, { once: true });
    if (timeout !== undefined) {
      it.#timer = setTimeout(() => it.#interrupt(ErrorCode.TIMEOUT), timeout);
    }
    return it;
  }

  /** Before anything is written (the call waited for its turn): throws if the interruption came meanwhile. */
  throwIfInterrupted(): void {
    const code = this.#code;
    if (code === null) return;
    this.dispose();
    throw interruptError(code, this.options.signal?.reason, this.options.timeout);
  }

  /** The call's statement is the one the server runs now. */
  started(): void {
    this.#running = true;
    if (this.#code !== null) this.#sendCancel();
  }

  #interrupt(code: typeof ErrorCode.ABORTED | typeof ErrorCode.TIMEOUT): void {
    if (this.#finished || this.#code !== null) return;
    this.#code = code;
    if (this.#running) this.#sendCancel();
  }

  /**
   * The server answered the statement (its CommandComplete, error or suspension came): whatever
   * the cancel did, the server is past it — no more re-sends (they would hit what runs next), and
   * no deadline on an answer that came.
   */
  answered(): void {
    this.#answered = true;
    if (this.#grace !== null) clearTimeout(this.#grace);
    if (this.#resend !== null) clearTimeout(this.#resend);
    this.#grace = this.#resend = null;
  }

  #sendCancel(): void {
    if (this.#cancelled || this.#finished || this.#answered) return;
    this.#cancelled = true;
    this.host.cancel().catch(() => undefined);
    const ms = this.host.cancelTimeoutMs;
    this.#grace = setTimeout(() => {
      if (this.#finished) return;
      this.host.destroy(new ConnectionError(ErrorCode.TIMEOUT, `the server did not answer within ${ms} ms of a cancel request`));
    }, ms);
    this.#again(Math.max(RESEND_FIRST_MS, Math.min(RESEND_MAX_MS, ms / RESEND_SHARE)));
  }

  /** Sends the cancel again after `delay` ms while the statement has not settled (see the module comment). */
  #again(delay: number): void {
    this.#resend = setTimeout(() => {
      this.#resend = null;
      if (this.#finished || this.#answered) return;
      this.host.cancel().catch(() => undefined);
      this.#again(Math.min(RESEND_MAX_MS, delay * 2));
    }, delay);
  }

  /**
   * The call settled with `fate`: the error to reject with instead (PGS_ABORTED/PGS_TIMEOUT, with the
   * server's error as its cause), or null to keep the fate as it is.
   */
  map(fate: StatementFate): PgStreamError | null {
    this.dispose();
    const code = this.#code;
    if (code === null || fate.kind === 'done') return null;
    const cancelled = fate.kind === 'failed' && (fate.error as { sqlstate?: string }).sqlstate === QUERY_CANCELED;
    return cancelled || fate.kind === 'aborted' ? interruptError(code, fate.error, this.options.timeout) : null;
  }

  /** Stops watching (the call settled). */
  dispose(): void {
    this.#finished = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    if (this.#grace !== null) clearTimeout(this.#grace);
    if (this.#resend !== null) clearTimeout(this.#resend);
    this.#timer = this.#grace = this.#resend = null;
    this.options.signal?.removeEventListener('abort', this.#onAbort);
  }
}
