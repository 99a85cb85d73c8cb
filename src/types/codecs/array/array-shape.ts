/**
 * The shape of a PostgreSQL array as nested JS arrays: dimensions, lower bounds and the
 * row-major walk over elements that both the text and the binary forms use.
 *
 * PostgreSQL arrays are rectangular, with at most MAXDIM (6) dimensions, each with a lower bound
 * (1 unless written otherwise, e.g. `[0:1]={a,b}`); an array with no elements has no dimensions
 * (src/backend/utils/adt/arrayfuncs.c, arrayutils.c). In JS an array is nested arrays; lower
 * bounds other than 1 are kept on the outermost array as a non-enumerable `lowerBounds`
 * property, which the encoders honour, so a decoded array round-trips exactly.
 */
import { cannotEncode } from '../../value-errors.js';

/** MAXDIM (utils/array.h). */
export const MAXDIM = 6;
const INT32_MAX = 0x7fff_ffff;
const INT32_MIN = -0x8000_0000;
/** The default lower bound of every dimension. */
export const DEFAULT_LOWER_BOUND = 1;

/** A decoded array: nested arrays of element values or null, with `lowerBounds` when any is not 1. */
export type PgArray<T = unknown> = (T | null | PgArray<T>)[] & { readonly lowerBounds?: readonly number[] };

/** Dimensions and lower bounds of an array value. */
export interface ArrayShape {
  dims: number[];
  lowerBounds: number[];
  /** Number of elements (the product of dims; 0 for an empty array, which has no dimensions). */
  count: number;
}

/** Attaches non-default lower bounds to a decoded array (non-enumerable: JSON and spreads ignore it). */
export function withLowerBounds<T>(value: T[], lowerBounds: readonly number[]): T[] {
  if (lowerBounds.some((lb) => lb !== DEFAULT_LOWER_BOUND)) {
    Object.defineProperty(value, 'lowerBounds', { value: lowerBounds, enumerable: false });
  }
  return value;
}

/** True when `lb + dim - 1` fits an Int32 for every dimension (ArrayCheckBounds). */
export function boundsFit(dims: readonly number[], lowerBounds: readonly number[]): boolean {
  return dims.every((d, i) => lowerBounds[i]! + d - 1 <= INT32_MAX);
}

/**
 * The shape of a nested JS array. Dimensions are the nesting depth of arrays (or `ndim` when given,
 * so that elements may themselves be arrays, as JSON values can); every level must be rectangular.
 */
export function shapeOf(type: string, value: unknown, ndim?: number): ArrayShape {
  if (!Array.isArray(value)) throw cannotEncode(type, 'needs an array');
  const dims: number[] = [];
  let cur: unknown = value;
  while (Array.isArray(cur) && (ndim === undefined || dims.length < ndim)) {
    dims.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  if (ndim !== undefined && dims.length !== ndim && !dims.includes(0)) {
    throw cannotEncode(type, `is nested ${dims.length} deep, not ${ndim}`);
  }
  if (dims.length > MAXDIM) throw cannotEncode(type, `has ${dims.length} dimensions; PostgreSQL allows ${MAXDIM}`);
  const count = dims.reduce((a, b) => a * b, 1);
  if (count === 0) return { dims: [], lowerBounds: [], count: 0 };
  checkRectangular(type, value, dims, 0, ndim !== undefined);
  const given = (value as PgArray).lowerBounds;
  const lowerBounds = given === undefined ? dims.map(() => DEFAULT_LOWER_BOUND) : [...given];
  if (
    lowerBounds.length !== dims.length ||
    !lowerBounds.every((lb) => Number.isInteger(lb) && lb >= INT32_MIN && lb <= INT32_MAX) ||
    !boundsFit(dims, lowerBounds)
  ) {
    throw cannotEncode(type, `lowerBounds ${JSON.stringify(given)} do not fit its ${dims.length} dimensions`);
  }
  return { dims, lowerBounds, count };
}

function checkRectangular(type: string, level: unknown, dims: number[], depth: number, explicit: boolean): void {
  if (!Array.isArray(level) || level.length !== dims[depth]) {
    throw cannotEncode(type, `is not rectangular: a sub-array at depth ${depth} does not have ${dims[depth]} items`);
  }
  if (depth + 1 < dims.length) {
    for (const item of level) checkRectangular(type, item, dims, depth + 1, explicit);
  } else if (!explicit && level.some((item) => Array.isArray(item))) {
    throw cannotEncode(type, `is not rectangular: arrays and elements mixed at depth ${depth}`);
  }
}

/** Calls `visit` on every element in row-major order (the order of both wire forms). */
export function forEachElement(value: unknown, depth: number, visit: (element: unknown) => void): void {
  const items = value as unknown[];
  if (depth === 1) {
    for (const item of items) visit(item);
  } else {
    for (const item of items) forEachElement(item, depth - 1, visit);
  }
}

/** Builds nested arrays of `dims` from a row-major list of elements. */
export function nest(elements: unknown[], dims: readonly number[]): unknown[] {
  let level: unknown[] = elements;
  for (let d = dims.length - 1; d > 0; d--) {
    const size = dims[d]!;
    const next: unknown[] = new Array(level.length / size);
    for (let i = 0; i < next.length; i++) next[i] = level.slice(i * size, (i + 1) * size);
    level = next;
  }
  return level;
}
