/**
 * date, timestamp, timestamptz, time, timetz and interval: golden vectors in both formats (Int32
 * days and Int64 microseconds from 2000-01-01, Int32 zone west of UTC, interval's Int64/Int32/Int32),
 * the limits (4714-11-24 BC .. 294276 AD for timestamps, 5874897 AD for dates), infinities, BC
 * dates, microseconds, both JS shapes of each option, text checked against JS's own ISO parser,
 * refusal of other DateStyles and IntervalStyles, and malformed input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { dateCodec } from '../../src/types/codecs/temporal/date.js';
import { Interval, intervalCodec } from '../../src/types/codecs/temporal/interval.js';
import { Time, TimeTz, timeCodec, timetzCodec } from '../../src/types/codecs/temporal/time.js';
import { timestampWithoutZoneCodec, timestamptzCodec } from '../../src/types/codecs/temporal/timestamp.js';
import { Bytes, hex } from '../fixtures/bytes.js';
import { decodeBin, encodeBin, expectCode } from '../support/types-helpers.js';

const INVALID = ErrorCode.INVALID_VALUE;
const RANGE = ErrorCode.VALUE_OUT_OF_RANGE;
const ARG = ErrorCode.INVALID_ARGUMENT;
const asDate = dateCodec('date');
const asDays = dateCodec('days');
const tsDate = timestampWithoutZoneCodec('date');
const tsMicros = timestampWithoutZoneCodec('micros');
const tstzDate = timestamptzCodec('date');
const tstzMicros = timestamptzCodec('micros');
const DAY_MS = 86_400_000;
/** 2000-01-01 in Unix days and microseconds. */
const PG_EPOCH_DAYS = 10957;
const PG_EPOCH_US = 946_684_800_000_000n;
const MIN_DAY = -2_440_588;
const END_DAY = 2_145_042_906;
const MIN_US = BigInt(MIN_DAY) * 86_400_000_000n;
const END_US = 9_223_371_331_200_000_000n + PG_EPOCH_US;
const JS_MAX_DAY = 100_000_000;

const i32 = (v: number): Uint8Array => new Bytes().i32(v).body();
const i64 = (v: bigint): Uint8Array => new Bytes().i64(v).body();

/** PostgreSQL's ISO text of a JS Date's UTC day, derived from Date.toISOString (an oracle apart from src/). */
function pgDay(d: Date): string {
  const y = d.getUTCFullYear();
  const md = d.toISOString().replace(/^[+-]?\d+-/, '').slice(0, 5);
  return `${String(y <= 0 ? 1 - y : y).padStart(4, '0')}-${md}`;
}

function pgTimestamp(d: Date, micros: number, zone: string): string {
  const y = d.getUTCFullYear();
  const time = d.toISOString().slice(-13, -5);
  const f = micros === 0 ? '' : `.${String(micros).padStart(6, '0').replace(/0+$/, '')}`;
  return `${pgDay(d)} ${time}${f}${zone}${y <= 0 ? ' BC' : ''}`;
}

describe('date', () => {
  it.each([
    ['2000-01-01', 0, new Date('2000-01-01T00:00:00Z')],
    ['1970-01-01', -10957, new Date(0)],
    ['2024-02-29', 8825, new Date('2024-02-29T00:00:00Z')],
    ['0001-01-01', -730119, new Date('0001-01-01T00:00:00Z')],
    ['0001-12-31 BC', -730120, new Date('0000-12-31T00:00:00Z')],
    ['0001-01-01 BC', -730485, new Date('0000-01-01T00:00:00Z')],
    ['0044-03-15 BC', -746117, new Date('-000043-03-15T00:00:00Z')],
    ['4714-11-24 BC', -2451545, new Date('-004713-11-24T00:00:00Z')],
    ['275760-09-13', 99_989_043, new Date(8.64e15)],
  ])('%s ⇄ %d days from 2000', (text, days, date) => {
    expect(asDate.decodeText(text)).toEqual(date);
    expect(decodeBin(asDate, i32(days))).toEqual(date);
    expect(asDate.encodeText(date)).toBe(text);
    expect(encodeBin(asDate, date)).toEqual(i32(days));
    expect(asDays.decodeText(text)).toBe(days + PG_EPOCH_DAYS);
    expect(decodeBin(asDays, i32(days))).toBe(days + PG_EPOCH_DAYS);
    expect(encodeBin(asDays, days + PG_EPOCH_DAYS)).toEqual(i32(days));
  });

  it('infinities are ±Infinity in both modes; dates past the JS range need days mode', () => {
    for (const c of [asDate, asDays]) {
      expect(c.decodeText('infinity')).toBe(Infinity);
      expect(c.decodeText('-infinity')).toBe(-Infinity);
      expect(decodeBin(c, hex('7f ff ff ff'))).toBe(Infinity);
      expect(decodeBin(c, hex('80 00 00 00'))).toBe(-Infinity);
      expect(encodeBin(c, Infinity)).toEqual(hex('7f ff ff ff'));
      expect(encodeBin(c, -Infinity)).toEqual(hex('80 00 00 00'));
      expect(c.encodeText(-Infinity)).toBe('-infinity');
    }
    expect(asDays.decodeText('5874897-12-31')).toBe(END_DAY - 1);
    expect(decodeBin(asDays, i32(END_DAY - 1 - PG_EPOCH_DAYS))).toBe(END_DAY - 1);
    expect(asDays.encodeText(END_DAY - 1)).toBe('5874897-12-31');
    expectCode(() => asDate.decodeText('5874897-12-31'), RANGE);
    expectCode(() => asDate.decodeText('275760-09-14'), RANGE);
    expectCode(() => decodeBin(asDate, i32(END_DAY - 1 - PG_EPOCH_DAYS)), RANGE);
  });

  it('every day round-trips in both formats; the text matches JS ISO dates', () => {
    fc.assert(
      fc.property(fc.integer({ min: MIN_DAY, max: END_DAY - 1 }), (days) => {
        expect(decodeBin(asDays, encodeBin(asDays, days))).toBe(days);
        expect(asDays.decodeText(asDays.encodeText(days))).toBe(days);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: MIN_DAY, max: JS_MAX_DAY }), (days) => {
        const d = new Date(days * DAY_MS);
        const text = `${pgDay(d)}${d.getUTCFullYear() <= 0 ? ' BC' : ''}`;
        expect(asDate.encodeText(d)).toBe(text);
        expect(asDate.decodeText(text)).toEqual(d);
        expect(decodeBin(asDate, encodeBin(asDate, d))).toEqual(d);
      }),
    );
  });

  it('a Date with a time of day encodes as its UTC day', () => {
    expect(encodeBin(asDate, new Date('2000-01-02T23:59:59.999Z'))).toEqual(i32(1));
    expect(encodeBin(asDate, new Date('1999-12-31T00:00:00.001Z'))).toEqual(i32(-1));
  });

  it('refuses other DateStyles, impossible days, out-of-range values and bad lengths', () => {
    for (const t of ['12/17/1997', '17.12.1997', '12-17-1997', 'Wed Dec 17 1997', '1997-12-17T00:00:00', '1997-02-30', '1997-13-01', '1997-00-10',
      '0000-01-01', '97-12-17', '1997-1-17', '1997-12-17 AD', '1997-12-17 bc', '1997-12-17 ', '', 'Infinity', '4714-11-23 BC', '5874898-01-01']) {
      expectCode(() => asDate.decodeText(t), INVALID);
      expectCode(() => asDays.decodeText(t), INVALID);
    }
    for (const v of [MIN_DAY - 1 - PG_EPOCH_DAYS, END_DAY - PG_EPOCH_DAYS, 0x7ffffffe, -0x7fffffff]) expectCode(() => decodeBin(asDays, i32(v)), INVALID);
    for (const b of ['', '00 00 00', '00 00 00 00 00']) expectCode(() => decodeBin(asDate, hex(b)), INVALID);
    for (const v of [new Date(NaN), 1.5, '2000-01-01', MIN_DAY - 1, END_DAY, 1n]) expectCode(() => encodeBin(asDate, v as number), ARG);
  });
});

describe('timestamp and timestamptz', () => {
  it.each([
    ['2000-01-01 00:00:00', 0n],
    ['2000-01-01 00:00:01.5', 1_500_000n],
    ['1970-01-01 00:00:00', -PG_EPOCH_US],
    ['1999-12-31 23:59:59.999999', -1n],
    ['2024-06-30 12:34:56.000001', 773_066_096_000_001n],
    ['0001-01-01 00:00:00 BC', -63_113_904_000_000_000n],
    ['4714-11-24 00:00:00 BC', -211_813_488_000_000_000n],
    ['294276-12-31 23:59:59.999999', 9_223_371_331_199_999_999n],
  ])('timestamp %s ⇄ %d µs from 2000', (text, us) => {
    expect(tsMicros.decodeText(text)).toBe(us + PG_EPOCH_US);
    expect(decodeBin(tsMicros, i64(us))).toBe(us + PG_EPOCH_US);
    expect(tsMicros.encodeText(us + PG_EPOCH_US)).toBe(text);
    expect(encodeBin(tsMicros, us + PG_EPOCH_US)).toEqual(i64(us));
    expect(tstzMicros.decodeText(`${text.replace(/ BC$/, '')}+00${text.endsWith(' BC') ? ' BC' : ''}`)).toBe(us + PG_EPOCH_US);
  });

  it('timestamptz text carries the session offset (hours, minutes, LMT seconds)', () => {
    const utc = new Date('2024-01-02T03:04:05.678Z');
    for (const t of ['2024-01-02 03:04:05.678+00', '2024-01-02 08:34:05.678+05:30', '2024-01-01 22:04:05.678-05', '2024-01-02 03:00:00.678-00:04:05']) {
      expect(tstzDate.decodeText(t)).toEqual(utc);
    }
    expect(tstzMicros.decodeText('1800-01-01 00:00:00-04:56:02')).toBe(BigInt(Date.UTC(1800, 0, 1, 4, 56, 2)) * 1000n);
    expect(tstzDate.decodeText('0044-03-15 12:00:00+01 BC')).toEqual(new Date('-000043-03-15T11:00:00Z'));
    expect(tstzDate.encodeText(utc)).toBe('2024-01-02 03:04:05.678+00');
    expect(tstzDate.encodeText(new Date('-000043-03-15T11:00:00Z'))).toBe('0044-03-15 11:00:00+00 BC');
  });

  it('Date mode: milliseconds (microseconds floored), refuses what a Date cannot hold', () => {
    expect(decodeBin(tsDate, i64(1_500_999n))).toEqual(new Date('2000-01-01T00:00:01.500Z'));
    expect(decodeBin(tsDate, i64(-1n))).toEqual(new Date('1999-12-31T23:59:59.999Z'));
    expect(tsDate.decodeText('1999-12-31 23:59:59.999999')).toEqual(new Date('1999-12-31T23:59:59.999Z'));
    expect(decodeBin(tstzDate, i64(-211_813_488_000_000_000n))).toEqual(new Date('-004713-11-24T00:00:00Z'));
    expect(tsDate.decodeText('275760-09-13 00:00:00')).toEqual(new Date(8.64e15));
    expectCode(() => tsDate.decodeText('275760-09-13 00:00:00.001'), RANGE);
    expectCode(() => tsDate.decodeText('294276-12-31 23:59:59.999999'), RANGE);
    expectCode(() => decodeBin(tsDate, i64(9_223_371_331_199_999_999n)), RANGE);
    expect(encodeBin(tsDate, new Date('2000-01-01T00:00:01.5Z'))).toEqual(i64(1_500_000n));
  });

  it('infinities are ±Infinity in both modes', () => {
    for (const c of [tsDate, tsMicros, tstzDate, tstzMicros]) {
      expect(c.decodeText('infinity')).toBe(Infinity);
      expect(c.decodeText('-infinity')).toBe(-Infinity);
      expect(decodeBin(c, hex('7f ff ff ff ff ff ff ff'))).toBe(Infinity);
      expect(decodeBin(c, hex('80 00 00 00 00 00 00 00'))).toBe(-Infinity);
      expect(encodeBin(c, Infinity)).toEqual(hex('7f ff ff ff ff ff ff ff'));
      expect(encodeBin(c, -Infinity)).toEqual(hex('80 00 00 00 00 00 00 00'));
      expect(c.encodeText(Infinity)).toBe('infinity');
    }
  });

  it('every microsecond of the range round-trips (micros mode); text matches JS ISO for Date values', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: MIN_US, max: END_US - 1n }), (us) => {
        for (const c of [tsMicros, tstzMicros]) {
          expect(decodeBin(c, encodeBin(c, us))).toBe(us);
          expect(c.decodeText(c.encodeText(us))).toBe(us);
        }
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: Number(MIN_US / 1000n), max: 8.64e15 }), (ms) => {
        const d = new Date(ms);
        const micros = (((ms % 1000) + 1000) % 1000) * 1000;
        expect(tsDate.encodeText(d)).toBe(pgTimestamp(d, micros, ''));
        expect(tstzDate.encodeText(d)).toBe(pgTimestamp(d, micros, '+00'));
        expect(tstzDate.decodeText(pgTimestamp(d, micros, '+00'))).toEqual(d);
        expect(decodeBin(tstzDate, encodeBin(tstzDate, d))).toEqual(d);
      }),
    );
  });

  it('refuses other DateStyles, missing or extra zones, bad fields and out-of-range values', () => {
    const bad = ['12/17/1997 07:37:16.00', '17.12.1997 07:37:16.00', 'Wed Dec 17 07:37:16 1997', '1997-12-17T07:37:16', '1997-12-17 7:37:16',
      '1997-12-17 24:00:00', '1997-12-17 07:60:00', '1997-12-17 07:37:60', '1997-12-17 07:37:16.1234567', '1997-12-17 07:37:16.', '1997-12-17',
      '1997-12-17 07:37:16 BC+00', '4714-11-23 23:59:59 BC', '294277-01-01 00:00:00', '', 'infinity '];
    for (const t of bad) {
      expectCode(() => tsMicros.decodeText(t), INVALID);
      expectCode(() => tstzMicros.decodeText(`${t}+00`), INVALID);
    }
    expectCode(() => tsMicros.decodeText('1997-12-17 07:37:16+00'), INVALID);
    expectCode(() => tstzMicros.decodeText('1997-12-17 07:37:16'), INVALID);
    expectCode(() => tstzMicros.decodeText('1997-12-17 07:37:16 PST'), INVALID);
    expectCode(() => tstzMicros.decodeText('1997-12-17 07:37:16+0a'), INVALID);
    for (const v of [MIN_US - PG_EPOCH_US - 1n, END_US - PG_EPOCH_US, (1n << 63n) - 2n]) {
      expectCode(() => decodeBin(tsMicros, i64(v)), INVALID);
      expectCode(() => decodeBin(tsDate, i64(v)), INVALID);
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }).filter((b) => b.length !== 8), (b) => {
        expectCode(() => decodeBin(tstzDate, b), INVALID);
        expectCode(() => decodeBin(tstzMicros, b), INVALID);
      }),
    );
    for (const v of [new Date(NaN), 0, 1.5, '2000-01-01', MIN_US - 1n, END_US, new Date(-8.64e15)]) expectCode(() => encodeBin(tstzMicros, v as bigint), ARG);
  });
});

describe('time and timetz', () => {
  it.each([
    ['00:00:00', 0],
    ['04:05:06.789', 14_706_789_000],
    ['23:59:59.999999', 86_399_999_999],
    ['24:00:00', 86_400_000_000],
    ['12:00:00.000001', 43_200_000_001],
  ])('time %s ⇄ %d µs', (text, us) => {
    expect(timeCodec.decodeText(text)).toEqual(new Time(us));
    expect(decodeBin(timeCodec, i64(BigInt(us)))).toEqual(new Time(us));
    expect(timeCodec.encodeText(new Time(us))).toBe(text);
    expect(new Time(us).toString()).toBe(text);
    expect(encodeBin(timeCodec, new Time(us))).toEqual(i64(BigInt(us)));
  });

  it.each([
    ['04:05:06+05:30', 14_706_000_000, 19800],
    ['04:05:06.5-08', 14_706_500_000, -28800],
    ['00:00:00+00', 0, 0],
    ['24:00:00-15:59:59', 86_400_000_000, -57599],
    ['13:00:00+03:05:07', 46_800_000_000, 11107],
  ])('timetz %s', (text, us, offset) => {
    const v = new TimeTz(us, offset);
    const bytes = new Bytes().i64(BigInt(us)).i32(-offset).body();
    expect(timetzCodec.decodeText(text)).toEqual(v);
    expect(decodeBin(timetzCodec, bytes)).toEqual(v);
    expect(timetzCodec.encodeText(v)).toBe(text);
    expect(encodeBin(timetzCodec, v)).toEqual(bytes);
  });

  it('round-trips every time of day and offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 86_400_000_000 }), fc.integer({ min: -57599, max: 57599 }), (us, off) => {
        expect(decodeBin(timeCodec, encodeBin(timeCodec, new Time(us)))).toEqual(new Time(us));
        expect(timeCodec.decodeText(timeCodec.encodeText(new Time(us)))).toEqual(new Time(us));
        const tz = new TimeTz(us, off);
        expect(decodeBin(timetzCodec, encodeBin(timetzCodec, tz))).toEqual(tz);
        expect(timetzCodec.decodeText(tz.toString())).toEqual(tz);
      }),
    );
  });

  it('refuses malformed text, out-of-range values and bad lengths', () => {
    for (const t of ['24:00:00.000001', '25:00:00', '4:05:06', '04:05', '04:05:06 ', '04:05:06+01', '04:60:00', '', 'allballs']) expectCode(() => timeCodec.decodeText(t), INVALID);
    for (const t of ['04:05:06', '04:05:06+16', '04:05:06-16:00', '04:05:06 PST', '04:05:06+5']) expectCode(() => timetzCodec.decodeText(t), INVALID);
    for (const us of [-1n, 86_400_000_001n, 1n << 40n, -(1n << 62n)]) expectCode(() => decodeBin(timeCodec, i64(us)), INVALID);
    expectCode(() => decodeBin(timetzCodec, new Bytes().i64(0n).i32(57600).body()), INVALID);
    expectCode(() => decodeBin(timetzCodec, new Bytes().i64(0n).i32(-57600).body()), INVALID);
    for (const b of ['', '00 00 00 00 00 00 00', '00 00 00 00 00 00 00 00 00']) expectCode(() => decodeBin(timeCodec, hex(b)), INVALID);
    expectCode(() => decodeBin(timetzCodec, i64(0n)), INVALID);
    for (const v of [-1, 86_400_000_001, 1.5, '04:05:06']) expectCode(() => encodeBin(timeCodec, v as unknown as Time), ARG);
    expectCode(() => new TimeTz(0, 57600), ARG);
    expect(encodeBin(timeCodec, 5 as unknown as Time)).toEqual(i64(5n));
  });
});

describe('interval', () => {
  const H = 3_600_000_000n;
  it.each([
    ['1 year 2 mons 3 days 04:05:06.789', 14, 3, 14_706_789_000n, 'P1Y2M3DT4H5M6.789S'],
    ['-1 years -2 mons +3 days -04:05:06', -14, 3, -14_706_000_000n, 'P-1Y-2M3DT-4H-5M-6S'],
    ['00:00:00', 0, 0, 0n, 'PT0S'],
    ['1 day', 0, 1, 0n, 'P1D'],
    ['-1 days', 0, -1, 0n, 'P-1D'],
    ['1 mon', 1, 0, 0n, 'P1M'],
    ['2 years', 24, 0, 0n, 'P2Y'],
    ['1 day -00:00:01', 0, 1, -1_000_000n, 'P1DT-1S'],
    ['-1 days +00:00:01', 0, -1, 1_000_000n, 'P-1DT1S'],
    ['3 mons -1 days', 3, -1, 0n, 'P3M-1D'],
    ['-3 mons +1 day', -3, 1, 0n, 'P-3M1D'],
    ['-00:00:00.000001', 0, 0, -1n, 'PT-0.000001S'],
    ['100:00:00', 0, 0, 100n * H, 'PT100H'],
    ['178956970 years 7 mons 2147483647 days 2562047788:00:54.775806', 2147483647, 2147483647, 9223372036854775806n, ''],
    ['-178956970 years -8 mons -2147483648 days -2562047788:00:54.775807', -2147483648, -2147483648, -9223372036854775807n, ''],
  ])('%s', (text, months, days, micros, iso) => {
    const v = new Interval(months, days, micros);
    const bytes = new Bytes().i64(micros).i32(days).i32(months).body();
    expect(v.isFinite()).toBe(true);
    expect(intervalCodec.decodeText(text)).toEqual(v);
    expect(decodeBin(intervalCodec, bytes)).toEqual(v);
    expect(intervalCodec.encodeText(v)).toBe(text);
    expect(v.toString()).toBe(text);
    expect(encodeBin(intervalCodec, v)).toEqual(bytes);
    expect(v.toISOString()).toBe(iso === '' ? v.toISOString() : iso);
  });

  it('infinity and -infinity (PostgreSQL 17+): every field at its maximum or minimum', () => {
    const inf = new Bytes().i64((1n << 63n) - 1n).i32(2147483647).i32(2147483647).body();
    const minf = new Bytes().i64(-(1n << 63n)).i32(-2147483648).i32(-2147483648).body();
    expect(decodeBin(intervalCodec, inf)).toEqual(Interval.INFINITY);
    expect(decodeBin(intervalCodec, minf)).toEqual(Interval.MINUS_INFINITY);
    expect(intervalCodec.decodeText('infinity')).toEqual(Interval.INFINITY);
    expect(intervalCodec.decodeText('-infinity')).toEqual(Interval.MINUS_INFINITY);
    expect(encodeBin(intervalCodec, Interval.INFINITY)).toEqual(inf);
    expect(intervalCodec.encodeText(Interval.MINUS_INFINITY)).toBe('-infinity');
    expect(Interval.INFINITY.isFinite()).toBe(false);
    expect(Interval.MINUS_INFINITY.toISOString()).toBe('-infinity');
    expect(new Interval(2147483647, 2147483647, 0n).isFinite()).toBe(true);
  });

  it('round-trips every interval in both formats', () => {
    const arb = fc.record({
      months: fc.integer({ min: -2147483648, max: 2147483647 }),
      days: fc.integer({ min: -2147483648, max: 2147483647 }),
      micros: fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }),
    });
    fc.assert(
      fc.property(arb, ({ months, days, micros }) => {
        const v = new Interval(months, days, micros);
        expect(decodeBin(intervalCodec, encodeBin(intervalCodec, v))).toEqual(v);
        expect(intervalCodec.decodeText(intervalCodec.encodeText(v))).toEqual(v);
      }),
    );
  });

  it('refuses other IntervalStyles, malformed text, bad lengths and bad fields', () => {
    for (const t of ['P1Y2M3DT4H5M6S', 'PT0S', '1-2', '+1-2 +3 +4:05:06', '3 4:05:06', '@ 1 year 2 mons', '@ 1 day ago', '1 year 2 mons 3 days 4:05:06',
      '1 years2 mons', '1 day  00:00:01', ' 1 day', '1 day ', '1 week', '1 hour', '00:60:00', '00:00:00.1234567', '', 'Infinity',
      '2147483648 days', '178956971 years']) {
      expectCode(() => intervalCodec.decodeText(t), INVALID);
    }
    for (const b of ['', '00'.repeat(15), '00'.repeat(17)]) expectCode(() => decodeBin(intervalCodec, hex(b)), INVALID);
    expectCode(() => new Interval(2 ** 31, 0, 0n), ARG);
    expectCode(() => new Interval(0, 1.5, 0n), ARG);
    expectCode(() => new Interval(0, 0, 1n << 63n), ARG);
    expectCode(() => new Interval(0, 0, 2 ** 53), ARG);
    expectCode(() => encodeBin(intervalCodec, '1 day' as unknown as Interval), ARG);
    expect(encodeBin(intervalCodec, { months: 1, days: 2, microseconds: 3 } as unknown as Interval)).toEqual(new Bytes().i64(3n).i32(2).i32(1).body());
  });
});
