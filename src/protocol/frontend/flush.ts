/**
 * Flush (`H`): asks the server to send what it has buffered, without ending the extended-query sequence.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-FLUSH
 */
import { BodyReader } from '../body-reader.js';
import { FrontendCode } from '../codes.js';
import type { Flush } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { writeEmptyMessage } from './frame.js';

/** Writes a Flush (a type byte and a length: it has no body; atomic, as nothing can fail once room is made). */
export function encodeFlush(w: MessageWriter): void {
  writeEmptyMessage(w, FrontendCode.FLUSH);
}

/** Decodes the (empty) body of a Flush; any byte in it is malformed. */
export function decodeFlush(body: Uint8Array): Flush {
  new BodyReader(body, 'Flush').end();
  return { type: 'Flush' };
}
