/**
 * `date` (src/backend/utils/adt/date.c). Binary: Int32 days since 2000-01-01; INT32_MIN and
 * INT32_MAX are `-infinity` and `infinity` (DATEVAL_NOBEGIN/NOEND). Text (DateStyle ISO):
 * `YYYY-MM-DD`, ` BC` after years before 1 AD, and `infinity`/`-infinity`. Other DateStyles
 * (`SQL`, `German`, `Postgres`) are refused with PGS_INVALID_VALUE, never misread.
 *
 * JS shapes (`dates` option):
 * - `'date'` (default): a `Date` at 00:00 UTC of that day. Days past the JS Date range
 *   (after 275760-09-13) are refused with PGS_VALUE_OUT_OF_RANGE.
 * - `'days'`: a `number` of days since 1970-01-01, exact for every date (Arrow's date32).
 * In both, `infinity` and `-infinity` are the numbers `Infinity` and `-Infinity`.
 * Encoding takes a `Date` (its UTC day), an integer number of days since 1970-01-01, or ±Infinity.
 */
import { oid } from '../../oids.js';
import type { BinaryTypeCodec } from '../../type-codec.js';
import { cannotEncode, describe, invalidText, invalidValue, valueOutOfRange } from '../../value-errors.js';
import { DATE_END_DAY, DATE_MAX_MS, IsoCursor, MILLIS_PER_DAY, MIN_DAY, POSTGRES_EPOCH_DAYS, dayNumber, eraSuffix, formatDay } from './calendar.js';
import { checkLength, readInt32 } from '../bytes.js';

/** DATEVAL_NOBEGIN: `-infinity`. */
const DATEVAL_NOBEGIN = -0x8000_0000;
/** DATEVAL_NOEND: `infinity`. */
const DATEVAL_NOEND = 0x7fff_ffff;
const DATE_BYTES = 4;
/** The special values' text (EncodeSpecialDate). */
export const INFINITY_TEXT = 'infinity';
/** `-infinity`. */
export const MINUS_INFINITY_TEXT = '-infinity';

/** How date values are returned: `Date` at UTC midnight (default) or days since 1970-01-01. */
export type DateMode = 'date' | 'days';

/** Days since 1970-01-01 of a date's text, or ±Infinity; throws PGS_INVALID_VALUE. */
export function parseDateText(text: string): number {
  if (text === INFINITY_TEXT) return Infinity;
  if (text === MINUS_INFINITY_TEXT) return -Infinity;
  const c = new IsoCursor(text);
  const d = c.date();
  const bc = c.era();
  const days = d === null || !c.done ? NaN : dayNumber(d, bc);
  if (!(days >= MIN_DAY && days < DATE_END_DAY)) throw invalidText('date', text);
  return days;
}

function fromDays(days: number, mode: DateMode): Date | number {
  if (mode === 'days' || !Number.isFinite(days)) return days;
  const ms = days * MILLIS_PER_DAY;
  if (Math.abs(ms) > DATE_MAX_MS) throw valueOutOfRange('date', `day ${days} is beyond the JS Date range; use dates: 'days'`);
  return new Date(ms);
}

/** Days since 1970-01-01 (or ±Infinity) of a JS value, within PostgreSQL's date range. */
export function toDays(v: unknown): number {
  let days: number;
  if (v instanceof Date) {
    const ms = v.getTime();
    if (Number.isNaN(ms)) throw cannotEncode('date', 'invalid Date');
    days = Math.floor(ms / MILLIS_PER_DAY);
  } else if (typeof v === 'number' && (Number.isInteger(v) || v === Infinity || v === -Infinity)) {
    days = v;
  } else {
    throw cannotEncode('date', `needs a Date, an integer number of days since 1970-01-01 or ±Infinity, got ${describe(v)}`);
  }
  if (Number.isFinite(days) && !(days >= MIN_DAY && days < DATE_END_DAY)) {
    throw cannotEncode('date', `day ${days} is outside 4714-11-24 BC .. 5874897-12-31`);
  }
  return days;
}

/** The `date` codec for a mode: `Date | number` (`'date'`) or `number` (`'days'`). */
export function dateCodec(mode: DateMode = 'date'): BinaryTypeCodec<Date | number> {
  return {
    oid: oid.DATE,
    name: 'date',
    arrayOid: oid.DATE_ARRAY,
    binary: true,
    decodeText: (text) => fromDays(parseDateText(text), mode),
    encodeText(value) {
      const days = toDays(value);
      if (days === Infinity) return INFINITY_TEXT;
      if (days === -Infinity) return MINUS_INFINITY_TEXT;
      const { text, bc } = formatDay(days);
      return text + eraSuffix(bc);
    },
    decodeBinary(bytes, start, length) {
      checkLength('date', length, DATE_BYTES);
      const v = readInt32(bytes, start);
      if (v === DATEVAL_NOEND) return Infinity;
      if (v === DATEVAL_NOBEGIN) return -Infinity;
      const days = v + POSTGRES_EPOCH_DAYS;
      if (!(days >= MIN_DAY && days < DATE_END_DAY)) throw invalidValue('date', `day ${v} after 2000-01-01 is out of range`);
      return fromDays(days, mode);
    },
    encodeBinary(w, value) {
      const days = toDays(value);
      w.i32(days === Infinity ? DATEVAL_NOEND : days === -Infinity ? DATEVAL_NOBEGIN : days - POSTGRES_EPOCH_DAYS);
    },
  };
}
