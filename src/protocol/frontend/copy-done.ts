/**
 * CopyDone (`c`) from the frontend: the COPY FROM STDIN data is complete.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-COPYDONE
 */
import { BodyReader } from '../body-reader.js';
import { FrontendCode } from '../codes.js';
import type { CopyDoneFrontend } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { writeEmptyMessage } from './frame.js';

/** Writes a CopyDone (a type byte and a length: it has no body; atomic, as nothing can fail once room is made). */
export function encodeCopyDone(w: MessageWriter): void {
  writeEmptyMessage(w, FrontendCode.COPY_DONE);
}

/** Decodes the (empty) body of a CopyDone; any byte in it is malformed. */
export function decodeCopyDone(body: Uint8Array): CopyDoneFrontend {
  new BodyReader(body, 'CopyDone').end();
  return { type: 'CopyDone' };
}
