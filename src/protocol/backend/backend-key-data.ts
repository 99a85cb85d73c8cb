/**
 * BackendKeyData (`K`): the process ID and secret key a CancelRequest must quote.
 * The key is 4 bytes under protocol 3.0 and 4..256 bytes under 3.2; this decoder accepts 4..256 and
 * the connection checks the length against the negotiated version (RELIABILITY case 13).
 * The key is copied (it must outlive the receive buffer) and is a secret: never log or trace it.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-BACKENDKEYDATA
 */
import { Limits, MessageCode } from '../codes.js';
import type { BackendKeyData } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { decodeBody, invalid, writeI32, writeMessage } from './body.js';

const { MIN_CANCEL_KEY_LENGTH: MIN, MAX_CANCEL_KEY_LENGTH: MAX } = Limits;

/** Decodes BackendKeyData; a key shorter than 4 or longer than 256 bytes is malformed. */
export function decodeBackendKeyData(body: Uint8Array): BackendKeyData {
  return decodeBody(body, 'BackendKeyData', (r) => {
    const processId = r.i32();
    const key = r.rest();
    if (key.length < MIN || key.length > MAX) throw r.malformed(`has a ${key.length}-byte secret key (allowed: ${MIN}..${MAX})`);
    return { type: 'BackendKeyData', code: MessageCode.BACKEND_KEY_DATA, processId, secretKey: key.slice() };
  });
}

/** Writes BackendKeyData; the key must be 4..256 bytes. */
export function encodeBackendKeyData(w: MessageWriter, msg: BackendKeyData): void {
  writeMessage(w, MessageCode.BACKEND_KEY_DATA, () => {
    writeI32(w, msg.processId, 'BackendKeyData process ID');
    const n = msg.secretKey.length;
    if (n < MIN || n > MAX) throw invalid(`the secret key must be ${MIN}..${MAX} bytes, got ${n}`);
    w.bytes(msg.secretKey);
  });
}
