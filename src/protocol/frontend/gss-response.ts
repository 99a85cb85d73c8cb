/**
 * GSSResponse (`p`): a GSSAPI or SSPI token answering AuthenticationGSSContinue.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-GSSRESPONSE
 */
import { FrontendCode, Limits } from '../codes.js';
import type { GSSResponse } from '../messages.js';
import { atomically, type MessageWriter } from '../writer.js';
import { messageTooLarge } from './checks.js';

const LENGTH_WORD = 4;

/** Writes a GSSResponse carrying `data` as the whole body. */
export function encodeGSSResponse(w: MessageWriter, data: Uint8Array): void {
  if (data.length > Limits.MAX_MESSAGE_LENGTH - LENGTH_WORD) throw messageTooLarge('GSSResponse');
  atomically(w, () => {
    const start = w.begin(FrontendCode.GSS_RESPONSE);
    w.bytes(data);
    w.finish(start);
  });
}

/** Decodes the body of a `p` message known to be a GSSResponse: the data is a view of `body`. */
export function decodeGSSResponse(body: Uint8Array): GSSResponse {
  return { type: 'GSSResponse', data: body };
}
