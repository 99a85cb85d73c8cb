/**
 * Parsing of the server's SCRAM messages (RFC 5802 §7 grammar) for the client. Pure and strict:
 * every deviation is an `AuthError` with a stable code (PGS_SCRAM_PROTOCOL for malformed input,
 * PGS_SCRAM_ITERATIONS for an unacceptable iteration count, PGS_SCRAM_SERVER_ERROR for `e=`), and
 * nothing here ever sees the password.
 */
import { AuthError, ErrorCode } from '../errors.js';
import { decodeBase64 } from './base64.js';
import { printable } from './bytes.js';

/** The fields of a server-first-message the client uses. */
export interface ServerFirstMessage {
  /** Client nonce followed by the server's part. */
  readonly nonce: string;
  readonly salt: Uint8Array;
  readonly iterations: number;
}

/** The verifier of a server-final-message (`v=`), decoded; `e=` is thrown instead. */
export interface ServerFinalMessage {
  readonly serverSignature: Uint8Array;
}

/** Attribute names RFC 5802 defines; they may not reappear as extensions. */
const DEFINED_ATTRIBUTES = 'anmrcsipve';
const ATTRIBUTE = /^[A-Za-z]$/;
/** RFC 5802 `printable`: %x21-2B / %x2D-7E (any visible ASCII except the comma). */
const PRINTABLE_NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;
const DIGITS = /^[0-9]+$/;
const NUL = '\0';

/** Builds the error for a malformed SCRAM message. */
export function scramProtocolError(message: string): AuthError {
  return new AuthError(ErrorCode.SCRAM_PROTOCOL, message);
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes a SCRAM message, which RFC 5802 defines as UTF-8 text. */
export function decodeScramText(bytes: Uint8Array, what: string): string {
  let text: string;
  try {
    text = utf8Strict.decode(bytes);
  } catch {
    throw scramProtocolError(`malformed SCRAM ${what}: not valid UTF-8`);
  }
  if (text.includes(NUL)) throw scramProtocolError(`malformed SCRAM ${what}: contains NUL`);
  return text;
}

/** The value of `part` if it is the attribute `name` (`name=value`), else a protocol error. */
function attribute(part: string | undefined, name: string, what: string): string {
  if (part === undefined) throw scramProtocolError(`malformed SCRAM ${what}: missing attribute ${name}=`);
  if (part.length < 2 || part[0] !== name || part[1] !== '=') {
    throw scramProtocolError(`malformed SCRAM ${what}: expected attribute ${name}=, found "${printable(part, 20)}"`);
  }
  return part.slice(2);
}

/** RFC 5802 §7 `extensions`: unknown optional attributes are ignored, but must be well-formed. */
function checkExtensions(parts: readonly string[], what: string): void {
  for (const part of parts) {
    const name = part[0] ?? '';
    if (part.length < 3 || part[1] !== '=' || !ATTRIBUTE.test(name)) {
      throw scramProtocolError(`malformed SCRAM ${what}: garbage at the end ("${printable(part, 20)}")`);
    }
    if (DEFINED_ATTRIBUTES.includes(name)) {
      throw scramProtocolError(`malformed SCRAM ${what}: attribute ${name}= repeated or out of order`);
    }
  }
}

/**
 * Parses a server-first-message: `[m=...,]r=<nonce>,s=<salt>,i=<count>[,extensions]` and checks
 * it against what the client sent: the nonce must start with the client's nonce and be longer
 * (otherwise the server is replaying or not contributing), the salt must be non-empty strict
 * base64, the iteration count an integer in [1, maxIterations].
 */
export function parseServerFirst(text: string, clientNonce: string, maxIterations: number): ServerFirstMessage {
  const what = 'server-first-message';
  const parts = text.split(',');
  if (parts[0]?.startsWith('m=')) {
    throw scramProtocolError(`SCRAM ${what} requires an unsupported mandatory extension (m=)`);
  }
  const nonce = attribute(parts[0], 'r', what);
  const saltText = attribute(parts[1], 's', what);
  const count = attribute(parts[2], 'i', what);
  checkExtensions(parts.slice(3), what);

  if (!PRINTABLE_NONCE.test(nonce)) throw scramProtocolError(`malformed SCRAM ${what}: invalid nonce characters`);
  if (!nonce.startsWith(clientNonce) || nonce.length <= clientNonce.length) {
    throw scramProtocolError(`invalid SCRAM ${what}: the server nonce does not extend the client nonce`);
  }
  const salt = decodeBase64(saltText);
  if (salt === null) throw scramProtocolError(`malformed SCRAM ${what}: the salt is not valid base64`);
  if (salt.length === 0) throw scramProtocolError(`invalid SCRAM ${what}: empty salt`);
  if (!DIGITS.test(count)) {
    throw new AuthError(ErrorCode.SCRAM_ITERATIONS, `invalid SCRAM iteration count "${printable(count, 20)}"`);
  }
  const iterations = Number(count);
  if (iterations < 1) throw new AuthError(ErrorCode.SCRAM_ITERATIONS, 'invalid SCRAM iteration count 0');
  if (iterations > maxIterations) {
    throw new AuthError(
      ErrorCode.SCRAM_ITERATIONS,
      `SCRAM iteration count ${printable(count, 20)} exceeds the limit of ${maxIterations} (option maxIterations)`,
    );
  }
  return { nonce, salt, iterations };
}

/**
 * Parses a server-final-message: `v=<signature>[,extensions]`, or `e=<error>` which becomes
 * AuthError PGS_SCRAM_SERVER_ERROR carrying the server's error value (public, e.g. `invalid-proof`).
 */
export function parseServerFinal(text: string): ServerFinalMessage {
  const what = 'server-final-message';
  const parts = text.split(',');
  const first = parts[0] ?? '';
  if (first.startsWith('e=')) {
    throw new AuthError(ErrorCode.SCRAM_SERVER_ERROR, `SCRAM authentication failed: server error "${printable(first.slice(2), 100)}"`);
  }
  const signatureText = attribute(first, 'v', what);
  checkExtensions(parts.slice(1), what);
  const serverSignature = decodeBase64(signatureText);
  if (serverSignature === null || serverSignature.length === 0) {
    throw scramProtocolError(`malformed SCRAM ${what}: the server signature is not valid base64`);
  }
  return { serverSignature };
}
