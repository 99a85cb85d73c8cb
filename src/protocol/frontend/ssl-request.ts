/**
 * SSLRequest: asks the server to switch to TLS before the StartupMessage; it answers one byte
 * (`S` accept, `N` refuse) and nothing else may follow it unencrypted.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-SSLREQUEST
 */
import { BodyReader } from '../body-reader.js';
import { StartupCode } from '../codes.js';
import type { SSLRequest } from '../messages.js';
import { atomically, type MessageWriter } from '../writer.js';

/** Writes an SSLRequest (length 8, code 80877103). */
export function encodeSSLRequest(w: MessageWriter): void {
  atomically(w, () => {
    const start = w.beginUntyped();
    w.i32(StartupCode.SSL_REQUEST);
    w.finish(start);
  });
}

/** Decodes an SSLRequest body (the request code and nothing else). */
export function decodeSSLRequest(body: Uint8Array): SSLRequest {
  const r = new BodyReader(body, 'SSLRequest');
  if (r.i32() !== StartupCode.SSL_REQUEST) throw r.malformed('does not carry the SSLRequest code');
  r.end();
  return { type: 'SSLRequest' };
}
