/**
 * Terminate (`X`): announces a clean close; the server then closes the connection.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-TERMINATE
 */
import { BodyReader } from '../body-reader.js';
import { FrontendCode } from '../codes.js';
import type { Terminate } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { writeEmptyMessage } from './frame.js';

/** Writes a Terminate (a type byte and a length: it has no body; atomic, as nothing can fail once room is made). */
export function encodeTerminate(w: MessageWriter): void {
  writeEmptyMessage(w, FrontendCode.TERMINATE);
}

/** Decodes the (empty) body of a Terminate; any byte in it is malformed. */
export function decodeTerminate(body: Uint8Array): Terminate {
  new BodyReader(body, 'Terminate').end();
  return { type: 'Terminate' };
}
