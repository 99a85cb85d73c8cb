/**
 * CopyFail (`f`): aborts COPY FROM STDIN; the server answers with an ErrorResponse quoting `message`.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-COPYFAIL
 */
import { BodyReader } from '../body-reader.js';
import { FrontendCode } from '../codes.js';
import type { CopyFail } from '../messages.js';
import { atomically, type MessageWriter } from '../writer.js';

/** Writes a CopyFail with the reason `message` (no NUL allowed). */
export function encodeCopyFail(w: MessageWriter, message: string): void {
  atomically(w, () => {
    const start = w.begin(FrontendCode.COPY_FAIL);
    w.cstring(message);
    w.finish(start);
  });
}

/** Decodes the body of a CopyFail. */
export function decodeCopyFail(body: Uint8Array): CopyFail {
  const r = new BodyReader(body, 'CopyFail');
  const message = r.cstring();
  r.end();
  return { type: 'CopyFail', message };
}
