/**
 * CommandComplete (`C`): the command tag, e.g. `INSERT 0 5`, `SELECT 3`, `CREATE TABLE`.
 * `rows` is read from the tag for the commands whose tag carries a row count (INSERT oid rows,
 * SELECT, UPDATE, DELETE, MERGE, MOVE, FETCH, COPY) and is null otherwise. Counts are uint64 on the
 * server; above 2^53 the number loses precision (the tag keeps the exact digits).
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-COMMANDCOMPLETE
 */
import { MessageCode } from '../codes.js';
import type { CommandComplete } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { decodeUtf8 } from '../text.js';
import { decodeBody, writeMessage } from './body.js';

const ROW_COUNT_TAG = /^(?:INSERT \d{1,10}|SELECT|UPDATE|DELETE|MERGE|MOVE|FETCH|COPY) (\d{1,20})$/;

/** The row count a command tag reports, or null for tags without one. */
export function commandRows(tag: string): number | null {
  const m = ROW_COUNT_TAG.exec(tag);
  return m ? Number(m[1]) : null;
}

/**
 * Decodes CommandComplete, parsing the row count out of the tag. Once per statement, so a tag that
 * is one NUL-terminated C string is read without a BodyReader (the general path gives the errors).
 */
export function decodeCommandComplete(body: Uint8Array): CommandComplete {
  const last = body.length - 1;
  if (last >= 0 && body[last] === 0 && body.indexOf(0) === last) {
    const tag = decodeUtf8(body, 0, last);
    return { type: 'CommandComplete', code: MessageCode.COMMAND_COMPLETE, tag, rows: commandRows(tag) };
  }
  return decodeBody(body, 'CommandComplete', (r) => {
    const tag = r.cstring();
    return { type: 'CommandComplete', code: MessageCode.COMMAND_COMPLETE, tag, rows: commandRows(tag) };
  });
}

/** Writes CommandComplete: only the tag goes on the wire (`rows` is derived from it). */
export function encodeCommandComplete(w: MessageWriter, msg: CommandComplete): void {
  writeMessage(w, MessageCode.COMMAND_COMPLETE, () => w.cstring(msg.tag));
}
