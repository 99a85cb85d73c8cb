/**
 * What a `p` message is when no server told us. The byte `p` carries PasswordMessage,
 * SASLInitialResponse, SASLResponse and GSSResponse (protocol-message-formats.html); a client
 * sends the one the server's last Authentication request asked for. A trace of the frontend alone
 * (one raw file, one dump) has no such request, so the body decides:
 * - SASLInitialResponse: a printable mechanism name, NUL, then an Int32 length (-1 or exactly the
 *   bytes that follow);
 * - PasswordMessage: one string, its only NUL at the end;
 * - otherwise SASLResponse after a SASLInitialResponse, else GSSResponse.
 */
import type { PasswordKind } from '../../codec.js';

const NUL = 0;
const LENGTH_WORD = 4;
const PRINTABLE_FIRST = 0x21;
const PRINTABLE_LAST = 0x7e;
/** SASL mechanism names are at most 20 characters (RFC 4422 section 3.1). */
const MAX_MECHANISM = 20;
const NO_DATA = -1;

function isSaslInitialResponse(body: Uint8Array): boolean {
  const end = body.indexOf(NUL);
  if (end < 1 || end > MAX_MECHANISM) return false;
  for (let i = 0; i < end; i++) if (body[i]! < PRINTABLE_FIRST || body[i]! > PRINTABLE_LAST) return false;
  const rest = body.length - end - 1 - LENGTH_WORD;
  if (rest < 0) return false;
  const length = new DataView(body.buffer, body.byteOffset + end + 1, LENGTH_WORD).getInt32(0);
  return length === NO_DATA ? rest === 0 : length === rest;
}

/** The most likely kind of a `p` message body, given whether a SASLInitialResponse came before. */
export function guessPasswordKind(body: Uint8Array, afterSaslInitial: boolean): PasswordKind {
  if (isSaslInitialResponse(body)) return 'SASLInitialResponse';
  if (body.length > 0 && body.indexOf(NUL) === body.length - 1) return 'PasswordMessage';
  return afterSaslInitial ? 'SASLResponse' : 'GSSResponse';
}
