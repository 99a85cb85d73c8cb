/**
 * bytea's text output decoded back to bytes (byteaout, utils/adt/varlena.c): the hex format
 * `\x` followed by two hex digits per byte (bytea_output = hex, the default), or the escape format
 * (bytea_output = escape): `\\` for a backslash, `\ooo` (three octal digits) for any other byte
 * that is escaped, every other byte as it is.
 */
import { hexValue } from './uuid';

/** ASCII backslash, 'x', '0' and the largest first digit of an octal escape. */
const BACKSLASH: u32 = 0x5c;
const LOWER_X: u32 = 0x78;
const ZERO: u32 = 0x30;
const MAX_FIRST_OCTAL: u32 = 3;
const OCTAL_DIGIT_MAX: u32 = 7;
/** Bytes of the `\x` prefix and of an octal escape. */
const HEX_PREFIX: i32 = 2;
const OCTAL_ESCAPE: i32 = 4;

/** True when the `n` bytes at `p` start with the hex format's `\x`. */
@inline function isHex(p: usize, n: i32): bool {
  return n >= HEX_PREFIX && <u32>load<u8>(p) == BACKSLASH && <u32>load<u8>(p, 1) == LOWER_X;
}

/**
 * Decodes the bytea text at `p` (`n` bytes) into `out` and returns the bytes written, or -1 for
 * text byteaout cannot produce. Never writes more than `n` bytes.
 */
export function decodeByteaText(p: usize, n: i32, out: usize): i32 {
  if (isHex(p, n)) {
    const digits = n - HEX_PREFIX;
    if ((digits & 1) != 0) return -1;
    let bad: u32 = 0;
    const q = p + HEX_PREFIX;
    const bytes = digits >> 1;
    for (let k = 0; k < bytes; k++) {
      const hi = hexValue(<u32>load<u8>(q + (k << 1)));
      const lo = hexValue(<u32>load<u8>(q + (k << 1) + 1));
      bad |= (hi | lo) & 16;
      store<u8>(out + k, <u8>((hi << 4) | (lo & 15)));
    }
    return bad == 0 ? bytes : -1;
  }
  let o = 0;
  let i = 0;
  while (i < n) {
    const b = <u32>load<u8>(p + i);
    if (b != BACKSLASH) {
      store<u8>(out + o++, <u8>b);
      i++;
      continue;
    }
    if (i + 1 < n && <u32>load<u8>(p + i + 1) == BACKSLASH) {
      store<u8>(out + o++, <u8>BACKSLASH);
      i += 2;
      continue;
    }
    if (n - i < OCTAL_ESCAPE) return -1;
    const d1 = <u32>load<u8>(p + i + 1) - ZERO;
    const d2 = <u32>load<u8>(p + i + 2) - ZERO;
    const d3 = <u32>load<u8>(p + i + 3) - ZERO;
    if (d1 > MAX_FIRST_OCTAL || d2 > OCTAL_DIGIT_MAX || d3 > OCTAL_DIGIT_MAX) return -1;
    store<u8>(out + o++, <u8>((d1 << 6) | (d2 << 3) | d3));
    i += OCTAL_ESCAPE;
  }
  return o;
}
