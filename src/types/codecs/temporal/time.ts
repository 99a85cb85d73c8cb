/**
 * `time` and `timetz` (src/backend/utils/adt/date.c). Binary: time is Int64 microseconds since
 * midnight (0 to 24:00:00 inclusive, as time_recv checks); timetz adds an Int32 zone in seconds
 * WEST of UTC (|zone| < TZDISP_LIMIT, 16 hours). Text: EncodeTimeOnly's `HH:MM:SS[.ffffff]`, for
 * timetz followed by the offset `±HH[:MM[:SS]]` (east positive, as printed).
 *
 * JS shapes: `Time { micros }` and `TimeTz { micros, offsetSeconds }` (offset east of UTC, the
 * printed sign). A time of day fits a `number` of microseconds exactly (< 2^37), so no bigint.
 * `toString()` gives the server's text.
 */
import { oid } from '../../oids.js';
import type { BinaryTypeCodec } from '../../type-codec.js';
import { cannotEncode, describe, invalidText, invalidValue } from '../../value-errors.js';
import { checkLength, readInt32, readUint32 } from '../bytes.js';
import { IsoCursor, MICROS_PER_DAY, formatOffset, formatTimeOfDay } from './calendar.js';

const TIME_BYTES = 8;
const TIMETZ_BYTES = 12;
const INT4_BYTES = 4;
const TWO_POW_32 = 0x1_0000_0000;
/** TZDISP_LIMIT (datatype/timestamp.h): offsets are strictly within ±16 hours. */
const TZDISP_LIMIT = 57_600;
/** time accepts 24:00:00 (but nothing later). */
const MAX_HOUR = 24;

function checkMicros(type: string, micros: unknown): number {
  if (typeof micros !== 'number' || !Number.isInteger(micros) || micros < 0 || micros > MICROS_PER_DAY) {
    throw cannotEncode(type, `needs microseconds from 0 to ${MICROS_PER_DAY} (24:00:00), got ${describe(micros)}`);
  }
  return micros;
}

function checkOffset(offsetSeconds: unknown): number {
  if (typeof offsetSeconds !== 'number' || !Number.isInteger(offsetSeconds) || Math.abs(offsetSeconds) >= TZDISP_LIMIT) {
    throw cannotEncode('timetz', `needs an offset in whole seconds within ±15:59:59, got ${describe(offsetSeconds)}`);
  }
  return offsetSeconds;
}

/** A `time` value: microseconds since midnight (0 to 86 400 000 000, i.e. 24:00:00). */
export class Time {
  /** Microseconds since midnight. */
  readonly micros: number;
  constructor(micros: number) {
    this.micros = checkMicros('time', micros);
  }

  /** The server's text: `HH:MM:SS[.ffffff]`. */
  toString(): string {
    return formatTimeOfDay(this.micros);
  }
}

/** A `timetz` value: a time of day and its UTC offset in seconds east (as printed: `+05:30` is 19800). */
export class TimeTz {
  /** Microseconds since midnight. */
  readonly micros: number;
  /** Offset from UTC in seconds, east positive. */
  readonly offsetSeconds: number;
  constructor(micros: number, offsetSeconds: number) {
    this.micros = checkMicros('timetz', micros);
    this.offsetSeconds = checkOffset(offsetSeconds);
  }

  /** The server's text: `HH:MM:SS[.ffffff]±HH[:MM[:SS]]`. */
  toString(): string {
    return formatTimeOfDay(this.micros) + formatOffset(this.offsetSeconds);
  }
}

/** Reads time text into microseconds since midnight; NaN when it is not that. */
function readTime(c: IsoCursor): number {
  const micros = c.timeOfDay(MAX_HOUR);
  return micros > MICROS_PER_DAY ? NaN : micros;
}

/** Reads a non-negative Int64 of at most 2^53 as a number (time values are below 2^37). */
function readTimeMicros(type: string, bytes: Uint8Array, start: number): number {
  const hi = readInt32(bytes, start);
  const micros = hi * TWO_POW_32 + readUint32(bytes, start + INT4_BYTES);
  if (hi < 0 || micros > MICROS_PER_DAY) throw invalidValue(type, `time of ${hi < 0 ? 'negative' : micros} µs is out of range`);
  return micros;
}

function writeTimeMicros(w: { i32(v: number): void; u32(v: number): void }, micros: number): void {
  w.i32(Math.floor(micros / TWO_POW_32));
  w.u32(micros % TWO_POW_32);
}

function toTime(v: unknown): Time {
  if (v instanceof Time) return v;
  if (typeof v === 'number') return new Time(v);
  if (typeof v === 'object' && v !== null && 'micros' in v) return new Time((v as Time).micros);
  throw cannotEncode('time', `needs a Time or microseconds since midnight, got ${describe(v)}`);
}

function toTimeTz(v: unknown): TimeTz {
  if (v instanceof TimeTz) return v;
  if (typeof v === 'object' && v !== null && 'micros' in v && 'offsetSeconds' in v) {
    return new TimeTz((v as TimeTz).micros, (v as TimeTz).offsetSeconds);
  }
  throw cannotEncode('timetz', `needs a TimeTz { micros, offsetSeconds }, got ${describe(v)}`);
}

/** The `time` codec: a `Time`. */
export const timeCodec: BinaryTypeCodec<Time> = {
  oid: oid.TIME,
  name: 'time',
  arrayOid: oid.TIME_ARRAY,
  binary: true,
  decodeText(text) {
    const c = new IsoCursor(text);
    const micros = readTime(c);
    if (Number.isNaN(micros) || !c.done) throw invalidText('time', text);
    return new Time(micros);
  },
  encodeText: (value) => toTime(value).toString(),
  decodeBinary(bytes, start, length) {
    checkLength('time', length, TIME_BYTES);
    return new Time(readTimeMicros('time', bytes, start));
  },
  encodeBinary(w, value) {
    writeTimeMicros(w, toTime(value).micros);
  },
};

/** The `timetz` codec: a `TimeTz`. */
export const timetzCodec: BinaryTypeCodec<TimeTz> = {
  oid: oid.TIMETZ,
  name: 'timetz',
  arrayOid: oid.TIMETZ_ARRAY,
  binary: true,
  decodeText(text) {
    const c = new IsoCursor(text);
    const micros = readTime(c);
    const offset = c.offset();
    if (Number.isNaN(micros) || Number.isNaN(offset) || !c.done || Math.abs(offset) >= TZDISP_LIMIT) throw invalidText('timetz', text);
    return new TimeTz(micros, offset);
  },
  encodeText: (value) => toTimeTz(value).toString(),
  decodeBinary(bytes, start, length) {
    checkLength('timetz', length, TIMETZ_BYTES);
    const micros = readTimeMicros('timetz', bytes, start);
    const zone = readInt32(bytes, start + TIME_BYTES);
    if (Math.abs(zone) >= TZDISP_LIMIT) throw invalidValue('timetz', `zone displacement ${zone} s is out of range`);
    return new TimeTz(micros, zone === 0 ? 0 : -zone);
  },
  encodeBinary(w, value) {
    const t = toTimeTz(value);
    writeTimeMicros(w, t.micros);
    w.i32(t.offsetSeconds === 0 ? 0 : -t.offsetSeconds);
  },
};
