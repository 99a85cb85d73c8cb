/**
 * `interval` (src/backend/utils/adt/timestamp.c; text in EncodeInterval, datetime.c). Binary
 * (interval_send): Int64 microseconds, Int32 days, Int32 months — three fields kept apart because
 * a month is not a fixed number of days, nor a day a fixed number of microseconds (DST). Since
 * PostgreSQL 17, all three at their maximum is `infinity` and all at their minimum `-infinity`.
 *
 * Text (IntervalStyle postgres, the default): `1 year 2 mons 3 days 04:05:06.789`, zero fields
 * left out, `+`/`-` signs as EncodeInterval writes them, `00:00:00` for zero. Other
 * IntervalStyles (`iso_8601`, `sql_standard`, `postgres_verbose`) are refused with
 * PGS_INVALID_VALUE, never misread.
 *
 * JS shape: `Interval { months, days, microseconds }` (microseconds a bigint: they exceed 2^53);
 * `toString()` gives the postgres-style text and `toISOString()` the ISO 8601 duration.
 */
import { oid } from '../../oids.js';
import type { BinaryTypeCodec } from '../../type-codec.js';
import { cannotEncode, describe, invalidText } from '../../value-errors.js';
import { checkLength, readBigInt64, readInt32 } from '../bytes.js';
import { formatFraction } from './calendar.js';

const INTERVAL_BYTES = 16;
const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const MONTHS_PER_YEAR = 12;
const MICROS_PER_HOUR = 3_600_000_000n;
const MICROS_PER_MINUTE = 60_000_000n;
const MICROS_PER_SECOND = 1_000_000n;
const DAYS_OFFSET = 8;
const MONTHS_OFFSET = 12;
const INFINITY_TEXT = 'infinity';
const MINUS_INFINITY_TEXT = '-infinity';
/** EncodeInterval's postgres-style fields, in order: a signed count and its unit (singular or plural). */
const UNITS: readonly (readonly [string, string, 'years' | 'months' | 'days'])[] = [
  ['year', 'years', 'years'],
  ['mon', 'mons', 'months'],
  ['day', 'days', 'days'],
];
const COUNT_PATTERN = /^[+-]?[0-9]+$/;
/** The time part: an optional sign, hours (two or more digits), minutes, seconds and up to 6 fraction digits. */
const CLOCK_PATTERN = /^([+-]?)([0-9]{2,}):([0-5][0-9]):([0-5][0-9])(?:\.([0-9]{1,6}))?$/;

function checkInt32(what: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < INT32_MIN || v > INT32_MAX) {
    throw cannotEncode('interval', `${what} must be an Int32, got ${describe(v)}`);
  }
  return v;
}

function checkMicroseconds(v: unknown): bigint {
  const b = typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : v;
  if (typeof b !== 'bigint' || b < INT64_MIN || b > INT64_MAX) {
    throw cannotEncode('interval', `microseconds must be an Int64 bigint (or a safe integer), got ${describe(v)}`);
  }
  return b;
}

function pad2(n: bigint | number): string {
  return String(n).padStart(2, '0');
}

/** An `interval`: months, days and microseconds, each with its own sign, as PostgreSQL keeps them. */
export class Interval {
  /** `infinity` (PostgreSQL 17 and later). */
  static readonly INFINITY = new Interval(INT32_MAX, INT32_MAX, INT64_MAX);
  /** `-infinity` (PostgreSQL 17 and later). */
  static readonly MINUS_INFINITY = new Interval(INT32_MIN, INT32_MIN, INT64_MIN);

  /** Months (Int32): years are 12 months. */
  readonly months: number;
  /** Days (Int32), apart from months: a month is not a fixed number of days. */
  readonly days: number;
  /** Microseconds (Int64), apart from days: a day is not always 24 hours (DST). */
  readonly microseconds: bigint;

  /** Throws PGS_INVALID_ARGUMENT unless months and days are Int32s and microseconds an Int64. */
  constructor(months: number, days: number, microseconds: bigint | number) {
    this.months = checkInt32('months', months);
    this.days = checkInt32('days', days);
    this.microseconds = checkMicroseconds(microseconds);
  }

  /** False for `infinity` and `-infinity`. */
  isFinite(): boolean {
    return !this.is(INT32_MAX, INT64_MAX) && !this.is(INT32_MIN, INT64_MIN);
  }

  private is(edge32: number, edge64: bigint): boolean {
    return this.months === edge32 && this.days === edge32 && this.microseconds === edge64;
  }

  /** The text of IntervalStyle postgres (what the server sends by default), e.g. `1 year 2 mons 03:04:05`. */
  toString(): string {
    if (this.is(INT32_MAX, INT64_MAX)) return INFINITY_TEXT;
    if (this.is(INT32_MIN, INT64_MIN)) return MINUS_INFINITY_TEXT;
    let s = '';
    let isZero = true;
    let isBefore = false;
    const part = (value: number, unit: string): void => {
      if (value === 0) return;
      s += `${isZero ? '' : ' '}${isBefore && value > 0 ? '+' : ''}${value} ${unit}${value !== 1 ? 's' : ''}`;
      isBefore = value < 0;
      isZero = false;
    };
    part(Math.trunc(this.months / MONTHS_PER_YEAR), 'year');
    part(this.months % MONTHS_PER_YEAR, 'mon');
    part(this.days, 'day');
    const t = this.microseconds;
    if (isZero || t !== 0n) {
      const a = t < 0n ? -t : t;
      const sign = t < 0n ? '-' : isBefore ? '+' : '';
      s += `${isZero ? '' : ' '}${sign}${clock(a)}`;
    }
    return s;
  }

  /** The ISO 8601 duration, as IntervalStyle iso_8601 writes it (e.g. `P1Y2M3DT4H5M6.5S`, `PT0S`). */
  toISOString(): string {
    if (!this.isFinite()) return this.toString();
    const years = Math.trunc(this.months / MONTHS_PER_YEAR);
    const months = this.months % MONTHS_PER_YEAR;
    const t = this.microseconds;
    const hours = t / MICROS_PER_HOUR;
    const minutes = (t % MICROS_PER_HOUR) / MICROS_PER_MINUTE;
    const micros = t % MICROS_PER_MINUTE;
    if (years === 0 && months === 0 && this.days === 0 && t === 0n) return 'PT0S';
    const field = (v: number | bigint, unit: string): string => (v === 0 || v === 0n ? '' : `${v}${unit}`);
    let s = `P${field(years, 'Y')}${field(months, 'M')}${field(this.days, 'D')}`;
    if (t !== 0n) s += `T${field(hours, 'H')}${field(minutes, 'M')}`;
    if (micros !== 0n) {
      const a = micros < 0n ? -micros : micros;
      s += `${micros < 0n ? '-' : ''}${a / MICROS_PER_SECOND}${formatFraction(Number(a % MICROS_PER_SECOND))}S`;
    }
    return s;
  }
}

/** `HH:MM:SS[.ffffff]` of a non-negative number of microseconds (hours may exceed 24). */
function clock(a: bigint): string {
  const hours = a / MICROS_PER_HOUR;
  const minutes = (a % MICROS_PER_HOUR) / MICROS_PER_MINUTE;
  const seconds = (a % MICROS_PER_MINUTE) / MICROS_PER_SECOND;
  return `${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}${formatFraction(Number(a % MICROS_PER_SECOND))}`;
}

/** Reads IntervalStyle postgres text; throws PGS_INVALID_VALUE for anything else. */
export function parseIntervalText(text: string): Interval {
  if (text === INFINITY_TEXT) return Interval.INFINITY;
  if (text === MINUS_INFINITY_TEXT) return Interval.MINUS_INFINITY;
  // Fields are separated by exactly one space: splitting finds empty tokens for any other spacing.
  const tokens = text.split(' ');
  const counts = { years: 0, months: 0, days: 0 };
  let i = 0;
  for (const [singular, plural, field] of UNITS) {
    const unit = tokens[i + 1];
    if (unit !== singular && unit !== plural) continue;
    if (!COUNT_PATTERN.test(tokens[i]!)) throw invalidText('interval', text);
    counts[field] = Number(tokens[i]);
    i += 2;
  }
  let micros = 0n;
  if (i < tokens.length || i === 0) {
    const m = i === tokens.length - 1 ? CLOCK_PATTERN.exec(tokens[i]!) : null;
    if (m === null) throw invalidText('interval', text);
    const fraction = BigInt((m[5] ?? '').padEnd(6, '0'));
    micros = BigInt(m[2]!) * MICROS_PER_HOUR + BigInt(m[3]!) * MICROS_PER_MINUTE + BigInt(m[4]!) * MICROS_PER_SECOND + fraction;
    if (m[1] === '-') micros = -micros;
  }
  const months = counts.years * MONTHS_PER_YEAR + counts.months;
  const days = counts.days;
  if (!Number.isSafeInteger(months) || months < INT32_MIN || months > INT32_MAX || !Number.isSafeInteger(days) || days < INT32_MIN || days > INT32_MAX || micros < INT64_MIN || micros > INT64_MAX) {
    throw invalidText('interval', text);
  }
  return new Interval(months, days, micros);
}

function toInterval(v: unknown): Interval {
  if (v instanceof Interval) return v;
  if (typeof v === 'object' && v !== null && 'months' in v && 'days' in v && 'microseconds' in v) {
    const o = v as { months: number; days: number; microseconds: bigint | number };
    return new Interval(o.months, o.days, o.microseconds);
  }
  throw cannotEncode('interval', `needs an Interval { months, days, microseconds }, got ${describe(v)}`);
}

/** The `interval` codec: an `Interval`. */
export const intervalCodec: BinaryTypeCodec<Interval> = {
  oid: oid.INTERVAL,
  name: 'interval',
  arrayOid: oid.INTERVAL_ARRAY,
  binary: true,
  decodeText: parseIntervalText,
  encodeText: (value) => toInterval(value).toString(),
  decodeBinary(bytes, start, length) {
    checkLength('interval', length, INTERVAL_BYTES);
    return new Interval(readInt32(bytes, start + MONTHS_OFFSET), readInt32(bytes, start + DAYS_OFFSET), readBigInt64(bytes, start));
  },
  encodeBinary(w, value) {
    const v = toInterval(value);
    w.i64(v.microseconds);
    w.i32(v.days);
    w.i32(v.months);
  },
};
