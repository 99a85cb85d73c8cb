/**
 * Hex dumps as people paste them. A dump is split into sections by direction markers: a line that
 * starts with `F:` (frontend, client → server) or `B:` (backend, server → client) begins a section,
 * and may carry dump text after the marker. Lines starting with `#` and blank lines are ignored.
 * Each section is read in whichever format it is written in:
 * - `xxd`: `00000010: 5100 0000 0d73 656c  Q....sel` (offset and colon; groups of any even width);
 * - `hexdump -C`: `00000010  51 00 00 00 0d 73 65 6c  |Q....sel|` and the final offset line;
 * - `od -A x -t x1z` (or `-t x1`): `000010 51 00 00 00 0d 73 >Q....s<` and the final offset line;
 * - plain hex: hex digit pairs, whitespace anywhere between bytes (`xxd -p`, copied hex).
 * Offset formats squeeze repeated lines into `*`; the offset of the next line says how many copies
 * to restore. The text after the bytes (the ASCII column) is never read as data.
 *
 * The offset formats are recognised per section: xxd by its colons; hexdump/od by an offset of at
 * least four hex digits followed by single-byte tokens on every line, with an ASCII column or
 * offsets that count the bytes of the line before (so plain hex in groups is never taken for one).
 */
import { invalidCapture } from './capture-error.js';
import type { Side } from './stream-decoders.js';

/** One section of a dump: its direction (null before any marker) and its bytes. */
export interface HexSection {
  readonly side: Side | null;
  readonly bytes: Uint8Array;
}

/** Largest number of bytes one dump may expand to (`*` squeezing could otherwise claim any size). */
export const MAX_HEX_DUMP_BYTES = 256 * 1024 * 1024;

const MARKER = /^\s*([FB]):\s?(.*)$/;
const COMMENT = /^\s*#/;
const SQUEEZE = /^\s*\*\s*$/;
const XXD_LINE = /^\s*([0-9a-fA-F]+):(.*)$/;
/** Offset, then single-byte tokens, then an optional `|…|` or `>…<` ASCII column. */
const OFFSET_LINE = /^\s*([0-9a-fA-F]{4,})((?:\s+[0-9a-fA-F]{2}(?![0-9a-fA-F]))*)\s*(\|.*\||>.*<)?\s*$/;
const HEX_PAIRS = /^[0-9a-fA-F]*$/;
/** Offset formats print a few dozen bytes a line; longer lines are plain hex (and keep the regexes linear). */
const MAX_OFFSET_LINE = 1024;
const HEX_RADIX = 16;

interface Line {
  readonly text: string;
  /** 1-based line number in the dump, for messages. */
  readonly number: number;
}

/** Appends bytes with the size cap. */
class Output {
  private readonly parts: Uint8Array[] = [];
  private total = 0;

  add(bytes: Uint8Array, where: number): void {
    this.total += bytes.length;
    if (this.total > MAX_HEX_DUMP_BYTES) throw invalidCapture(`line ${where}: the hex dump expands past ${MAX_HEX_DUMP_BYTES} bytes`);
    this.parts.push(bytes);
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.total);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }

  get length(): number {
    return this.total;
  }
}

function pairs(hex: string, where: number): Uint8Array {
  if (hex.length % 2 !== 0 || !HEX_PAIRS.test(hex)) throw invalidCapture(`line ${where}: "${hex.slice(0, 40)}" is not whole hex bytes`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), HEX_RADIX);
  return out;
}

/** A parsed line of an offset format: its offset and bytes (or null for `*`). */
type OffsetLine = { readonly offset: number; readonly bytes: Uint8Array } | null;

/** xxd: hex groups separated by single spaces; the ASCII column follows two spaces. */
function xxdLine(line: Line): OffsetLine {
  if (SQUEEZE.test(line.text)) return null;
  const m = line.text.length > MAX_OFFSET_LINE ? null : XXD_LINE.exec(line.text);
  if (m === null) throw invalidCapture(`line ${line.number}: expected an xxd line (offset: hex groups)`);
  const rest = m[2]!.replace(/^ /, '');
  const area = rest.split(/ {2}|\t/)[0]!.trim();
  return { offset: parseInt(m[1]!, HEX_RADIX), bytes: pairs(area.replace(/ /g, ''), line.number) };
}

/** hexdump -C / od: single-byte tokens after the offset. */
function offsetLine(line: Line): OffsetLine {
  if (SQUEEZE.test(line.text)) return null;
  const m = line.text.length > MAX_OFFSET_LINE ? null : OFFSET_LINE.exec(line.text);
  if (m === null) throw invalidCapture(`line ${line.number}: expected a hexdump -C or od line (offset, bytes, optional |text|)`);
  return { offset: parseInt(m[1]!, HEX_RADIX), bytes: pairs(m[2]!.replace(/\s+/g, ''), line.number) };
}

/** True when the lines read as hexdump -C / od output rather than plain hex. */
function looksLikeOffsetDump(lines: readonly Line[]): boolean {
  let expected: number | null = null;
  let consistent = true;
  let column = false;
  let squeezed = false;
  for (const line of lines) {
    if (SQUEEZE.test(line.text)) {
      squeezed = true;
      expected = null;
      continue;
    }
    const m = line.text.length > MAX_OFFSET_LINE ? null : OFFSET_LINE.exec(line.text);
    if (m === null) return false;
    if (m[3] !== undefined) column = true;
    const offset = parseInt(m[1]!, HEX_RADIX);
    if (expected !== null && offset !== expected) consistent = false;
    expected = offset + m[2]!.replace(/\s+/g, '').length / 2;
  }
  return column || squeezed || (consistent && lines.length >= 2);
}

/** The bytes of one section's lines, in the format they are written in. */
function decodeSection(lines: readonly Line[], out: Output): void {
  if (lines.length === 0) return;
  let parse: ((line: Line) => OffsetLine) | null = null;
  if (lines.some((l) => l.text.length <= MAX_OFFSET_LINE && XXD_LINE.test(l.text))) parse = xxdLine;
  else if (looksLikeOffsetDump(lines)) parse = offsetLine;
  if (parse === null) {
    for (const line of lines) out.add(pairs(line.text.replace(/\s+/g, ''), line.number), line.number);
    return;
  }
  let previous: Uint8Array | null = null;
  let next: number | null = null;
  let squeezed = false;
  for (const line of lines) {
    const parsed = parse(line);
    if (parsed === null) {
      squeezed = true;
      continue;
    }
    if (squeezed && previous !== null && previous.length > 0 && next !== null) {
      const gap = parsed.offset - next;
      if (gap < 0 || gap % previous.length !== 0) {
        throw invalidCapture(`line ${line.number}: offset 0x${parsed.offset.toString(HEX_RADIX)} does not follow the squeezed lines before it`);
      }
      if (out.length + gap > MAX_HEX_DUMP_BYTES) throw invalidCapture(`line ${line.number}: the hex dump expands past ${MAX_HEX_DUMP_BYTES} bytes`);
      for (let i = 0; i < gap / previous.length; i++) out.add(previous, line.number);
    }
    squeezed = false;
    out.add(parsed.bytes, line.number);
    if (parsed.bytes.length > 0) previous = parsed.bytes;
    next = parsed.offset + parsed.bytes.length;
  }
}

/** Splits a dump into direction sections and decodes each; throws `PGS_CAPTURE_INVALID` on text that is not hex. */
export function decodeHexDump(text: string): HexSection[] {
  const sections: { side: Side | null; lines: Line[] }[] = [];
  let current: { side: Side | null; lines: Line[] } | null = null;
  const all = text.split(/\r?\n/);
  for (let i = 0; i < all.length; i++) {
    const raw = all[i]!;
    const number = i + 1;
    if (COMMENT.test(raw)) continue;
    const marker = MARKER.exec(raw);
    if (marker !== null) {
      current = { side: marker[1] === 'F' ? 'frontend' : 'backend', lines: [] };
      sections.push(current);
      if (marker[2]!.trim() !== '') current.lines.push({ text: marker[2]!, number });
      continue;
    }
    if (raw.trim() === '') continue;
    if (current === null) {
      current = { side: null, lines: [] };
      sections.push(current);
    }
    current.lines.push({ text: raw, number });
  }
  return sections.map(({ side, lines }) => {
    const out = new Output();
    decodeSection(lines, out);
    return { side, bytes: out.bytes() };
  });
}

/** The bytes of a dump of one direction (no markers allowed: the caller says the direction). */
export function decodeHexBytes(text: string): Uint8Array {
  const sections = decodeHexDump(text);
  if (sections.some((s) => s.side !== null)) {
    throw invalidCapture('this dump has F:/B: direction markers; give it as the single input, not as --frontend or --backend');
  }
  const out = new Output();
  for (const s of sections) out.add(s.bytes, 0);
  return out.bytes();
}

const TAB = 0x09;
const LINE_FEED = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const PRINTABLE_FIRST = 0x20;
const PRINTABLE_LAST = 0x7e;

/** True when `bytes` is non-empty ASCII text (printable characters and whitespace): a dump, not raw protocol bytes. */
export function looksLikeText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  for (const b of bytes) {
    if ((b < PRINTABLE_FIRST || b > PRINTABLE_LAST) && b !== TAB && b !== LINE_FEED && b !== CARRIAGE_RETURN) return false;
  }
  return true;
}
