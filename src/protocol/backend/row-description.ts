/**
 * RowDescription (`T`): one description per column of the rows that follow.
 * The column count is checked against the body before anything is allocated: each column needs at
 * least 19 bytes (NUL of an empty name + 18 bytes of fixed fields), so 65535 columns in a 10-byte
 * body is malformed at once (RELIABILITY case 6). Columns are an array of plain objects whose `name`
 * is a value, never a key: a column named `__proto__` cannot reach a prototype. Invalid UTF-8 in a
 * name becomes U+FFFD (RELIABILITY case 7).
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-ROWDESCRIPTION
 */
import { MessageCode } from '../codes.js';
import type { FieldDescription, RowDescription } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { decodeBody, readFormat16, writeCount, writeFormat16, writeI16, writeI32, writeMessage, writeU32 } from './body.js';

/** Smallest column description: name NUL (1) + table OID (4) + attribute (2) + type OID (4) + size (2) + modifier (4) + format (2). */
const MIN_FIELD_SIZE = 19;

/** Decodes RowDescription. */
export function decodeRowDescription(body: Uint8Array): RowDescription {
  return decodeBody(body, 'RowDescription', (r) => {
    const n = r.count(r.u16(), MIN_FIELD_SIZE);
    const fields: FieldDescription[] = new Array(n);
    for (let i = 0; i < n; i++) {
      fields[i] = {
        name: r.cstring(),
        tableOid: r.u32(),
        columnAttr: r.i16(),
        typeOid: r.u32(),
        typeSize: r.i16(),
        typeModifier: r.i32(),
        format: readFormat16(r),
      };
    }
    return { type: 'RowDescription', code: MessageCode.ROW_DESCRIPTION, fields };
  });
}

/** Writes RowDescription; more than 65535 columns is a ClientError. */
export function encodeRowDescription(w: MessageWriter, msg: RowDescription): void {
  writeMessage(w, MessageCode.ROW_DESCRIPTION, () => {
    writeCount(w, msg.fields.length, 'RowDescription columns');
    for (const f of msg.fields) {
      w.cstring(f.name);
      writeU32(w, f.tableOid, 'RowDescription table OID');
      writeI16(w, f.columnAttr, 'RowDescription column attribute number');
      writeU32(w, f.typeOid, 'RowDescription type OID');
      writeI16(w, f.typeSize, 'RowDescription type size');
      writeI32(w, f.typeModifier, 'RowDescription type modifier');
      writeFormat16(w, f.format, 'RowDescription format');
    }
  });
}
