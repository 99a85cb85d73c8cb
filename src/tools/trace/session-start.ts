/**
 * Recognising the client side of a PostgreSQL session by its first bytes, on any port. A client's
 * first packet is always untyped: Int32 length, then Int32 code (protocol-message-formats.html):
 * StartupMessage (a 3.x protocol version, at most 10000 bytes after the length), SSLRequest
 * (80877103) or GSSENCRequest (80877104), both exactly 8 bytes, or CancelRequest (80877102: 16
 * bytes, longer with the variable-length keys of protocol 3.2). A client using direct TLS
 * (`sslnegotiation=direct`, PostgreSQL 17) starts with a TLS handshake record instead.
 */
import { StartupCode } from '../../codec.js';

/** What a stream's first bytes are. */
export type StreamStart = 'postgres' | 'tls' | 'other' | 'undecided';

/** The length word and the code. */
export const START_BYTES = 8;
const LENGTH_WORD = 4;
const REQUEST_LENGTH = 8;
const CANCEL_MINIMUM = 16;
/** Protocol 3.2 cancel keys are at most 256 bytes (the 3.0 key is 4). */
const CANCEL_MAXIMUM = 12 + 256;
/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH (libpq/pqcomm.h) plus the length word. */
const STARTUP_MAXIMUM = 10000 + LENGTH_WORD;
/** A StartupMessage needs at least the code and the terminating empty name. */
const STARTUP_MINIMUM = REQUEST_LENGTH + 1;
const PROTOCOL_MAJOR = 3;
const MAJOR_SHIFT = 16;
/** A TLS record carrying a handshake, version 3.x (RFC 8446 section 5.1). */
const TLS_HANDSHAKE = 0x16;
const TLS_MAJOR = 0x03;

/** True when two bytes open a TLS handshake record (a client's direct TLS, or TLS after an accepted SSLRequest). */
export function startsTlsHandshake(first: number | undefined, second: number | undefined): boolean {
  return first === TLS_HANDSHAKE && second === TLS_MAJOR;
}

/** Classifies a stream by its first bytes (`head`: as many as have arrived; `ended`: no more will). */
export function classifyStart(head: Uint8Array, ended: boolean): StreamStart {
  if (startsTlsHandshake(head[0], head[1])) return 'tls';
  if (head.length < START_BYTES) return ended ? 'other' : 'undecided';
  const view = new DataView(head.buffer, head.byteOffset, START_BYTES);
  const length = view.getInt32(0);
  const code = view.getUint32(LENGTH_WORD);
  switch (code) {
    case StartupCode.SSL_REQUEST:
    case StartupCode.GSSENC_REQUEST:
      return length === REQUEST_LENGTH ? 'postgres' : 'other';
    case StartupCode.CANCEL_REQUEST:
      return length >= CANCEL_MINIMUM && length <= CANCEL_MAXIMUM ? 'postgres' : 'other';
    default:
      return code >>> MAJOR_SHIFT === PROTOCOL_MAJOR && length >= STARTUP_MINIMUM && length <= STARTUP_MAXIMUM ? 'postgres' : 'other';
  }
}
