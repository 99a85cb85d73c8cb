/**
 * float4 and float8 columns into Arrow Float32/Float64 values, NULLs as 0. Binary: the IEEE bits,
 * big-endian (float4send/float8send; NaN payloads kept); text: parsed with correct rounding by
 * float-text.ts.
 */
import { OUT_VALUES } from '../layout';
import { STATUS_BAD_ARGUMENT, STATUS_BAD_LENGTH, STATUS_BAD_TEXT } from '../status';
import { NULL_LENGTH } from '../message-codes';
import { fieldAt, fieldBase, fieldStride, gatheredNulls } from './gather';
import { failAt, finish } from './output';
import { floatTextOk, parseFloatText } from './float-text';

/** float8 values of the `rows` gathered fields into OUT_VALUES. */
export function decodeFloat64s(rows: i32, binary: bool): i32 {
  let out: usize = OUT_VALUES;
  let f = fieldBase;
  const stride = fieldStride;
  for (let r = 0; r < rows; r++, out += 8, f += stride) {
    const length = load<i32>(f, 4);
    if (length == NULL_LENGTH) {
      store<u64>(out, 0);
      continue;
    }
    const p = fieldAt(f, length);
    if (p == 0) return failAt(STATUS_BAD_ARGUMENT, r);
    if (binary) {
      if (length != 8) return failAt(STATUS_BAD_LENGTH, r);
      store<u64>(out, bswap<u64>(load<u64>(p)));
      continue;
    }
    const bits = parseFloatText(p, length, false);
    if (!floatTextOk) return failAt(STATUS_BAD_TEXT, r);
    store<u64>(out, bits);
  }
  return finish(rows, gatheredNulls, 0);
}

/** float4 values of the `rows` gathered fields into OUT_VALUES. */
export function decodeFloat32s(rows: i32, binary: bool): i32 {
  let out: usize = OUT_VALUES;
  let f = fieldBase;
  const stride = fieldStride;
  for (let r = 0; r < rows; r++, out += 4, f += stride) {
    const length = load<i32>(f, 4);
    if (length == NULL_LENGTH) {
      store<u32>(out, 0);
      continue;
    }
    const p = fieldAt(f, length);
    if (p == 0) return failAt(STATUS_BAD_ARGUMENT, r);
    if (binary) {
      if (length != 4) return failAt(STATUS_BAD_LENGTH, r);
      store<u32>(out, bswap<u32>(load<u32>(p)));
      continue;
    }
    const bits = parseFloatText(p, length, true);
    if (!floatTextOk) return failAt(STATUS_BAD_TEXT, r);
    store<u32>(out, <u32>bits);
  }
  return finish(rows, gatheredNulls, 0);
}
