/**
 * How values decode into JS, where more than one shape is reasonable. The defaults are what most
 * code expects; each alternative is exact where the default is not.
 */
import type { Int8Mode } from './codecs/integers.js';
import type { DateMode } from './codecs/temporal/date.js';
import type { TimestampMode } from './codecs/temporal/timestamp.js';

/** The JS shapes each option chooses between. */
export type { Int8Mode, DateMode, TimestampMode };

/** Options of a TypeRegistry's built-in codecs. */
export interface TypeOptions {
  /** int8: `'bigint'` (default, exact) or `'number'` (PGS_VALUE_OUT_OF_RANGE beyond ±(2^53 − 1)). */
  int8?: Int8Mode;
  /**
   * timestamp, timestamptz: `'date'` (default; a JS Date, milliseconds only) or `'micros'` (a bigint
   * of microseconds since 1970-01-01 UTC: exact for the whole range). ±infinity → ±Infinity.
   */
  timestamps?: TimestampMode;
  /** date: `'date'` (default; a Date at 00:00 UTC) or `'days'` (days since 1970-01-01, exact). ±infinity → ±Infinity. */
  dates?: DateMode;
}

/** The defaults: int8 → bigint, timestamps → Date, dates → Date. */
export const DEFAULT_TYPE_OPTIONS: Readonly<Required<TypeOptions>> = Object.freeze({
  int8: 'bigint',
  timestamps: 'date',
  dates: 'date',
});
