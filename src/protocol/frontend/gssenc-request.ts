/**
 * GSSENCRequest: asks the server for GSSAPI encryption before the StartupMessage; it answers one byte
 * (`G` accept, `N` refuse) and nothing else may follow it unencrypted.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-GSSENCREQUEST
 */
import { BodyReader } from '../body-reader.js';
import { StartupCode } from '../codes.js';
import type { GSSENCRequest } from '../messages.js';
import { atomically, type MessageWriter } from '../writer.js';

/** Writes a GSSENCRequest (length 8, code 80877104). */
export function encodeGSSENCRequest(w: MessageWriter): void {
  atomically(w, () => {
    const start = w.beginUntyped();
    w.i32(StartupCode.GSSENC_REQUEST);
    w.finish(start);
  });
}

/** Decodes a GSSENCRequest body (the request code and nothing else). */
export function decodeGSSENCRequest(body: Uint8Array): GSSENCRequest {
  const r = new BodyReader(body, 'GSSENCRequest');
  if (r.i32() !== StartupCode.GSSENC_REQUEST) throw r.malformed('does not carry the GSSENCRequest code');
  r.end();
  return { type: 'GSSENCRequest' };
}
