/**
 * The parameter section shared by Bind and FunctionCall: format codes (collapsed 0/1/N by the
 * WebAssembly core, as the seed does), the value count, then each value as an Int32 length
 * (-1 for NULL) and its bytes. Values are written straight into the MessageWriter: a length is
 * either known up front or written as a placeholder and patched, so nothing is allocated per
 * message. Also the result-format collapse of Bind.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-BIND
 */
import { ErrorCode, ProtocolError } from '../../errors.js';
import { FormatCode, Limits } from '../codes.js';
import type { BodyReader } from '../body-reader.js';
import type { MessageWriter } from '../writer.js';
import { getCore } from '../../wasm/core.js';
import { checkInt8, type Bindable, type BindValue } from './bindable.js';
import { NULL_LENGTH, checkCount, checkFormat, invalidArgument, messageTooLarge } from './checks.js';

const LENGTH_WORD = 4;
const FORMAT_SIZE = 2;
const BOOL_BYTES = 1;
const INT8_BYTES = 8;
/** Format slot of a JS null/undefined: NULL has no bytes, so any format is valid for it. */
const NULL_FORMAT = -1;

/**
 * The format code of one value; -1 for a JS `null`/`undefined`. Throws `PGS_INVALID_ARGUMENT` for
 * a number (ambiguous: int2, int4, float8…?) and for anything that is not a BindValue.
 */
export function formatOf(v: BindValue): number {
  switch (typeof v) {
    case 'string':
      return FormatCode.Text;
    case 'boolean':
    case 'bigint':
      return FormatCode.Binary;
    case 'undefined':
      return NULL_FORMAT;
    case 'object':
      if (v === null) return NULL_FORMAT;
      if (v instanceof Uint8Array) return FormatCode.Binary;
      if (typeof (v as Bindable).encode === 'function') return checkFormat((v as Bindable).format, 'a Bindable format');
      break;
    case 'number':
      throw invalidArgument(`a JS number is ambiguous as a parameter (${v}): wrap it in int2/int4/int8/float4/float8/oidValue, or pass a string or bigint`);
  }
  throw invalidArgument(`cannot bind a value of type ${typeof v}: pass null, a string, Uint8Array, boolean, bigint or a Bindable`);
}

/**
 * Writes the format codes and the values of `values` (at most 65535, checked by the caller).
 * `start` is the message's length-word offset, used to refuse a message passing 1 GiB as soon as
 * a value pushes it over, before the next value is copied. A JS NULL takes the format of the first
 * non-NULL value, so `[bytes, null]` still collapses to one code.
 */
export function writeValues(w: MessageWriter, values: readonly BindValue[], start: number): void {
  const n = values.length;
  const core = getCore();
  const formats = core.formats;
  let first = NULL_FORMAT;
  let nulls = false;
  for (let i = 0; i < n; i++) {
    const f = formatOf(values[i]);
    if (f === NULL_FORMAT) {
      nulls = true;
      formats[i] = FormatCode.Text;
    } else {
      formats[i] = f;
      if (first === NULL_FORMAT) first = f;
    }
  }
  if (nulls && first > FormatCode.Text) {
    for (let i = 0; i < n; i++) if (values[i] == null) formats[i] = first;
  }
  writeCollapsed(w, core.collapseFormats(n), n, formats);
  w.u16(n);
  for (let i = 0; i < n; i++) writeValue(w, values[i], start);
}

/**
 * Writes a result-format list: one code for all columns, or a list collapsed 0/1/N exactly like
 * parameter formats. `undefined` means all text (no codes).
 */
export function writeResultFormats(w: MessageWriter, spec: FormatCode | readonly FormatCode[] | undefined): void {
  if (spec === undefined) {
    w.u16(0);
    return;
  }
  if (typeof spec === 'number') {
    if (checkFormat(spec, 'the result format') === FormatCode.Text) {
      w.u16(0);
    } else {
      w.u16(1);
      w.i16(spec);
    }
    return;
  }
  const n = spec.length;
  checkCount(n, 'result formats');
  const core = getCore();
  const formats = core.formats;
  for (let i = 0; i < n; i++) formats[i] = checkFormat(spec[i]!, 'a result format');
  writeCollapsed(w, core.collapseFormats(n), n, formats);
}

/** Writes the count `k` chosen by the collapse and that many codes. */
function writeCollapsed(w: MessageWriter, k: number, n: number, formats: Uint8Array): void {
  if (k !== 0 && k !== 1 && k !== n) {
    throw new ProtocolError(ErrorCode.WASM_FAULT, `format collapse returned ${k} for ${n} codes`);
  }
  w.u16(k);
  for (let i = 0; i < k; i++) w.i16(formats[i]!);
}

/** Writes one value: its length word (-1 for NULL) and its bytes. */
function writeValue(w: MessageWriter, v: BindValue, start: number): void {
  // Room left for this value's bytes once its length word is written.
  const room = Limits.MAX_MESSAGE_LENGTH - (w.length - start) - LENGTH_WORD;
  if (typeof v === 'string') {
    // UTF-8 is never shorter than the UTF-16 length: refuse early what can never fit.
    if (v.length > room) throw messageTooLarge('a parameter');
    const at = w.length;
    w.i32(0);
    const len = w.utf8(v);
    if (len > room) throw messageTooLarge('a parameter');
    w.view.setInt32(at, len);
  } else if (v === null || v === undefined) {
    w.i32(NULL_LENGTH);
  } else if (typeof v === 'boolean') {
    w.i32(BOOL_BYTES);
    w.u8(v ? 1 : 0);
  } else if (typeof v === 'bigint') {
    w.i32(INT8_BYTES);
    w.i64(checkInt8(v));
  } else if (v instanceof Uint8Array) {
    if (v.length > room) throw messageTooLarge('a parameter');
    w.i32(v.length);
    w.bytes(v);
  } else {
    writeBindable(w, v, room);
  }
}

/** Writes a custom (or wrapper) Bindable, with its declared length or a patched placeholder. */
function writeBindable(w: MessageWriter, b: Bindable, room: number): void {
  if (b.encodedLength !== undefined) {
    const len = b.encodedLength();
    if (len === NULL_LENGTH) {
      w.i32(NULL_LENGTH);
      return;
    }
    if (!Number.isInteger(len) || len < 0) throw invalidArgument(`Bindable.encodedLength() returned ${len}`);
    if (len > room) throw messageTooLarge('a parameter');
    w.i32(len);
    const at = w.length;
    b.encode(w);
    if (w.length - at !== len) {
      throw invalidArgument(`Bindable.encode() wrote ${w.length - at} bytes but encodedLength() promised ${len}`);
    }
  } else {
    const at = w.length;
    w.i32(0);
    b.encode(w);
    const len = w.length - at - LENGTH_WORD;
    if (len > room) throw messageTooLarge('a parameter');
    w.view.setInt32(at, len);
  }
}

/**
 * Writes a count and raw values as given (`null`: NULL), refusing a value that cannot fit in the
 * 1 GiB limit before it is copied.
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
