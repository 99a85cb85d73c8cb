/**
 * Backend message type bytes and length bounds, the WebAssembly side's only byte literals (the JS
 * side's are in src/protocol/codes.ts; test/unit/wasm-framing.test.ts checks that both accept the same
 * set of types). Reference: https://www.postgresql.org/docs/current/protocol-message-formats.html
 */

export const AUTHENTICATION: i32 = 0x52; // 'R'
export const BACKEND_KEY_DATA: i32 = 0x4b; // 'K'
export const BIND_COMPLETE: i32 = 0x32; // '2'
export const CLOSE_COMPLETE: i32 = 0x33; // '3'
export const COMMAND_COMPLETE: i32 = 0x43; // 'C'
export const COPY_DATA: i32 = 0x64; // 'd'
export const COPY_DONE: i32 = 0x63; // 'c'
export const COPY_IN_RESPONSE: i32 = 0x47; // 'G'
export const COPY_OUT_RESPONSE: i32 = 0x48; // 'H'
export const COPY_BOTH_RESPONSE: i32 = 0x57; // 'W'
export const DATA_ROW: i32 = 0x44; // 'D'
export const EMPTY_QUERY_RESPONSE: i32 = 0x49; // 'I'
export const ERROR_RESPONSE: i32 = 0x45; // 'E'
export const FUNCTION_CALL_RESPONSE: i32 = 0x56; // 'V'
export const NEGOTIATE_PROTOCOL_VERSION: i32 = 0x76; // 'v'
export const NO_DATA: i32 = 0x6e; // 'n'
export const NOTICE_RESPONSE: i32 = 0x4e; // 'N'
export const NOTIFICATION_RESPONSE: i32 = 0x41; // 'A'
export const PARAMETER_DESCRIPTION: i32 = 0x74; // 't'
export const PARAMETER_STATUS: i32 = 0x53; // 'S'
export const PARSE_COMPLETE: i32 = 0x31; // '1'
export const PORTAL_SUSPENDED: i32 = 0x73; // 's'
export const READY_FOR_QUERY: i32 = 0x5a; // 'Z'
export const ROW_DESCRIPTION: i32 = 0x54; // 'T'

/** The length word counts itself: a message with an empty body has length 4. */
export const EMPTY: i32 = 4;
/** DataRow: the NULL field length. */
export const NULL_LENGTH: i32 = -1;
/** Protocol-wide ceiling on a message (PostgreSQL's MaxAllocSize - 1, as in src/protocol/codes.ts). */
export const MAX_PROTOCOL_LENGTH: i32 = 0x3fff_ffff;
/** Default for the configurable cap (256 MiB), as BackendReaderOptions.maxMessageLength. */
export const DEFAULT_MAX_LENGTH: i32 = 0x1000_0000;
/**
 * Cap for short types, after libpq (fe-protocol3.c: lengths over 30000 are believed only for
 * CopyData, DataRow, ErrorResponse, FunctionCallResponse, NoticeResponse, NotificationResponse and
 * RowDescription).
 */
export const SHORT_CAP: i32 = 30000;
/** Authentication: room for SASL messages and GSS/SSPI tokens (libpq accepts 2000 during startup). */
export const AUTHENTICATION_CAP: i32 = 8192;
/** BackendKeyData: process id + a secret key of up to 256 bytes (protocol 3.2). */
export const BACKEND_KEY_DATA_CAP: i32 = 4 + 4 + 256;
/** ErrorResponse / NoticeResponse: generous (RAISE NOTICE can carry long text) but bounded. */
export const NOTICE_CAP: i32 = 0x8_0000;
/** NotificationResponse: the payload is limited to under 8000 bytes by default, BLCKSZ at most. */
export const NOTIFICATION_CAP: i32 = 0x1_0000;
/** ParameterDescription: a count and at most 65535 type OIDs. */
export const PARAMETER_DESCRIPTION_CAP: i32 = 4 + 2 + 4 * 65535;
/** CopyIn/Out/BothResponse: overall format, a count and at most 65535 column formats. */
export const COPY_RESPONSE_CAP: i32 = 4 + 1 + 2 + 2 * 65535;
