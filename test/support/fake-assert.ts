/**
 * Assertions shared by the hostile tests, one per rule of RELIABILITY.md: the call settles within
 * its deadline; the error is the right typed error with the right stable code; the socket is
 * destroyed; nothing escapes as an unhandled rejection or 'error' event; no secret appears
 * anywhere in the error chain (message, stack, cause, inspected properties).
 */
import type net from 'node:net';
import { inspect } from 'node:util';
import { afterEach, beforeEach, expect } from 'vitest';
import { PgStreamError, ServerError } from '../../src/errors.js';
import type { ErrorCode } from '../../src/errors.js';

/** Any PgStreamError subclass. */
export type ErrorClass = abstract new (...args: never[]) => PgStreamError;

/** What a failed call must look like. */
export interface Failure {
  /** The typed error class (ProtocolError, TlsError, …). */
  type: ErrorClass;
  /** The stable code. */
  code: ErrorCode;
  /** SQLSTATE, for ServerError. */
  sqlstate?: string;
  /** The call must settle within this many milliseconds. */
  withinMs: number;
  /** Strings that must appear nowhere in the error chain. */
  secrets?: readonly (string | Uint8Array)[];
  /** The caller's socket, which must be destroyed once the call rejected. */
  socket?: net.Socket;
}

/** Settles `p` or fails the test when it takes longer than `ms`. */
export async function within<T>(p: Promise<T>, ms: number, what = 'the call'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p, t]);
  } finally {
    clearTimeout(timer);
  }
}

/** Every string reachable from an error: message, stack, inspected form, causes, nested errors. */
export function errorStrings(err: unknown, depth = 0, seen = new Set<unknown>()): string[] {
  if (err === null || err === undefined || depth > 8 || seen.has(err)) return [];
  seen.add(err);
  const out: string[] = [String(err)];
  if (typeof err === 'object') {
    const e = err as { message?: unknown; stack?: unknown; cause?: unknown; errors?: unknown };
    if (typeof e.message === 'string') out.push(e.message);
    if (typeof e.stack === 'string') out.push(e.stack);
    out.push(inspect(err, { depth: 6, showHidden: true, getters: true }));
    try {
      out.push(JSON.stringify(err));
    } catch {
      // Circular or BigInt: inspect() above already covers it.
    }
    out.push(...errorStrings(e.cause, depth + 1, seen));
    if (Array.isArray(e.errors)) for (const x of e.errors) out.push(...errorStrings(x, depth + 1, seen));
  }
  return out;
}

/** Fails when any of `secrets` (or its base64/hex forms, for byte secrets) appears in the error chain. */
export function expectNoSecrets(err: unknown, secrets: readonly (string | Uint8Array)[]): void {
  const text = errorStrings(err).join('\n');
  for (const s of secrets) {
    const forms =
      typeof s === 'string'
        ? [s]
        : [Buffer.from(s).toString('hex'), Buffer.from(s).toString('base64'), Array.from(s).join(','), Array.from(s).join(' ')];
    for (const f of forms) {
      if (f.length < 4) continue;
      expect(text.includes(f), `secret ${JSON.stringify(f.slice(0, 8))}… appears in the error chain`).toBe(false);
    }
  }
}

/** Asserts `p` rejects as `f` describes; returns the error. */
export async function expectFailure(p: Promise<unknown>, f: Failure): Promise<PgStreamError> {
  const t0 = performance.now();
  let error: unknown = null;
  let resolved = false;
  await within(
    p.then(
      () => {
        resolved = true;
      },
      (e: unknown) => {
        error = e;
      },
    ),
    f.withinMs,
  );
  const ms = performance.now() - t0;
  expect(resolved, 'the call succeeded but must fail').toBe(false);
  expect(error, `expected ${f.type.name} ${f.code}, got ${String(error)}`).toBeInstanceOf(f.type);
  const e = error as PgStreamError;
  expect(e.code, `wrong code; message: ${e.message}`).toBe(f.code);
  expect(ms).toBeLessThan(f.withinMs);
  if (f.sqlstate !== undefined) expect((e as ServerError).sqlstate).toBe(f.sqlstate);
  if (f.secrets !== undefined) expectNoSecrets(e, f.secrets);
  if (f.socket !== undefined) {
    // The library destroys synchronously before rejecting; allow one turn for 'close' bookkeeping.
    await new Promise((r) => setImmediate(r));
    expect(f.socket.destroyed, 'the socket must be destroyed').toBe(true);
  }
  return e;
}

/** Records unhandled rejections and uncaught exceptions; every test of the file must end with none. */
export function trackUnhandled(): void {
  const seen: unknown[] = [];
  const onRejection = (reason: unknown): void => {
    seen.push(reason);
  };
  const onException = (err: unknown): void => {
    seen.push(err);
  };
  beforeEach(() => {
    seen.length = 0;
    process.on('unhandledRejection', onRejection);
    process.on('uncaughtException', onException);
  });
  afterEach(async () => {
    // Give late 'error' events and rejections a few turns of the event loop to surface.
    for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 10));
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    expect(seen.map((e) => String(e)), 'unhandled rejections or exceptions').toEqual([]);
  });
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
