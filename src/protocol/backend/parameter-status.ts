/**
 * ParameterStatus (`S`): the current value of a run-time parameter the server reports (at startup,
 * and whenever one changes: server_encoding, TimeZone, in_hot_standby, …).
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-PARAMETERSTATUS
 */
import { MessageCode } from '../codes.js';
import type { ParameterStatus } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { decodeBody, writeMessage } from './body.js';

/** Decodes ParameterStatus. */
export function decodeParameterStatus(body: Uint8Array): ParameterStatus {
  return decodeBody(body, 'ParameterStatus', (r) => {
    const name = r.cstring();
    const value = r.cstring();
    return { type: 'ParameterStatus', code: MessageCode.PARAMETER_STATUS, name, value };
  });
}

/** Writes ParameterStatus. */
export function encodeParameterStatus(w: MessageWriter, msg: ParameterStatus): void {
  writeMessage(w, MessageCode.PARAMETER_STATUS, () => {
    w.cstring(msg.name);
    w.cstring(msg.value);
  });
}
