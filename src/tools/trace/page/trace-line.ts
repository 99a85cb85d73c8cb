/**
 * A PQtrace line split into the trace page's table columns. Lines are what src/protocol/trace.ts
 * and the trace tool print, in libpq's format (src/interfaces/libpq/fe-trace.c):
 *
 *     [YYYY-MM-DD HH:MM:SS.uuuuuu\t]F|B\t<length>\t<MessageName>[\t <field> <field> ...]
 *
 * The fields are split into tokens only to colour them: every token keeps its exact text, so the
 * tokens joined by single spaces are the field text again, whatever a string held.
 */

/** One message of a trace, as the table shows it. */
export interface TraceRow {
  /** 1-based position in the trace. */
  readonly number: number;
  /** The capture or trace time (`YYYY-MM-DD HH:MM:SS.uuuuuu`), or '' when the line has none. */
  readonly time: string;
  /** `F` (frontend: the client sent it) or `B` (backend: the server sent it). */
  readonly direction: 'F' | 'B';
  /** The message's length field, as printed ('NN' in regress mode). */
  readonly length: string;
  /** PostgreSQL's name for the message (protocol-message-formats.html). */
  readonly name: string;
  /** The fields after the name, without the leading space ('' when the message has none). */
  readonly fields: string;
  /** The line as printed. */
  readonly line: string;
}

/** What a field token is, for its colour. */
export type FieldKind = 'string' | 'bytes' | 'number' | 'word';

/** One field of a line. */
export interface FieldToken {
  readonly kind: FieldKind;
  readonly text: string;
}

const TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/;
const NUMBER = /^-?\d+$/;
const DOUBLE_QUOTE = '"';
const SINGLE_QUOTE = "'";

/** Splits a PQtrace line; null when it is not one (a `#` comment or anything else). */
export function parseTraceLine(line: string, number: number): TraceRow | null {
  const parts = line.split('\t');
  const time = parts.length > 0 && TIMESTAMP.test(parts[0]!) ? parts.shift()! : '';
  const [direction, length, name, ...rest] = parts;
  if ((direction !== 'F' && direction !== 'B') || length === undefined || name === undefined || name === '') return null;
  // A field never holds a tab of its own (fe-trace.c escapes control bytes), but keep any as is.
  const fields = rest.join('\t');
  return { number, time, direction, length, name, fields: fields.startsWith(' ') ? fields.slice(1) : fields, line };
}

/** The end (exclusive) of a quoted token starting at `start`: its closing quote followed by a space or the end. */
function quotedEnd(text: string, start: number, quote: string): number {
  let at = text.indexOf(quote, start + 1);
  while (at >= 0) {
    if (at + 1 === text.length || text[at + 1] === ' ') return at + 1;
    at = text.indexOf(quote, at + 1);
  }
  return text.length;
}

/** The field text as tokens: `"strings"`, `'byte strings'`, numbers and other words (`I`, `NNNN`, `\x00`). */
export function splitFields(fields: string): FieldToken[] {
  const tokens: FieldToken[] = [];
  let at = 0;
  while (at < fields.length) {
    const first = fields[at]!;
    let end: number;
    let kind: FieldKind;
    if (first === DOUBLE_QUOTE || first === SINGLE_QUOTE) {
      end = quotedEnd(fields, at, first);
      kind = first === DOUBLE_QUOTE ? 'string' : 'bytes';
    } else {
      end = fields.indexOf(' ', at);
      if (end < 0) end = fields.length;
      kind = NUMBER.test(fields.slice(at, end)) ? 'number' : 'word';
    }
    tokens.push({ kind, text: fields.slice(at, end) });
    // Skip the one space that separates fields.
    at = end + 1;
  }
  return tokens;
}
