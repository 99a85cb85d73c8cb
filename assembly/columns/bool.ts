/**
 * bool columns into Arrow's Bool layout: values bit-packed LSB first, from the same bit offset as
 * the validity bitmap, NULLs as 0. Binary: one byte, non-zero = true (boolrecv); text: `t` or `f`
 * (boolout's only outputs).
 */
import { OUT_VALUES } from '../layout';
import { STATUS_BAD_ARGUMENT, STATUS_BAD_LENGTH, STATUS_BAD_TEXT } from '../status';
import { NULL_LENGTH } from '../message-codes';
import { fieldAt, fieldBase, fieldStride, gatheredNulls } from './gather';
import { failAt, finish } from './output';

/** ASCII 't' and 'f': boolout's output. */
const TRUE_CHAR: u32 = 0x74;
const FALSE_CHAR: u32 = 0x66;

/** Bits of the bool bitmap for the `rows` gathered fields into OUT_VALUES, from bit `bitOffset`. */
export function decodeBools(rows: i32, binary: bool, bitOffset: i32): i32 {
  let bits: u32 = 0;
  let used = bitOffset;
  let word: usize = OUT_VALUES;
  let f = fieldBase;
  const stride = fieldStride;
  for (let r = 0; r < rows; r++, f += stride) {
    const length = load<i32>(f, 4);
    let value: u32 = 0;
    if (length != NULL_LENGTH) {
      if (length != 1) return failAt(binary ? STATUS_BAD_LENGTH : STATUS_BAD_TEXT, r);
      const p = fieldAt(f, length);
      if (p == 0) return failAt(STATUS_BAD_ARGUMENT, r);
      const b = <u32>load<u8>(p);
      if (binary) {
        value = <u32>(b != 0);
      } else if (b == TRUE_CHAR) {
        value = 1;
      } else if (b != FALSE_CHAR) {
        return failAt(STATUS_BAD_TEXT, r);
      }
    }
    bits |= value << <u32>used;
    if (++used == 32) {
      store<u32>(word, bits);
      word += 4;
      bits = 0;
      used = 0;
    }
  }
  store<u32>(word, bits);
  return finish(rows, gatheredNulls, 0);
}
