/**
 * Deadline: one timer covering a whole multi-step operation (libpq's connect_timeout covers the
 * connection attempt from the TCP connect to ReadyForQuery). When it fires, every registered
 * resource is torn down and every raced step rejects with the same timeout error, so a server that
 * stays silent at any step (after SSLRequest, mid-handshake, mid-SCRAM) cannot hang the caller.
 */
import { ConnectionError, ErrorCode } from '../errors.js';

/** A timer that, when it fires, rejects every raced promise and runs every registered cleanup. */
export class Deadline {
  /** The error every raced step rejects with once the deadline passed. */
  readonly error: ConnectionError;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #expired = false;
  readonly #listeners = new Set<() => void>();

  /** Starts a deadline of `ms` milliseconds; 0 (or less, or non-finite) means no deadline. */
  constructor(ms: number, code: ConnectionError['code'] = ErrorCode.CONNECT_TIMEOUT, what = 'connection attempt') {
    this.error = new ConnectionError(code, `${what} timed out after ${ms} ms`);
    if (ms > 0 && Number.isFinite(ms)) {
      this.#timer = setTimeout(() => this.#expire(), ms);
    }
  }

  /** True once the deadline passed. */
  get expired(): boolean {
    return this.#expired;
  }

  /** Runs `fn` when the deadline passes (at once if it already did); returns an unregister function. */
  onExpire(fn: () => void): () => void {
    if (this.#expired) {
      fn();
      return () => undefined;
    }
    this.#listeners.add(fn);
    return () => {
      this.#listeners.delete(fn);
    };
  }

  /** Settles like `p`, or rejects with the timeout error if the deadline passes first. */
  race<T>(p: Promise<T>): Promise<T> {
    if (this.#expired) {
      p.catch(() => undefined);
      return Promise.reject(this.error);
    }
    return new Promise<T>((resolve, reject) => {
      const off = this.onExpire(() => reject(this.error));
      p.then(
        (v) => {
          off();
          resolve(v);
        },
        (err: unknown) => {
          off();
          reject(this.#expired ? this.error : err);
        },
      );
    });
  }

  /** Stops the timer; nothing registered runs afterwards. */
  clear(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#listeners.clear();
  }

  #expire(): void {
    this.#expired = true;
    this.#timer = null;
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const fn of listeners) {
      try {
        fn();
      } catch {
        // A cleanup that throws must not stop the others; the timeout error is what is reported.
      }
    }
  }
}
