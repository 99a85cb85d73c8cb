/**
 * SessionSettings: everything the transport-neutral part of a connection attempt needs — startup
 * parameters, credentials, protocol versions, the authentication policy, deadlines and limits —
 * whichever way it was configured (a builder, or a connection string through `connect()`). One
 * plain record so that startup, authentication and the connection read the same names, with
 * libpq's defaults. TLS and dialing settings belong to the Node transport
 * (src/transport/node/settings.ts).
 */
import type { RequireAuth } from '../auth/policy.js';
import type { AuthenticationMode } from '../auth/authentication-mode.js';
import type { Tracer } from '../protocol/trace.js';
import type { ChannelBinding } from '../conninfo/values.js';
import type { TypeRegistry } from '../types/registry.js';

/** The resolved settings of one session. */
export interface SessionSettings {
  /** StartupMessage parameters in order (`user` first). */
  readonly parameters: ReadonlyMap<string, string>;
  readonly auth: AuthenticationMode;
  /** Lowest acceptable protocol version after NegotiateProtocolVersion. */
  readonly minProtocol: number;
  /** Version asked for in the StartupMessage. */
  readonly maxProtocol: number;
  readonly channelBinding: ChannelBinding;
  /** libpq `require_auth`; null = any method. */
  readonly requireAuth: RequireAuth | null;
  /** Send a cleartext password over a connection without TLS (refused by default). */
  readonly allowCleartextOverPlaintext: boolean;
  /** Deadline for the whole startup (TCP connect to ReadyForQuery); 0 = none. */
  readonly connectTimeoutMs: number;
  /** Deadline of a CancelRequest (connect, send, wait for the server to close). */
  readonly cancelTimeoutMs: number;
  /**
   * Longest wait for the server while it owes an answer (a read deadline, RELIABILITY.md case 28);
   * 0 = none. Past it the connection fails with PGS_TIMEOUT.
   */
  readonly readTimeoutMs: number;
  /** Largest backend message accepted (the reader's limit); undefined = the reader's default. */
  readonly maxMessageLength: number | undefined;
  /** Cap on the SCRAM iteration count a server may ask for; undefined = the auth default. */
  readonly maxScramIterations: number | undefined;
  /** Where every message of the session is traced (PQtrace format), or undefined. */
  readonly tracer?: Tracer | undefined;
  /** The value codecs of the query layer (default: a registry of the built-in types). */
  readonly types?: TypeRegistry | undefined;
  /** Statements the query layer keeps prepared by SQL text (default 100; 0: none). */
  readonly statementCacheSize?: number | undefined;
}

/** libpq's default cancel timeout is unbounded; ours is bounded so a dead server cannot hang cancel(). */
export const DEFAULT_CANCEL_TIMEOUT_MS = 10_000;
