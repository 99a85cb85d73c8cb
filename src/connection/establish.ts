/**
 * Establishing a session on a stream: wait for the TCP connect, negotiate TLS as the sslmode asks
 * (SSLRequest and its single answer byte, or direct TLS), wrap the stream in a transport that
 * feeds a BackendReader, and run the startup exchange, all under one connect deadline. Shared by
 * `ConnectionBuilder.connect*()` (caller's stream) and `connect()` (sockets this library opens).
 * On any failure everything opened is destroyed and the error is typed; a deadline that passed
 * wins over whatever error its teardown caused.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { ConfigError, ErrorCode, PgStreamError, ProtocolError, TlsError } from '../errors.js';
import { BackendReader } from '../protocol/frame-reader.js';
import { NodeSocketTransport } from '../transport/node-socket.js';
import { guard, whenConnected } from '../transport/socket-guard.js';
import type { PasswordKind } from '../protocol/messages.js';
import type { Transport } from '../transport/transport.js';
import type { Connected } from './builder.js';
import type { CancelTarget } from './cancel.js';
import { Connection } from './connection.js';
import type { FrameSource } from './connection.js';
import { Deadline } from './deadline.js';
import type { SessionSettings, StreamOpener } from './settings.js';
import { runStartup } from './startup.js';
import { TracingSource, TracingTransport, WireTracer } from './wire-trace.js';
import { assertNothingUnread, peerCertificate, requestTls, requiresTls, runUpgrade, tlsUpgrade } from './tls.js';
import type { TlsPolicy, TlsUpgrade } from './tls.js';
import { STARTUP_MAX_MESSAGE_LENGTH } from './limits.js';

/** The stream to speak on after TLS negotiation, and how it was secured. */
export interface Secured {
  readonly stream: Duplex;
  readonly encrypted: boolean;
  /** The negotiation and upgrade used (repeated for CancelRequest), or null for plaintext. */
  readonly tls: CancelTarget['tls'];
}

/** The TLS policy for `settings`, with `host` as the name to verify and send as SNI. */
export function tlsPolicy(settings: SessionSettings, host?: string): TlsPolicy {
  return {
    ...settings.tls,
    sslmode: settings.sslmode,
    negotiation: settings.sslnegotiation,
    host: settings.tls.host ?? host,
  };
}

/** A reader with the settings' message limit. */
export function newReader(settings: SessionSettings): BackendReader {
  return new BackendReader(settings.maxMessageLength === undefined ? {} : { maxMessageLength: settings.maxMessageLength });
}

/**
 * Negotiates TLS on a connected plain `stream` per `settings.sslmode`: `disable`/`allow` stay plain
 * (allow's TLS retry needs a fresh socket: `connect()` does it); otherwise SSLRequest (or direct
 * TLS) and `upgrade` (the caller's, or this library's own). `N` under require or stricter is
 * PGS_TLS_REFUSED and nothing else is sent.
 */
export async function secureStream(
  stream: Duplex,
  settings: SessionSettings,
  upgrade: TlsUpgrade | null,
  deadline: Deadline,
  host?: string,
  wire?: WireTracer | null,
): Promise<Secured> {
  const mode = settings.sslmode;
  if (mode === 'disable' || mode === 'allow') return { stream, encrypted: false, tls: null };
  const policy = tlsPolicy(settings, host);
  const negotiation = settings.sslnegotiation;
  if (negotiation === 'direct' && !requiresTls(mode)) {
    throw new ConfigError(ErrorCode.INVALID_ARGUMENT, `weak sslmode "${mode}" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")`);
  }
  const doUpgrade = upgrade ?? tlsUpgrade(policy);
  if (negotiation === 'postgres') {
    const answer = await deadline.race(requestTls(stream));
    wire?.sslExchange(answer === 'accepted');
    if (answer === 'refused') {
      if (requiresTls(mode)) {
        stream.destroy();
        throw new TlsError(ErrorCode.TLS_REFUSED, `the server does not support TLS, but sslmode=${mode} requires it`);
      }
      return { stream, encrypted: false, tls: null };
    }
    assertNothingUnread(stream);
  }
  const secure = await deadline.race(runUpgrade(doUpgrade, stream, policy));
  deadline.onExpire(() => secure.destroy());
  return { stream: secure, encrypted: true, tls: { negotiation, upgrade: doUpgrade, policy } };
}

/** How to reach the server of a caller-supplied socket again: its TCP remote address. */
function remoteOpener(stream: Duplex): StreamOpener | undefined {
  if (!(stream instanceof net.Socket)) return undefined;
  const host = stream.remoteAddress;
  const port = stream.remotePort;
  if (host === undefined || port === undefined) return undefined;
  return () => net.connect({ host, port });
}

/**
 * Runs the startup exchange on `transport` under `deadline` and returns the connection. On failure
 * the transport is destroyed with the error. `confidential` marks a private channel without TLS (a
 * Unix socket), where a cleartext password may be sent.
 */
export async function startSession(
  transport: NodeSocketTransport,
  reader: BackendReader,
  settings: SessionSettings,
  deadline: Deadline,
  cancelTarget: CancelTarget | null,
  confidential = false,
  wire: WireTracer | null = null,
): Promise<Connected> {
  deadline.onExpire(() => transport.destroy(deadline.error));
  try {
    const encrypted = transport.encrypted;
    const certificateDer = encrypted ? peerCertificate(transport.stream) : null;
    const io: Transport = wire === null ? transport : new TracingTransport(transport, wire);
    const source: FrameSource = wire === null ? reader : new TracingSource(reader, wire);
    const onAuthResponse = wire === null ? undefined : (kind: PasswordKind): void => {
      wire.passwordKind = kind;
    };
    const sessionMaxLength = reader.maxMessageLength;
    reader.maxMessageLength = STARTUP_MAX_MESSAGE_LENGTH;
    const startup = await deadline.race(runStartup(source, io, settings, { encrypted, confidential, certificateDer }, onAuthResponse));
    reader.maxMessageLength = sessionMaxLength;
    const conn = new Connection({ transport: io, source, startup, cancelTarget, cancelTimeoutMs: settings.cancelTimeoutMs });
    return { conn, startup };
  } catch (err) {
    const e = typed(deadline.expired ? deadline.error : err);
    transport.destroy(e);
    throw e;
  }
}

/** Any thrown value as a typed error. */
export function typed(err: unknown): PgStreamError {
  if (err instanceof PgStreamError) return err;
  const text = err instanceof Error ? err.message : String(err);
  return new ProtocolError(ErrorCode.MALFORMED_MESSAGE, `connection failed: ${text}`, { cause: err });
}

/** A WireTracer for `settings`, or null when the session is not traced. */
export function wireTracer(settings: SessionSettings): WireTracer | null {
  return settings.tracer === undefined ? null : new WireTracer(settings.tracer);
}

/** `ConnectionBuilder.connect()`/`connectWithTls()`: a session on a stream the caller opened. */
export async function connectOnStream(stream: Duplex, settings: SessionSettings, upgrade: TlsUpgrade | null): Promise<Connected> {
  const deadline = new Deadline(settings.connectTimeoutMs);
  guard(stream);
  deadline.onExpire(() => stream.destroy());
  try {
    await deadline.race(whenConnected(stream));
    // Pipelined small messages must not wait on Nagle's algorithm (libpq sets TCP_NODELAY too).
    if (stream instanceof net.Socket) stream.setNoDelay(true);
    const preEncrypted = stream instanceof tls.TLSSocket;
    const wire = wireTracer(settings);
    // Without an explicit tls({ host }), verify-full checks the address actually dialled.
    const remote = stream instanceof net.Socket ? stream.remoteAddress : undefined;
    const secured = await secureStream(stream, settings, upgrade, deadline, remote, wire);
    const reader = newReader(settings);
    const transport = new NodeSocketTransport(secured.stream, reader, { encrypted: secured.encrypted || preEncrypted });
    // A stream that arrived already encrypted can only be re-opened securely by the caller's opener.
    const open = settings.cancelOpener ?? (preEncrypted ? undefined : remoteOpener(stream));
    const cancelTarget: CancelTarget | null = open === undefined ? null : { open, tls: secured.tls };
    return await startSession(transport, reader, settings, deadline, cancelTarget, false, wire);
  } catch (err) {
    stream.destroy();
    throw typed(deadline.expired ? deadline.error : err);
  } finally {
    deadline.clear();
  }
}
