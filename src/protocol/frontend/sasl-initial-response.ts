/**
 * SASLInitialResponse (`p`): the chosen SASL mechanism and its optional initial client response
 * (length -1 when there is none).
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-SASLINITIALRESPONSE
 */
import { BodyReader } from '../body-reader.js';
import { FrontendCode, Limits } from '../codes.js';
import type { SASLInitialResponse } from '../messages.js';
import { atomically, type MessageWriter } from '../writer.js';
import { NULL_LENGTH, messageTooLarge } from './checks.js';

/** Writes a SASLInitialResponse; `data` null sends length -1 (no initial response). */
export function encodeSASLInitialResponse(w: MessageWriter, mechanism: string, data: Uint8Array | null): void {
  if (data !== null && data.length > Limits.MAX_MESSAGE_LENGTH) throw messageTooLarge('SASLInitialResponse');
  atomically(w, () => {
    const start = w.begin(FrontendCode.SASL_INITIAL_RESPONSE);
    w.cstring(mechanism);
    if (data === null) {
      w.i32(NULL_LENGTH);
    } else {
      w.i32(data.length);
      w.bytes(data);
    }
    w.finish(start);
  });
}

/** Decodes the body of a `p` message known to be a SASLInitialResponse; `data` is a view. */
export function decodeSASLInitialResponse(body: Uint8Array): SASLInitialResponse {
  const r = new BodyReader(body, 'SASLInitialResponse');
  const mechanism = r.cstring();
  const len = r.i32();
  let data: Uint8Array | null = null;
  if (len !== NULL_LENGTH) {
    if (len < 0) throw r.malformed(`has a negative response length ${len}`);
    data = r.bytes(len);
  }
  r.end();
  return { type: 'SASLInitialResponse', mechanism, data };
}
