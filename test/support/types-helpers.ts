/**
 * Helpers for the value codec tests: binary values are decoded from the middle of a larger
 * buffer (so a codec that reads outside its range is caught), encoded through a MessageWriter,
 * and failures are checked for their stable code.
 */
import { expect } from 'vitest';
import { PgStreamError } from '../../src/errors.js';
import type { ErrorCode } from '../../src/errors.js';
import { MessageWriter } from '../../src/protocol/writer.js';
import type { TypeCodec } from '../../src/types/type-codec.js';

/** Guard bytes around a value under test. */
const BEFORE = Uint8Array.of(0xaa, 0xbb, 0xcc);
const AFTER = Uint8Array.of(0xdd, 0xee);

/** Decodes `bytes` with `codec`, from inside a buffer with guard bytes on both sides. */
export function decodeBin<T>(codec: TypeCodec<T>, bytes: Uint8Array): T {
  const buf = new Uint8Array(BEFORE.length + bytes.length + AFTER.length);
  buf.set(BEFORE, 0);
  buf.set(bytes, BEFORE.length);
  buf.set(AFTER, BEFORE.length + bytes.length);
  return codec.decodeBinary!(buf, BEFORE.length, bytes.length);
}

/** The bytes `codec` writes for `value` (after some unrelated bytes, which must stay untouched). */
export function encodeBin<T>(codec: TypeCodec<T>, value: T): Uint8Array {
  const w = new MessageWriter(8);
  w.bytes(BEFORE);
  codec.encodeBinary!(w, value);
  const out = w.toBytes();
  expect(out.subarray(0, BEFORE.length)).toEqual(BEFORE);
  return out.slice(BEFORE.length);
}

/** The error `fn` throws; fails the test when it returns or throws something that is not a PgStreamError. */
export function thrown(fn: () => unknown): PgStreamError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PgStreamError);
    return err as PgStreamError;
  }
  throw new Error('expected a PgStreamError, nothing was thrown');
}

/** Asserts that `fn` throws a PgStreamError with `code`. */
export function expectCode(fn: () => unknown, code: ErrorCode): void {
  expect(thrown(fn).code).toBe(code);
}

/** Calls `fn`; any exception must be a PgStreamError with one of `codes` (used by fuzz properties). */
export function onlyTyped(fn: () => unknown, codes: readonly ErrorCode[]): 'ok' | 'error' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (!(err instanceof PgStreamError) || !codes.includes(err.code)) throw err;
    return 'error';
  }
}
