/**
 * Typed parameter wrappers: `Bindable`s that pick a binary encoding where a plain JS value would be
 * ambiguous (a `number` could be int2, int4, float8…). Each checks its range when called, so a bad
 * value fails before any message is started. Custom types implement `Bindable`
 * (src/protocol/frontend/bindable.ts) themselves: `encode` writes straight into the outgoing
 * MessageWriter, so no intermediate buffer is ever built.
 * Binary formats: each type's `*send` function in the PostgreSQL source (src/backend/utils/adt/).
 */
import { FormatCode } from '../protocol/codes.js';
import type { MessageWriter } from '../protocol/writer.js';
import type { Bindable } from '../protocol/frontend/bindable.js';
import { checkInt8 } from '../protocol/frontend/bindable.js';
import { MAX_UINT32, invalidArgument } from '../protocol/frontend/checks.js';

const INT2_MIN = -0x8000;
const INT2_MAX = 0x7fff;
const INT4_MIN = -0x8000_0000;
const INT4_MAX = 0x7fff_ffff;
/** 2000-01-01T00:00:00Z in Unix milliseconds: PostgreSQL's timestamp epoch. */
const PG_EPOCH_MS = 946_684_800_000;
const MICROS_PER_MILLI = 1000n;
/** Earliest timestamptz PostgreSQL accepts (4714-11-24 BC, `MIN_TIMESTAMP` in datatype/timestamp.h). */
const MIN_TIMESTAMP_MICROS = -211_813_488_000_000_000n;
const UUID_BYTES = 16;
const UUID_PATTERN = /^\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\}?$/i;
const HEX_RADIX = 16;
const BOOL_BYTES = 1;
const INT2_BYTES = 2;
const INT4_BYTES = 4;
const INT8_BYTES = 8;

function checkInteger(v: unknown, min: number, max: number, type: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw invalidArgument(`${type} needs an integer from ${min} to ${max}, got ${String(v)}`);
  }
  return v;
}

/**
 * Binary values of a fixed width (int2, int4, int8, float4, float8, oid, bool): the width is known
 * up front, so Bind writes the length word first and `put` writes the value straight after it.
 */
class FixedBinaryValue<T> implements Bindable {
  readonly format = FormatCode.Binary;
  constructor(
    readonly value: T,
    private readonly width: number,
    private readonly put: (w: MessageWriter, v: T) => void,
  ) {}
  encodedLength(): number {
    return this.width;
  }
  encode(w: MessageWriter): void {
    this.put(w, this.value);
  }
}

const putInt2 = (w: MessageWriter, v: number): void => w.i16(v);
const putInt4 = (w: MessageWriter, v: number): void => w.i32(v);
const putInt8 = (w: MessageWriter, v: bigint): void => w.i64(v);
const putFloat4 = (w: MessageWriter, v: number): void => w.f32(v);
const putFloat8 = (w: MessageWriter, v: number): void => w.f64(v);
const putOid = (w: MessageWriter, v: number): void => w.u32(v);
const putBool = (w: MessageWriter, v: boolean): void => w.u8(v ? 1 : 0);

class BytesValue implements Bindable {
  readonly format = FormatCode.Binary;
  constructor(readonly value: Uint8Array) {}
  encodedLength(): number {
    return this.value.length;
  }
  encode(w: MessageWriter): void {
    w.bytes(this.value);
  }
}

/** Text values: the UTF-8 length is only known once written, so the length is patched. */
class TextValue implements Bindable {
  readonly format = FormatCode.Text;
  constructor(readonly value: string) {}
  encode(w: MessageWriter): void {
    w.utf8(this.value);
  }
}

/** `smallint`, binary: refuses anything but an integer in -32768..32767. */
export function int2(n: number): Bindable {
  return new FixedBinaryValue(checkInteger(n, INT2_MIN, INT2_MAX, 'int2'), INT2_BYTES, putInt2);
}

/** `integer`, binary: refuses anything but an integer in -2^31..2^31-1. */
export function int4(n: number): Bindable {
  return new FixedBinaryValue(checkInteger(n, INT4_MIN, INT4_MAX, 'int4'), INT4_BYTES, putInt4);
}

/** `bigint`, binary: a bigint in the Int8 range, or a safe-integer number (larger numbers lost precision already). */
export function int8(n: number | bigint): Bindable {
  if (typeof n === 'bigint') return new FixedBinaryValue(checkInt8(n), INT8_BYTES, putInt8);
  if (typeof n !== 'number' || !Number.isSafeInteger(n)) {
    throw invalidArgument(`int8 needs a bigint or a safe integer, got ${String(n)}`);
  }
  return new FixedBinaryValue(BigInt(n), INT8_BYTES, putInt8);
}

/** `real`, binary: a finite value too large for float4 is refused (PostgreSQL refuses it too). */
export function float4(n: number): Bindable {
  if (typeof n !== 'number' || (Number.isFinite(n) && !Number.isFinite(Math.fround(n)))) {
    throw invalidArgument(`float4 needs a number within the float4 range, got ${String(n)}`);
  }
  return new FixedBinaryValue(n, INT4_BYTES, putFloat4);
}

/** `double precision`, binary: any number, NaN and ±Infinity included. */
export function float8(n: number): Bindable {
  if (typeof n !== 'number') throw invalidArgument(`float8 needs a number, got ${typeof n}`);
  return new FixedBinaryValue(n, INT8_BYTES, putFloat8);
}

/** `oid`, binary: an integer in 0..2^32-1 (named `oidValue` because `oid` is the OID constants table). */
export function oidValue(n: number): Bindable {
  return new FixedBinaryValue(checkInteger(n, 0, MAX_UINT32, 'oid'), INT4_BYTES, putOid);
}

/** `boolean`, binary (the same as passing a plain boolean, spelled out). */
export function bool(b: boolean): Bindable {
  if (typeof b !== 'boolean') throw invalidArgument(`bool needs a boolean, got ${typeof b}`);
  return new FixedBinaryValue(b, BOOL_BYTES, putBool);
}

/** `bytea`, binary (the same as passing a plain Uint8Array, spelled out); the bytes are not copied. */
export function bytea(b: Uint8Array): Bindable {
  if (!(b instanceof Uint8Array)) throw invalidArgument('bytea needs a Uint8Array');
  return new BytesValue(b);
}

/** Any type in text format: the server parses `s` with the parameter type's input function. */
export function text(s: string): Bindable {
  if (typeof s !== 'string') throw invalidArgument(`text needs a string, got ${typeof s}`);
  return new TextValue(s);
}

/** `json`/`jsonb`, text: `JSON.stringify(v)`; a value with no JSON form (a function, a cycle) is refused. */
export function json(v: unknown): Bindable {
  let s: string | undefined;
  try {
    s = JSON.stringify(v);
  } catch (cause) {
    throw invalidArgument('json value cannot be serialised', cause);
  }
  if (s === undefined) throw invalidArgument(`json value of type ${typeof v} has no JSON form`);
  return new TextValue(s);
}

/**
 * `uuid`, binary 16 bytes: 32 hex digits, with or without the hyphens of the 8-4-4-4-12 form,
 * optionally in braces. Parsed here, so a malformed UUID fails before any message is started.
 */
export function uuid(s: string): Bindable {
  const m = typeof s === 'string' ? UUID_PATTERN.exec(s) : null;
  if (m === null) throw invalidArgument(`uuid needs 32 hex digits (8-4-4-4-12), got ${String(s)}`);
  const digits = m.slice(1).join('');
  const out = new Uint8Array(UUID_BYTES);
  for (let i = 0; i < UUID_BYTES; i++) out[i] = parseInt(digits.slice(2 * i, 2 * i + 2), HEX_RADIX);
  return new BytesValue(out);
}

/**
 * `timestamptz` (or `timestamp`), binary: microseconds since 2000-01-01 UTC as Int8. An invalid
 * Date, or one before PostgreSQL's earliest timestamp (4714 BC), is refused.
 */
export function timestamptz(d: Date): Bindable {
  const ms = d instanceof Date ? d.getTime() : NaN;
  if (Number.isNaN(ms)) throw invalidArgument('timestamptz needs a valid Date');
  const micros = BigInt(ms - PG_EPOCH_MS) * MICROS_PER_MILLI;
  if (micros < MIN_TIMESTAMP_MICROS) throw invalidArgument(`${d.toISOString()} is before the earliest PostgreSQL timestamp`);
  return new FixedBinaryValue(micros, INT8_BYTES, putInt8);
}

