/**
 * Starting a session on a transport: attach a BackendReader to it, run the startup exchange
 * (StartupMessage, authentication, ParameterStatus/BackendKeyData, ReadyForQuery) under the connect
 * deadline, and hand back the Connection. Transport-neutral: the Node transport (TCP, TLS, Unix),
 * a WebSocket or PGlite all end here. On failure the transport is destroyed with the typed error;
 * a deadline that passed wins over whatever error its teardown caused.
 */
import { ErrorCode, PgStreamError, ProtocolError } from '../errors.js';
import { BackendReader } from '../protocol/backend-reader.js';
import type { PasswordKind } from '../protocol/messages.js';
import type { CancelRequestSender, Transport } from '../transport/transport.js';
import { Connection } from './connection.js';
import type { Connected, FrameSource } from './connection.js';
import { Deadline } from './deadline.js';
import { STARTUP_MAX_MESSAGE_LENGTH } from './limits.js';
import type { SessionSettings } from './settings.js';
import { runStartup } from './startup.js';
import { TracingSource, TracingTransport, WireTracer } from './wire-trace.js';

/** How a session is started beyond its settings. */
export interface StartSessionOptions {
  /** The deadline the whole attempt runs under (default: a new one of `settings.connectTimeoutMs`). */
  readonly deadline?: Deadline;
  /** How `conn.cancel()` reaches the server, or null when it cannot. */
  readonly cancel: CancelRequestSender | null;
  /** The session's tracer, when the caller already traced part of it (an SSL negotiation). */
  readonly wire?: WireTracer | null;
}

/** A reader with the settings' message limit. */
export function newReader(settings: SessionSettings): BackendReader {
  return new BackendReader(settings.maxMessageLength === undefined ? {} : { maxMessageLength: settings.maxMessageLength });
}

/** A WireTracer for `settings`, or null when the session is not traced. */
export function wireTracer(settings: SessionSettings): WireTracer | null {
  return settings.tracer === undefined ? null : new WireTracer(settings.tracer);
}

/** Any thrown value as a typed error. */
export function typed(err: unknown): PgStreamError {
  if (err instanceof PgStreamError) return err;
  const text = err instanceof Error ? err.message : String(err);
  return new ProtocolError(ErrorCode.MALFORMED_MESSAGE, `connection failed: ${text}`, { cause: err });
}

/**
 * Runs the startup exchange on `transport` and returns the connection. Rejects with the typed
 * error (ServerError, AuthError, ProtocolError, ConnectionError) after destroying the transport.
 */
export async function startSession(transport: Transport, settings: SessionSettings, options: StartSessionOptions): Promise<Connected> {
  const own = options.deadline === undefined;
  const deadline = options.deadline ?? new Deadline(settings.connectTimeoutMs);
  deadline.onExpire(() => transport.destroy(deadline.error));
  try {
    const reader = newReader(settings);
    transport.attach(reader);
    const wire = options.wire === undefined ? wireTracer(settings) : options.wire;
    const io: Transport = wire === null ? transport : new TracingTransport(transport, wire);
    const source: FrameSource = wire === null ? reader : new TracingSource(reader, wire);
    const onAuthResponse = wire === null ? undefined : (kind: PasswordKind): void => {
      wire.passwordKind = kind;
    };
    // Until ReadyForQuery no large message is valid: an unauthenticated server cannot make us reserve memory.
    const sessionMaxLength = reader.maxMessageLength;
    reader.maxMessageLength = STARTUP_MAX_MESSAGE_LENGTH;
    const tls = {
      encrypted: transport.encrypted,
      confidential: transport.confidential === true,
      certificateDer: transport.encrypted ? (transport.serverCertificate ?? null) : null,
    };
    const startup = await deadline.race(runStartup(source, io, settings, tls, onAuthResponse));
    reader.maxMessageLength = sessionMaxLength;
    const conn = new Connection({ transport: io, source, startup, settings, cancel: options.cancel });
    return { conn, startup };
  } catch (err) {
    const e = typed(deadline.expired ? deadline.error : err);
    transport.destroy(e);
    throw e;
  } finally {
    if (own) deadline.clear();
  }
}
