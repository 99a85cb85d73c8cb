/**
 * Execute (`E`): runs a bound portal, returning at most `maxRows` rows (0: no limit) before
 * PortalSuspended.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-EXECUTE
 */
import { BodyReader } from '../body-reader.js';
import { FrontendCode } from '../codes.js';
import type { Execute } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { beginMessage, putI32, writeName } from './frame.js';
import { MAX_INT32, apiName, invalidArgument } from './checks.js';

/** Writes an Execute; `maxRows` must be an integer from 0 (no limit) to 2^31-1. */
export function encodeExecute(w: MessageWriter, portal: string | null, maxRows = 0): void {
  if (!Number.isInteger(maxRows) || maxRows < 0 || maxRows > MAX_INT32) {
    throw invalidArgument(`Execute maxRows must be an integer from 0 to ${MAX_INT32}, got ${String(maxRows)}`);
  }
  const mark = w.length;
  try {
    const start = beginMessage(w, FrontendCode.EXECUTE);
    writeName(w, portal);
    putI32(w, maxRows);
    w.finish(start);
  } catch (err) {
    w.rollback(mark);
    throw err;
  }
}

/**
 * Decodes the body of an Execute. A negative row limit is refused as malformed: the protocol only
 * defines 0 ("no limit") and positive limits, and no conforming client sends another.
 */
export function decodeExecute(body: Uint8Array): Execute {
  const r = new BodyReader(body, 'Execute');
  const portal = r.cstring();
  const maxRows = r.i32();
  r.end();
  if (maxRows < 0) throw r.malformed(`has a negative row limit ${maxRows}`);
  return { type: 'Execute', portal: apiName(portal), maxRows };
}
