/**
 * The server's last words: when a write fails because the server closed the connection, what it
 * said before closing (typically a FATAL ErrorResponse: an authentication failure, a timeout, an
 * administrator's shutdown) is the real error, not the broken pipe. As libpq does after a failed
 * send (fe-misc.c, pqSendSome: "we may not have read the server's error message yet"), the
 * messages already received are read for an ErrorResponse before the write error is reported.
 */
import { ServerError } from '../errors.js';
import type { Transport } from '../transport/transport.js';
import type { MessageSource } from './message-source.js';

/** At most this many messages are looked through (a server's farewell is one or two). */
const MAX_MESSAGES = 1000;

/** The ErrorResponse among what was received (bytes still queued in the transport included), or null. */
export async function lastWords(source: MessageSource, transport: Transport): Promise<ServerError | null> {
  for (let i = 0; i < MAX_MESSAGES; i++) {
    let msg;
    try {
      msg = source.next();
      if (msg === null) {
        await transport.fill();
        continue;
      }
    } catch {
      return null;
    }
    if (msg.type === 'ErrorResponse') return new ServerError(new Map(msg.fields));
  }
  return null;
}

/** Writes `data`; if that fails, throws the server's last ErrorResponse when there is one (cause: the write error). */
export async function writeOrLastWords(source: MessageSource, transport: Transport, data: Uint8Array): Promise<void> {
  try {
    await transport.write(data);
  } catch (err) {
    const said = await lastWords(source, transport);
    if (said === null) throw err;
    throw said;
  }
}
