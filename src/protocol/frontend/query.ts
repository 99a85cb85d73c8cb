/**
 * Query (`Q`): one or more SQL commands for the simple query protocol.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-QUERY
 */
import { BodyReader } from '../body-reader.js';
import { FrontendCode } from '../codes.js';
import type { Query } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { beginMessage } from './frame.js';

/** Writes a Query; a NUL inside `sql` is `PGS_NUL_IN_STRING` and nothing is written. */
export function encodeQuery(w: MessageWriter, sql: string): void {
  const mark = w.length;
  try {
    const start = beginMessage(w, FrontendCode.QUERY);
    w.cstring(sql);
    w.finish(start);
  } catch (err) {
    w.rollback(mark);
    throw err;
  }
}

/** Decodes the body of a Query. */
export function decodeQuery(body: Uint8Array): Query {
  const r = new BodyReader(body, 'Query');
  const sql = r.cstring();
  r.end();
  return { type: 'Query', sql };
}
