/**
 * CopyData (`d`) from the frontend: a chunk of COPY FROM STDIN data (any split of the stream).
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-COPYDATA
 */
import { FrontendCode, Limits } from '../codes.js';
import type { CopyDataFrontend } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { beginMessage } from './frame.js';
import { messageTooLarge } from './checks.js';

const LENGTH_WORD = 4;

/**
 * Writes a CopyData carrying `data` (a string is sent as UTF-8). A chunk that cannot fit in 1 GiB
 * is refused (`PGS_MESSAGE_TOO_LARGE`) before anything is copied.
 */
export function encodeCopyData(w: MessageWriter, data: Uint8Array | string): void {
  // A string's UTF-8 form is at least as long as its UTF-16 length, so this is a safe early refusal.
  if (data.length > Limits.MAX_MESSAGE_LENGTH - LENGTH_WORD) throw messageTooLarge('CopyData');
  const mark = w.length;
  try {
    const start = beginMessage(w, FrontendCode.COPY_DATA);
    if (typeof data === 'string') w.utf8(data);
    else w.bytes(data);
    w.finish(start);
  } catch (err) {
    w.rollback(mark);
    throw err;
  }
}

/** Decodes the body of a CopyData: the payload is a view of `body`. */
export function decodeCopyData(body: Uint8Array): CopyDataFrontend {
  return { type: 'CopyData', data: body };
}
