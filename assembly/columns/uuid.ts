/**
 * uuid columns into Arrow FixedSizeBinary(16), NULLs as 16 zero bytes. Binary: the 16 bytes
 * (uuid_send); text: uuid_out's canonical form, 8-4-4-4-12 hex digits (either case accepted).
 */
import { OUT_VALUES } from '../layout';
import { STATUS_BAD_ARGUMENT, STATUS_BAD_LENGTH, STATUS_BAD_TEXT } from '../status';
import { NULL_LENGTH } from '../message-codes';
import { fieldAt, fieldBase, fieldStride, gatheredNulls } from './gather';
import { failAt, finish } from './output';

/** Bytes of a uuid. */
const UUID_SIZE: i32 = 16;
/** Characters of uuid_out's text. */
const UUID_TEXT: i32 = 36;
/** ASCII '-', '0', 'a' and the case bit. */
const HYPHEN: u32 = 0x2d;
const ZERO: u32 = 0x30;
const LOWER_A: u32 = 0x61;
const CASE_BIT: u32 = 0x20;

/** Value of one hex digit, or 16 for anything else. */
@inline export function hexValue(c: u32): u32 {
  const d = c - ZERO;
  if (d < 10) return d;
  const l = (c | CASE_BIT) - LOWER_A;
  return l < 6 ? l + 10 : 16;
}

/** 1 when the hyphens of the canonical text are where they belong. */
@inline function hyphensAt(p: usize): bool {
  return <u32>load<u8>(p, 8) == HYPHEN && <u32>load<u8>(p, 13) == HYPHEN
    && <u32>load<u8>(p, 18) == HYPHEN && <u32>load<u8>(p, 23) == HYPHEN;
}

/** Parses the canonical text at `p` into 16 bytes at `out`; false on a bad character. */
function parseUuidText(p: usize, out: usize): bool {
  if (!hyphensAt(p)) return false;
  let bad: u32 = 0;
  let i = 0;
  for (let k = 0; k < UUID_SIZE; k++) {
    if (i == 8 || i == 13 || i == 18 || i == 23) i++;
    const hi = hexValue(<u32>load<u8>(p + i));
    const lo = hexValue(<u32>load<u8>(p + i + 1));
    bad |= (hi | lo) & 16;
    store<u8>(out + k, <u8>((hi << 4) | (lo & 15)));
    i += 2;
  }
  return bad == 0;
}

/** uuid values of the `rows` gathered fields into OUT_VALUES, 16 bytes each. */
export function decodeUuids(rows: i32, binary: bool): i32 {
  let out: usize = OUT_VALUES;
  let f = fieldBase;
  const stride = fieldStride;
  for (let r = 0; r < rows; r++, out += UUID_SIZE, f += stride) {
    const length = load<i32>(f, 4);
    if (length == NULL_LENGTH) {
      v128.store(out, i64x2.splat(0));
      continue;
    }
    const p = fieldAt(f, length);
    if (p == 0) return failAt(STATUS_BAD_ARGUMENT, r);
    if (binary) {
      if (length != UUID_SIZE) return failAt(STATUS_BAD_LENGTH, r);
      v128.store(out, v128.load(p));
    } else if (length != UUID_TEXT || !parseUuidText(p, out)) {
      return failAt(STATUS_BAD_TEXT, r);
    }
  }
  return finish(rows, gatheredNulls, 0);
}
