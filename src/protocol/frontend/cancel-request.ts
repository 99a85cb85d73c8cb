/**
 * CancelRequest: sent on a new connection to cancel the query running in another session,
 * identified by its process ID and secret key (BackendKeyData). The key is 4 bytes under protocol
 * 3.0 and 4 to 256 bytes under 3.2. The server answers nothing and closes the connection.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-CANCELREQUEST
 */
import { BodyReader } from '../body-reader.js';
import { Limits, StartupCode } from '../codes.js';
import type { CancelRequest } from '../messages.js';
import { atomically, type MessageWriter } from '../writer.js';
import { MAX_UINT32, invalidArgument } from './checks.js';

const MIN_INT32 = -0x8000_0000;

/**
 * Writes a CancelRequest. `processId` is an Int32 (a UInt32 is accepted and sent as its bit
 * pattern); a key shorter than 4 or longer than 256 bytes is `PGS_INVALID_ARGUMENT`. Error
 * messages never include the key.
 */
export function encodeCancelRequest(w: MessageWriter, processId: number, secretKey: Uint8Array): void {
  if (!Number.isInteger(processId) || processId < MIN_INT32 || processId > MAX_UINT32) {
    throw invalidArgument(`CancelRequest process ID must be a 32-bit integer, got ${String(processId)}`);
  }
  const n = secretKey instanceof Uint8Array ? secretKey.length : -1;
  if (n < Limits.MIN_CANCEL_KEY_LENGTH || n > Limits.MAX_CANCEL_KEY_LENGTH) {
    throw invalidArgument(
      `CancelRequest secret key must be ${Limits.MIN_CANCEL_KEY_LENGTH} to ${Limits.MAX_CANCEL_KEY_LENGTH} bytes, got ${n < 0 ? 'no bytes' : n}`,
    );
  }
  atomically(w, () => {
    const start = w.beginUntyped();
    w.i32(StartupCode.CANCEL_REQUEST);
    w.i32(processId | 0);
    w.bytes(secretKey);
    w.finish(start);
  });
}

/** Decodes a CancelRequest body; the process ID is signed and the key (4..256 bytes) is a view. */
export function decodeCancelRequest(body: Uint8Array): CancelRequest {
  const r = new BodyReader(body, 'CancelRequest');
  if (r.i32() !== StartupCode.CANCEL_REQUEST) throw r.malformed('does not carry the CancelRequest code');
  const processId = r.i32();
  const secretKey = r.rest();
  if (secretKey.length < Limits.MIN_CANCEL_KEY_LENGTH || secretKey.length > Limits.MAX_CANCEL_KEY_LENGTH) {
    throw r.malformed(`has a secret key of ${secretKey.length} bytes`);
  }
  return { type: 'CancelRequest', processId, secretKey };
}
