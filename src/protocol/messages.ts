/**
 * The shapes of every protocol message, in both directions: the contract between decoders,
 * encoders, the connection and the tracer. Names are PostgreSQL's own (protocol-message-formats).
 *
 * Validity: a decoded message may hold views (`Uint8Array`s) into the receive buffer. Such views are
 * valid only until the next `recv()`/`next()`; call `copyMessage()` (or `DataRow.copy()`) to keep one.
 * Unnamed statements and portals are `null` (the empty string on the wire).
 */
import type {
  AuthCode,
  FormatCode,
  MessageCode,
  ProtocolVersion,
  TargetKind,
  TransactionStatus,
} from './codes.js';

type M<T extends string, C extends number> = { readonly type: T; readonly code: C };
type C = typeof MessageCode;
type A = typeof AuthCode;

// ---------------------------------------------------------------- backend → frontend

export interface AuthenticationOk extends M<'AuthenticationOk', C['AUTHENTICATION']> { readonly auth: A['OK'] }
export interface AuthenticationKerberosV5 extends M<'AuthenticationKerberosV5', C['AUTHENTICATION']> { readonly auth: A['KERBEROS_V5'] }
export interface AuthenticationCleartextPassword extends M<'AuthenticationCleartextPassword', C['AUTHENTICATION']> { readonly auth: A['CLEARTEXT_PASSWORD'] }
/** MD5 challenge: `salt` is 4 bytes. */
export interface AuthenticationMD5Password extends M<'AuthenticationMD5Password', C['AUTHENTICATION']> { readonly auth: A['MD5_PASSWORD']; readonly salt: Uint8Array }
export interface AuthenticationGSS extends M<'AuthenticationGSS', C['AUTHENTICATION']> { readonly auth: A['GSS'] }
export interface AuthenticationGSSContinue extends M<'AuthenticationGSSContinue', C['AUTHENTICATION']> { readonly auth: A['GSS_CONTINUE']; readonly data: Uint8Array }
export interface AuthenticationSSPI extends M<'AuthenticationSSPI', C['AUTHENTICATION']> { readonly auth: A['SSPI'] }
/** The SASL mechanisms the server offers, in its order of preference. */
export interface AuthenticationSASL extends M<'AuthenticationSASL', C['AUTHENTICATION']> { readonly auth: A['SASL']; readonly mechanisms: readonly string[] }
export interface AuthenticationSASLContinue extends M<'AuthenticationSASLContinue', C['AUTHENTICATION']> { readonly auth: A['SASL_CONTINUE']; readonly data: Uint8Array }
export interface AuthenticationSASLFinal extends M<'AuthenticationSASLFinal', C['AUTHENTICATION']> { readonly auth: A['SASL_FINAL']; readonly data: Uint8Array }
/** Every Authentication sub-message. */
export type Authentication =
  | AuthenticationOk | AuthenticationKerberosV5 | AuthenticationCleartextPassword | AuthenticationMD5Password
  | AuthenticationGSS | AuthenticationGSSContinue | AuthenticationSSPI
  | AuthenticationSASL | AuthenticationSASLContinue | AuthenticationSASLFinal;

/** The cancel key: 4 bytes under protocol 3.0, 4..256 under 3.2. */
export interface BackendKeyData extends M<'BackendKeyData', C['BACKEND_KEY_DATA']> { readonly processId: number; readonly secretKey: Uint8Array }
export interface BindComplete extends M<'BindComplete', C['BIND_COMPLETE']> {}
export interface CloseComplete extends M<'CloseComplete', C['CLOSE_COMPLETE']> {}
/** `tag` is the command tag (e.g. `INSERT 0 5`); `rows` its row count, or null for tags without one. */
export interface CommandComplete extends M<'CommandComplete', C['COMMAND_COMPLETE']> { readonly tag: string; readonly rows: number | null }
/** COPY payload (either direction); `data` is a view. */
export interface CopyData extends M<'CopyData', C['COPY_DATA']> { readonly data: Uint8Array }
export interface CopyDone extends M<'CopyDone', C['COPY_DONE']> {}
/** Overall format (0 text, 1 binary) and the format of each column. */
interface CopyResponseBody { readonly format: FormatCode; readonly columnFormats: readonly FormatCode[] }
export interface CopyInResponse extends M<'CopyInResponse', C['COPY_IN_RESPONSE']>, CopyResponseBody {}
export interface CopyOutResponse extends M<'CopyOutResponse', C['COPY_OUT_RESPONSE']>, CopyResponseBody {}
export interface CopyBothResponse extends M<'CopyBothResponse', C['COPY_BOTH_RESPONSE']>, CopyResponseBody {}

/**
 * A row: zero-copy access to its fields. Valid until the next receive; `copy()` detaches it.
 * `text(i)` decodes UTF-8 (invalid sequences become U+FFFD); `bytes(i)` is a view; NULL fields give
 * `null` from both.
 */
export interface DataRowView extends M<'DataRow', C['DATA_ROW']> {
  readonly fieldCount: number;
  isNull(i: number): boolean;
  bytes(i: number): Uint8Array | null;
  text(i: number): string | null;
  /** Length of field `i` in bytes, -1 for NULL. */
  fieldLength(i: number): number;
  /**
   * Where field `i` starts in `buffer` (for value decoders that read `buffer[offset, offset +
   * fieldLength(i))` in place, without a view per field). Meaningless for a NULL field.
   */
  fieldOffset(i: number): number;
  /** The bytes the field offsets point into (the receive buffer, or a detached row's own body). */
  readonly buffer: Uint8Array;
  /** A detached copy that stays valid forever. */
  copy(): DataRowView;
}

export interface EmptyQueryResponse extends M<'EmptyQueryResponse', C['EMPTY_QUERY_RESPONSE']> {}
/** ErrorResponse and NoticeResponse fields, keyed by protocol letter; unknown letters are kept. */
interface NoticeBody { readonly fields: ReadonlyMap<string, string> }
export interface ErrorResponse extends M<'ErrorResponse', C['ERROR_RESPONSE']>, NoticeBody {}
export interface NoticeResponse extends M<'NoticeResponse', C['NOTICE_RESPONSE']>, NoticeBody {}
/** The function's result (a view), or null for SQL NULL. */
export interface FunctionCallResponse extends M<'FunctionCallResponse', C['FUNCTION_CALL_RESPONSE']> { readonly result: Uint8Array | null }
/** The newest minor version the server supports, and the `_pq_.` options it did not recognise. */
export interface NegotiateProtocolVersion extends M<'NegotiateProtocolVersion', C['NEGOTIATE_PROTOCOL_VERSION']> { readonly newestMinor: number; readonly unrecognized: readonly string[] }
export interface NoData extends M<'NoData', C['NO_DATA']> {}
export interface NotificationResponse extends M<'NotificationResponse', C['NOTIFICATION_RESPONSE']> { readonly processId: number; readonly channel: string; readonly payload: string }
export interface ParameterDescription extends M<'ParameterDescription', C['PARAMETER_DESCRIPTION']> { readonly typeOids: readonly number[] }
export interface ParameterStatus extends M<'ParameterStatus', C['PARAMETER_STATUS']> { readonly name: string; readonly value: string }
export interface ParseComplete extends M<'ParseComplete', C['PARSE_COMPLETE']> {}
export interface PortalSuspended extends M<'PortalSuspended', C['PORTAL_SUSPENDED']> {}
export interface ReadyForQuery extends M<'ReadyForQuery', C['READY_FOR_QUERY']> { readonly status: TransactionStatus }

/** One column of a RowDescription. */
export interface FieldDescription {
  readonly name: string;
  /** OID of the source table, or 0. */
  readonly tableOid: number;
  /** Attribute number of the source column, or 0. */
  readonly columnAttr: number;
  readonly typeOid: number;
  readonly typeSize: number;
  readonly typeModifier: number;
  readonly format: FormatCode;
}
export interface RowDescription extends M<'RowDescription', C['ROW_DESCRIPTION']> { readonly fields: readonly FieldDescription[] }

/** Every message a backend sends, discriminated by `type` (and by `code`, except Authentication). */
export type BackendMessage =
  | Authentication | BackendKeyData | BindComplete | CloseComplete | CommandComplete | CopyData | CopyDone
  | CopyInResponse | CopyOutResponse | CopyBothResponse | DataRowView | EmptyQueryResponse | ErrorResponse
  | FunctionCallResponse | NegotiateProtocolVersion | NoData | NoticeResponse | NotificationResponse
  | ParameterDescription | ParameterStatus | ParseComplete | PortalSuspended | ReadyForQuery | RowDescription;

// ---------------------------------------------------------------- frontend → backend

type F<T extends string> = { readonly type: T };

/** Startup parameters in order; `_pq_.` protocol options are included as they are. */
export interface StartupMessage extends F<'StartupMessage'> { readonly protocol: ProtocolVersion | number; readonly parameters: ReadonlyMap<string, string> }
export interface SSLRequest extends F<'SSLRequest'> {}
export interface GSSENCRequest extends F<'GSSENCRequest'> {}
export interface CancelRequest extends F<'CancelRequest'> { readonly processId: number; readonly secretKey: Uint8Array }
export interface Query extends F<'Query'> { readonly sql: string }
export interface Parse extends F<'Parse'> { readonly name: string | null; readonly sql: string; readonly paramTypes: readonly number[] }
/** Bind as on the wire: formats after the 0/1/N collapse, values as raw bytes (null = SQL NULL). */
export interface Bind extends F<'Bind'> {
  readonly portal: string | null;
  readonly statement: string | null;
  readonly paramFormats: readonly FormatCode[];
  readonly params: readonly (Uint8Array | null)[];
  readonly resultFormats: readonly FormatCode[];
}
export interface Describe extends F<'Describe'> { readonly target: TargetKind; readonly name: string | null }
export interface Execute extends F<'Execute'> { readonly portal: string | null; readonly maxRows: number }
export interface Close extends F<'Close'> { readonly target: TargetKind; readonly name: string | null }
export interface Sync extends F<'Sync'> {}
export interface Flush extends F<'Flush'> {}
export interface Terminate extends F<'Terminate'> {}
/** FunctionCall as on the wire: argument formats after the 0/1/N collapse. */
export interface FunctionCall extends F<'FunctionCall'> {
  readonly oid: number;
  readonly argFormats: readonly FormatCode[];
  readonly args: readonly (Uint8Array | null)[];
  readonly resultFormat: FormatCode;
}
export interface CopyDataFrontend extends F<'CopyData'> { readonly data: Uint8Array }
export interface CopyDoneFrontend extends F<'CopyDone'> {}
export interface CopyFail extends F<'CopyFail'> { readonly message: string }
export interface PasswordMessage extends F<'PasswordMessage'> { readonly password: string }
/** `data` is null when the client sent length -1 (no initial response). */
export interface SASLInitialResponse extends F<'SASLInitialResponse'> { readonly mechanism: string; readonly data: Uint8Array | null }
export interface SASLResponse extends F<'SASLResponse'> { readonly data: Uint8Array }
export interface GSSResponse extends F<'GSSResponse'> { readonly data: Uint8Array }

/** Every message a frontend sends. */
export type FrontendMessage =
  | StartupMessage | SSLRequest | GSSENCRequest | CancelRequest | Query | Parse | Bind | Describe | Execute
  | Close | Sync | Flush | Terminate | FunctionCall | CopyDataFrontend | CopyDoneFrontend | CopyFail
  | PasswordMessage | SASLInitialResponse | SASLResponse | GSSResponse;

/** Which message a `p` byte carries: only the authentication exchange can tell. */
export type PasswordKind = 'PasswordMessage' | 'SASLInitialResponse' | 'SASLResponse' | 'GSSResponse';
