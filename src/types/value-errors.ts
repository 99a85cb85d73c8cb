/**
 * The errors of the value codecs. Decoding a value the codec cannot read (a malformed or
 * truncated binary value, text in a form the server does not produce under DateStyle ISO and
 * IntervalStyle postgres) is `PGS_INVALID_VALUE`; a well-formed value the chosen JS shape cannot
 * hold exactly (an int8 beyond 2^53 with `int8: 'number'`, a timestamp past the JS `Date` range)
 * is `PGS_VALUE_OUT_OF_RANGE`; a JS value that cannot be encoded as the type is
 * `PGS_INVALID_ARGUMENT`. All three are `ClientError`s, not fatal: the message framing is intact
 * and the connection stays usable.
 */
import { ClientError, ErrorCode } from '../errors.js';

/** Longest excerpt of an offending value quoted in a message. */
const EXCERPT = 64;

/** A short, printable excerpt of a value for an error message (never the whole of a huge value). */
export function excerpt(text: string): string {
  const s = text.length > EXCERPT ? `${text.slice(0, EXCERPT)}…` : text;
  return JSON.stringify(s);
}

/** `PGS_INVALID_VALUE`: the server's text or bytes are not a valid value of `type`. */
export function invalidValue(type: string, detail: string): ClientError {
  return new ClientError(ErrorCode.INVALID_VALUE, `invalid ${type} value: ${detail}`);
}

/** `PGS_INVALID_VALUE` for a text value: quotes an excerpt of it. */
export function invalidText(type: string, text: string): ClientError {
  return invalidValue(type, `cannot read ${excerpt(text)}`);
}

/** `PGS_INVALID_VALUE` for a binary value whose length is not the type's. */
export function badLength(type: string, length: number, expected: number | string): ClientError {
  return invalidValue(type, `binary value of ${length} bytes, expected ${expected}`);
}

/** `PGS_VALUE_OUT_OF_RANGE`: a valid value the chosen JS shape cannot hold exactly. */
export function valueOutOfRange(type: string, detail: string): ClientError {
  return new ClientError(ErrorCode.VALUE_OUT_OF_RANGE, `${type} value out of range: ${detail}`);
}

/** `PGS_INVALID_ARGUMENT`: a JS value that cannot be encoded as `type`. */
export function cannotEncode(type: string, detail: string): ClientError {
  return new ClientError(ErrorCode.INVALID_ARGUMENT, `cannot encode ${type}: ${detail}`);
}

/** A short description of a JS value for an encoding error. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return excerpt(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number' || typeof v === 'boolean' || v === undefined) return String(v);
  if (v instanceof Date) return `Date(${Number.isNaN(v.getTime()) ? 'invalid' : v.getTime()})`;
  return (v as object).constructor?.name ?? typeof v;
}
