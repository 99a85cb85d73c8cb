/**
 * Text for a parameter whose type the client does not know (type OID 0, or one with no codec):
 * the server's input function for the type it infers reads it (Bind, text format).
 * | JS value                    | text                                                   |
 * |-----------------------------|--------------------------------------------------------|
 * | number                      | `String(n)` (`-0`, `NaN`, `Infinity`, `-Infinity`)     |
 * | bigint                      | decimal                                                |
 * | boolean                     | `t` / `f`                                              |
 * | Date                        | `YYYY-MM-DD HH:MM:SS.fff+00` (UTC, ` BC` for years ≤ 0)|
 * | Uint8Array                  | `\x` hex (bytea)                                       |
 * | array                       | array literal `{…}`, elements by these rules, NULLs    |
 * | Time, TimeTz, Interval, Inet| their `toString()` (the server's text)                 |
 * | other objects               | `JSON.stringify`                                       |
 */
import { cannotEncode, describe } from './value-errors.js';
import { encodeByteaHex } from './codecs/bytea.js';
import { shapeOf } from './codecs/array/array-shape.js';
import { formatArrayText } from './codecs/array/array-text.js';
import { stringifyJson } from './codecs/json.js';
import { Interval } from './codecs/temporal/interval.js';
import { Inet } from './codecs/network/network.js';
import { Time, TimeTz } from './codecs/temporal/time.js';
import { formatTimestamp } from './codecs/temporal/timestamp.js';

const MICROS_PER_MILLI = 1000n;
/** The earliest instant a timestamptz holds (4714-11-24 00:00 BC), in Unix milliseconds. */
const MIN_MS = -210_866_803_200_000;

/** The text of a JS value for a parameter of unknown type. */
export function encodeParamText(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 't' : 'f';
    case 'object':
      break;
    default:
      throw cannotEncode('a parameter', `${describe(value)} has no text form`);
  }
  if (value === null) throw cannotEncode('a parameter', 'null inside a value (NULL is only allowed as a whole parameter or an array element)');
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) throw cannotEncode('a parameter', 'invalid Date');
    if (ms < MIN_MS) throw cannotEncode('a parameter', `${describe(value)} is before 4714-11-24 BC`);
    return formatTimestamp(BigInt(ms) * MICROS_PER_MILLI, true);
  }
  if (value instanceof Uint8Array) return encodeByteaHex(value);
  if (Array.isArray(value)) {
    const shape = shapeOf('array parameter', value);
    return formatArrayText(value, shape, encodeParamText);
  }
  if (value instanceof Time || value instanceof TimeTz || value instanceof Interval || value instanceof Inet) return value.toString();
  return stringifyJson('json', value);
}
