/**
 * CancelRequest: asks the server to cancel the query running in a session, over a FRESH connection
 * (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-CANCELING-REQUESTS).
 * The fresh connection gets the same transport security as the session it cancels (TLS, by the same
 * negotiation and upgrade, when the session used TLS), so the cancel key never travels in clear
 * when the session's did not. The whole request is bounded in time; the server answers nothing and
 * closes the connection once it has processed the request, which is what `sendCancelRequest` waits for.
 */
import type { Duplex } from 'node:stream';
import { ErrorCode, TlsError } from '../../errors.js';
import { guard, socketError, whenConnected } from './socket-guard.js';
import type { SslNegotiation } from '../../conninfo/values.js';
import { Deadline } from '../../session/deadline.js';
import type { CancelRequestSender } from '../transport.js';
import type { StreamOpener } from './settings.js';
import { assertNothingUnread, requestTls, runUpgrade } from './tls.js';
import type { TlsPolicy, TlsUpgrade } from './tls.js';

/** How to reach the server again, and how to secure the new connection. */
export interface CancelTarget {
  /** Opens a plain stream to the server (it may still be connecting). */
  readonly open: StreamOpener;
  /** Null: plaintext. Otherwise the negotiation and upgrade the session itself used. */
  readonly tls: { readonly negotiation: SslNegotiation; readonly upgrade: TlsUpgrade; readonly policy: TlsPolicy } | null;
}

/**
 * The CancelRequestSender for `target`: sends the packet (a CancelRequest, encoded by the session)
 * and waits until the server closed the connection. Rejects with ConnectionError PGS_TIMEOUT after
 * `timeoutMs`, or a typed transport or TLS error; the stream is always destroyed at the end.
 * Errors never contain the key.
 */
export function cancelSender(target: CancelTarget): CancelRequestSender {
  return (packet, timeoutMs) => sendCancelRequest(target, packet, timeoutMs);
}

async function sendCancelRequest(target: CancelTarget, packet: Uint8Array, timeoutMs: number): Promise<void> {
  const deadline = new Deadline(timeoutMs, ErrorCode.TIMEOUT, 'cancel request');
  const streams: Duplex[] = [];
  const track = (s: Duplex): Duplex => {
    guard(s);
    streams.push(s);
    deadline.onExpire(() => s.destroy());
    return s;
  };
  try {
    let stream = track(await deadline.race(Promise.resolve().then(target.open)));
    await deadline.race(whenConnected(stream));
    const tls = target.tls;
    if (tls !== null) {
      if (tls.negotiation === 'postgres') {
        const answer = await deadline.race(requestTls(stream));
        if (answer === 'refused') {
          throw new TlsError(ErrorCode.TLS_REFUSED, 'the server refused TLS for the cancel request, and the session uses TLS');
        }
        assertNothingUnread(stream);
      }
      stream = track(await deadline.race(runUpgrade(tls.upgrade, stream, tls.policy)));
    }
    await deadline.race(sendAndAwaitClose(stream, packet));
  } catch (err) {
    throw deadline.expired ? deadline.error : err;
  } finally {
    deadline.clear();
    for (const s of streams) s.destroy();
  }
}

/** Writes `packet`, then resolves when the peer ends or closes the stream (input is discarded). */
function sendAndAwaitClose(stream: Duplex, packet: Uint8Array): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const state = guard(stream);
    if (state.error !== undefined) {
      reject(socketError(state.error));
      return;
    }
    const done = (): void => {
      stream.off('end', done);
      stream.off('close', done);
      stream.off('error', onError);
      resolve();
    };
    const onError = (err: unknown): void => {
      stream.off('end', done);
      stream.off('close', done);
      stream.off('error', onError);
      // A reset after the request was written still means the server received it and hung up.
      const code = (err as { code?: unknown } | null)?.code;
      if (code === 'ECONNRESET' || code === 'EPIPE') resolve();
      else reject(socketError(err, 'cancel request failed'));
    };
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', onError);
    stream.on('data', () => undefined);
    stream.write(packet, (err?: Error | null) => {
      if (err) onError(err);
    });
  });
}
