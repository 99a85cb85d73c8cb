/**
 * CopyData (`d`): a chunk of COPY data. `data` is a view into the receive buffer, valid until the
 * next receive (COPY streams gigabytes; copying every chunk would double the work). `copyMessage()`
 * detaches it.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-COPYDATA
 */
import { MessageCode } from '../codes.js';
import type { CopyData } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { writeMessage } from './body.js';

/** Decodes CopyData: the whole body is the payload (a view, not a copy). */
export function decodeCopyData(body: Uint8Array): CopyData {
  return { type: 'CopyData', code: MessageCode.COPY_DATA, data: body };
}

/** Writes CopyData. */
export function encodeCopyData(w: MessageWriter, msg: CopyData): void {
  writeMessage(w, MessageCode.COPY_DATA, () => w.bytes(msg.data));
}
