/**
 * The string types: `text`, `varchar`, `bpchar` (char(n)), `name` and the one-byte `"char"`
 * (src/backend/utils/adt/varlena.c, varchar.c, name.c, char.c). All are JS strings.
 *
 * text, varchar, bpchar and name send and receive their bytes in the client encoding (UTF-8 here)
 * in both formats. `"char"` is one raw byte in binary; as text charout writes 0x00 as the empty
 * string, 0x01..0x7F as that character and 0x80..0xFF as `\ooo` (PostgreSQL 15 and later; older
 * servers send the raw byte, which is not valid UTF-8). The binary decoder returns charout's form,
 * so both formats give the same string; text in any other form (such as the U+FFFD an old server's
 * raw high byte becomes) is refused with PGS_INVALID_VALUE.
 */
import type { MessageWriter } from '../../protocol/writer.js';
import { decodeUtf8 } from '../../protocol/text.js';
import { oid } from '../oids.js';
import type { BinaryTypeCodec } from '../type-codec.js';
import { badLength, cannotEncode, describe, invalidText } from '../value-errors.js';

const CHAR_BYTES = 1;
const HIGH_BIT = 0x80;
const OCTAL_RADIX = 8;
const OCTAL_DIGITS = 3;
const OCTAL_CHAR = /^\\([0-3][0-7][0-7])$/;
const ASCII_MAX = 0x7f;

function checkString(type: string, v: unknown): string {
  if (typeof v !== 'string') throw cannotEncode(type, `needs a string, got ${describe(v)}`);
  return v;
}

function decodeString(bytes: Uint8Array, start: number, length: number): string {
  return decodeUtf8(bytes, start, start + length);
}

function stringCodec(name: string, typeOid: number, arrayOid: number): BinaryTypeCodec<string> {
  return {
    oid: typeOid,
    name,
    arrayOid,
    binary: true,
    decodeText: (text) => text,
    encodeText: (value) => checkString(name, value),
    decodeBinary: decodeString,
    encodeBinary(w: MessageWriter, value: string) {
      w.utf8(checkString(name, value));
    },
  };
}

/** The `text` codec: JS `string`. */
export const textCodec = stringCodec('text', oid.TEXT, oid.TEXT_ARRAY);
/** The `varchar` codec: JS `string`. */
export const varcharCodec = stringCodec('varchar', oid.VARCHAR, oid.VARCHAR_ARRAY);
/** The `bpchar` (char(n)) codec: JS `string`, with the server's blank padding. */
export const bpcharCodec = stringCodec('bpchar', oid.BPCHAR, oid.BPCHAR_ARRAY);
/** The `name` codec: JS `string` (the server refuses names of 64 bytes or more). */
export const nameCodec = stringCodec('name', oid.NAME, oid.NAME_ARRAY);

/** charout's text for one byte. */
function formatChar(b: number): string {
  if (b === 0) return '';
  if (b < HIGH_BIT) return String.fromCharCode(b);
  return `\\${b.toString(OCTAL_RADIX).padStart(OCTAL_DIGITS, '0')}`;
}

/** The byte charin reads from charout's forms; anything else is refused rather than truncated. */
function charByte(v: unknown): number {
  const s = checkString('"char"', v);
  if (s === '') return 0;
  if (s.length === 1 && s.charCodeAt(0) <= ASCII_MAX) return s.charCodeAt(0);
  const m = OCTAL_CHAR.exec(s);
  if (m !== null) return parseInt(m[1]!, OCTAL_RADIX);
  throw cannotEncode('"char"', `needs '', one ASCII character or \\ooo, got ${describe(s)}`);
}

/** The `"char"` codec: JS `string` in charout's form ('', one ASCII character, or `\ooo`). */
export const charCodec: BinaryTypeCodec<string> = {
  oid: oid.CHAR,
  name: 'char',
  arrayOid: oid.CHAR_ARRAY,
  binary: true,
  decodeText(text) {
    // Only charout's forms: a server before 15 sends bytes 0x80..0xFF raw, which arrive as U+FFFD.
    if (text.length > 1 ? !OCTAL_CHAR.test(text) : text.length === 1 && text.charCodeAt(0) > ASCII_MAX) throw invalidText('"char"', text);
    return text;
  },
  encodeText: (value) => formatChar(charByte(value)),
  decodeBinary(bytes, start, length) {
    if (length !== CHAR_BYTES) throw badLength('"char"', length, CHAR_BYTES);
    return formatChar(bytes[start]!);
  },
  encodeBinary(w, value) {
    w.u8(charByte(value));
  },
};

/**
 * The codecs whose value is the field's UTF-8 text in either format (text, varchar, bpchar, name):
 * a result reader can take the row's own string for them (the batch fast path of
 * src/protocol/backend/data-row.ts) instead of decoding each field on its own.
 */
export const PLAIN_TEXT_CODECS: ReadonlySet<unknown> = new Set([textCodec, varcharCodec, bpcharCodec, nameCodec]);
