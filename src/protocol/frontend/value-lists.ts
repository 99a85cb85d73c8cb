/**
 * Format-code and value lists exactly as they are on the wire, for Bind and FunctionCall shapes:
 * reading them in decoders, and writing them back unchanged (no collapse) so that decoding and
 * re-encoding is the identity. The collapsing writer used by the builders is in parameters.ts.
 */
import { FormatCode, Limits } from '../codes.js';
import type { BodyReader } from '../body-reader.js';
import type { MessageWriter } from '../writer.js';
import { NULL_LENGTH, checkFormat, invalidArgument, messageTooLarge } from './checks.js';

const LENGTH_WORD = 4;
const FORMAT_SIZE = 2;

/**
 * Writes a count and raw values as given (`null`: NULL), refusing a value that cannot fit in the
 * 1 GiB limit before it is copied. `start` is the message's length-word offset.
 */
export function writeRawValues(w: MessageWriter, values: readonly (Uint8Array | null)[], start: number): void {
  w.u16(values.length);
  for (const v of values) {
    if (v === null) {
      w.i32(NULL_LENGTH);
    } else {
      if (!(v instanceof Uint8Array)) throw invalidArgument('a raw value must be a Uint8Array or null');
      if (v.length > Limits.MAX_MESSAGE_LENGTH - (w.length - start) - LENGTH_WORD) throw messageTooLarge('a parameter');
      w.i32(v.length);
      w.bytes(v);
    }
  }
}

/** Writes a count and the codes as given (each checked to be 0 or 1). */
export function writeFormatList(w: MessageWriter, formats: readonly FormatCode[]): void {
  w.u16(formats.length);
  for (const f of formats) w.i16(checkFormat(f, 'a format code'));
}

/** Reads a count and that many format codes (each must be 0 or 1). */
export function readFormatList(r: BodyReader): FormatCode[] {
  const n = r.count(r.u16(), FORMAT_SIZE);
  const out = new Array<FormatCode>(n);
  for (let i = 0; i < n; i++) {
    const f = r.i16();
    if (f !== FormatCode.Text && f !== FormatCode.Binary) throw r.malformed(`has an unknown format code ${f}`);
    out[i] = f;
  }
  return out;
}

/** Reads a count and that many length-prefixed values (-1: NULL); the values are views of the body. */
export function readValueList(r: BodyReader): (Uint8Array | null)[] {
  const n = r.count(r.u16(), LENGTH_WORD);
  const out = new Array<Uint8Array | null>(n);
  for (let i = 0; i < n; i++) {
    const len = r.i32();
    if (len === NULL_LENGTH) {
      out[i] = null;
    } else {
      if (len < 0) throw r.malformed(`has a negative value length ${len}`);
      out[i] = r.bytes(len);
    }
  }
  return out;
}
