/**
 * StartupResult: what the server told the client while the session started — the run-time
 * parameters it reported (ParameterStatus), the cancel key (BackendKeyData), the protocol version
 * it agreed to, and any notices or notifications it sent before ReadyForQuery.
 */
import type { TransactionStatus } from '../protocol/codes.js';
import type { Notification } from '../query/events.js';

/** The outcome of a successful startup (the seed's `startup`). */
export interface StartupResult {
  /** ParameterStatus values reported during startup (`server_version`, `client_encoding`, …; at most 1000 names). */
  readonly parameters: Map<string, string>;
  /** The backend's process ID (BackendKeyData), or 0 when the server sent none. */
  readonly processId: number;
  /** The cancel key (4 bytes under 3.0, 4..256 under 3.2); empty when the server sent none. */
  readonly secretKey: Uint8Array;
  /** The protocol version in use: `major << 16 | minor` (`ProtocolVersion.V3_0` or `V3_2`). */
  readonly protocol: number;
  /** `_pq_.` protocol options the server did not recognise (NegotiateProtocolVersion). */
  readonly unsupportedOptions: readonly string[];
  /** The authentication method the server used (`trust`, `password`, `md5`, `SCRAM-SHA-256`, …). */
  readonly authMethod: string;
  /** True when the session runs over TLS. */
  readonly encrypted: boolean;
  /** Notices (field maps) the server sent during startup, e.g. MD5 deprecation warnings (the first 100). */
  readonly notices: readonly ReadonlyMap<string, string>[];
  /**
   * NotificationResponses the server sent before ReadyForQuery (PostgreSQL has no LISTEN yet then,
   * but the protocol allows them at any time, as libpq does; the first 100), before any handler
   * could be attached.
   */
  readonly notifications: readonly Notification[];
  /** Transaction status of the first ReadyForQuery. */
  readonly transactionStatus: TransactionStatus;
}
