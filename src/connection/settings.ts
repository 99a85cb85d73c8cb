/**
 * SessionSettings: everything a connection attempt needs, whichever way it was configured (the
 * builder, or a connection string through `connect()`). One plain record so that the startup,
 * authentication, TLS and cancel code read the same names, with libpq's defaults.
 */
import type { Duplex } from 'node:stream';
import type { RequireAuth } from '../auth/policy.js';
import type { Tracer } from '../protocol/trace.js';
import type { ChannelBinding, SslMode, SslNegotiation } from './conninfo-values.js';
import type { AuthenticationMode } from './auth-mode.js';
import type { TlsPolicy } from './tls.js';

/** Opens a fresh stream to the same server (for CancelRequest); it may still be connecting. */
export type StreamOpener = () => Duplex | Promise<Duplex>;

/** The resolved settings of one connection attempt. */
export interface SessionSettings {
  /** StartupMessage parameters in order (`user` first). */
  readonly parameters: ReadonlyMap<string, string>;
  readonly auth: AuthenticationMode;
  /** Lowest acceptable protocol version after NegotiateProtocolVersion. */
  readonly minProtocol: number;
  /** Version asked for in the StartupMessage. */
  readonly maxProtocol: number;
  readonly sslmode: SslMode;
  readonly sslnegotiation: SslNegotiation;
  /** Certificates, SNI and TLS versions for the upgrades this library performs itself. */
  readonly tls: Omit<TlsPolicy, 'sslmode' | 'negotiation'>;
  readonly channelBinding: ChannelBinding;
  /** libpq `require_auth`; null = any method. */
  readonly requireAuth: RequireAuth | null;
  /** Send a cleartext password over a connection without TLS (refused by default). */
  readonly allowCleartextOverPlaintext: boolean;
  /** Deadline for the whole startup (TCP connect to ReadyForQuery); 0 = none. */
  readonly connectTimeoutMs: number;
  /** Deadline of a CancelRequest (connect, send, wait for the server to close). */
  readonly cancelTimeoutMs: number;
  /** Largest backend message accepted (the reader's limit); undefined = the reader's default. */
  readonly maxMessageLength: number | undefined;
  /** Cap on the SCRAM iteration count a server may ask for; undefined = the auth default. */
  readonly maxScramIterations: number | undefined;
  /** How to open a stream for CancelRequest; undefined = derive it from the connection's socket. */
  readonly cancelOpener: StreamOpener | undefined;
  /** Where every message of the session is traced (PQtrace format), or undefined. */
  readonly tracer?: Tracer | undefined;
}

/** libpq's default cancel timeout is unbounded; ours is bounded so a dead server cannot hang cancel(). */
export const DEFAULT_CANCEL_TIMEOUT_MS = 10_000;
