/**
 * Typed errors with stable codes.
 *
 * Every failure the library reports is a `PgStreamError` whose `code` is one of `ErrorCode`: callers
 * branch on `code` (stable across releases), never on the message text. The subclasses say who is at
 * fault and what the failure did to the connection:
 * - `ClientError`: the caller asked for something impossible (nothing was written or sent);
 * - `ProtocolError`: the peer broke the protocol (fatal: the connection is destroyed);
 * - `ConnectionError`: the transport failed, closed or timed out; PGS_OUTCOME_UNKNOWN when that
 *   happened while a write's commit was in flight (whether the server committed it is unknown);
 * - `TlsError`, `AuthError`: negotiation refused or failed (fatal during startup);
 * - `ServerError`: the server sent an ErrorResponse (carries its SQLSTATE and every field);
 * - `ConfigError`: a connection string or option could not be understood;
 * - `QueryError`: a query-layer call did not complete as asked (aborted, timed out, skipped or
 *   rolled back with its pipeline segment, its COPY source failed); the connection stays usable.
 * Messages never contain passwords, proofs, salted passwords or cancel keys.
 */

/** Stable error codes: the contract callers branch on. */
export const ErrorCode = {
  // Outbound (client) checks: nothing was written.
  MESSAGE_TOO_LARGE: 'PGS_MESSAGE_TOO_LARGE',
  TOO_MANY_PARAMETERS: 'PGS_TOO_MANY_PARAMETERS',
  NUL_IN_STRING: 'PGS_NUL_IN_STRING',
  INVALID_ARGUMENT: 'PGS_INVALID_ARGUMENT',
  // Inbound framing and decoding: fatal.
  FRAME_LENGTH_TOO_SHORT: 'PGS_FRAME_LENGTH_TOO_SHORT',
  FRAME_LENGTH_MISMATCH: 'PGS_FRAME_LENGTH_MISMATCH',
  FRAME_TOO_LARGE: 'PGS_FRAME_TOO_LARGE',
  UNKNOWN_MESSAGE: 'PGS_UNKNOWN_MESSAGE',
  MALFORMED_MESSAGE: 'PGS_MALFORMED_MESSAGE',
  INVALID_UTF8: 'PGS_INVALID_UTF8',
  UNEXPECTED_MESSAGE: 'PGS_UNEXPECTED_MESSAGE',
  WASM_FAULT: 'PGS_WASM_FAULT',
  PROTOCOL_VERSION: 'PGS_PROTOCOL_VERSION',
  MALFORMED_VALUE: 'PGS_MALFORMED_VALUE',
  // Value codecs (src/types/): not fatal, the message framing is intact.
  INVALID_VALUE: 'PGS_INVALID_VALUE',
  VALUE_OUT_OF_RANGE: 'PGS_VALUE_OUT_OF_RANGE',
  // Transport.
  CONNECTION_CLOSED: 'PGS_CONNECTION_CLOSED',
  CONNECT_TIMEOUT: 'PGS_CONNECT_TIMEOUT',
  SOCKET_ERROR: 'PGS_SOCKET_ERROR',
  TIMEOUT: 'PGS_TIMEOUT',
  ABORTED: 'PGS_ABORTED',
  // The query layer.
  BUSY: 'PGS_BUSY',
  PIPELINE_ABORTED: 'PGS_PIPELINE_ABORTED',
  PIPELINE_ROLLED_BACK: 'PGS_PIPELINE_ROLLED_BACK',
  COPY_SOURCE: 'PGS_COPY_SOURCE',
  /**
   * The connection was lost after a write was sent with what commits it (its segment's Sync, a
   * COMMIT, a COPY's CopyDone) and before the server's answer arrived: the server may or may not
   * have committed it. Fatal; `cause` is the connection's error. Check the data before retrying.
   */
  OUTCOME_UNKNOWN: 'PGS_OUTCOME_UNKNOWN',
  // TLS negotiation.
  TLS_REFUSED: 'PGS_TLS_REFUSED',
  TLS_REQUEST_REJECTED: 'PGS_TLS_REQUEST_REJECTED',
  TLS_INJECTED_BYTES: 'PGS_TLS_INJECTED_BYTES',
  TLS_INVALID_RESPONSE: 'PGS_TLS_INVALID_RESPONSE',
  TLS_HANDSHAKE: 'PGS_TLS_HANDSHAKE',
  // Authentication.
  AUTH_METHOD_NOT_ALLOWED: 'PGS_AUTH_METHOD_NOT_ALLOWED',
  AUTH_CLEARTEXT_INSECURE: 'PGS_AUTH_CLEARTEXT_INSECURE',
  AUTH_PASSWORD_REQUIRED: 'PGS_AUTH_PASSWORD_REQUIRED',
  AUTH_UNSUPPORTED: 'PGS_AUTH_UNSUPPORTED',
  SCRAM_PROTOCOL: 'PGS_SCRAM_PROTOCOL',
  SCRAM_SERVER_SIGNATURE: 'PGS_SCRAM_SERVER_SIGNATURE',
  SCRAM_SERVER_ERROR: 'PGS_SCRAM_SERVER_ERROR',
  SCRAM_ITERATIONS: 'PGS_SCRAM_ITERATIONS',
  CHANNEL_BINDING: 'PGS_CHANNEL_BINDING',
  // The server said no.
  SERVER_ERROR: 'PGS_SERVER_ERROR',
  // Configuration.
  INVALID_CONNECTION_STRING: 'PGS_INVALID_CONNECTION_STRING',
  // Capture files read by the trace tool (src/tools/trace).
  CAPTURE_INVALID: 'PGS_CAPTURE_INVALID',
  CAPTURE_TRUNCATED: 'PGS_CAPTURE_TRUNCATED',
  CAPTURE_UNSUPPORTED: 'PGS_CAPTURE_UNSUPPORTED',
  CAPTURE_ENCRYPTED: 'PGS_CAPTURE_ENCRYPTED',
  CAPTURE_NO_SESSION: 'PGS_CAPTURE_NO_SESSION',
} as const;

/** One of the stable error code strings. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Options shared by every error constructor. */
export interface PgStreamErrorOptions {
  cause?: unknown;
}

/** Base class of every error this library throws. */
export class PgStreamError extends Error {
  /** Stable code to branch on. */
  readonly code: ErrorCode;
  /** True when the connection this error came from can no longer be used. */
  readonly fatal: boolean;

  constructor(code: ErrorCode, message: string, fatal: boolean, options?: PgStreamErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.fatal = fatal;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** The caller asked for something the protocol cannot carry; nothing was written. */
export class ClientError extends PgStreamError {
  constructor(code: ErrorCode, message: string, options?: PgStreamErrorOptions) {
    super(code, message, false, options);
  }
}

/** The peer broke the protocol; the connection is destroyed. */
export class ProtocolError extends PgStreamError {
  constructor(code: ErrorCode, message: string, options?: PgStreamErrorOptions) {
    super(code, message, true, options);
  }
}

/** The transport failed, closed or timed out. */
export class ConnectionError extends PgStreamError {
  constructor(code: ErrorCode, message: string, options?: PgStreamErrorOptions) {
    super(code, message, true, options);
  }
}

/** TLS negotiation was refused or failed. */
export class TlsError extends PgStreamError {
  constructor(code: ErrorCode, message: string, options?: PgStreamErrorOptions) {
    super(code, message, true, options);
  }
}

/** Authentication was refused by policy, failed, or the server misbehaved during it. */
export class AuthError extends PgStreamError {
  constructor(code: ErrorCode, message: string, options?: PgStreamErrorOptions) {
    super(code, message, true, options);
  }
}

/** A connection string or option could not be understood. */
export class ConfigError extends PgStreamError {
  constructor(code: ErrorCode, message: string, options?: PgStreamErrorOptions) {
    super(code, message, false, options);
  }
}

/** The fields of an ErrorResponse or NoticeResponse, by their one-letter protocol codes. */
export type NoticeFields = ReadonlyMap<string, string>;

/**
 * The server sent an ErrorResponse. `sqlstate` is the SQLSTATE (e.g. `28P01`); every field the
 * server sent is in `fields`, unknown ones included. `fatal` is true for FATAL and PANIC severities.
 */
export class ServerError extends PgStreamError {
  /** The SQLSTATE code (field `C`). */
  readonly sqlstate: string;
  /** The non-localised severity (field `V`, or `S` from servers older than 9.6). */
  readonly severity: string;
  /** Every field of the ErrorResponse, keyed by its protocol letter. */
  readonly fields: NoticeFields;

  constructor(fields: NoticeFields) {
    const severity = fields.get('V') ?? fields.get('S') ?? 'ERROR';
    const sqlstate = fields.get('C') ?? 'XX000';
    super(ErrorCode.SERVER_ERROR, `${severity}: ${fields.get('M') ?? 'unknown error'} (SQLSTATE ${sqlstate})`,
      severity === 'FATAL' || severity === 'PANIC');
    this.sqlstate = sqlstate;
    this.severity = severity;
    this.fields = fields;
  }

  /** The primary human-readable message (field `M`). */
  get detail(): string | undefined {
    return this.fields.get('D');
  }

  /** The optional hint (field `H`). */
  get hint(): string | undefined {
    return this.fields.get('H');
  }
}

/**
 * A query-layer call that did not complete as asked while the connection stays usable: aborted by
 * its signal or timeout (PGS_ABORTED, PGS_TIMEOUT), skipped by the server after an earlier error in
 * its pipeline segment (PGS_PIPELINE_ABORTED), executed but rolled back with its segment or
 * transaction (PGS_PIPELINE_ROLLED_BACK), or its COPY source failed (PGS_COPY_SOURCE). `cause` is
 * the error behind it (the failing statement's ServerError, the source's error) when there is one.
 */
export class QueryError extends PgStreamError {
  constructor(code: ErrorCode, message: string, options?: PgStreamErrorOptions) {
    super(code, message, false, options);
  }
}
