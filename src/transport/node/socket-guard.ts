/**
 * Socket guards: a Node stream emitting `'error'` with no listener crashes the process, and a
 * connection passes one socket through several hands (TLS negotiation, the caller's upgrade
 * function, the transport). `guard()` attaches one permanent listener that records the first error,
 * so no phase ever leaves the socket unguarded, and converts Node errors into typed errors.
 */
import type { Duplex } from 'node:stream';
import { ConnectionError, ErrorCode } from '../../errors.js';
import type { PgStreamError } from '../../errors.js';

/** The first error a guarded stream emitted, if any. */
export interface GuardState {
  error: unknown;
  closed: boolean;
}

const guards = new WeakMap<Duplex, GuardState>();

/** Attaches (once) a permanent `'error'`/`'close'` recorder to `stream`; returns its state. */
export function guard(stream: Duplex): GuardState {
  let state = guards.get(stream);
  if (state !== undefined) return state;
  const s: GuardState = { error: undefined, closed: false };
  stream.on('error', (err: unknown) => {
    if (s.error === undefined) s.error = err;
  });
  stream.on('close', () => {
    s.closed = true;
  });
  guards.set(stream, s);
  state = s;
  return state;
}

/** Describes a Node socket error without leaking anything but its code and text. */
export function socketError(err: unknown, what = 'socket error'): PgStreamError {
  if (err instanceof ConnectionError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const text = err instanceof Error ? err.message : String(err);
  return new ConnectionError(ErrorCode.SOCKET_ERROR, `${what}: ${typeof code === 'string' ? `${code} ` : ''}${text}`.trim(), {
    cause: err,
  });
}

/** The error for a stream that ended while more input was expected. */
export function closedError(what = 'the server closed the connection'): ConnectionError {
  return new ConnectionError(ErrorCode.CONNECTION_CLOSED, what);
}

/** True when `stream` is a net.Socket (or TLSSocket) still establishing its TCP connection. */
export function isConnecting(stream: Duplex): boolean {
  return (stream as { connecting?: boolean }).connecting === true;
}

/**
 * Resolves once `stream` is connected (at once when it already is); rejects with a typed error when
 * it fails or closes first.
 */
export function whenConnected(stream: Duplex): Promise<void> {
  const state = guard(stream);
  if (state.error !== undefined) return Promise.reject(socketError(state.error, 'could not connect'));
  if (stream.destroyed || state.closed) return Promise.reject(closedError('the socket is already closed'));
  if (!isConnecting(stream)) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = (): void => {
      stream.off('connect', onConnect);
      stream.off('error', onError);
      stream.off('close', onClose);
    };
    const onConnect = (): void => {
      done();
      resolve();
    };
    const onError = (err: unknown): void => {
      done();
      reject(socketError(err, 'could not connect'));
    };
    const onClose = (): void => {
      done();
      reject(closedError('the socket closed before it connected'));
    };
    stream.on('connect', onConnect);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
