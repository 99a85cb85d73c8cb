/**
 * The parameter section of Bind and FunctionCall, the hot path of the encoder: format codes
 * (collapsed 0/1/N by the WebAssembly core, as the seed does), the value count, then each value
 * as an Int32 length (-1 for NULL) and its bytes; plus Bind's result-format collapse and a fast
 * C-string writer for statement and portal names.
 *
 * How it stays allocation-free and fast: pass one classifies every value once (its format into
 * the WASM scratch, its kind into a JS scratch) and sums a lower bound of the section's size;
 * that bound refuses a message that can never fit in 1 GiB before anything is copied, and is
 * reserved at once. Pass two then writes plain values straight into `w.buf` (lengths and short
 * ASCII text through DataView stores, longer text through a native encoder). Only Bindables and
 * non-ASCII text go through the writer's methods (placeholder-and-patch when the length is not
 * known up front), after which the rest of the reservation is renewed. The values array must not
 * be changed while it is written (by a Bindable's `encode`, say).
 * (Statement and portal names are written by `writeName` in frame.ts.)
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-BIND
 */
import { ErrorCode, ProtocolError } from '../../errors.js';
import { getCore } from '../../wasm/core.js';
import { FormatCode, Limits } from '../codes.js';
import type { MessageWriter } from '../writer.js';
import { checkInt8, type Bindable, type BindValue } from './bindable.js';
import { NULL_LENGTH, checkCount, checkFormat, invalidArgument, messageTooLarge } from './checks.js';
import { putU16, reserve } from './frame.js';
import { SHORT_STRING } from '../writer.js';

const LENGTH_WORD = 4;
const FORMAT_SIZE = 2;
const ASCII_MAX = 0x7f;
const BYTE = 8;
const BYTE2 = 16;
const BYTE3 = 24;
const BOOL_BYTES = 1;
const INT8_BYTES = 8;
/** Format slot of a JS null/undefined: NULL has no bytes, so any format is valid for it. */
const NULL_FORMAT = -1;

/** How pass two writes a value, decided once in pass one. */
const Kind = { NULL: 0, TEXT: 1, BYTES: 2, BOOL: 3, INT8: 4, BINDABLE: 5 } as const;

/** Kinds of the values being written (one module-wide scratch; see `depth`). */
const scratchKinds = new Uint8Array(Limits.MAX_PARAMETERS);
/** Nesting depth of `writeValues`: a Bindable's `encode` could write another Bind elsewhere. */
let depth = 0;

/**
 * Classifies `values` into `kinds` and `formats`, returning a lower bound of the bytes the value
 * section needs (exact except for non-ASCII text and Bindables). A JS NULL takes the format of the
 * first non-NULL value, so `[bytes, null]` still collapses to one code. A number is refused as
 * ambiguous (int2? int4? float8?), as is anything that is not a BindValue.
 */
function classify(values: readonly BindValue[], kinds: Uint8Array, formats: Uint8Array): number {
  const n = values.length;
  let size = FORMAT_SIZE + FORMAT_SIZE * n + FORMAT_SIZE + LENGTH_WORD * n;
  let first = NULL_FORMAT;
  let nulls = false;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    let f: number;
    if (typeof v === 'string') {
      kinds[i] = Kind.TEXT;
      f = FormatCode.Text;
      size += v.length;
    } else if (v === null || v === undefined) {
      kinds[i] = Kind.NULL;
      nulls = true;
      formats[i] = FormatCode.Text;
      continue;
    } else if (typeof v === 'object') {
      if (v instanceof Uint8Array) {
        kinds[i] = Kind.BYTES;
        f = FormatCode.Binary;
        size += v.length;
      } else if (typeof (v as Bindable).encode === 'function') {
        kinds[i] = Kind.BINDABLE;
        f = checkFormat((v as Bindable).format, 'a Bindable format');
      } else {
        throw notBindable(v);
      }
    } else if (typeof v === 'boolean') {
      kinds[i] = Kind.BOOL;
      f = FormatCode.Binary;
      size += BOOL_BYTES;
    } else if (typeof v === 'bigint') {
      kinds[i] = Kind.INT8;
      f = FormatCode.Binary;
      size += INT8_BYTES;
    } else {
      throw notBindable(v);
    }
    formats[i] = f;
    if (first === NULL_FORMAT) first = f;
  }
  if (nulls && first > FormatCode.Text) {
    for (let i = 0; i < n; i++) if (kinds[i] === Kind.NULL) formats[i] = first;
  }
  return size;
}

function notBindable(v: unknown): Error {
  if (typeof v === 'number') {
    return invalidArgument(`a JS number is ambiguous as a parameter (${v}): wrap it in int2/int4/int8/float4/float8/oidValue, or pass a string or bigint`);
  }
  return invalidArgument(`cannot bind a value of type ${typeof v}: pass null, a string, Uint8Array, boolean, bigint or a Bindable`);
}

/**
 * Writes the format codes, the count and the values of `values` (at most 65535, checked by the
 * caller). `start` is the message's length-word offset, for the 1 GiB limit. Not atomic by
 * itself: the calling encoder rolls the message back on error.
 */
export function writeValues(w: MessageWriter, values: readonly BindValue[], start: number): void {
  const n = values.length;
  const kinds = depth === 0 ? scratchKinds : new Uint8Array(n);
  depth++;
  try {
    const core = getCore();
    const formats = core.formats;
    let need = classify(values, kinds, formats);
    if (need > Limits.MAX_MESSAGE_LENGTH - (w.length - start)) throw messageTooLarge('the parameters');
    // No parameters means no codes; there is nothing for the core to look at.
    const k = n === 0 ? 0 : core.collapseFormats(n);
    if (k !== 0 && k !== 1 && k !== n) {
      throw new ProtocolError(ErrorCode.WASM_FAULT, `format collapse returned ${k} for ${n} codes`);
    }
    reserve(w, need);
    let buf = w.buf;
    let view = w.view;
    let p = w.length;
    view.setUint16(p, k);
    p += FORMAT_SIZE;
    for (let i = 0; i < k; i++) {
      view.setUint16(p, formats[i]!);
      p += FORMAT_SIZE;
    }
    view.setUint16(p, n);
    p += FORMAT_SIZE;
    // From here `need` is the reserved room still owed to the values not yet written.
    need -= FORMAT_SIZE + FORMAT_SIZE * n + FORMAT_SIZE;
    for (let i = 0; i < n; i++) {
      const kind = kinds[i];
      if (kind === Kind.TEXT) {
        const s = values[i] as string;
        const len = s.length;
        need -= LENGTH_WORD + len;
        const at = p;
        p += LENGTH_WORD;
        let bytes = -1;
        if (len < SHORT_STRING) {
          // ASCII four characters per store (a DataView store is one instruction; a byte store
          // and its bounds check are several), then the tail one by one.
          let j = 0;
          for (const end = len - 3; j < end; j += 4) {
            const c0 = s.charCodeAt(j);
            const c1 = s.charCodeAt(j + 1);
            const c2 = s.charCodeAt(j + 2);
            const c3 = s.charCodeAt(j + 3);
            if ((c0 | c1 | c2 | c3) > ASCII_MAX) break;
            view.setUint32(p, (c0 << BYTE3) | (c1 << BYTE2) | (c2 << BYTE) | c3);
            p += LENGTH_WORD;
          }
          for (; j < len; j++) {
            const c = s.charCodeAt(j);
            if (c > ASCII_MAX) break;
            buf[p++] = c;
          }
          if (j === len) bytes = len;
        }
        if (bytes < 0) {
          w.length = at + LENGTH_WORD;
          bytes = w.utf8(s);
          if (bytes > Limits.MAX_MESSAGE_LENGTH - (at - start) - LENGTH_WORD) throw messageTooLarge('a parameter');
          reserve(w, need);
          buf = w.buf;
          view = w.view;
          p = w.length;
        }
        view.setInt32(at, bytes);
      } else if (kind === Kind.NULL) {
        need -= LENGTH_WORD;
        view.setInt32(p, NULL_LENGTH);
        p += LENGTH_WORD;
      } else if (kind === Kind.BYTES) {
        const b = values[i] as Uint8Array;
        const len = b.length;
        need -= LENGTH_WORD + len;
        view.setInt32(p, len);
        buf.set(b, p + LENGTH_WORD);
        p += LENGTH_WORD + len;
      } else if (kind === Kind.BOOL) {
        need -= LENGTH_WORD + BOOL_BYTES;
        view.setInt32(p, BOOL_BYTES);
        buf[p + LENGTH_WORD] = values[i] ? 1 : 0;
        p += LENGTH_WORD + BOOL_BYTES;
      } else if (kind === Kind.INT8) {
        need -= LENGTH_WORD + INT8_BYTES;
        view.setInt32(p, INT8_BYTES);
        view.setBigInt64(p + LENGTH_WORD, checkInt8(values[i] as bigint));
        p += LENGTH_WORD + INT8_BYTES;
      } else {
        need -= LENGTH_WORD;
        w.length = p;
        writeBindable(w, values[i] as Bindable, Limits.MAX_MESSAGE_LENGTH - (p - start) - LENGTH_WORD);
        reserve(w, need);
        buf = w.buf;
        view = w.view;
        p = w.length;
      }
    }
    w.length = p;
  } finally {
    depth--;
  }
}

/** Writes a custom (or wrapper) Bindable, with its declared length or a patched placeholder. */
function writeBindable(w: MessageWriter, b: Bindable, limit: number): void {
  if (b.encodedLength !== undefined) {
    const len = b.encodedLength();
    if (len === NULL_LENGTH) {
      w.i32(NULL_LENGTH);
      return;
    }
    if (!Number.isInteger(len) || len < 0) throw invalidArgument(`Bindable.encodedLength() returned ${len}`);
    if (len > limit) throw messageTooLarge('a parameter');
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
    if (len > limit) throw messageTooLarge('a parameter');
    w.view.setInt32(at, len);
  }
}

/**
 * Writes a result-format list: one code for all columns, or a list collapsed 0/1/N exactly like
 * parameter formats. `undefined` means all text (no codes).
 */
export function writeResultFormats(w: MessageWriter, spec: FormatCode | readonly FormatCode[] | undefined): void {
  if (spec === undefined) {
    putU16(w, 0);
    return;
  }
  if (typeof spec === 'number') {
    if (checkFormat(spec, 'the result format') === FormatCode.Text) {
      putU16(w, 0);
    } else {
      putU16(w, 1);
      putU16(w, spec);
    }
    return;
  }
  const n = spec.length;
  checkCount(n, 'result formats');
  const core = getCore();
  const formats = core.formats;
  for (let i = 0; i < n; i++) formats[i] = checkFormat(spec[i]!, 'a result format');
  const k = core.collapseFormats(n);
  if (k !== 0 && k !== 1 && k !== n) {
    throw new ProtocolError(ErrorCode.WASM_FAULT, `format collapse returned ${k} for ${n} codes`);
  }
  putU16(w, k);
  for (let i = 0; i < k; i++) putU16(w, formats[i]!);
}
