/**
 * Typed parameter wrappers: `Bindable`s that pick a binary encoding where a plain JS value would be
 * ambiguous (a `number` could be int2, int4, float8…). Each checks its range when called, so a bad
 * value fails before any message is started. Custom types implement `Bindable`
 * (src/protocol/frontend/bindable.ts) themselves: `encode` writes straight into the outgoing
 * MessageWriter, so no intermediate buffer is ever built.
 * Binary formats: each type's `*send` function in the PostgreSQL source (src/backend/utils/adt/).
 */
import { FormatCode } from '../protocol/codes.js';
import { MessageWriter } from '../protocol/writer.js';
import type { Bindable } from '../protocol/frontend/bindable.js';
import { checkInt8 } from '../protocol/frontend/bindable.js';
import { MAX_UINT32, invalidArgument } from '../protocol/frontend/checks.js';
import type { TypeCodec } from './type-codec.js';
import { builtinCodec } from './builtins.js';
import { encodeArrayBinary } from './codecs/array/array.js';
import { numericCodec } from './codecs/numeric.js';
import { uuidBytes } from './codecs/uuid.js';
import { stringifyJson } from './codecs/json.js';
import { cidrCodec, inetCodec } from './codecs/network/network.js';
import type { Inet } from './codecs/network/network.js';
import { toDays } from './codecs/temporal/date.js';
import { toMicros } from './codecs/temporal/timestamp.js';
import { timeCodec, timetzCodec } from './codecs/temporal/time.js';
import type { Time, TimeTz } from './codecs/temporal/time.js';
import { intervalCodec } from './codecs/temporal/interval.js';
import type { Interval } from './codecs/temporal/interval.js';

const INT2_MIN = -0x8000;
const INT2_MAX = 0x7fff;
const INT4_MIN = -0x8000_0000;
const INT4_MAX = 0x7fff_ffff;
/** 2000-01-01 00:00 UTC in Unix microseconds and days: PostgreSQL's epoch for timestamps and dates. */
const PG_EPOCH_MICROS = 946_684_800_000_000n;
const PG_EPOCH_DAYS = 10_957;
/** DT_NOBEGIN/DT_NOEND and DATEVAL_NOBEGIN/NOEND: the infinities of timestamps and dates. */
const DT_NOBEGIN = -(1n << 63n);
const DT_NOEND = (1n << 63n) - 1n;
const DATEVAL_NOBEGIN = -0x8000_0000;
const DATEVAL_NOEND = 0x7fff_ffff;
/** Room a scratch writer starts with for one value encoded ahead of Bind. */
const SCRATCH_BYTES = 64;
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
const putTimestamp = (w: MessageWriter, v: bigint | number): void =>
  w.i64(v === Infinity ? DT_NOEND : v === -Infinity ? DT_NOBEGIN : (v as bigint) - PG_EPOCH_MICROS);
const putDate = (w: MessageWriter, v: number): void =>
  w.i32(v === Infinity ? DATEVAL_NOEND : v === -Infinity ? DATEVAL_NOBEGIN : v - PG_EPOCH_DAYS);

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
  return new BytesValue(uuidBytes(s));
}

/**
 * `timestamptz`, binary: microseconds since 2000-01-01 UTC as Int8. Takes a `Date`, a `bigint` of
 * microseconds since 1970-01-01 UTC (exact), or ±Infinity for `infinity`/`-infinity`; an invalid
 * Date, or an instant outside 4714-11-24 BC .. 294276-12-31, is refused.
 */
export function timestamptz(d: Date | bigint | number): Bindable {
  return new FixedBinaryValue(toMicros('timestamptz', d), INT8_BYTES, putTimestamp);
}

/**
 * `timestamp` (without time zone), binary: the `Date`'s UTC wall-clock time (or a `bigint` of
 * microseconds since 1970-01-01, or ±Infinity), with timestamptz's range checks.
 */
export function timestamp(d: Date | bigint | number): Bindable {
  return new FixedBinaryValue(toMicros('timestamp', d), INT8_BYTES, putTimestamp);
}

/**
 * `date`, binary: a `Date`'s UTC calendar day, an integer number of days since 1970-01-01, or
 * ±Infinity; days outside 4714-11-24 BC .. 5874897-12-31 are refused.
 */
export function date(d: Date | number): Bindable {
  return new FixedBinaryValue(toDays(d), INT4_BYTES, putDate);
}

/** Encodes `value` with `codec` now, so a bad value fails here rather than inside Bind. */
function encodeNow(codec: TypeCodec, value: unknown): Bindable {
  const w = new MessageWriter(SCRATCH_BYTES);
  codec.encodeBinary!(w, value);
  return new BytesValue(w.toBytes());
}

/**
 * Any value through a codec (a built-in from TypeRegistry.get, or a custom one): binary when the
 * codec has a binary encoder, else its text. Encoded now, so a bad value fails here. Unlike
 * TypeRegistry.encodeParam, a JS string goes through the codec too (e.g. a JSON string value for
 * jsonb, a numeric or uuid sent in binary).
 */
export function bindWith<T>(codec: TypeCodec<T>, value: T): Bindable {
  if (codec.binary && codec.encodeBinary !== undefined) return encodeNow(codec as TypeCodec, value);
  return new TextValue(codec.encodeText(value));
}

/** `numeric`, binary: a decimal string (numeric_in's forms, exponent allowed), a number, a bigint, NaN or ±Infinity. */
export function numeric(v: string | number | bigint): Bindable {
  return encodeNow(numericCodec, v);
}

/** `time`, binary: a `Time`, or microseconds since midnight (0..86 400 000 000). */
export function time(t: Time | number): Bindable {
  return encodeNow(timeCodec, t);
}

/** `timetz`, binary: a `TimeTz` (time of day and offset east of UTC in seconds). */
export function timetz(t: TimeTz): Bindable {
  return encodeNow(timetzCodec, t);
}

/** `interval`, binary: an `Interval` (months, days, microseconds). */
export function interval(i: Interval): Bindable {
  return encodeNow(intervalCodec, i);
}

/** `inet`, binary: an `Inet`, an `{ address, prefix? }` object or an `address[/prefix]` string. */
export function inet(v: Inet | { address: string; prefix?: number } | string): Bindable {
  return encodeNow(inetCodec, v);
}

/** `cidr`, binary: like `inet`, but bits to the right of the prefix must be zero. */
export function cidr(v: Inet | { address: string; prefix?: number } | string): Bindable {
  return encodeNow(cidrCodec, v);
}

/** jsonb's binary version byte (jsonb.c). */
const JSONB_VERSION = 1;

/** `jsonb`, binary (version byte 1, then the text): `JSON.stringify(v)`; a value with no JSON form is refused. */
export function jsonb(v: unknown): Bindable {
  const s = stringifyJson('jsonb', v);
  return {
    format: FormatCode.Binary,
    encode(w: MessageWriter): void {
      w.u8(JSONB_VERSION);
      w.utf8(s);
    },
  };
}

/** Options of `array()`. */
export interface ArrayOptions {
  /** Number of dimensions, when elements are themselves JS arrays (json/jsonb); default: the nesting depth. */
  ndim?: number;
}

/**
 * An array, binary: `values` are nested JS arrays (one level per dimension, rectangular, at most 6)
 * of element values or `null`; `element` is the element type's OID (a built-in type) or a codec
 * with a binary encoder. Lower bounds other than 1 come from a `lowerBounds` property of `values`.
 */
export function array(element: number | TypeCodec, values: readonly unknown[], options: ArrayOptions = {}): Bindable {
  const codec = typeof element === 'number' ? builtinCodec(element) : element;
  if (codec === undefined || !codec.binary || codec.encodeBinary === undefined) {
    throw invalidArgument(`array() needs an element type with a binary encoder, got ${typeof element === 'number' ? `OID ${element}` : element.name}`);
  }
  const w = new MessageWriter(SCRATCH_BYTES);
  encodeArrayBinary(w, codec, values, options.ndim);
  return new BytesValue(w.toBytes());
}
