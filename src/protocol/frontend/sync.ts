/**
 * Sync (`S`): ends an extended-query sequence; the server answers ReadyForQuery, and after an error it skips to here.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-SYNC
 */
import { BodyReader } from '../body-reader.js';
import { FrontendCode } from '../codes.js';
import type { Sync } from '../messages.js';
import { atomically, type MessageWriter } from '../writer.js';

/** Writes a Sync (a type byte and a length: it has no body). */
export function writeSync(w: MessageWriter): void {
  atomically(w, () => {
    const start = w.begin(FrontendCode.SYNC);
    w.finish(start);
  });
}

/** Decodes the (empty) body of a Sync; any byte in it is malformed. */
export function decodeSync(body: Uint8Array): Sync {
  new BodyReader(body, 'Sync').end();
  return { type: 'Sync' };
}
