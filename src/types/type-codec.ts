/**
 * The contract of a value codec: how one PostgreSQL type's values are read from a DataRow field
 * and written into a Bind parameter, in text and (when supported) binary format.
 *
 * The decoders are the hot path and their signatures are fixed:
 * - `decodeText(text)`: the field as a JS string, already decoded from UTF-8 by the row;
 * - `decodeBinary(bytes, start, length)`: a view into (possibly WASM) memory; the codec reads
 *   `bytes[start, start + length)` in place and copies only when the value is itself a copy
 *   (bytea returns `bytes.slice(...)`).
 * The encoders write the value only — never a length word (Bind writes that): `encodeText`
 * returns the text the type's input function reads, `encodeBinary` writes what its `*recv`
 * function reads (src/backend/utils/adt/ in the PostgreSQL source).
 *
 * A decoder meeting a value it cannot read throws `PGS_INVALID_VALUE` (or `PGS_VALUE_OUT_OF_RANGE`
 * when the JS shape cannot hold it exactly); an encoder given a JS value it cannot encode throws
 * `PGS_INVALID_ARGUMENT` (src/types/value-errors.ts). Never a wrong value, never another error.
 */
import type { FormatCode } from '../protocol/codes.js';
import type { MessageWriter } from '../protocol/writer.js';

/** Reads a text-format field. */
export type TextValueDecoder<T = unknown> = (text: string) => T;

/** Reads a binary-format field: `bytes[start, start + length)`. */
export type BinaryValueDecoder<T = unknown> = (bytes: Uint8Array, start: number, length: number) => T;

/** A value codec for one PostgreSQL type (one OID). Implement it to register a custom type. */
export interface TypeCodec<T = unknown> {
  /** The type's OID (pg_type.oid). */
  readonly oid: number;
  /** The type's name (pg_type.typname), for messages. */
  readonly name: string;
  /** The OID of the type's array type (pg_type.typarray), when it has one. */
  readonly arrayOid?: number;
  /** True when `decodeBinary` and `encodeBinary` are implemented: results and parameters use binary. */
  readonly binary: boolean;
  /** Decodes the type's text output (the `*out` function's form). */
  decodeText(text: string): T;
  /** Encodes a JS value as text the type's `*in` function accepts. */
  encodeText(value: T): string;
  /** Decodes the type's binary form (its `*send` function's output); present when `binary`. */
  decodeBinary?(bytes: Uint8Array, start: number, length: number): T;
  /** Writes the type's binary form (what its `*recv` function reads); present when `binary`. */
  encodeBinary?(w: MessageWriter, value: T): void;
}

/** A codec whose binary methods are present (what `binary: true` promises). */
export interface BinaryTypeCodec<T = unknown> extends TypeCodec<T> {
  readonly binary: true;
  decodeBinary(bytes: Uint8Array, start: number, length: number): T;
  encodeBinary(w: MessageWriter, value: T): void;
}

/** True when `codec` implements the binary format. */
export function isBinaryCodec<T>(codec: TypeCodec<T>): codec is BinaryTypeCodec<T> {
  return codec.binary && codec.decodeBinary !== undefined && codec.encodeBinary !== undefined;
}

/** The decoder for one result column: which format to read and the function that reads it. */
export type ColumnDecoder =
  | { readonly format: typeof FormatCode.Text; readonly decode: TextValueDecoder }
  | { readonly format: typeof FormatCode.Binary; readonly decode: BinaryValueDecoder };
