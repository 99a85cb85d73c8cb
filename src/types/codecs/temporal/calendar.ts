/**
 * The proleptic Gregorian calendar shared by date, timestamp and timestamptz, and the pieces of
 * their ISO text (EncodeDateOnly, EncodeDateTime, EncodeTimeOnly, EncodeTimezone, AppendSeconds
 * in src/backend/utils/adt/datetime.c).
 *
 * Years are astronomical here (year 0 = 1 BC, −1 = 2 BC, as in JS `Date`); PostgreSQL's text
 * writes the year before the era and ` BC` after the value: `0001-01-01 BC` is year 0. Day
 * numbers count from 1970-01-01 (the Unix epoch, as Arrow's date32 does); PostgreSQL's binary
 * values count from 2000-01-01, POSTGRES_EPOCH_DAYS later. No JS `Date` arithmetic is used:
 * `Date.UTC` maps years 0..99 to 1900..1999.
 */

/** Days from 1970-01-01 to 2000-01-01 (POSTGRES_EPOCH_JDATE − UNIX_EPOCH_JDATE). */
export const POSTGRES_EPOCH_DAYS = 10_957;
/** Microseconds per day. */
export const MICROS_PER_DAY = 86_400_000_000;
/** Milliseconds per day. */
export const MILLIS_PER_DAY = 86_400_000;
/** Microseconds per millisecond. */
export const MICROS_PER_MILLI = 1000;
/** Microseconds per second. */
export const MICROS_PER_SECOND = 1_000_000;
/** Seconds per minute and minutes per hour. */
export const SIXTY = 60;
/** Seconds per hour. */
export const SECONDS_PER_HOUR = 3600;
/** Largest |milliseconds| a JS Date holds (ECMA-262 §21.4.1.1: 8.64e15). */
export const DATE_MAX_MS = 8.64e15;
/** The earliest day PostgreSQL's date and timestamps hold: 4714-11-24 BC (Julian day 0), from 1970. */
export const MIN_DAY = -2_440_588;
/** The day after the last date PostgreSQL holds (5874898-01-01, DATE_END_JULIAN), from 1970. */
export const DATE_END_DAY = 2_145_031_949 + POSTGRES_EPOCH_DAYS;
const DAYS_PER_ERA = 146_097;
const YEARS_PER_ERA = 400;
const DAYS_SHIFT = 719_468;
const FRACTION_DIGITS = 6;
const CHAR_0 = 0x30;
const CHAR_9 = 0x39;
const BC_SUFFIX = ' BC';

/** A calendar date with an astronomical year. */
export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** Days from 1970-01-01 to the given proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / YEARS_PER_ERA);
  const yoe = y - era * YEARS_PER_ERA;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * DAYS_PER_ERA + doe - DAYS_SHIFT;
}

/** The proleptic Gregorian date `days` after 1970-01-01 (civil_from_days). */
export function civilFromDays(days: number): CivilDate {
  const z = days + DAYS_SHIFT;
  const era = Math.floor(z / DAYS_PER_ERA);
  const doe = z - era * DAYS_PER_ERA;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * YEARS_PER_ERA + (month <= 2 ? 1 : 0), month, day };
}

/** Days in `month` of astronomical `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD` with the era's year (at least 4 digits); `bc` tells whether ` BC` is owed at the end. */
export function formatDay(days: number): { text: string; bc: boolean } {
  const { year, month, day } = civilFromDays(days);
  const bc = year <= 0;
  return { text: `${pad(bc ? 1 - year : year, 4)}-${pad(month, 2)}-${pad(day, 2)}`, bc };
}

/** The ` BC` suffix PostgreSQL writes after a value whose year is 1 BC or earlier. */
export function eraSuffix(bc: boolean): string {
  return bc ? BC_SUFFIX : '';
}

/** `HH:MM:SS` and, when nonzero, `.` and up to 6 fraction digits without trailing zeros (AppendSeconds). */
export function formatTimeOfDay(micros: number): string {
  const hour = Math.floor(micros / (SECONDS_PER_HOUR * MICROS_PER_SECOND));
  let rest = micros - hour * SECONDS_PER_HOUR * MICROS_PER_SECOND;
  const minute = Math.floor(rest / (SIXTY * MICROS_PER_SECOND));
  rest -= minute * SIXTY * MICROS_PER_SECOND;
  const second = Math.floor(rest / MICROS_PER_SECOND);
  const fraction = rest - second * MICROS_PER_SECOND;
  return `${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${formatFraction(fraction)}`;
}

/** `.` and the microseconds without trailing zeros, or nothing for 0. */
export function formatFraction(micros: number): string {
  if (micros === 0) return '';
  let s = pad(micros, FRACTION_DIGITS);
  let end = s.length;
  while (s.charCodeAt(end - 1) === CHAR_0) end--;
  s = s.slice(0, end);
  return `.${s}`;
}

/** EncodeTimezone: `+HH`, `+HH:MM` or `+HH:MM:SS` for an offset in seconds east of UTC. */
export function formatOffset(offsetSeconds: number): string {
  const sign = offsetSeconds >= 0 ? '+' : '-';
  let s = Math.abs(offsetSeconds);
  const hour = Math.floor(s / SECONDS_PER_HOUR);
  s -= hour * SECONDS_PER_HOUR;
  const minute = Math.floor(s / SIXTY);
  const second = s - minute * SIXTY;
  if (second !== 0) return `${sign}${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}`;
  if (minute !== 0) return `${sign}${pad(hour, 2)}:${pad(minute, 2)}`;
  return `${sign}${pad(hour, 2)}`;
}

/**
 * A cursor over ISO date/time text. Each `read*` returns NaN (and leaves `pos` anywhere) when the
 * text does not have the expected form; callers turn that into PGS_INVALID_VALUE.
 */
export class IsoCursor {
  pos = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos === this.text.length;
  }

  /** True (and advances) when the next characters are `s`. */
  take(s: string): boolean {
    if (!this.text.startsWith(s, this.pos)) return false;
    this.pos += s.length;
    return true;
  }

  /** Reads exactly `n` digits (or, with `atLeast`, `n` or more). */
  digits(n: number, atLeast = false): number {
    const t = this.text;
    let p = this.pos;
    let v = 0;
    while (p < t.length) {
      const c = t.charCodeAt(p);
      if (c < CHAR_0 || c > CHAR_9 || (!atLeast && p - this.pos === n)) break;
      v = v * 10 + (c - CHAR_0);
      p++;
    }
    if (p - this.pos < n) return NaN;
    this.pos = p;
    return v;
  }

  /** `YYYY-MM-DD` (year of 4+ digits, as the era's year): days from 1970 for a year AD (`bc` applied later). */
  date(): { year: number; month: number; day: number } | null {
    const year = this.digits(4, true);
    if (!this.take('-')) return null;
    const month = this.digits(2);
    if (!this.take('-')) return null;
    const day = this.digits(2);
    if (!(year >= 1 && month >= 1 && month <= 12 && day >= 1)) return null;
    return { year, month, day };
  }

  /** `HH:MM:SS[.ffffff]` → microseconds of the day; `maxHour` is 23, or 24 for the time type. */
  timeOfDay(maxHour: number): number {
    const hour = this.digits(2);
    if (!this.take(':')) return NaN;
    const minute = this.digits(2);
    if (!this.take(':')) return NaN;
    const second = this.digits(2);
    if (!(hour <= maxHour && minute < SIXTY && second < SIXTY)) return NaN;
    let fraction = 0;
    if (this.take('.')) {
      const start = this.pos;
      const f = this.digits(1, true);
      const n = this.pos - start;
      if (!(n <= FRACTION_DIGITS)) return NaN;
      fraction = f * 10 ** (FRACTION_DIGITS - n);
    }
    return ((hour * SIXTY + minute) * SIXTY + second) * MICROS_PER_SECOND + fraction;
  }

  /** `±HH[:MM[:SS]]` → seconds east of UTC; NaN when absent or malformed. */
  offset(): number {
    const negative = this.take('-');
    if (!negative && !this.take('+')) return NaN;
    const hour = this.digits(2);
    let minute = 0;
    let second = 0;
    if (this.take(':')) {
      minute = this.digits(2);
      if (this.take(':')) second = this.digits(2);
    }
    if (!(minute < SIXTY && second < SIXTY)) return NaN;
    const s = (hour * SIXTY + minute) * SIXTY + second;
    return negative ? 0 - s : s;
  }

  /** Consumes a trailing ` BC`; true when it was there. */
  era(): boolean {
    return this.take(BC_SUFFIX);
  }
}

/** Days from 1970 of a parsed date whose year is the era's year, ` BC` or not; NaN when the day does not exist. */
export function dayNumber(d: { year: number; month: number; day: number }, bc: boolean): number {
  const year = bc ? 1 - d.year : d.year;
  if (d.day > daysInMonth(year, d.month)) return NaN;
  return daysFromCivil(year, d.month, d.day);
}
