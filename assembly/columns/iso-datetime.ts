/**
 * Parsing PostgreSQL's date/time text output with DateStyle ISO (datetime.c EncodeDateOnly,
 * EncodeDateTime, EncodeTimeOnly): `YYYY-MM-DD`, `HH:MM:SS[.ffffff]`, a zone offset `±HH[:MM[:SS]]`
 * for timestamptz, and ` BC` after everything for years before 1 (year Y BC is astronomical
 * 1 - Y). Days are counted in the proleptic Gregorian calendar, as PostgreSQL's date2j does.
 * A cursor over one field: each step either advances or marks the text bad.
 */

/** ASCII characters of the ISO output. */
const ZERO: u32 = 0x30;
const MINUS: u32 = 0x2d;
const PLUS: u32 = 0x2b;
const COLON: u32 = 0x3a;
const DOT: u32 = 0x2e;
const SPACE: u32 = 0x20;
const UPPER_B: u32 = 0x42;
const UPPER_C: u32 = 0x43;

/** Microseconds per second, minute, hour, day. */
export const USECS_PER_SEC: i64 = 1_000_000;
const USECS_PER_MINUTE: i64 = 60 * USECS_PER_SEC;
const USECS_PER_HOUR: i64 = 60 * USECS_PER_MINUTE;
export const USECS_PER_DAY: i64 = 24 * USECS_PER_HOUR;
/** Digits of a fractional second: microseconds. */
const FRACTION_DIGITS: i32 = 6;
/** Years have at least 4 digits (zero-padded) and at most 7 (date's last year is 5874897). */
const MIN_YEAR_DIGITS: i32 = 4;
const MAX_YEAR_DIGITS: i32 = 7;
/** Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar. */
const CIVIL_EPOCH_SHIFT: i64 = 719468;
/** Days in a 400-year cycle. */
const DAYS_PER_ERA: i64 = 146097;

/** Where the cursor is, where the field ends, and whether the text was bad. */
let pos: usize = 0;
let end: usize = 0;
let bad = false;

/** Points the cursor at the field [p, p + n). */
export function start(p: usize, n: i32): void {
  pos = p;
  end = p + <usize>n;
  bad = false;
}

/** 1 when a step found bad text. */
export function failed(): bool {
  return bad;
}

/** 1 when every byte was taken. */
export function atEnd(): bool {
  return pos == end;
}

/** Bytes left after the cursor. */
@inline function left(): i32 {
  return <i32>(end - pos);
}

/** Takes `c` if it is next; false otherwise (nothing marked bad). */
export function take(c: u32): bool {
  if (pos < end && <u32>load<u8>(pos) == c) {
    pos++;
    return true;
  }
  return false;
}

/** Takes `c` or marks the text bad. */
function expect(c: u32): void {
  if (!take(c)) bad = true;
}

/** Takes between `min` and `max` digits and returns their value (bad when fewer than `min`). */
function digits(min: i32, max: i32): i64 {
  let v: i64 = 0;
  let n = 0;
  while (n < max && pos < end) {
    const d = <u32>load<u8>(pos) - ZERO;
    if (d > 9) break;
    v = v * 10 + <i64>d;
    pos++;
    n++;
  }
  if (n < min) bad = true;
  return v;
}

/** Takes exactly two digits no larger than `max`. */
function twoDigits(max: i64): i64 {
  const v = digits(2, 2);
  if (v > max) bad = true;
  return v;
}

/** Leap year of an astronomical year (year 0 = 1 BC is a leap year). */
@inline function isLeap(y: i64): bool {
  return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

/** Days of month `m` (1..12) of astronomical year `y`. */
function daysInMonth(y: i64, m: i32): i32 {
  if (m == 2) return isLeap(y) ? 29 : 28;
  return m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
}

/** Days from 1970-01-01 to the proleptic Gregorian date y-m-d (astronomical year). */
export function daysFromCivil(year: i64, m: i32, d: i32): i64 {
  const y = m <= 2 ? year - 1 : year;
  const era = (y >= 0 ? y : y - 399) / 400;
  const yoe = y - era * 400;
  const doy = <i64>((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
  const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * DAYS_PER_ERA + doe - CIVIL_EPOCH_SHIFT;
}

/** The parts of a date taken by `date()`: year as written (before ` BC` is known), month, day. */
let dateYear: i64 = 0;
let dateMonth: i32 = 0;
let dateDay: i32 = 0;

/** Takes `YYYY-MM-DD`; the days come from `days()` once the era is known. */
export function date(): void {
  dateYear = digits(MIN_YEAR_DIGITS, MAX_YEAR_DIGITS);
  expect(MINUS);
  dateMonth = <i32>twoDigits(12);
  expect(MINUS);
  dateDay = <i32>twoDigits(31);
  if (dateYear == 0 || dateMonth == 0 || dateDay == 0) bad = true;
}

/** Takes ` BC` when it is all that is left; true if it was there. */
export function era(): bool {
  if (left() == 3 && <u32>load<u8>(pos) == SPACE && <u32>load<u8>(pos, 1) == UPPER_B && <u32>load<u8>(pos, 2) == UPPER_C) {
    pos += 3;
    return true;
  }
  return false;
}

/** Days from 1970-01-01 of the date taken by `date()`, in the era given; bad for a day the month lacks. */
export function days(bc: bool): i64 {
  const year = bc ? 1 - dateYear : dateYear;
  if (dateDay > daysInMonth(year, dateMonth)) bad = true;
  return daysFromCivil(year, dateMonth, dateDay);
}

/** Takes `HH:MM:SS[.f{1,6}]` and returns microseconds; `maxHour` 24 allows only 24:00:00 (time). */
export function time(maxHour: i64): i64 {
  const h = twoDigits(maxHour);
  expect(COLON);
  const m = twoDigits(59);
  expect(COLON);
  const s = twoDigits(59);
  let fraction: i64 = 0;
  if (take(DOT)) {
    const from = pos;
    fraction = digits(1, FRACTION_DIGITS);
    for (let k = <i32>(pos - from); k < FRACTION_DIGITS; k++) fraction *= 10;
  }
  const us = h * USECS_PER_HOUR + m * USECS_PER_MINUTE + s * USECS_PER_SEC + fraction;
  if (h == 24 && us != USECS_PER_DAY) bad = true;
  return us;
}

/** Takes a zone offset `±HH[:MM[:SS]]` (EncodeTimezone) and returns it in microseconds east of UTC. */
export function zone(): i64 {
  let sign: i64 = 1;
  if (take(MINUS)) sign = -1;
  else expect(PLUS);
  let seconds = digits(2, 2) * 3600;
  if (take(COLON)) {
    seconds += twoDigits(59) * 60;
    if (take(COLON)) seconds += twoDigits(59);
  }
  return sign * seconds * USECS_PER_SEC;
}

/** True when the whole field is `word` (ASCII, `n` bytes at `p`): for `infinity` and `-infinity`. */
export function isWord(p: usize, n: i32, word: u64, wordLength: i32, minus: bool): bool {
  let i = 0;
  if (minus) {
    if (n == 0 || <u32>load<u8>(p) != MINUS) return false;
    i = 1;
  }
  if (n - i != wordLength) return false;
  const q = p + <usize>i;
  for (let k = 0; k < wordLength; k++) {
    if (<u64>load<u8>(q + k) != ((word >> (<u64>k << 3)) & 0xff)) return false;
  }
  return true;
}
