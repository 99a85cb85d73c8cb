/**
 * Variable-width columns into Arrow's Utf8/Binary layout: per row an int32 end offset in OUT_VALUES
 * (offset `base` + the bytes written so far: the caller's data length, so its offsets buffer takes
 * the region as it is), the bytes in OUT_DATA. A NULL repeats the previous offset.
 * Kinds: text-like (text, varchar, bpchar, name, json, any text-format value), jsonb (binary: the
 * version byte, jsonb_send's 1, is removed), bytea (binary as is; text: hex or escape decoded) and
 * numeric (binary converted to numeric_out's text; text checked and copied). Utf8 output goes
 * through utf8.ts. When OUT_DATA cannot take a row's bytes the call stops before that row
 * (STATUS_OUTPUT_FULL) and the caller continues from there.
 */
import { OUT_DATA, OUT_DATA_SIZE, OUT_VALUES } from '../layout';
import { STATUS_BAD_ARGUMENT, STATUS_BAD_LENGTH, STATUS_BAD_TEXT, STATUS_BAD_VALUE } from '../status';
import { NULL_LENGTH } from '../message-codes';
import { highBits } from '../ascii';
import { KIND_BYTEA, KIND_JSONB, KIND_NUMERIC } from './kinds';
import { fieldAt, fieldBase, fieldStride } from './gather';
import { failAt, finish, outputFull } from './output';
import { repairUtf8, utf8Valid } from './utf8';
import { decodeByteaText } from './bytea-text';
import { NUMERIC_HEADER_SIZE, isNumericText, numericTextBound, writeNumericText } from './numeric';

/** jsonb_send's format version byte. */
const JSONB_VERSION: u32 = 1;
/** Largest `base`: offsets must stay int32 after a full OUT_DATA. */
const MAX_BASE: i32 = i32.MAX_VALUE - OUT_DATA_SIZE;

/** Fields up to this many bytes are copied 16 bytes at a time (a memory.copy costs a call). */
const SMALL_COPY: i32 = 64;

/**
 * Copies `n` bytes from `p` to `out`. Small copies move whole 16-byte lanes: they read up to 15
 * bytes past the field (the input and carry regions have slack after them) and write up to 15 past
 * the value, which the next value overwrites (OUT_DATA has slack after it).
 */
@inline function copyBytes(out: usize, p: usize, n: i32): void {
  if (n <= SMALL_COPY) {
    for (let k = 0; k < n; k += 16) v128.store(out + k, v128.load(p + k));
  } else {
    memory.copy(out, p, n);
  }
}

/**
 * Writes the `n` bytes at `p` as valid UTF-8 at `out` if they fit in `room`; returns the bytes
 * written, or -1 when they do not fit.
 */
function putUtf8(p: usize, n: i32, out: usize, room: i32): i32 {
  if (n == 0) return 0;
  if (n <= 16) {
    // One lane: check and copy at once.
    const lane = v128.load(p);
    if ((i8x16.bitmask(lane) & ((1 << n) - 1)) == 0) {
      if (n > room) return -1;
      v128.store(out, lane);
      return n;
    }
  } else if (highBits(p, n) == 0) {
    if (n > room) return -1;
    copyBytes(out, p, n);
    return n;
  }
  const size = repairUtf8(p, n, out, false);
  if (size > room) return -1;
  if (utf8Valid) copyBytes(out, p, n);
  else repairUtf8(p, n, out, true);
  return size;
}

/** Offsets and data of the `rows` gathered fields as `kind`; see the module comment. */
export function decodeVarlena(rows: i32, binary: bool, kind: i32, base: i32): i32 {
  if (<u32>base > <u32>MAX_BASE) return failAt(STATUS_BAD_ARGUMENT, 0);
  let data = 0;
  let nulls = 0;
  let offsets: usize = OUT_VALUES;
  let f = fieldBase;
  const stride = fieldStride;
  for (let r = 0; r < rows; r++, offsets += 4, f += stride) {
    let length = load<i32>(f, 4);
    if (length == NULL_LENGTH) {
      nulls++;
      store<i32>(offsets, base + data);
      continue;
    }
    let p = fieldAt(f, length);
    if (p == 0) return failAt(STATUS_BAD_ARGUMENT, r);
    const out = <usize>OUT_DATA + <usize>data;
    const room = OUT_DATA_SIZE - data;
    let written = 0;
    if (kind == KIND_BYTEA) {
      if (length > room) return outputFull(r, nulls, data);
      if (binary) {
        copyBytes(out, p, length);
        written = length;
      } else {
        written = decodeByteaText(p, length, out);
        if (written < 0) return failAt(STATUS_BAD_TEXT, r);
      }
    } else if (kind == KIND_NUMERIC && binary) {
      const bound = numericTextBound(p, length);
      if (bound < 0) return failAt(length < NUMERIC_HEADER_SIZE ? STATUS_BAD_LENGTH : STATUS_BAD_VALUE, r);
      if (bound > room) return outputFull(r, nulls, data);
      written = writeNumericText(p, out);
    } else {
      if (kind == KIND_NUMERIC && !isNumericText(p, length)) return failAt(STATUS_BAD_TEXT, r);
      if (kind == KIND_JSONB && binary) {
        if (length < 1) return failAt(STATUS_BAD_LENGTH, r);
        if (<u32>load<u8>(p) != JSONB_VERSION) return failAt(STATUS_BAD_VALUE, r);
        p++;
        length--;
      }
      written = putUtf8(p, length, out, room);
      if (written < 0) return outputFull(r, nulls, data);
    }
    data += written;
    store<i32>(offsets, base + data);
  }
  return finish(rows, nulls, data);
}
