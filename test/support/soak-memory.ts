/**
 * Memory figures for reliability tests and the soak: the heap after a full garbage collection
 * (what is retained, not what is merely not collected yet) and the RSS. Garbage collection is
 * reached without `--expose-gc` on the command line: V8's flag is set at run time and the `gc`
 * function taken from a fresh context, as Node's own tests do.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let collect: (() => void) | null = null;

/** A full garbage collection (falls back to nothing when the runtime refuses the flag). */
export function fullGc(): void {
  if (collect === null) {
    const existing = (globalThis as { gc?: () => void }).gc;
    if (typeof existing === 'function') {
      collect = existing;
    } else {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    }
  }
  collect();
}

/** One memory sample. */
export interface MemorySample {
  /** Heap in use after a full collection, bytes. */
  readonly heap: number;
  /** Resident set size, bytes. */
  readonly rss: number;
  /** Memory outside the JS heap held by JS objects (Buffers), bytes. */
  readonly external: number;
}

/** Collects, then samples. */
export function sampleMemory(): MemorySample {
  fullGc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss, external: m.external + m.arrayBuffers };
}

/** Megabytes with one decimal, for reports. */
export function mb(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
