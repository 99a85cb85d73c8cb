/**
 * PasswordMessage (`p`): the cleartext password, or the `md5…` hash, answering
 * AuthenticationCleartextPassword or AuthenticationMD5Password. The byte `p` also carries
 * SASLInitialResponse, SASLResponse and GSSResponse: only the authentication state tells them apart.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-PASSWORDMESSAGE
 */
import { BodyReader } from '../body-reader.js';
import { FrontendCode } from '../codes.js';
import type { PasswordMessage } from '../messages.js';
import { atomically, type MessageWriter } from '../writer.js';

/** Writes a PasswordMessage (no NUL allowed; the error message never quotes the password). */
export function encodePasswordMessage(w: MessageWriter, password: string): void {
  atomically(w, () => {
    const start = w.begin(FrontendCode.PASSWORD_MESSAGE);
    w.cstring(password);
    w.finish(start);
  });
}

/** Decodes the body of a `p` message known to be a PasswordMessage. */
export function decodePasswordMessage(body: Uint8Array): PasswordMessage {
  const r = new BodyReader(body, 'PasswordMessage');
  const password = r.cstring();
  r.end();
  return { type: 'PasswordMessage', password };
}
