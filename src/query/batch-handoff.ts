/**
 * Where `conn.batches()` (batches.ts) and `copyTo().batches()` (copy-batches.ts) hand the batches
 * they built to the consumer's `for await`: a queue the receive loop fills, at most one pending
 * `next()`, and the end (done, or the error the iteration rejects with). Reading resumes when the
 * consumer has taken the last queued batch, so the next one is built while this one is used; the
 * receive loop pauses again once a batch is ready (backpressure: a few batches at most in memory).
 */
import type { PgStreamError } from '../errors.js';
import type { ColumnBatch } from '../types/arrow/batch.js';

type Waiter = { resolve(r: IteratorResult<ColumnBatch>): void; reject(e: unknown): void };

const END: IteratorResult<ColumnBatch> = Object.freeze({ value: undefined, done: true });

export class BatchHandoff {
  /** Batches built and not yet taken; the reader appends to it (takeBatches). */
  readonly queue: ColumnBatch[] = [];
  #waiter: Waiter | null = null;
  /** Null while batches may still come; then the error the iteration ends with, or null for done. */
  #end: { readonly error: PgStreamError | null } | null = null;

  /** `resume` asks the receive loop to read on (it paused when a batch was ready). */
  constructor(private readonly resume: () => void) {}

  /** True once the reader has ended (done or failed). */
  get ended(): boolean {
    return this.#end !== null;
  }

  /** The reader ended: done (`error` null) or failed (the queued batches are dropped). */
  end(error: PgStreamError | null): void {
    if (this.#end !== null) return;
    this.#end = { error };
    if (error !== null) this.queue.length = 0;
    this.wake();
  }

  /** Hands the consumer waiting what there is: a batch, the end, or the error. */
  wake(): void {
    const waiter = this.#waiter;
    if (waiter === null) return;
    const batch = this.queue.shift();
    if (batch !== undefined) {
      this.#waiter = null;
      waiter.resolve({ value: batch, done: false });
      return;
    }
    const end = this.#end;
    if (end === null) return;
    this.#waiter = null;
    if (end.error === null) waiter.resolve(END);
    else waiter.reject(end.error);
  }

  /** The consumer's next batch (its to keep), or the end. */
  next(): Promise<IteratorResult<ColumnBatch>> {
    const batch = this.queue.shift();
    if (batch !== undefined) {
      // Build the next batch while this one is used (reading pauses again once it is ready).
      if (this.queue.length === 0 && this.#end === null) this.resume();
      return Promise.resolve({ value: batch, done: false });
    }
    const end = this.#end;
    if (end !== null) return end.error === null ? Promise.resolve(END) : Promise.reject(end.error);
    return this.#wait();
  }

  /**
   * The consumer left the loop: the queued batches are dropped and the rest is read to the end
   * (the reader discards it); resolves then, whatever the end was.
   */
  async leave(): Promise<void> {
    if (this.#end !== null) return;
    this.queue.length = 0;
    try {
      await this.#wait();
    } catch {
      // The reader's own failure does not matter to a consumer that left.
    }
  }

  #wait(): Promise<IteratorResult<ColumnBatch>> {
    return new Promise<IteratorResult<ColumnBatch>>((resolve, reject) => {
      this.#waiter = { resolve, reject };
      this.resume();
    });
  }
}
