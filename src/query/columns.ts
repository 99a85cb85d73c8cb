/**
 * ResultColumns: a result's RowDescription turned into what the query layer hands out — the
 * `fields` of a Result, and one value reader per column chosen once (text or binary decoder of the
 * column's type, src/types/registry.ts), so decoding a row is a loop over ready functions.
 * Binary fields are read in place from the receive buffer (`row.buffer` at `row.fieldOffset(i)`),
 * text fields from the row's string (the batch Latin-1 fast path of src/protocol/backend/data-row.ts).
 */
import { FormatCode } from '../protocol/codes.js';
import type { DataRowView, FieldDescription } from '../protocol/messages.js';
import type { BinaryValueDecoder, TextValueDecoder } from '../types/type-codec.js';
import type { TypeRegistry } from '../types/registry.js';
import { PLAIN_TEXT_CODECS } from '../types/codecs/text.js';

/** A result column, as `Result.fields` lists it. */
export interface Field {
  /** The column name (may repeat, may be `?column?`). */
  readonly name: string;
  /** The column's type OID. */
  readonly typeOid: number;
  /** The format its values arrived in. */
  readonly format: FormatCode;
  /** The source table's OID and column number, 0 when the column is not a table column. */
  readonly tableOid: number;
  readonly columnAttr: number;
  /** pg_type.typlen (-1 variable, -2 C string) and the type modifier (e.g. varchar(n)). */
  readonly typeSize: number;
  readonly typeModifier: number;
}

/** Reads one column's value from a row (null for SQL NULL). */
export type ValueReader = (row: DataRowView, i: number) => unknown;

function textReader(decode: TextValueDecoder): ValueReader {
  return (row, i) => {
    const s = row.text(i);
    return s === null ? null : decode(s);
  };
}

function binaryReader(decode: BinaryValueDecoder): ValueReader {
  return (row, i) => {
    const n = row.fieldLength(i);
    return n < 0 ? null : decode(row.buffer, row.fieldOffset(i), n);
  };
}

/** A text column whose type has no decoder beyond the text itself: the string as it is. */
const plainText: ValueReader = (row, i) => row.text(i);

/** The columns of one result. */
export class ResultColumns {
  /** The columns, in order. */
  readonly fields: readonly Field[];
  /** One reader per column. */
  readonly readers: readonly ValueReader[];

  /** `formats`: the format each column was requested in (the RowDescription of a statement says 0). */
  constructor(description: readonly FieldDescription[], formats: readonly FormatCode[] | FormatCode, types: TypeRegistry) {
    const fields: Field[] = [];
    const readers: ValueReader[] = [];
    for (let i = 0; i < description.length; i++) {
      const d = description[i]!;
      const format = typeof formats === 'number' ? formats : (formats[i] ?? FormatCode.Text);
      fields.push({
        name: d.name,
        typeOid: d.typeOid,
        format,
        tableOid: d.tableOid,
        columnAttr: d.columnAttr,
        typeSize: d.typeSize,
        typeModifier: d.typeModifier,
      });
      const codec = types.get(d.typeOid);
      if (codec === undefined || PLAIN_TEXT_CODECS.has(codec)) {
        // The value is the field's text (in binary format too: the same UTF-8 bytes): the row's
        // own string, cut from the batch's one Latin-1 string when ASCII, is the cheapest way.
        readers.push(codec === undefined && format === FormatCode.Binary ? binaryReader(types.binaryDecoder(d.typeOid)) : plainText);
      } else if (format === FormatCode.Binary) {
        readers.push(binaryReader(types.binaryDecoder(d.typeOid)));
      } else {
        readers.push(textReader(types.textDecoder(d.typeOid)));
      }
    }
    this.fields = fields;
    this.readers = readers;
  }

  /** The number of columns. */
  get length(): number {
    return this.readers.length;
  }

  /** The decoded values of `row`, as an array. */
  values(row: DataRowView): unknown[] {
    const readers = this.readers;
    const n = readers.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = readers[i]!(row, i);
    return out;
  }
}
