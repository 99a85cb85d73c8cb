/**
 * UTF-8 for Arrow Utf8 columns, which must hold valid UTF-8. The policy is the library's
 * (RELIABILITY.md case 7, src/protocol/text.ts): never fail, replace each invalid sequence with
 * U+FFFD exactly as the WHATWG Encoding Standard's UTF-8 decoder does (TextDecoder without `fatal`),
 * so a column reads the same as `text(i)` would. A valid field (all of them, unless the server's
 * encoding is SQL_ASCII) is copied as it is; only a field with an invalid sequence is rewritten.
 */
import { highBits } from '../ascii';

/** Bytes of U+FFFD in UTF-8, and its three bytes. */
const REPLACEMENT_SIZE: i32 = 3;
const REPLACEMENT_0: u8 = 0xef;
const REPLACEMENT_1: u8 = 0xbf;
const REPLACEMENT_2: u8 = 0xbd;
/** Lead-byte ranges and the continuation-byte bounds of the WHATWG decoder. */
const ASCII_MAX: u32 = 0x7f;
const TWO_FIRST: u32 = 0xc2;
const TWO_LAST: u32 = 0xdf;
const THREE_FIRST: u32 = 0xe0;
const THREE_LAST: u32 = 0xef;
const FOUR_FIRST: u32 = 0xf0;
const FOUR_LAST: u32 = 0xf4;
const SURROGATE_LEAD: u32 = 0xed;
const CONT_LOWER: u32 = 0x80;
const CONT_UPPER: u32 = 0xbf;
/** Continuation bounds after E0 (no overlong), ED (no surrogate), F0 (no overlong), F4 (≤ U+10FFFF). */
const AFTER_E0_LOWER: u32 = 0xa0;
const AFTER_ED_UPPER: u32 = 0x9f;
const AFTER_F0_LOWER: u32 = 0x90;
const AFTER_F4_UPPER: u32 = 0x8f;
/** Bytes checked at a time for an ASCII run. */
const LANES: i32 = 16;

/** True when the last `repairUtf8` found no invalid sequence (its output equals its input). */
export let utf8Valid: bool = true;

/** Writes U+FFFD at `out` when `write`; returns its size. */
@inline function replacement(out: usize, write: bool): i32 {
  if (write) {
    store<u8>(out, REPLACEMENT_0);
    store<u8>(out, REPLACEMENT_1, 1);
    store<u8>(out, REPLACEMENT_2, 2);
  }
  return REPLACEMENT_SIZE;
}

/**
 * Decodes the `n` bytes at `p` as the WHATWG decoder would and re-encodes them: returns the output
 * length and, when `write`, writes the output at `out`. Sets `utf8Valid`. ASCII runs are skipped 16
 * bytes at a time (reads stay inside the field: the run check needs 16 bytes left).
 */
export function repairUtf8(p: usize, n: i32, out: usize, write: bool): i32 {
  let i = 0;
  let o = 0;
  let needed = 0;
  let seen = 0;
  let lower = CONT_LOWER;
  let upper = CONT_UPPER;
  let sequence = 0;
  utf8Valid = true;
  while (i < n) {
    if (needed == 0 && n - i >= LANES && highBits(p + i, LANES) == 0) {
      if (write) v128.store(out + o, v128.load(p + i));
      i += LANES;
      o += LANES;
      continue;
    }
    const b = <u32>load<u8>(p + i);
    if (needed == 0) {
      if (b <= ASCII_MAX) {
        if (write) store<u8>(out + o, <u8>b);
        o++;
      } else if (b >= TWO_FIRST && b <= TWO_LAST) {
        needed = 1;
        sequence = i;
      } else if (b >= THREE_FIRST && b <= THREE_LAST) {
        if (b == THREE_FIRST) lower = AFTER_E0_LOWER;
        if (b == SURROGATE_LEAD) upper = AFTER_ED_UPPER;
        needed = 2;
        sequence = i;
      } else if (b >= FOUR_FIRST && b <= FOUR_LAST) {
        if (b == FOUR_FIRST) lower = AFTER_F0_LOWER;
        if (b == FOUR_LAST) upper = AFTER_F4_UPPER;
        needed = 3;
        sequence = i;
      } else {
        o += replacement(out + o, write);
        utf8Valid = false;
      }
      i++;
      continue;
    }
    if (b < lower || b > upper) {
      // The sequence ends before this byte, which is decoded again from the start state.
      needed = seen = 0;
      lower = CONT_LOWER;
      upper = CONT_UPPER;
      o += replacement(out + o, write);
      utf8Valid = false;
      continue;
    }
    lower = CONT_LOWER;
    upper = CONT_UPPER;
    i++;
    if (++seen == needed) {
      const size = i - sequence;
      if (write) memory.copy(out + o, p + sequence, size);
      o += size;
      needed = seen = 0;
    }
  }
  if (needed != 0) {
    o += replacement(out + o, write);
    utf8Valid = false;
  }
  return o;
}
