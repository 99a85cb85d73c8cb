/**
 * SASLResponse (`p`): a later SASL client message (for SCRAM, the client-final-message).
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-SASLRESPONSE
 */
import { FrontendCode, Limits } from '../codes.js';
import type { SASLResponse } from '../messages.js';
import { atomically, type MessageWriter } from '../writer.js';
import { messageTooLarge } from './checks.js';

const LENGTH_WORD = 4;

/** Writes a SASLResponse carrying `data` as the whole body. */
export function encodeSASLResponse(w: MessageWriter, data: Uint8Array): void {
  if (data.length > Limits.MAX_MESSAGE_LENGTH - LENGTH_WORD) throw messageTooLarge('SASLResponse');
  atomically(w, () => {
    const start = w.begin(FrontendCode.SASL_RESPONSE);
    w.bytes(data);
    w.finish(start);
  });
}

/** Decodes the body of a `p` message known to be a SASLResponse: the data is a view of `body`. */
export function decodeSASLResponse(body: Uint8Array): SASLResponse {
  return { type: 'SASLResponse', data: body };
}
