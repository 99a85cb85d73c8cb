/**
 * NotificationResponse (`A`): a NOTIFY delivered to this session (sending process, channel, payload).
 * It may arrive at any time, between rows included.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-NOTIFICATIONRESPONSE
 */
import { MessageCode } from '../codes.js';
import type { NotificationResponse } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { decodeBody, writeI32, writeMessage } from './body.js';

/** Decodes NotificationResponse. */
export function decodeNotificationResponse(body: Uint8Array): NotificationResponse {
  return decodeBody(body, 'NotificationResponse', (r) => {
    const processId = r.i32();
    const channel = r.cstring();
    const payload = r.cstring();
    return { type: 'NotificationResponse', code: MessageCode.NOTIFICATION_RESPONSE, processId, channel, payload };
  });
}

/** Writes NotificationResponse. */
export function encodeNotificationResponse(w: MessageWriter, msg: NotificationResponse): void {
  writeMessage(w, MessageCode.NOTIFICATION_RESPONSE, () => {
    writeI32(w, msg.processId, 'NotificationResponse process ID');
    w.cstring(msg.channel);
    w.cstring(msg.payload);
  });
}
