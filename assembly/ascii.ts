/**
 * ASCII classification, 16 bytes at a time: a field whose bytes are all below 0x80 decodes the same
 * as Latin-1 and as UTF-8, so JS can cut it out of one batch string instead of decoding it alone.
 */
import { ASCII, FIELDS, FIELD_WORDS, INPUT, INPUT_SIZE, MAX_FIELDS } from './layout';
import { STATUS_BAD_ARGUMENT } from './status';

/**
 * The top bits of the `n` (> 0) bytes at `p`, folded into 16 bits: 0 exactly when the bytes are
 * ASCII. Reads up to 15 bytes past the end (the layout leaves INPUT_SLACK after the input region
 * for that); those lanes are masked off or re-read in range.
 */
@inline export function highBits(p: usize, n: i32): i32 {
  if (n <= 16) return i8x16.bitmask(v128.load(p)) & ((1 << n) - 1);
  let acc = v128.load(p);
  const last = p + <usize>n - 16;
  p += 16;
  while (p < last) {
    acc = v128.or(acc, v128.load(p));
    p += 16;
  }
  return i8x16.bitmask(v128.or(acc, v128.load(last)));
}

/** 1 when the `n` (> 0) bytes at `p` are all ASCII. */
@inline export function isAscii(p: usize, n: i32): u8 {
  return <u8>(highBits(p, n) == 0);
}

/**
 * Fills the ASCII flags of field-table entries [first, first + count) after a scan, which only says
 * whether the whole batch is ASCII. Entries outside the input region are flagged non-ASCII rather
 * than read. 0, or STATUS_BAD_ARGUMENT.
 */
export function classify(first: i32, count: i32): i32 {
  if (first < 0 || count < 0 || count > MAX_FIELDS - first) return STATUS_BAD_ARGUMENT;
  let f: usize = FIELDS + (first << 3);
  let a: usize = ASCII + first;
  const stop = a + count;
  while (a < stop) {
    const offset = load<i32>(f);
    const length = load<i32>(f, 4);
    let flag: u8 = 1;
    if (length > 0) {
      flag = offset < INPUT || length > INPUT + INPUT_SIZE - offset ? 0 : isAscii(offset, length);
    }
    store<u8>(a, flag);
    f += FIELD_WORDS << 2;
    a++;
  }
  return 0;
}
