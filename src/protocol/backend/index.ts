/**
 * Backend (server → client) messages: decode any of them from its type byte and body, encode any of
 * them (to play the server in tests and fake servers), and detach the views a decoded message holds.
 * The frame reader has already checked the length header; these functions see one body at a time.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
import { ErrorCode, ProtocolError } from '../../errors.js';
import { MessageCode } from '../codes.js';
import type { BackendMessage } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { decodeAuthentication, encodeAuthentication } from './authentication.js';
import { decodeBackendKeyData, encodeBackendKeyData } from './backend-key-data.js';
import { decodeBindComplete, encodeBindComplete } from './bind-complete.js';
import { decodeCloseComplete, encodeCloseComplete } from './close-complete.js';
import { decodeCommandComplete, encodeCommandComplete } from './command-complete.js';
import { decodeCopyBothResponse, encodeCopyBothResponse } from './copy-both-response.js';
import { decodeCopyData, encodeCopyData } from './copy-data.js';
import { decodeCopyDone, encodeCopyDone } from './copy-done.js';
import { decodeCopyInResponse, encodeCopyInResponse } from './copy-in-response.js';
import { decodeCopyOutResponse, encodeCopyOutResponse } from './copy-out-response.js';
import { decodeDataRow, encodeDataRow } from './data-row.js';
import { decodeEmptyQueryResponse, encodeEmptyQueryResponse } from './empty-query-response.js';
import { decodeErrorResponse, encodeErrorResponse } from './error-response.js';
import { decodeFunctionCallResponse, encodeFunctionCallResponse } from './function-call-response.js';
import { decodeNegotiateProtocolVersion, encodeNegotiateProtocolVersion } from './negotiate-protocol-version.js';
import { decodeNoData, encodeNoData } from './no-data.js';
import { decodeNoticeResponse, encodeNoticeResponse } from './notice-response.js';
import { decodeNotificationResponse, encodeNotificationResponse } from './notification-response.js';
import { decodeParameterDescription, encodeParameterDescription } from './parameter-description.js';
import { decodeParameterStatus, encodeParameterStatus } from './parameter-status.js';
import { decodeParseComplete, encodeParseComplete } from './parse-complete.js';
import { decodePortalSuspended, encodePortalSuspended } from './portal-suspended.js';
import { decodeReadyForQuery, encodeReadyForQuery } from './ready-for-query.js';
import { decodeRowDescription, encodeRowDescription } from './row-description.js';

type Decoder = (body: Uint8Array) => BackendMessage;

/** Decoders by type byte: one array lookup per message instead of a chain of comparisons. */
const decoders: (Decoder | undefined)[] = new Array<Decoder | undefined>(256).fill(undefined);
const register: [number, Decoder][] = [
  [MessageCode.AUTHENTICATION, decodeAuthentication],
  [MessageCode.BACKEND_KEY_DATA, decodeBackendKeyData],
  [MessageCode.BIND_COMPLETE, decodeBindComplete],
  [MessageCode.CLOSE_COMPLETE, decodeCloseComplete],
  [MessageCode.COMMAND_COMPLETE, decodeCommandComplete],
  [MessageCode.COPY_DATA, decodeCopyData],
  [MessageCode.COPY_DONE, decodeCopyDone],
  [MessageCode.COPY_IN_RESPONSE, decodeCopyInResponse],
  [MessageCode.COPY_OUT_RESPONSE, decodeCopyOutResponse],
  [MessageCode.COPY_BOTH_RESPONSE, decodeCopyBothResponse],
  [MessageCode.DATA_ROW, decodeDataRow],
  [MessageCode.EMPTY_QUERY_RESPONSE, decodeEmptyQueryResponse],
  [MessageCode.ERROR_RESPONSE, decodeErrorResponse],
  [MessageCode.FUNCTION_CALL_RESPONSE, decodeFunctionCallResponse],
  [MessageCode.NEGOTIATE_PROTOCOL_VERSION, decodeNegotiateProtocolVersion],
  [MessageCode.NO_DATA, decodeNoData],
  [MessageCode.NOTICE_RESPONSE, decodeNoticeResponse],
  [MessageCode.NOTIFICATION_RESPONSE, decodeNotificationResponse],
  [MessageCode.PARAMETER_DESCRIPTION, decodeParameterDescription],
  [MessageCode.PARAMETER_STATUS, decodeParameterStatus],
  [MessageCode.PARSE_COMPLETE, decodeParseComplete],
  [MessageCode.PORTAL_SUSPENDED, decodePortalSuspended],
  [MessageCode.READY_FOR_QUERY, decodeReadyForQuery],
  [MessageCode.ROW_DESCRIPTION, decodeRowDescription],
];
for (const [code, decode] of register) decoders[code] = decode;

/**
 * Decodes the body of the backend message with type byte `code`. Unknown type bytes are a
 * ProtocolError `PGS_UNKNOWN_MESSAGE` (RELIABILITY case 2: never "log and continue"); bad bodies are
 * `PGS_MALFORMED_MESSAGE`. Views in the result are valid until the next receive.
 */
export function decodeBackend(code: number, body: Uint8Array): BackendMessage {
  const decode = decoders[code];
  if (decode === undefined) {
    throw new ProtocolError(ErrorCode.UNKNOWN_MESSAGE, `unknown backend message type 0x${(code & 0xff).toString(16).padStart(2, '0')}`);
  }
  return decode(body);
}

/** Writes any backend message (type byte, length, body), atomically. */
export function encodeBackend(w: MessageWriter, msg: BackendMessage): void {
  switch (msg.type) {
    case 'AuthenticationOk':
    case 'AuthenticationKerberosV5':
    case 'AuthenticationCleartextPassword':
    case 'AuthenticationMD5Password':
    case 'AuthenticationGSS':
    case 'AuthenticationGSSContinue':
    case 'AuthenticationSSPI':
    case 'AuthenticationSASL':
    case 'AuthenticationSASLContinue':
    case 'AuthenticationSASLFinal':
      return encodeAuthentication(w, msg);
    case 'BackendKeyData':
      return encodeBackendKeyData(w, msg);
    case 'BindComplete':
      return encodeBindComplete(w, msg);
    case 'CloseComplete':
      return encodeCloseComplete(w, msg);
    case 'CommandComplete':
      return encodeCommandComplete(w, msg);
    case 'CopyData':
      return encodeCopyData(w, msg);
    case 'CopyDone':
      return encodeCopyDone(w, msg);
    case 'CopyInResponse':
      return encodeCopyInResponse(w, msg);
    case 'CopyOutResponse':
      return encodeCopyOutResponse(w, msg);
    case 'CopyBothResponse':
      return encodeCopyBothResponse(w, msg);
    case 'DataRow':
      return encodeDataRow(w, rowValues(msg));
    case 'EmptyQueryResponse':
      return encodeEmptyQueryResponse(w, msg);
    case 'ErrorResponse':
      return encodeErrorResponse(w, msg);
    case 'FunctionCallResponse':
      return encodeFunctionCallResponse(w, msg);
    case 'NegotiateProtocolVersion':
      return encodeNegotiateProtocolVersion(w, msg);
    case 'NoData':
      return encodeNoData(w, msg);
    case 'NoticeResponse':
      return encodeNoticeResponse(w, msg);
    case 'NotificationResponse':
      return encodeNotificationResponse(w, msg);
    case 'ParameterDescription':
      return encodeParameterDescription(w, msg);
    case 'ParameterStatus':
      return encodeParameterStatus(w, msg);
    case 'ParseComplete':
      return encodeParseComplete(w, msg);
    case 'PortalSuspended':
      return encodePortalSuspended(w, msg);
    case 'ReadyForQuery':
      return encodeReadyForQuery(w, msg);
    case 'RowDescription':
      return encodeRowDescription(w, msg);
  }
}

/** The field values of a row (views; null for SQL NULL), in order. */
function rowValues(row: Extract<BackendMessage, { type: 'DataRow' }>): (Uint8Array | null)[] {
  const values: (Uint8Array | null)[] = new Array(row.fieldCount);
  for (let i = 0; i < row.fieldCount; i++) values[i] = row.bytes(i);
  return values;
}

/**
 * A copy of `msg` that stays valid after the next receive: CopyData, FunctionCallResponse and DataRow
 * hold views into the receive buffer and are copied; every other message already owns its data
 * and is returned as it is.
 */
export function copyMessage<T extends BackendMessage>(msg: T): T {
  const m: BackendMessage = msg;
  switch (m.type) {
    case 'CopyData':
      return { ...m, data: m.data.slice() } as T;
    case 'FunctionCallResponse':
      return { ...m, result: m.result === null ? null : m.result.slice() } as T;
    case 'DataRow':
      return m.copy() as T;
    default:
      return msg;
  }
}
