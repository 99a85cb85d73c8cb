/**
 * The text form of arrays (array_out / array_in, src/backend/utils/adt/arrayfuncs.c):
 * `{a,b}`, `{{1,2},{3,4}}`, `{}` for an empty array, `[0:1]={a,b}` when a lower bound is not 1.
 * An element is double-quoted when it is empty, is `NULL` in any case, or contains `"`, `\`, `{`,
 * `}`, the delimiter `,` or white space; inside quotes `"` and `\` are backslash-escaped. An
 * unquoted `NULL` is SQL NULL. Every built-in type handled here uses `,` as its delimiter.
 */
import { excerpt, invalidValue } from '../../value-errors.js';
import { MAXDIM, boundsFit, forEachElement, nest, withLowerBounds } from './array-shape.js';
import type { ArrayShape } from './array-shape.js';

const DELIMITER = 0x2c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const COLON = 0x3a;
const EQUALS = 0x3d;
const MINUS = 0x2d;
const CHAR_0 = 0x30;
const CHAR_9 = 0x39;
const NULL_TEXT = 'NULL';
/** Bounds are Int32s; anything past 2^31 in magnitude is refused before it is used. */
const INT32_LIMIT = 0x8000_0000;
const NEEDS_QUOTES = /["\\{},\s]/;
const ESCAPED = /["\\]/g;

/** array_isspace's characters: space, \t, \n, \r, \v, \f — the only white space array_in skips. */
const SPACES = new Set([0x20, 0x09, 0x0a, 0x0d, 0x0b, 0x0c]);

function isSpace(c: number): boolean {
  return SPACES.has(c);
}

/** An element's text as array_out writes it (quoted when needed). */
export function quoteElement(text: string): string {
  if (text === '' || text.toUpperCase() === NULL_TEXT || NEEDS_QUOTES.test(text)) {
    return `"${text.replace(ESCAPED, '\\$&')}"`;
  }
  return text;
}

/** array_out's text of a nested array of element texts (null for NULL) with the given shape. */
export function formatArrayText(value: unknown, shape: ArrayShape, elementText: (v: unknown) => string): string {
  if (shape.count === 0) return '{}';
  let prefix = '';
  if (shape.lowerBounds.some((lb) => lb !== 1)) {
    prefix = `${shape.dims.map((d, i) => `[${shape.lowerBounds[i]}:${shape.lowerBounds[i]! + d - 1}]`).join('')}=`;
  }
  const texts: string[] = [];
  forEachElement(value, shape.dims.length, (e) => texts.push(e === null || e === undefined ? NULL_TEXT : quoteElement(elementText(e))));
  let k = 0;
  const level = (depth: number): string => {
    const parts: string[] = [];
    for (let i = 0; i < shape.dims[depth]!; i++) parts.push(depth + 1 === shape.dims.length ? texts[k++]! : level(depth + 1));
    return `{${parts.join(',')}}`;
  };
  return prefix + level(0);
}

/** A parser of array_in's grammar over one text value. */
class ArrayTextParser {
  pos = 0;
  readonly elements: (string | null)[] = [];
  readonly dims: number[] = [];

  constructor(
    readonly type: string,
    readonly text: string,
  ) {}

  fail(): never {
    throw invalidValue(this.type, `malformed array literal ${excerpt(this.text)}`);
  }

  peek(): number {
    return this.text.charCodeAt(this.pos);
  }

  skipSpaces(): void {
    while (isSpace(this.peek())) this.pos++;
  }

  integer(): number {
    const start = this.pos;
    if (this.peek() === MINUS) this.pos++;
    while (this.peek() >= CHAR_0 && this.peek() <= CHAR_9) this.pos++;
    const v = Number(this.text.slice(start, this.pos));
    if (this.pos === start || !Number.isInteger(v) || Math.abs(v) > INT32_LIMIT) this.fail();
    return v;
  }

  /** `[lb:ub]...=` (or `[ub]`, lower bound 1): the declared bounds, or null when absent. */
  decoration(): { lower: number[]; upper: number[] } | null {
    if (this.peek() !== LBRACKET) return null;
    const lower: number[] = [];
    const upper: number[] = [];
    while (this.peek() === LBRACKET) {
      this.pos++;
      let lb = 1;
      let ub = this.integer();
      if (this.peek() === COLON) {
        this.pos++;
        lb = ub;
        ub = this.integer();
      }
      if (this.peek() !== RBRACKET || ub < lb - 1 || lower.length === MAXDIM) this.fail();
      this.pos++;
      lower.push(lb);
      upper.push(ub);
      this.skipSpaces();
    }
    if (this.peek() !== EQUALS) this.fail();
    this.pos++;
    this.skipSpaces();
    return { lower, upper };
  }

  /** One `{…}` level at `depth`: sub-levels or elements, never both; records its length. */
  level(depth: number): void {
    if (this.peek() !== LBRACE || depth >= MAXDIM) this.fail();
    this.pos++;
    let count = 0;
    let nested: boolean | undefined;
    this.skipSpaces();
    if (this.peek() === RBRACE) {
      // `{}` is the whole (empty) array, never a sub-array: array_out writes no empty dimension.
      if (depth !== 0) this.fail();
      this.pos++;
      return;
    }
    for (;;) {
      this.skipSpaces();
      const isLevel = this.peek() === LBRACE;
      if (nested !== undefined && nested !== isLevel) this.fail();
      nested = isLevel;
      if (isLevel) this.level(depth + 1);
      else this.elements.push(this.element());
      count++;
      this.skipSpaces();
      const c = this.peek();
      this.pos++;
      if (c === RBRACE) break;
      if (c !== DELIMITER) this.fail();
    }
    this.record(depth, count, nested === true);
  }

  /** Every level at one depth has the same length, and elements appear at one depth only. */
  record(depth: number, count: number, nested: boolean): void {
    if (this.dims[depth] === undefined) this.dims[depth] = count;
    else if (this.dims[depth] !== count) this.fail();
    if (!nested) {
      if (this.elementDepth !== undefined && this.elementDepth !== depth) this.fail();
      this.elementDepth = depth;
    }
  }

  /** The depth of the levels that hold elements (the last dimension). */
  elementDepth: number | undefined;

  /** A quoted or unquoted element: its text with escapes removed, or null for an unquoted NULL. */
  element(): string | null {
    const t = this.text;
    if (this.peek() === QUOTE) {
      this.pos++;
      let s = '';
      let from = this.pos;
      for (;;) {
        const c = this.peek();
        if (Number.isNaN(c)) this.fail();
        if (c === QUOTE) break;
        if (c === BACKSLASH) {
          s += t.slice(from, this.pos);
          this.pos++;
          if (this.pos >= t.length) this.fail();
          from = this.pos;
        }
        this.pos++;
      }
      s += t.slice(from, this.pos);
      this.pos++;
      return s;
    }
    let s = '';
    let keep = 0;
    let escaped = false;
    for (;;) {
      const c = this.peek();
      if (Number.isNaN(c) || c === LBRACE || c === QUOTE) this.fail();
      if (c === DELIMITER || c === RBRACE) break;
      if (c === BACKSLASH) {
        this.pos++;
        if (this.pos >= t.length) this.fail();
        s += t[this.pos];
        keep = s.length;
        escaped = true;
      } else {
        s += t[this.pos];
        if (!isSpace(c)) keep = s.length;
      }
      this.pos++;
    }
    s = s.slice(0, keep);
    if (s === '') this.fail();
    if (!escaped && s.toUpperCase() === NULL_TEXT) return null;
    return s;
  }

  parse(): { elements: (string | null)[]; dims: number[]; lowerBounds: number[] } {
    this.skipSpaces();
    const declared = this.decoration();
    this.level(0);
    this.skipSpaces();
    if (this.pos !== this.text.length) this.fail();
    const dims = this.elements.length === 0 ? [] : this.dims;
    if (dims.length !== 0 && this.elementDepth !== dims.length - 1) this.fail();
    let lowerBounds = dims.map(() => 1);
    if (declared !== null) {
      const declaredDims = declared.upper.map((ub, i) => ub - declared.lower[i]! + 1);
      const empty = declaredDims.some((d) => d === 0);
      if (empty ? dims.length !== 0 : declaredDims.join() !== dims.join()) this.fail();
      if (!empty) lowerBounds = declared.lower;
      if (!boundsFit(dims, lowerBounds)) this.fail();
    }
    return { elements: this.elements, dims, lowerBounds };
  }
}

/** Parses an array literal; `decode` reads each non-NULL element's text. */
export function parseArrayText(type: string, text: string, decode: (element: string) => unknown): unknown[] {
  const { elements, dims, lowerBounds } = new ArrayTextParser(type, text).parse();
  if (dims.length === 0) return [];
  const values = elements.map((e) => (e === null ? null : decode(e)));
  return withLowerBounds(nest(values, dims), lowerBounds);
}
