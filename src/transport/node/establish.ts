/**
 * Establishing a session over a Node stream: wait for the TCP connect, negotiate TLS as the sslmode
 * asks (SSLRequest and its single answer byte, or direct TLS), wrap the stream in a transport, and
 * start the transport-neutral session (src/session/start-session.ts), all under one connect
 * deadline. Shared by `ConnectionBuilder.connect*()` (caller's stream) and `connect()` (sockets this
 * library opens). On any failure everything opened is destroyed and the error is typed; a deadline
 * that passed wins over whatever error its teardown caused.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { ConfigError, ErrorCode, TlsError } from '../../errors.js';
import type { Connected } from '../../session/connection.js';
import { Deadline } from '../../session/deadline.js';
import { startSession, typed, wireTracer } from '../../session/start-session.js';
import type { WireTracer } from '../../session/wire-trace.js';
import { cancelSender } from './cancel.js';
import type { CancelTarget } from './cancel.js';
import type { NodeSettings, StreamOpener } from './settings.js';
import { guard, whenConnected } from './socket-guard.js';
import { NodeSocketTransport } from './socket-transport.js';
import { assertNothingUnread, requestTls, requiresTls, runUpgrade, tlsUpgrade } from './tls.js';
import type { TlsPolicy, TlsUpgrade } from './tls.js';

/** The stream to speak on after TLS negotiation, and how it was secured. */
export interface Secured {
  readonly stream: Duplex;
  readonly encrypted: boolean;
  /** The negotiation and upgrade used (repeated for CancelRequest), or null for plaintext. */
  readonly tls: CancelTarget['tls'];
}

/** The TLS policy for `settings`, with `host` as the name to verify and send as SNI. */
export function tlsPolicy(settings: NodeSettings, host?: string): TlsPolicy {
  return {
    ...settings.tls,
    sslmode: settings.sslmode,
    negotiation: settings.sslnegotiation,
    host: settings.tls.host ?? host,
  };
}

/**
 * Negotiates TLS on a connected plain `stream` per `settings.sslmode`: `disable`/`allow` stay plain
 * (allow's TLS retry needs a fresh socket: `connect()` does it); otherwise SSLRequest (or direct
 * TLS) and `upgrade` (the caller's, or this library's own). `N` under require or stricter is
 * PGS_TLS_REFUSED and nothing else is sent.
 */
export async function secureStream(
  stream: Duplex,
  settings: NodeSettings,
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

/** `ConnectionBuilder.connect()`/`connectWithTls()`: a session on a stream the caller opened. */
export async function connectOnStream(stream: Duplex, settings: NodeSettings, upgrade: TlsUpgrade | null): Promise<Connected> {
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
    // A stream that arrived already encrypted can only be re-opened securely by the caller's opener.
    const open = settings.cancelOpener ?? (preEncrypted ? undefined : remoteOpener(stream));
    const cancel = open === undefined ? null : cancelSender({ open, tls: secured.tls });
    const transport = new NodeSocketTransport(secured.stream, { encrypted: secured.encrypted || preEncrypted });
    return await startSession(transport, settings, { deadline, cancel, wire });
  } catch (err) {
    stream.destroy();
    throw typed(deadline.expired ? deadline.error : err);
  } finally {
    deadline.clear();
  }
}
