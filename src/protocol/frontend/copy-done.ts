/**
 * CopyDone (`c`) from the frontend: the COPY FROM STDIN data is complete.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-COPYDONE
 */
import { BodyReader } from '../body-reader.js';
import { FrontendCode } from '../codes.js';
import type { CopyDoneFrontend } from '../messages.js';
import { atomically, type MessageWriter } from '../writer.js';

/** Writes a CopyDone (a type byte and a length: it has no body). */
export function writeCopyDone(w: MessageWriter): void {
  atomically(w, () => {
    const start = w.begin(FrontendCode.COPY_DONE);
    w.finish(start);
  });
}

/** Decodes the (empty) body of a CopyDone; any byte in it is malformed. */
export function decodeCopyDone(body: Uint8Array): CopyDoneFrontend {
  new BodyReader(body, 'CopyDone').end();
  return { type: 'CopyDone' };
}
