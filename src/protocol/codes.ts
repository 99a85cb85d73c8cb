/**
 * Every number the protocol gives a name to: message type bytes, authentication sub-codes, startup
 * request codes, format codes and transaction status (type OIDs: src/types/oids.ts).
 * This is the one module where protocol byte values are spelled out; everything else uses the names.
 * Type bytes are numeric literals (with their character alongside) so that TypeScript narrows a
 * message union on `msg.code === MessageCode.DATA_ROW`.
 * Reference: https://www.postgresql.org/docs/current/protocol-message-formats.html
 */

/** Type bytes of backend (server → client) messages, named as in the seed crate. */
export const MessageCode = {
  AUTHENTICATION: 0x52, // 'R'
  BACKEND_KEY_DATA: 0x4b, // 'K'
  BIND_COMPLETE: 0x32, // '2'
  CLOSE_COMPLETE: 0x33, // '3'
  COMMAND_COMPLETE: 0x43, // 'C'
  COPY_DATA: 0x64, // 'd'
  COPY_DONE: 0x63, // 'c'
  COPY_IN_RESPONSE: 0x47, // 'G'
  COPY_OUT_RESPONSE: 0x48, // 'H'
  COPY_BOTH_RESPONSE: 0x57, // 'W'
  DATA_ROW: 0x44, // 'D'
  EMPTY_QUERY_RESPONSE: 0x49, // 'I'
  ERROR_RESPONSE: 0x45, // 'E'
  FUNCTION_CALL_RESPONSE: 0x56, // 'V'
  NEGOTIATE_PROTOCOL_VERSION: 0x76, // 'v'
  NO_DATA: 0x6e, // 'n'
  NOTICE_RESPONSE: 0x4e, // 'N'
  NOTIFICATION_RESPONSE: 0x41, // 'A'
  PARAMETER_DESCRIPTION: 0x74, // 't'
  PARAMETER_STATUS: 0x53, // 'S'
  PARSE_COMPLETE: 0x31, // '1'
  PORTAL_SUSPENDED: 0x73, // 's'
  READY_FOR_QUERY: 0x5a, // 'Z'
  ROW_DESCRIPTION: 0x54, // 'T'
} as const;
/** A backend message type byte. */
export type MessageCode = (typeof MessageCode)[keyof typeof MessageCode];

/**
 * Type bytes of frontend (client → server) messages. PasswordMessage, SASLInitialResponse,
 * SASLResponse and GSSResponse share the byte `p`; they get distinct names all the same, because
 * only the authentication state tells them apart.
 */
export const FrontendCode = {
  BIND: 0x42, // 'B'
  CLOSE: 0x43, // 'C'
  COPY_DATA: 0x64, // 'd'
  COPY_DONE: 0x63, // 'c'
  COPY_FAIL: 0x66, // 'f'
  DESCRIBE: 0x44, // 'D'
  EXECUTE: 0x45, // 'E'
  FLUSH: 0x48, // 'H'
  FUNCTION_CALL: 0x46, // 'F'
  GSS_RESPONSE: 0x70, // 'p'
  PARSE: 0x50, // 'P'
  PASSWORD_MESSAGE: 0x70, // 'p'
  QUERY: 0x51, // 'Q'
  SASL_INITIAL_RESPONSE: 0x70, // 'p'
  SASL_RESPONSE: 0x70, // 'p'
  SYNC: 0x53, // 'S'
  TERMINATE: 0x58, // 'X'
} as const;
/** A frontend message type byte. */
export type FrontendCode = (typeof FrontendCode)[keyof typeof FrontendCode];

/** Sub-codes of the Authentication (`R`) message. */
export const AuthCode = {
  OK: 0,
  KERBEROS_V5: 2,
  CLEARTEXT_PASSWORD: 3,
  MD5_PASSWORD: 5,
  GSS: 7,
  GSS_CONTINUE: 8,
  SSPI: 9,
  SASL: 10,
  SASL_CONTINUE: 11,
  SASL_FINAL: 12,
} as const;
/** An Authentication sub-code. */
export type AuthCode = (typeof AuthCode)[keyof typeof AuthCode];

/** Codes that open the untyped startup-phase packets (in place of a protocol version). */
export const StartupCode = {
  CANCEL_REQUEST: 80877102,
  SSL_REQUEST: 80877103,
  GSSENC_REQUEST: 80877104,
} as const;

/** Protocol versions as sent in StartupMessage: major << 16 | minor. */
export const ProtocolVersion = {
  V3_0: 0x0003_0000,
  V3_2: 0x0003_0002,
} as const;
/** A protocol version number (major << 16 | minor). */
export type ProtocolVersion = (typeof ProtocolVersion)[keyof typeof ProtocolVersion];

/** The byte answering SSLRequest and GSSENCRequest. */
export const EncryptionResponse = {
  ACCEPT: 0x53, // 'S'
  ACCEPT_GSS: 0x47, // 'G'
  REJECT: 0x4e, // 'N'
  ERROR: 0x45, // 'E'
} as const;

/** Parameter and result format codes. */
export const FormatCode = {
  Text: 0,
  Binary: 1,
} as const;
/** A parameter or result format code. */
export type FormatCode = (typeof FormatCode)[keyof typeof FormatCode];

/** Transaction status carried by ReadyForQuery. */
export const TransactionStatus = {
  IDLE: 0x49, // 'I'
  IN_TRANSACTION: 0x54, // 'T'
  FAILED: 0x45, // 'E'
} as const;
/** A ReadyForQuery transaction status byte. */
export type TransactionStatus = (typeof TransactionStatus)[keyof typeof TransactionStatus];

/** Targets of Describe and Close. */
export const TargetKind = {
  STATEMENT: 0x53, // 'S'
  PORTAL: 0x50, // 'P'
} as const;
/** `S` (prepared statement) or `P` (portal). */
export type TargetKind = (typeof TargetKind)[keyof typeof TargetKind];

/** Field type letters of ErrorResponse and NoticeResponse. */
export const NoticeField = {
  SEVERITY: 'S',
  SEVERITY_NONLOCALIZED: 'V',
  CODE: 'C',
  MESSAGE: 'M',
  DETAIL: 'D',
  HINT: 'H',
  POSITION: 'P',
  INTERNAL_POSITION: 'p',
  INTERNAL_QUERY: 'q',
  WHERE: 'W',
  SCHEMA_NAME: 's',
  TABLE_NAME: 't',
  COLUMN_NAME: 'c',
  DATA_TYPE_NAME: 'd',
  CONSTRAINT_NAME: 'n',
  FILE: 'F',
  LINE: 'L',
  ROUTINE: 'R',
} as const;

/** Hard limits of the protocol and of PostgreSQL itself. */
export const Limits = {
  /** No message may exceed 1 GiB (PostgreSQL's MaxAllocSize); checked before anything is sent. */
  MAX_MESSAGE_LENGTH: 0x3fff_ffff,
  /** Parameter and column counts are Int16 on the wire: at most 65535 (as unsigned). */
  MAX_PARAMETERS: 65535,
  /** Cancel keys are 4 bytes under 3.0 and up to 256 bytes under 3.2. */
  MIN_CANCEL_KEY_LENGTH: 4,
  MAX_CANCEL_KEY_LENGTH: 256,
} as const;
