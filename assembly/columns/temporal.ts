/**
 * date, timestamp, timestamptz and time columns into Arrow Date32 (days since 1970-01-01),
 * Timestamp[us] and Time64[us]. PostgreSQL counts from 2000-01-01 (POSTGRES_EPOCH_JDATE), so
 * values are shifted by the days or microseconds between the two epochs.
 *
 * Infinities: PostgreSQL stores `-infinity`/`infinity` as the smallest/largest value of the type
 * (DATEVAL_NOBEGIN/NOEND = int32 min/max, DT_NOBEGIN/NOEND = int64 min/max, datatype/timestamp.h);
 * they are written unshifted, so they stay int32/int64 min/max in Arrow. A finite value that the
 * shift would carry onto those markers or past them (timestamps after 294247-01-10, far inside
 * PostgreSQL's range that ends in 294276) is STATUS_OUT_OF_RANGE rather than a wrong instant.
 * Binary values outside PostgreSQL's own range (date_recv, timestamp_recv, time_recv refuse them)
 * are STATUS_BAD_VALUE. Text is parsed by iso-datetime.ts (DateStyle ISO only).
 */
import { OUT_VALUES } from '../layout';
import { STATUS_BAD_ARGUMENT, STATUS_BAD_LENGTH, STATUS_BAD_TEXT, STATUS_BAD_VALUE, STATUS_OUT_OF_RANGE } from '../status';
import { NULL_LENGTH } from '../message-codes';
import { fieldAt, fieldBase, fieldStride, gatheredNulls } from './gather';
import { failAt, finish } from './output';
import { atEnd, date, days, era, failed, isWord, start, take, time, USECS_PER_DAY, zone } from './iso-datetime';

/** Days from 1970-01-01 to 2000-01-01. */
const EPOCH_SHIFT_DAYS: i32 = 10957;
/** Microseconds from 1970-01-01 to 2000-01-01. */
const EPOCH_SHIFT_USECS: i64 = <i64>EPOCH_SHIFT_DAYS * USECS_PER_DAY;
/** DATEVAL_NOBEGIN / DATEVAL_NOEND. */
const DATE_NOBEGIN: i32 = i32.MIN_VALUE;
const DATE_NOEND: i32 = i32.MAX_VALUE;
/** DT_NOBEGIN / DT_NOEND. */
const DT_NOBEGIN: i64 = i64.MIN_VALUE;
const DT_NOEND: i64 = i64.MAX_VALUE;
/** PostgreSQL's first date (4714-11-24 BC, Julian day 0) and first date past the end, from 2000-01-01. */
const MIN_DATE: i32 = -2451545;
const END_DATE: i32 = 2145031949;
/** PostgreSQL's first timestamp (MIN_TIMESTAMP) and first one past the end (END_TIMESTAMP). */
const MIN_TIMESTAMP: i64 = -211813488000000000;
const END_TIMESTAMP: i64 = 9223371331200000000;
/** Largest timestamp that shifts to below DT_NOEND (the marker itself is infinity). */
const MAX_SHIFTABLE: i64 = DT_NOEND - EPOCH_SHIFT_USECS - 1;
/** Days of the local date of any valid timestamp, from 2000-01-01 (a zone offset moves it a day). */
const MIN_TIMESTAMP_DAYS: i64 = MIN_TIMESTAMP / USECS_PER_DAY - 1;
const END_TIMESTAMP_DAYS: i64 = END_TIMESTAMP / USECS_PER_DAY;
/** `infinity` packed little-endian, for comparing a whole field at once. */
const INFINITY_WORD: u64 = 0x7974_696e_6966_6e69;
const INFINITY_LENGTH: i32 = 8;
/** Hours accepted: 23 for timestamps, 24 (only 24:00:00) for time. */
const TIMESTAMP_MAX_HOUR: i64 = 23;
const TIME_MAX_HOUR: i64 = 24;
/** Bytes of a binary date and of a binary timestamp or time. */
const DATE_SIZE: i32 = 4;
const USECS_SIZE: i32 = 8;
/** ASCII space between the date and the time. */
const SPACE: u32 = 0x20;

/** Status of the last text parse (0 = fine). */
let parseStatus: i32 = 0;

/** -1, 1 or 0: the field is `-infinity`, `infinity`, or something else. */
function infinity(p: usize, n: i32): i32 {
  if (isWord(p, n, INFINITY_WORD, INFINITY_LENGTH, false)) return 1;
  if (isWord(p, n, INFINITY_WORD, INFINITY_LENGTH, true)) return -1;
  return 0;
}

/** Shifts a PostgreSQL date to days since 1970 (infinities kept); sets parseStatus if invalid. */
function shiftDate(d: i32): i32 {
  if (d == DATE_NOBEGIN || d == DATE_NOEND) return d;
  if (d < MIN_DATE || d >= END_DATE) {
    parseStatus = STATUS_BAD_VALUE;
    return 0;
  }
  return d + EPOCH_SHIFT_DAYS;
}

/** Shifts a PostgreSQL timestamp to microseconds since 1970 (infinities kept); sets parseStatus if invalid. */
function shiftTimestamp(t: i64): i64 {
  if (t == DT_NOBEGIN || t == DT_NOEND) return t;
  if (t < MIN_TIMESTAMP || t >= END_TIMESTAMP) {
    parseStatus = STATUS_BAD_VALUE;
    return 0;
  }
  if (t > MAX_SHIFTABLE) {
    parseStatus = STATUS_OUT_OF_RANGE;
    return 0;
  }
  return t + EPOCH_SHIFT_USECS;
}

/** Parses date text: PostgreSQL days since 2000-01-01 (or an infinity marker). */
function parseDateText(p: usize, n: i32): i32 {
  const inf = infinity(p, n);
  if (inf != 0) return inf > 0 ? DATE_NOEND : DATE_NOBEGIN;
  start(p, n);
  date();
  const d = days(era()) - EPOCH_SHIFT_DAYS;
  if (failed() || !atEnd() || d < MIN_DATE || d >= END_DATE) {
    parseStatus = STATUS_BAD_TEXT;
    return 0;
  }
  return <i32>d;
}

/** Parses timestamp text (with a zone offset when `tz`): PostgreSQL microseconds since 2000-01-01, UTC. */
function parseTimestampText(p: usize, n: i32, tz: bool): i64 {
  const inf = infinity(p, n);
  if (inf != 0) return inf > 0 ? DT_NOEND : DT_NOBEGIN;
  start(p, n);
  date();
  if (!take(SPACE)) {
    parseStatus = STATUS_BAD_TEXT;
    return 0;
  }
  const tod = time(TIMESTAMP_MAX_HOUR);
  const offset = tz ? zone() : 0;
  const d = days(era()) - EPOCH_SHIFT_DAYS;
  if (failed() || !atEnd() || d < MIN_TIMESTAMP_DAYS || d > END_TIMESTAMP_DAYS) {
    parseStatus = STATUS_BAD_TEXT;
    return 0;
  }
  const t = d * USECS_PER_DAY + tod - offset;
  if (t < MIN_TIMESTAMP || t >= END_TIMESTAMP) {
    parseStatus = STATUS_BAD_TEXT;
    return 0;
  }
  return t;
}

/** Date32 values of the `rows` gathered fields into OUT_VALUES. */
export function decodeDates(rows: i32, binary: bool): i32 {
  let out: usize = OUT_VALUES;
  let f = fieldBase;
  const stride = fieldStride;
  for (let r = 0; r < rows; r++, out += 4, f += stride) {
    const length = load<i32>(f, 4);
    if (length == NULL_LENGTH) {
      store<i32>(out, 0);
      continue;
    }
    const p = fieldAt(f, length);
    if (p == 0) return failAt(STATUS_BAD_ARGUMENT, r);
    parseStatus = 0;
    let d: i32;
    if (binary) {
      if (length != DATE_SIZE) return failAt(STATUS_BAD_LENGTH, r);
      d = bswap<i32>(load<i32>(p));
    } else {
      d = parseDateText(p, length);
    }
    const shifted = parseStatus == 0 ? shiftDate(d) : 0;
    if (parseStatus != 0) return failAt(parseStatus, r);
    store<i32>(out, shifted);
  }
  return finish(rows, gatheredNulls, 0);
}

/** Timestamp[us] values (UTC for timestamptz, `tz`) of the `rows` gathered fields into OUT_VALUES. */
export function decodeTimestamps(rows: i32, binary: bool, tz: bool): i32 {
  let out: usize = OUT_VALUES;
  let f = fieldBase;
  const stride = fieldStride;
  for (let r = 0; r < rows; r++, out += 8, f += stride) {
    const length = load<i32>(f, 4);
    if (length == NULL_LENGTH) {
      store<i64>(out, 0);
      continue;
    }
    const p = fieldAt(f, length);
    if (p == 0) return failAt(STATUS_BAD_ARGUMENT, r);
    parseStatus = 0;
    let t: i64;
    if (binary) {
      if (length != USECS_SIZE) return failAt(STATUS_BAD_LENGTH, r);
      t = bswap<i64>(load<i64>(p));
    } else {
      t = parseTimestampText(p, length, tz);
    }
    const shifted = parseStatus == 0 ? shiftTimestamp(t) : 0;
    if (parseStatus != 0) return failAt(parseStatus, r);
    store<i64>(out, shifted);
  }
  return finish(rows, gatheredNulls, 0);
}

/** Time64[us] values of the `rows` gathered fields into OUT_VALUES (0 through 24:00:00). */
export function decodeTimes(rows: i32, binary: bool): i32 {
  let out: usize = OUT_VALUES;
  let f = fieldBase;
  const stride = fieldStride;
  for (let r = 0; r < rows; r++, out += 8, f += stride) {
    const length = load<i32>(f, 4);
    if (length == NULL_LENGTH) {
      store<i64>(out, 0);
      continue;
    }
    const p = fieldAt(f, length);
    if (p == 0) return failAt(STATUS_BAD_ARGUMENT, r);
    let t: i64;
    if (binary) {
      if (length != USECS_SIZE) return failAt(STATUS_BAD_LENGTH, r);
      t = bswap<i64>(load<i64>(p));
      if (t < 0 || t > USECS_PER_DAY) return failAt(STATUS_BAD_VALUE, r);
    } else {
      start(p, length);
      t = time(TIME_MAX_HOUR);
      if (failed() || !atEnd()) return failAt(STATUS_BAD_TEXT, r);
    }
    store<i64>(out, t);
  }
  return finish(rows, gatheredNulls, 0);
}
