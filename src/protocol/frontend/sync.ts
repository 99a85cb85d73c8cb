/**
 * Sync (`S`): ends an extended-query sequence; the server answers ReadyForQuery, and after an error it skips to here.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-SYNC
 */
import { BodyReader } from '../body-reader.js';
import { FrontendCode } from '../codes.js';
import type { Sync } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { writeEmptyMessage } from './frame.js';

/** Writes a Sync (a type byte and a length: it has no body; atomic, as nothing can fail once room is made). */
export function encodeSync(w: MessageWriter): void {
  writeEmptyMessage(w, FrontendCode.SYNC);
}

/** Decodes the (empty) body of a Sync; any byte in it is malformed. */
export function decodeSync(body: Uint8Array): Sync {
  new BodyReader(body, 'Sync').end();
  return { type: 'Sync' };
}
