/**
 * The 0/1/N collapse of Bind and FunctionCall format codes (the seed's "format optimization"):
 * PostgreSQL accepts zero codes (all text), one code (applies to every parameter) or one per
 * parameter (protocol-message-formats, Bind). The caller writes the codes to FORMATS first.
 */
import { FORMATS, FORMATS_SIZE } from './layout';
import { STATUS_BAD_ARGUMENT } from './status';

/** The text format code. */
const TEXT: u8 = 0;

/**
 * How many format codes to send for the `n` codes at FORMATS: 0 when n is 0 or all are text, 1 when
 * all are the same non-text code (send FORMATS[0]), otherwise n. STATUS_BAD_ARGUMENT if n is out of range.
 */
export function collapseFormats(n: i32): i32 {
  if (n < 0 || n > FORMATS_SIZE) return STATUS_BAD_ARGUMENT;
  if (n == 0) return 0;
  const first = load<u8>(FORMATS);
  const splat = i8x16.splat(first);
  const end = FORMATS + n;
  let p = FORMATS;
  // 16 codes at a time: any lane differing from the first code means "send all n".
  while (end - p >= 16) {
    if (i8x16.bitmask(i8x16.ne(v128.load(p), splat)) != 0) return n;
    p += 16;
  }
  while (p < end) {
    if (load<u8>(p) != first) return n;
    p++;
  }
  return first == TEXT ? 0 : 1;
}
