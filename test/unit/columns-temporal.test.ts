/**
 * date, timestamp, timestamptz and time columns into Arrow Date32 / Timestamp[us] / Time64[us]:
 * binary values (date_send: Int32 days since 2000-01-01; timestamp_send/time_send: Int64 µs) and
 * DateStyle ISO text written here by an independent formatter (days → civil date, the opposite
 * direction of the WASM parser), checked against the epoch shift (10957 days) and PostgreSQL's
 * infinity markers and range limits.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, PgStreamError } from '../../src/errors.js';
import { ColumnKind } from '../../src/wasm/layout.js';
import { dateParts, timeText, timestampText } from '../fixtures/pg-text.js';
import { BINARY, TEXT, beInt, decodeColumn, roundTrip } from '../support/columns-helpers.js';

const EPOCH_DAYS = 10957;
const DAY_US = 86_400_000_000n;
const EPOCH_US = BigInt(EPOCH_DAYS) * DAY_US;
/** PostgreSQL's date range (days since 2000-01-01): 4714-11-24 BC through 5874897-12-31. */
const MIN_DATE = -2451545;
const MAX_DATE = 2145031948;
/** PostgreSQL's timestamp range (µs since 2000-01-01): [MIN_TIMESTAMP, END_TIMESTAMP). */
const MIN_TIMESTAMP = -211813488000000000n;
const END_TIMESTAMP = 9223371331200000000n;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

function errorText(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect((err as PgStreamError).code).toBe(ErrorCode.MALFORMED_VALUE);
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('date', () => {
  const dayArb = fc.integer({ min: MIN_DATE, max: MAX_DATE });

  it('shifts binary days to the Unix epoch and keeps the infinities at int32 min/max', () => {
    fc.assert(fc.property(fc.array(fc.option(dayArb, { freq: 5 }), { maxLength: 40 }), (days) => {
      expect(roundTrip(days.map((d) => (d === null ? null : beInt(d, 4))), ColumnKind.DATE, BINARY)).toEqual(days.map((d) => (d === null ? null : d + EPOCH_DAYS)));
    }), { numRuns: 50 });
    const edges = [MIN_DATE, MAX_DATE, 0, -EPOCH_DAYS, -(2 ** 31), 2 ** 31 - 1];
    expect(roundTrip(edges.map((d) => beInt(d, 4)), ColumnKind.DATE, BINARY)).toEqual([MIN_DATE + EPOCH_DAYS, MAX_DATE + EPOCH_DAYS, EPOCH_DAYS, 0, -(2 ** 31), 2 ** 31 - 1]);
  });

  it('reads ISO text, BC dates and the infinities', () => {
    fc.assert(fc.property(fc.array(fc.option(dayArb, { freq: 5 }), { maxLength: 40 }), (days) => {
      const texts = days.map((d) => {
        if (d === null) return null;
        const [text, bc] = dateParts(d + EPOCH_DAYS);
        return bc ? `${text} BC` : text;
      });
      expect(roundTrip(texts, ColumnKind.DATE, TEXT)).toEqual(days.map((d) => (d === null ? null : d + EPOCH_DAYS)));
    }), { numRuns: 50 });
    expect(roundTrip(['4714-11-24 BC', '0001-12-31 BC', '0001-01-01', '1970-01-01', '2000-02-29', '5874897-12-31', 'infinity', '-infinity'], ColumnKind.DATE, TEXT))
      .toEqual([MIN_DATE + EPOCH_DAYS, -719163, -719162, 0, 11016, MAX_DATE + EPOCH_DAYS, 2 ** 31 - 1, -(2 ** 31)]);
  });

  it('refuses dates PostgreSQL cannot have or print', () => {
    for (const bad of ['1900-02-29', '2023-02-29', '2024-04-31', '2024-13-01', '2024-00-10', '0000-01-01', '4714-11-23 BC', '5874898-01-01', '24-01-01', '2024-1-01', '2024-01-01 AD', '2024-01-01 bc', 'Infinity', '']) {
      expect(errorText(() => decodeColumn([bad], ColumnKind.DATE, TEXT))).toMatch(/date, text format/);
    }
    for (const bad of [MIN_DATE - 1, MAX_DATE + 1]) expect(errorText(() => decodeColumn([beInt(bad, 4)], ColumnKind.DATE, BINARY))).toMatch(/cannot have/);
    expect(errorText(() => decodeColumn([new Uint8Array(8)], ColumnKind.DATE, BINARY))).toMatch(/length/);
  });
});

describe('timestamp and timestamptz', () => {
  // The last instant whose Unix-epoch microseconds stay below int64 max (the +infinity marker).
  const maxShiftable = INT64_MAX - EPOCH_US - 1n;
  const tsArb = fc.bigInt({ min: MIN_TIMESTAMP, max: maxShiftable });

  it('shifts binary microseconds to the Unix epoch and keeps the infinities at int64 min/max', () => {
    for (const kind of [ColumnKind.TIMESTAMP, ColumnKind.TIMESTAMPTZ]) {
      fc.assert(fc.property(fc.array(fc.option(tsArb, { freq: 5 }), { maxLength: 40 }), (values) => {
        expect(roundTrip(values.map((v) => (v === null ? null : beInt(v, 8))), kind, BINARY)).toEqual(values.map((v) => (v === null ? null : v + EPOCH_US)));
      }), { numRuns: 30 });
      expect(roundTrip([INT64_MIN, INT64_MAX, MIN_TIMESTAMP, maxShiftable].map((v) => beInt(v, 8)), kind, BINARY))
        .toEqual([INT64_MIN, INT64_MAX, MIN_TIMESTAMP + EPOCH_US, INT64_MAX - 1n]);
    }
  });

  it('refuses instants Arrow cannot hold and values PostgreSQL cannot have', () => {
    expect(errorText(() => decodeColumn([beInt(maxShiftable + 1n, 8)], ColumnKind.TIMESTAMP, BINARY))).toMatch(/out of the range of its Arrow type/);
    expect(errorText(() => decodeColumn([beInt(END_TIMESTAMP - 1n, 8)], ColumnKind.TIMESTAMPTZ, BINARY))).toMatch(/out of the range/);
    expect(errorText(() => decodeColumn(['294276-12-31 23:59:59.999999'], ColumnKind.TIMESTAMP, TEXT))).toMatch(/out of the range/);
    for (const bad of [END_TIMESTAMP, MIN_TIMESTAMP - 1n]) expect(errorText(() => decodeColumn([beInt(bad, 8)], ColumnKind.TIMESTAMP, BINARY))).toMatch(/cannot have/);
    expect(errorText(() => decodeColumn([new Uint8Array(4)], ColumnKind.TIMESTAMP, BINARY))).toMatch(/length/);
  });

  it('reads ISO text with microseconds and BC years', () => {
    fc.assert(fc.property(fc.array(fc.option(tsArb, { freq: 5 }), { maxLength: 40 }), (values) => {
      const texts = values.map((v) => (v === null ? null : timestampText(v + EPOCH_US)));
      expect(roundTrip(texts, ColumnKind.TIMESTAMP, TEXT)).toEqual(values.map((v) => (v === null ? null : v + EPOCH_US)));
    }), { numRuns: 50 });
    expect(roundTrip(['1970-01-01 00:00:00', '2000-01-01 00:00:00.5', '0044-03-15 12:00:00.000001 BC', 'infinity', '-infinity'], ColumnKind.TIMESTAMP, TEXT))
      .toEqual([0n, EPOCH_US + 500_000n, BigInt(Date.UTC(-43, 2, 15, 12)) * 1000n + 1n, INT64_MAX, INT64_MIN]);
  });

  it('reads timestamptz text in any session zone as UTC', () => {
    const zoneArb = fc.integer({ min: -(15 * 3600 + 59 * 60 + 59), max: 15 * 3600 + 59 * 60 + 59 });
    const inner = fc.bigInt({ min: MIN_TIMESTAMP + DAY_US, max: maxShiftable - DAY_US });
    fc.assert(fc.property(fc.array(fc.option(fc.tuple(inner, zoneArb), { freq: 5 }), { maxLength: 40 }), (values) => {
      const texts = values.map((v) => (v === null ? null : timestampText(v[0] + EPOCH_US + BigInt(v[1]) * 1_000_000n, v[1])));
      expect(roundTrip(texts, ColumnKind.TIMESTAMPTZ, TEXT)).toEqual(values.map((v) => (v === null ? null : v[0] + EPOCH_US)));
    }), { numRuns: 50 });
    expect(roundTrip(['2024-06-01 12:00:00+02', '2024-06-01 12:00:00-03:30', '1900-01-01 00:00:00+00:09:21', '4714-11-23 23:00:00-01 BC'], ColumnKind.TIMESTAMPTZ, TEXT))
      .toEqual([1717236000000000n, 1717255800000000n, -2208989361000000n, MIN_TIMESTAMP + EPOCH_US]);
  });

  it('refuses text that is not ISO output', () => {
    for (const bad of ['2024-06-01', '2024-06-01T12:00:00', '2024-06-01 24:00:00', '2024-06-01 12:60:00', '2024-06-01 12:00:00.1234567', '2024-06-01 12:00:00.', '2024-06-01 1:00:00', '2024-06-01 12:00:00+02']) {
      expect(errorText(() => decodeColumn([bad], ColumnKind.TIMESTAMP, TEXT))).toMatch(/timestamp, text format/);
    }
    for (const bad of ['2024-06-01 12:00:00', '2024-06-01 12:00:00+2', '2024-06-01 12:00:00+02:', '2024-06-01 12:00:00 +02', '4714-11-23 23:59:59+00 BC']) {
      expect(errorText(() => decodeColumn([bad], ColumnKind.TIMESTAMPTZ, TEXT))).toMatch(/timestamptz, text format/);
    }
  });
});

describe('time', () => {
  const timeArb = fc.bigInt({ min: 0n, max: DAY_US });

  it('reads binary microseconds and ISO text, 24:00:00 included', () => {
    fc.assert(fc.property(fc.array(fc.option(timeArb, { freq: 5 }), { maxLength: 40 }), (values) => {
      expect(roundTrip(values.map((v) => (v === null ? null : beInt(v, 8))), ColumnKind.TIME, BINARY)).toEqual(values);
      expect(roundTrip(values.map((v) => (v === null ? null : timeText(v))), ColumnKind.TIME, TEXT)).toEqual(values);
    }), { numRuns: 50 });
    expect(roundTrip(['24:00:00', '00:00:00', '23:59:59.999999'], ColumnKind.TIME, TEXT)).toEqual([DAY_US, 0n, DAY_US - 1n]);
  });

  it('refuses times out of the day', () => {
    for (const bad of ['24:00:00.000001', '25:00:00', '12:60:00', '12:00:60', '12:00', '12:00:00+02']) expect(errorText(() => decodeColumn([bad], ColumnKind.TIME, TEXT))).toMatch(/time, text format/);
    for (const bad of [-1n, DAY_US + 1n]) expect(errorText(() => decodeColumn([beInt(bad, 8)], ColumnKind.TIME, BINARY))).toMatch(/cannot have/);
  });
});
