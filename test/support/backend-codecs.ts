/**
 * The per-message codecs by message name, so the golden and malformed-input tests exercise every
 * message file directly (the dispatcher in src/protocol/backend/index.ts is tested on its own).
 */
import { decodeAuthentication, encodeAuthentication } from '../../src/protocol/backend/authentication.js';
import { decodeBackendKeyData, encodeBackendKeyData } from '../../src/protocol/backend/backend-key-data.js';
import { decodeBindComplete, encodeBindComplete } from '../../src/protocol/backend/bind-complete.js';
import { decodeCloseComplete, encodeCloseComplete } from '../../src/protocol/backend/close-complete.js';
import { decodeCommandComplete, encodeCommandComplete } from '../../src/protocol/backend/command-complete.js';
import { decodeCopyBothResponse, encodeCopyBothResponse } from '../../src/protocol/backend/copy-both-response.js';
import { decodeCopyData, encodeCopyData } from '../../src/protocol/backend/copy-data.js';
import { decodeCopyDone, encodeCopyDone } from '../../src/protocol/backend/copy-done.js';
import { decodeCopyInResponse, encodeCopyInResponse } from '../../src/protocol/backend/copy-in-response.js';
import { decodeCopyOutResponse, encodeCopyOutResponse } from '../../src/protocol/backend/copy-out-response.js';
import { decodeEmptyQueryResponse, encodeEmptyQueryResponse } from '../../src/protocol/backend/empty-query-response.js';
import { decodeErrorResponse, encodeErrorResponse } from '../../src/protocol/backend/error-response.js';
import { decodeFunctionCallResponse, encodeFunctionCallResponse } from '../../src/protocol/backend/function-call-response.js';
import { decodeNegotiateProtocolVersion, encodeNegotiateProtocolVersion } from '../../src/protocol/backend/negotiate-protocol-version.js';
import { decodeNoData, encodeNoData } from '../../src/protocol/backend/no-data.js';
import { decodeNoticeResponse, encodeNoticeResponse } from '../../src/protocol/backend/notice-response.js';
import { decodeNotificationResponse, encodeNotificationResponse } from '../../src/protocol/backend/notification-response.js';
import { decodeParameterDescription, encodeParameterDescription } from '../../src/protocol/backend/parameter-description.js';
import { decodeParameterStatus, encodeParameterStatus } from '../../src/protocol/backend/parameter-status.js';
import { decodeParseComplete, encodeParseComplete } from '../../src/protocol/backend/parse-complete.js';
import { decodePortalSuspended, encodePortalSuspended } from '../../src/protocol/backend/portal-suspended.js';
import { decodeReadyForQuery, encodeReadyForQuery } from '../../src/protocol/backend/ready-for-query.js';
import { decodeRowDescription, encodeRowDescription } from '../../src/protocol/backend/row-description.js';
import type { BackendMessage } from '../../src/protocol/messages.js';
import type { MessageWriter } from '../../src/protocol/writer.js';

type Decode = (body: Uint8Array) => BackendMessage;
type Encode = (w: MessageWriter, m: never) => void;

const codecs: Record<string, [Decode, Encode]> = {
  Authentication: [decodeAuthentication, encodeAuthentication],
  BackendKeyData: [decodeBackendKeyData, encodeBackendKeyData],
  BindComplete: [decodeBindComplete, encodeBindComplete],
  CloseComplete: [decodeCloseComplete, encodeCloseComplete],
  CommandComplete: [decodeCommandComplete, encodeCommandComplete],
  CopyData: [decodeCopyData, encodeCopyData],
  CopyDone: [decodeCopyDone, encodeCopyDone],
  CopyInResponse: [decodeCopyInResponse, encodeCopyInResponse],
  CopyOutResponse: [decodeCopyOutResponse, encodeCopyOutResponse],
  CopyBothResponse: [decodeCopyBothResponse, encodeCopyBothResponse],
  EmptyQueryResponse: [decodeEmptyQueryResponse, encodeEmptyQueryResponse],
  ErrorResponse: [decodeErrorResponse, encodeErrorResponse],
  NoticeResponse: [decodeNoticeResponse, encodeNoticeResponse],
  FunctionCallResponse: [decodeFunctionCallResponse, encodeFunctionCallResponse],
  NegotiateProtocolVersion: [decodeNegotiateProtocolVersion, encodeNegotiateProtocolVersion],
  NoData: [decodeNoData, encodeNoData],
  NotificationResponse: [decodeNotificationResponse, encodeNotificationResponse],
  ParameterDescription: [decodeParameterDescription, encodeParameterDescription],
  ParameterStatus: [decodeParameterStatus, encodeParameterStatus],
  ParseComplete: [decodeParseComplete, encodeParseComplete],
  PortalSuspended: [decodePortalSuspended, encodePortalSuspended],
  ReadyForQuery: [decodeReadyForQuery, encodeReadyForQuery],
  RowDescription: [decodeRowDescription, encodeRowDescription],
};

/** The decoder of the message named `type` (any Authentication* name gives the Authentication codec). */
export const decoderFor = (type: string): Decode => codecOf(type)[0];

/** The encoder of the message named `type`. */
export const encoderFor = (type: string): Encode => codecOf(type)[1];

function codecOf(type: string): [Decode, Encode] {
  const codec = codecs[type.startsWith('Authentication') ? 'Authentication' : type];
  if (codec === undefined) throw new Error(`no codec for ${type}`);
  return codec;
}
