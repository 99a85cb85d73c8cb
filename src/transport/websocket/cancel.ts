/**
 * CancelRequest over a WebSocket bridge: a FRESH WebSocket to the same bridge and target carries the
 * packet (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-CANCELING-REQUESTS).
 * The server answers nothing and closes its TCP connection once it processed the request; the bridge
 * then closes the WebSocket, which is what this waits for. The same URL means the same transport
 * security: a `wss:` session cancels over `wss:`.
 */
import { ConnectionError, ErrorCode } from '../../errors.js';
import type { CancelRequestSender } from '../transport.js';
import type { ResolvedWebSocketOptions } from './options.js';
import { describeUrl } from './options.js';
import { describeClose, isCleanClose } from './socket-like.js';
import type { SocketCloseEvent, WebSocketLike } from './socket-like.js';

/** The sender for `conn.cancel()` over the bridge the session uses. */
export function webSocketCancelSender(options: ResolvedWebSocketOptions): CancelRequestSender {
  return (packet, timeoutMs) => sendCancelRequest(options, packet, timeoutMs);
}

/**
 * Opens a WebSocket, sends `packet` once it is open, and resolves when the bridge closes it in
 * order. Rejects with PGS_SOCKET_ERROR when the bridge cannot be reached or closes abnormally, and
 * with PGS_TIMEOUT after `timeoutMs`. Errors never contain the key.
 */
function sendCancelRequest(options: ResolvedWebSocketOptions, packet: Uint8Array, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const where = describeUrl(options.url);
    let ws: WebSocketLike;
    try {
      ws = new options.WebSocket(options.url, options.protocols);
      ws.binaryType = 'arraybuffer';
    } catch (err) {
      reject(new ConnectionError(ErrorCode.SOCKET_ERROR, `cancel request: cannot open a WebSocket to ${where}`, { cause: err }));
      return;
    }
    let sent = false;
    let settled = false;
    const finish = (err: ConnectionError | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.onopen = ws.onmessage = ws.onerror = ws.onclose = null;
      if (err === null) {
        resolve();
      } else {
        try {
          ws.close();
        } catch {
          // Closing a socket that failed to open may throw in some implementations: nothing to free.
        }
        reject(err);
      }
    };
    const timer = setTimeout(
      () => finish(new ConnectionError(ErrorCode.TIMEOUT, `cancel request timed out after ${timeoutMs} ms (${where})`)),
      timeoutMs,
    );
    ws.onopen = () => {
      try {
        ws.send(packet);
        sent = true;
      } catch (err) {
        finish(new ConnectionError(ErrorCode.SOCKET_ERROR, `cancel request: the WebSocket send failed (${where})`, { cause: err }));
      }
    };
    ws.onmessage = () => undefined;
    ws.onerror = () => undefined;
    ws.onclose = (event: SocketCloseEvent) => {
      if (sent && isCleanClose(event.code)) finish(null);
      else {
        const what = sent ? 'the bridge closed abnormally after the cancel request' : 'the WebSocket to the bridge failed';
        finish(new ConnectionError(ErrorCode.SOCKET_ERROR, `cancel request: ${what} (${where}, ${describeClose(event)})`));
      }
    };
  });
}
