/**
 * `timestamp` and `timestamptz` (src/backend/utils/adt/timestamp.c). Binary: Int64 microseconds
 * since 2000-01-01 00:00 (UTC for timestamptz); INT64_MIN and INT64_MAX are `-infinity` and
 * `infinity` (DT_NOBEGIN/DT_NOEND). Text (DateStyle ISO): `YYYY-MM-DD HH:MM:SS[.ffffff]`, then
 * for timestamptz the session zone's offset `±HH[:MM[:SS]]`, then ` BC` for years before 1 AD.
 * Other DateStyles are refused with PGS_INVALID_VALUE, never misread.
 *
 * JS shapes (`timestamps` option):
 * - `'date'` (default): a `Date`. It holds milliseconds: the microseconds below are dropped
 *   (rounded towards −∞, so the Date is the millisecond that contains the value), and values
 *   after 275760-09-13 are refused with PGS_VALUE_OUT_OF_RANGE.
 * - `'micros'`: a `bigint` of microseconds since 1970-01-01 00:00 UTC — exact for every value,
 *   cheap from binary (one addition), ordered and subtractable, and Arrow's timestamp[us].
 *   A string was not chosen: timestamptz's text depends on the session TimeZone, a count does not.
 * In both, `infinity` and `-infinity` are the numbers `Infinity` and `-Infinity`. A `timestamp`
 * (without time zone) is read as if its wall-clock time were UTC.
 * Encoding takes a `Date`, a `bigint` of microseconds since 1970-01-01 UTC, or ±Infinity.
 */
import { oid } from '../../oids.js';
import type { BinaryTypeCodec } from '../../type-codec.js';
import { cannotEncode, describe, excerpt, invalidText, invalidValue, valueOutOfRange } from '../../value-errors.js';
import { checkLength, readBigInt64, readInt32, readUint32 } from '../bytes.js';
import {
  DATE_END_DAY,
  DATE_MAX_MS,
  IsoCursor,
  MICROS_PER_DAY,
  MICROS_PER_MILLI,
  MICROS_PER_SECOND,
  MILLIS_PER_DAY,
  MIN_DAY,
  POSTGRES_EPOCH_DAYS,
  dayNumber,
  eraSuffix,
  formatDay,
  formatOffset,
  formatTimeOfDay,
} from './calendar.js';
import { INFINITY_TEXT, MINUS_INFINITY_TEXT } from './date.js';

/** DT_NOBEGIN and DT_NOEND: `-infinity` and `infinity`. */
const DT_NOBEGIN = -(1n << 63n);
const DT_NOEND = (1n << 63n) - 1n;
const TIMESTAMP_BYTES = 8;
/** Microseconds from 1970-01-01 to 2000-01-01. */
const POSTGRES_EPOCH_MICROS = BigInt(POSTGRES_EPOCH_DAYS) * BigInt(MICROS_PER_DAY);
/** MIN_TIMESTAMP (4714-11-24 00:00 BC) and END_TIMESTAMP (294277-01-01 00:00), from 1970. */
const MIN_MICROS = BigInt(MIN_DAY) * BigInt(MICROS_PER_DAY);
const END_MICROS = 9_223_371_331_200_000_000n + POSTGRES_EPOCH_MICROS;
const POSTGRES_EPOCH_MS = POSTGRES_EPOCH_DAYS * MILLIS_PER_DAY;
/** MIN_TIMESTAMP in Unix milliseconds. */
const MIN_MS = MIN_DAY * MILLIS_PER_DAY;
const MICROS_PER_MILLI_BIG = BigInt(MICROS_PER_MILLI);
const MICROS_PER_DAY_BIG = BigInt(MICROS_PER_DAY);
/** 2^32 = 4294967 · 1000 + 296: splits the high word's contribution to milliseconds exactly. */
const HIGH_MILLIS = 4_294_967;
const HIGH_REMAINDER = 296;
const INT32_MAX = 0x7fff_ffff;
const INT32_MIN = -0x8000_0000;
const UINT32_MAX = 0xffff_ffff;
const INT4_BYTES = 4;

/** How timestamps are returned: `Date` (default) or `bigint` microseconds since 1970-01-01 UTC. */
export type TimestampMode = 'date' | 'micros';

/** A decoded timestamp, or ±Infinity. */
export type TimestampValue = Date | bigint | number;

/** A timestamp's text, split: days since 1970 and microseconds from that midnight (UTC), or ±Infinity. */
interface ParsedTimestamp {
  days: number;
  micros: number;
}

/** Reads timestamp text (UTC for timestamptz: the offset is subtracted); throws PGS_INVALID_VALUE. */
function parseTimestampText(type: string, text: string, withZone: boolean): ParsedTimestamp | number {
  if (text === INFINITY_TEXT) return Infinity;
  if (text === MINUS_INFINITY_TEXT) return -Infinity;
  const c = new IsoCursor(text);
  const d = c.date();
  const time = d !== null && c.take(' ') ? c.timeOfDay(23) : NaN;
  const offset = withZone ? c.offset() : 0;
  const bc = c.era();
  const days = d === null || !c.done ? NaN : dayNumber(d, bc);
  // days ≥ MIN_DAY - 1 keeps the offset's reach below the first day; the exact bounds are checked by the callers.
  if (Number.isNaN(time) || Number.isNaN(offset) || !(days >= MIN_DAY - 1 && days <= DATE_END_DAY)) throw invalidText(type, text);
  return { days, micros: time - offset * MICROS_PER_SECOND };
}

/** Microseconds since 1970 of parsed text, within PostgreSQL's range. */
function textToMicros(type: string, text: string, withZone: boolean): bigint | number {
  const p = parseTimestampText(type, text, withZone);
  if (typeof p === 'number') return p;
  const micros = BigInt(p.days) * MICROS_PER_DAY_BIG + BigInt(p.micros);
  if (micros < MIN_MICROS || micros >= END_MICROS) throw invalidText(type, text);
  return micros;
}

/** A Date of parsed text, in plain numbers (exact: a Date's milliseconds are below 2^53). */
function textToDate(type: string, text: string, withZone: boolean): Date | number {
  const p = parseTimestampText(type, text, withZone);
  if (typeof p === 'number') return p;
  const ms = p.days * MILLIS_PER_DAY + Math.floor(p.micros / MICROS_PER_MILLI);
  if (ms < MIN_MS) throw invalidText(type, text);
  if (!(ms <= DATE_MAX_MS)) {
    textToMicros(type, text, withZone);
    throw valueOutOfRange(type, `${excerpt(text)} is beyond the JS Date range; use timestamps: 'micros'`);
  }
  return new Date(ms);
}

/** Binary in Date mode without a bigint: ms = floor((hi · 2^32 + lo) / 1000) computed exactly. */
function binaryToDate(type: string, bytes: Uint8Array, start: number): Date | number {
  const hi = readInt32(bytes, start);
  const lo = readUint32(bytes, start + INT4_BYTES);
  if (hi === INT32_MAX && lo === UINT32_MAX) return Infinity;
  if (hi === INT32_MIN && lo === 0) return -Infinity;
  const ms = hi * HIGH_MILLIS + Math.floor((hi * HIGH_REMAINDER + lo) / MICROS_PER_MILLI) + POSTGRES_EPOCH_MS;
  if (Math.abs(ms) > DATE_MAX_MS) {
    const micros = readBigInt64(bytes, start) + POSTGRES_EPOCH_MICROS;
    if (micros < MIN_MICROS || micros >= END_MICROS) throw invalidValue(type, `${micros} µs since 1970 is out of range`);
    throw valueOutOfRange(type, `${micros} µs is beyond the JS Date range; use timestamps: 'micros'`);
  }
  if (ms < MIN_MS) throw invalidValue(type, `${ms} ms since 1970 is out of range`);
  return new Date(ms);
}

function binaryToMicros(type: string, bytes: Uint8Array, start: number): bigint | number {
  const v = readBigInt64(bytes, start);
  if (v === DT_NOEND) return Infinity;
  if (v === DT_NOBEGIN) return -Infinity;
  const micros = v + POSTGRES_EPOCH_MICROS;
  if (micros < MIN_MICROS || micros >= END_MICROS) throw invalidValue(type, `${micros} µs since 1970 is out of range`);
  return micros;
}

/** Microseconds since 1970-01-01 UTC (or ±Infinity) of a JS value, within PostgreSQL's range. */
export function toMicros(type: string, v: unknown): bigint | number {
  let micros: bigint;
  if (v instanceof Date) {
    const ms = v.getTime();
    if (Number.isNaN(ms)) throw cannotEncode(type, 'invalid Date');
    micros = BigInt(ms) * MICROS_PER_MILLI_BIG;
  } else if (typeof v === 'bigint') {
    micros = v;
  } else if (v === Infinity || v === -Infinity) {
    return v;
  } else {
    throw cannotEncode(type, `needs a Date, a bigint of microseconds since 1970-01-01 UTC or ±Infinity, got ${describe(v)}`);
  }
  if (micros < MIN_MICROS || micros >= END_MICROS) {
    throw cannotEncode(type, `${micros} µs since 1970 is outside 4714-11-24 BC .. 294276-12-31`);
  }
  return micros;
}

/** ISO text of microseconds since 1970: `YYYY-MM-DD HH:MM:SS[.ffffff]`, `+00` when zoned, ` BC`. */
export function formatTimestamp(micros: bigint, withZone: boolean): string {
  const days = micros >= 0n ? micros / MICROS_PER_DAY_BIG : -((-micros + MICROS_PER_DAY_BIG - 1n) / MICROS_PER_DAY_BIG);
  const time = Number(micros - days * MICROS_PER_DAY_BIG);
  const { text, bc } = formatDay(Number(days));
  return `${text} ${formatTimeOfDay(time)}${withZone ? formatOffset(0) : ''}${eraSuffix(bc)}`;
}

function timestampCodec(type: 'timestamp' | 'timestamptz', mode: TimestampMode): BinaryTypeCodec<TimestampValue> {
  const withZone = type === 'timestamptz';
  const asMicros = mode === 'micros';
  return {
    oid: withZone ? oid.TIMESTAMPTZ : oid.TIMESTAMP,
    name: type,
    arrayOid: withZone ? oid.TIMESTAMPTZ_ARRAY : oid.TIMESTAMP_ARRAY,
    binary: true,
    decodeText(text) {
      return asMicros ? textToMicros(type, text, withZone) : textToDate(type, text, withZone);
    },
    encodeText(value) {
      const micros = toMicros(type, value);
      if (micros === Infinity) return INFINITY_TEXT;
      if (micros === -Infinity) return MINUS_INFINITY_TEXT;
      return formatTimestamp(micros as bigint, withZone);
    },
    decodeBinary(bytes, start, length) {
      checkLength(type, length, TIMESTAMP_BYTES);
      return asMicros ? binaryToMicros(type, bytes, start) : binaryToDate(type, bytes, start);
    },
    encodeBinary(w, value) {
      const micros = toMicros(type, value);
      w.i64(micros === Infinity ? DT_NOEND : micros === -Infinity ? DT_NOBEGIN : (micros as bigint) - POSTGRES_EPOCH_MICROS);
    },
  };
}

/** The `timestamp` codec for a mode (wall-clock time read as UTC). */
export function timestampWithoutZoneCodec(mode: TimestampMode = 'date'): BinaryTypeCodec<TimestampValue> {
  return timestampCodec('timestamp', mode);
}

/** The `timestamptz` codec for a mode. */
export function timestamptzCodec(mode: TimestampMode = 'date'): BinaryTypeCodec<TimestampValue> {
  return timestampCodec('timestamptz', mode);
}
