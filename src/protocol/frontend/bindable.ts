/**
 * Bindable: the contract by which a parameter of Bind (or an argument of FunctionCall) puts itself
 * on the wire. The typed wrappers that pick a binary encoding (`int4`, `uuid`, …) live with the
 * types, in src/types/bindable.ts; this file holds only what the encoders need.
 *
 * Plain JS values map as follows (and nothing else is accepted):
 * | value                 | format | bytes                                   |
 * |-----------------------|--------|-----------------------------------------|
 * | `null` / `undefined`  | –      | SQL NULL (length -1)                    |
 * | `string`              | text   | UTF-8                                   |
 * | `Uint8Array`          | binary | the bytes (bytea)                       |
 * | `boolean`             | binary | 1 byte, 0 or 1 (bool)                   |
 * | `bigint`              | binary | 8 bytes big-endian (int8), range-checked|
 * | `number`              | –      | refused: int2? int4? float8? wrap it    |
 *
 * Binary formats: https://www.postgresql.org/docs/current/protocol-overview.html#PROTOCOL-FORMAT-CODES
 */
import type { FormatCode } from '../codes.js';
import type { MessageWriter } from '../writer.js';
import { NULL_LENGTH, invalidArgument } from './checks.js';

/**
 * A value that can be bound as a parameter. Implement it for custom types.
 *
 * `encode(w)` writes the value's bytes — not its length word — with the writer's methods
 * (`w.i32`, `w.bytes`, `w.utf8`, …). When `encodedLength()` is present, the encoder writes that
 * length first, refuses a value that cannot fit in the 1 GiB message limit before encoding it, and
 * checks afterwards that `encode` wrote exactly that many bytes (else `PGS_INVALID_ARGUMENT`);
 * returning -1 sends SQL NULL and `encode` is not called. Without `encodedLength`, a placeholder
 * length is written and patched after `encode`. Either way the message is all-or-nothing: any
 * error thrown by `encode` rolls the whole message back.
 */
export interface Bindable {
  /** The format code sent for this value: `FormatCode.Text` or `FormatCode.Binary`. */
  readonly format: FormatCode;
  /** Exact number of bytes `encode` writes, or -1 for SQL NULL (optional). */
  encodedLength?(): number;
  /** Writes the value's bytes into the message being built. */
  encode(w: MessageWriter): void;
}

/** Anything accepted as a parameter or function argument (a `number` must be wrapped). */
export type BindValue = Bindable | string | Uint8Array | boolean | bigint | null | undefined;

/** Int8 bounds as BigInt: `DataView.setBigInt64` would silently wrap anything outside. */
export const INT8_MIN = -(1n << 63n);
/** Largest Int8. */
export const INT8_MAX = (1n << 63n) - 1n;

/** Throws unless `v` is an Int8; returns it (used by plain `bigint` parameters and `int8`). */
export function checkInt8(v: bigint): bigint {
  if (v < INT8_MIN || v > INT8_MAX) throw invalidArgument(`${v} is outside the int8 range`);
  return v;
}

/** Marker for SQL NULL sent by a custom `Bindable` from `encodedLength()`. */
export const BINDABLE_NULL = NULL_LENGTH;
