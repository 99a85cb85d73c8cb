/**
 * What every backend message codec shares: decoding a whole body with a BodyReader whose `end()` is
 * always checked, and writing a whole message atomically with range-checked integers, counts and
 * format codes. Keeping these here is what lets each message file be a plain list of its fields.
 * Layouts: https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
import { ClientError, ErrorCode, ProtocolError } from '../../errors.js';
import { BodyReader } from '../body-reader.js';
import { FormatCode, Limits } from '../codes.js';
import { atomically, type MessageWriter } from '../writer.js';

/** Decodes a whole body: `read` consumes the fields, then leftover bytes are a malformed message. */
export function decodeBody<T>(body: Uint8Array, message: string, read: (r: BodyReader) => T): T {
  const r = new BodyReader(body, message);
  const msg = read(r);
  r.end();
  return msg;
}

/**
 * The error for a body whose length alone is wrong, worded as BodyReader words it; for the fixed-size
 * messages that check their length without building a reader.
 */
export function wrongLength(message: string, body: Uint8Array, expected: number): ProtocolError {
  const what = body.length > expected
    ? `has ${body.length - expected} bytes left over after its last field`
    : `needs ${expected - body.length} more bytes, 0 remain`;
  return new ProtocolError(ErrorCode.MALFORMED_MESSAGE, `${message} ${what}`);
}

/** Writes one message (type byte, length, body) all-or-nothing: a typed error leaves nothing written. */
export function writeMessage(w: MessageWriter, code: number, writeBody: () => void): void {
  atomically(w, () => {
    const start = w.begin(code);
    writeBody();
    w.finish(start);
  });
}

/** The ClientError every encoder throws for a value the wire format cannot carry. */
export function invalid(what: string): ClientError {
  return new ClientError(ErrorCode.INVALID_ARGUMENT, what);
}

function checkInt(v: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw invalid(`${what} must be an integer in [${min}, ${max}], got ${v}`);
  }
}

/** Writes a signed Int32 after checking its range (DataView would silently wrap it). */
export function writeI32(w: MessageWriter, v: number, what: string): void {
  checkInt(v, -0x8000_0000, 0x7fff_ffff, what);
  w.i32(v);
}

/** Writes an unsigned 32-bit value such as an OID. */
export function writeU32(w: MessageWriter, v: number, what: string): void {
  checkInt(v, 0, 0xffff_ffff, what);
  w.u32(v);
}

/** Writes a signed Int16 after checking its range. */
export function writeI16(w: MessageWriter, v: number, what: string): void {
  checkInt(v, -0x8000, 0x7fff, what);
  w.i16(v);
}

/** Writes an Int16 item count; counts above 65535 cannot be represented (CVE-2024-27304 class). */
export function writeCount(w: MessageWriter, n: number, what: string): void {
  if (n > Limits.MAX_PARAMETERS) {
    throw new ClientError(ErrorCode.TOO_MANY_PARAMETERS, `${what}: ${n} items exceed the protocol limit of ${Limits.MAX_PARAMETERS}`);
  }
  w.u16(n);
}

function isFormat(v: number): v is FormatCode {
  return v === FormatCode.Text || v === FormatCode.Binary;
}

function checkFormat(v: number, what: string): FormatCode {
  if (!isFormat(v)) throw invalid(`${what} must be a format code (0 text, 1 binary), got ${v}`);
  return v;
}

/** Writes an Int16 format code (0 text, 1 binary). */
export function writeFormat16(w: MessageWriter, v: number, what: string): void {
  w.i16(checkFormat(v, what));
}

/** Writes an Int8 format code (the overall format of Copy*Response). */
export function writeFormat8(w: MessageWriter, v: number, what: string): void {
  w.u8(checkFormat(v, what));
}

/** Reads an Int16 format code; anything but 0 or 1 is a malformed message. */
export function readFormat16(r: BodyReader): FormatCode {
  const v = r.i16();
  if (!isFormat(v)) throw r.malformed(`has an invalid format code ${v}`);
  return v;
}

/** Reads an Int8 format code; anything but 0 or 1 is a malformed message. */
export function readFormat8(r: BodyReader): FormatCode {
  const v = r.u8();
  if (!isFormat(v)) throw r.malformed(`has an invalid format code ${v}`);
  return v;
}
