/**
 * Arrays of any element codec (src/backend/utils/adt/arrayfuncs.c). JS shape: nested arrays of
 * element values, `null` for NULL elements, `[]` for an empty array; lower bounds other than 1 on
 * the outermost array's `lowerBounds` (./array-shape.ts). Text: ./array-text.ts.
 *
 * Binary (array_send / array_recv): Int32 ndim (0..MAXDIM), Int32 flags (1 when there are NULL
 * elements, else 0), UInt32 element type OID, then per dimension Int32 length and Int32 lower
 * bound, then per element (row-major) an Int32 length (-1 for NULL) and the element's binary form.
 * The element OID must be the codec's element type, as array_recv requires.
 */
import type { MessageWriter } from '../../../protocol/writer.js';
import type { TypeCodec } from '../../type-codec.js';
import { cannotEncode, invalidValue } from '../../value-errors.js';
import { MAXDIM, boundsFit, forEachElement, nest, shapeOf, withLowerBounds } from './array-shape.js';
import type { PgArray } from './array-shape.js';
import { formatArrayText, parseArrayText } from './array-text.js';
import { readInt32, readUint32 } from '../bytes.js';

const HEADER_BYTES = 12;
const DIM_BYTES = 8;
const LENGTH_BYTES = 4;
const NULL_LENGTH = -1;
const HAS_NULLS = 1;
const NO_NULLS = 0;
const INT32_BYTES = 4;

/** Writes the binary form of an array value (`ndim` fixes the nesting depth, for array-valued elements). */
export function encodeArrayBinary(w: MessageWriter, element: TypeCodec, value: unknown, ndim?: number): void {
  const type = `${element.name}[]`;
  const encode = element.encodeBinary;
  if (!element.binary || encode === undefined) throw cannotEncode(type, `${element.name} has no binary encoder`);
  const shape = shapeOf(type, value, ndim);
  let hasNull = false;
  if (shape.count > 0) forEachElement(value, shape.dims.length, (e) => (hasNull ||= e === null || e === undefined));
  w.i32(shape.dims.length);
  w.i32(hasNull ? HAS_NULLS : NO_NULLS);
  w.u32(element.oid);
  for (let i = 0; i < shape.dims.length; i++) {
    w.i32(shape.dims[i]!);
    w.i32(shape.lowerBounds[i]!);
  }
  if (shape.count === 0) return;
  forEachElement(value, shape.dims.length, (e) => {
    if (e === null || e === undefined) {
      w.i32(NULL_LENGTH);
      return;
    }
    const at = w.length;
    w.i32(0);
    encode.call(element, w, e);
    w.view.setInt32(at, w.length - at - LENGTH_BYTES);
  });
}

/** The text form of an array value. */
export function encodeArrayText(element: TypeCodec, value: unknown, ndim?: number): string {
  const shape = shapeOf(`${element.name}[]`, value, ndim);
  return formatArrayText(value, shape, (e) => element.encodeText(e));
}

/** Reads array_send's bytes; elements with the element codec's binary decoder. */
export function decodeArrayBinary(element: TypeCodec, bytes: Uint8Array, start: number, length: number): unknown[] {
  const type = `${element.name}[]`;
  const decode = element.decodeBinary;
  if (decode === undefined) throw invalidValue(type, `${element.name} has no binary decoder`);
  const end = start + length;
  if (length < HEADER_BYTES) throw invalidValue(type, `binary value of ${length} bytes is shorter than its header`);
  const ndim = readInt32(bytes, start);
  const flags = readInt32(bytes, start + INT32_BYTES);
  const elementOid = readUint32(bytes, start + 2 * INT32_BYTES);
  if (ndim < 0 || ndim > MAXDIM) throw invalidValue(type, `invalid number of dimensions ${ndim}`);
  if (flags !== NO_NULLS && flags !== HAS_NULLS) throw invalidValue(type, `invalid flags ${flags}`);
  if (elementOid !== element.oid) throw invalidValue(type, `element type ${elementOid} instead of ${element.oid}`);
  let p = start + HEADER_BYTES;
  if (end - p < ndim * DIM_BYTES) throw invalidValue(type, `binary value of ${length} bytes cannot hold ${ndim} dimensions`);
  const dims: number[] = [];
  const lowerBounds: number[] = [];
  let count = 1;
  for (let i = 0; i < ndim; i++, p += DIM_BYTES) {
    const d = readInt32(bytes, p);
    if (d < 0) throw invalidValue(type, `negative dimension ${d}`);
    dims.push(d);
    lowerBounds.push(readInt32(bytes, p + INT32_BYTES));
    count *= d;
    // Every element takes at least its length word: refuse counts the bytes cannot hold before allocating.
    if (count * LENGTH_BYTES > end - p) throw invalidValue(type, `promises more elements than its ${length} bytes hold`);
  }
  if (!boundsFit(dims, lowerBounds)) throw invalidValue(type, 'upper bound out of range');
  if (ndim === 0 || count === 0) {
    if (p !== end) throw invalidValue(type, `${end - p} bytes left over after an empty array`);
    return [];
  }
  const values: unknown[] = new Array(count);
  for (let i = 0; i < count; i++) {
    if (end - p < LENGTH_BYTES) throw invalidValue(type, 'element runs past the end of the value');
    const len = readInt32(bytes, p);
    p += LENGTH_BYTES;
    if (len === NULL_LENGTH) {
      values[i] = null;
      continue;
    }
    if (len < 0 || len > end - p) throw invalidValue(type, `element of invalid length ${len}`);
    values[i] = decode.call(element, bytes, p, len);
    p += len;
  }
  if (p !== end) throw invalidValue(type, `${end - p} bytes left over after the last element`);
  return withLowerBounds(nest(values, dims), lowerBounds);
}

/** The codec of `element[]`: nested JS arrays. Binary when the element codec is. */
export class ArrayCodec implements TypeCodec<PgArray> {
  readonly name: string;
  readonly binary: boolean;

  constructor(
    readonly oid: number,
    readonly element: TypeCodec,
  ) {
    this.name = `${element.name}[]`;
    this.binary = element.binary && element.decodeBinary !== undefined && element.encodeBinary !== undefined;
  }

  decodeText(text: string): PgArray {
    const element = this.element;
    return parseArrayText(this.name, text, (e) => element.decodeText(e));
  }

  encodeText(value: PgArray): string {
    return encodeArrayText(this.element, value);
  }

  decodeBinary(bytes: Uint8Array, start: number, length: number): PgArray {
    return decodeArrayBinary(this.element, bytes, start, length);
  }

  encodeBinary(w: MessageWriter, value: PgArray): void {
    encodeArrayBinary(w, this.element, value);
  }
}
