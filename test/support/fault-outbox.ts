/**
 * The write side of one direction of the fault proxy (./fault-proxy.ts): a serial queue of writes,
 * waits and closes, run strictly in order so that delays, split pieces and the close that ends a
 * drop reach the peer in the order the plan put them.
 */
import type net from 'node:net';
import type { DropHow } from './fault-plan.js';

/** What passed one way on one connection. */
export interface DirectionRecord {
  /** Bytes received from the source. */
  bytesIn: number;
  /** Bytes written to the destination (faults included: duplicates, injections, rewrites). */
  bytesOut: number;
  /** Bytes received while stalled or after a drop, never forwarded. */
  bytesHeld: number;
  /** Names of the units received, in order (see WireMessage.name). */
  readonly messages: string[];
  /** Size of every write to the destination, in order. */
  readonly writes: number[];
  /** True once the source sent its FIN. */
  ended: boolean;
}

/** A new, empty record. */
export function newRecord(): DirectionRecord {
  return { bytesIn: 0, bytesOut: 0, bytesHeld: 0, messages: [], writes: [], ended: false };
}

/** One queued step. */
export type Step =
  | { readonly kind: 'write'; readonly bytes: Uint8Array }
  | { readonly kind: 'wait'; readonly ms: number }
  | { readonly kind: 'drop'; readonly how: DropHow }
  | { readonly kind: 'end' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'destroy' };

/** What an outbox needs from its connection. */
export interface OutboxOwner {
  /** True once the connection was dropped: nothing more is written. */
  readonly dropped: boolean;
  /** Closes both sides once `flushed` (the last write) is done. */
  drop(how: DropHow, flushed: Promise<void>): void;
  /** Resets `socket` once its receiver had time to read what came before. */
  resetLater(socket: net.Socket): void;
}

/** The serial write queue of one direction: writes, waits and closes, strictly in order. */
export class Outbox {
  readonly #link: OutboxOwner;
  readonly #dest: net.Socket;
  readonly #record: DirectionRecord;
  readonly #steps: Step[] = [];
  #timer: { readonly cancel: () => void } | null = null;
  #lastWrite: Promise<void> = Promise.resolve();

  constructor(link: OutboxOwner, dest: net.Socket, record: DirectionRecord) {
    this.#link = link;
    this.#dest = dest;
    this.#record = record;
  }

  push(step: Step): void {
    this.#steps.push(step);
    if (this.#timer === null) this.#pump();
  }

  /** Stops: pending steps are dropped, timers cleared. */
  stop(): void {
    this.#steps.length = 0;
    this.#timer?.cancel();
    this.#timer = null;
  }

  #pump(): void {
    while (this.#steps.length > 0) {
      if (this.#link.dropped) {
        this.#steps.length = 0;
        return;
      }
      const step = this.#steps.shift()!;
      if (step.kind === 'wait') {
        const resume = (): void => {
          this.#timer = null;
          this.#pump();
        };
        if (step.ms > 0) {
          const t = setTimeout(resume, step.ms);
          this.#timer = { cancel: () => clearTimeout(t) };
        } else {
          const t = setImmediate(resume);
          this.#timer = { cancel: () => clearImmediate(t) };
        }
        return;
      }
      this.#run(step);
    }
  }

  #run(step: Exclude<Step, { kind: 'wait' }>): void {
    const dest = this.#dest;
    switch (step.kind) {
      case 'write':
        if (dest.destroyed || dest.writableEnded) return;
        this.#record.bytesOut += step.bytes.length;
        this.#record.writes.push(step.bytes.length);
        this.#lastWrite = new Promise((resolve) => {
          dest.write(step.bytes, () => resolve());
        });
        return;
      case 'drop':
        this.#link.drop(step.how, this.#lastWrite);
        return;
      case 'end':
        if (!dest.destroyed && !dest.writableEnded) dest.end();
        return;
      case 'reset':
        void this.#lastWrite.then(() => this.#link.resetLater(dest));
        return;
      case 'destroy':
        dest.destroy();
        return;
    }
  }
}

