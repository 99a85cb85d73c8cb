/**
 * Dispatch over every frontend message: decode a typed message by its type byte (the `p` byte by
 * the authentication state), decode an untyped startup-phase packet by its leading code, and
 * encode any FrontendMessage shape back to the exact bytes it was decoded from.
 */
import { ErrorCode, ProtocolError } from '../../errors.js';
import { BodyReader } from '../body-reader.js';
import { FrontendCode, StartupCode } from '../codes.js';
import type { FrontendMessage, PasswordKind } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { invalidArgument } from './checks.js';
import { decodeBind, encodeBindWire } from './bind.js';
import { decodeCancelRequest, encodeCancelRequest } from './cancel-request.js';
import { decodeClose, encodeClose } from './close.js';
import { decodeCopyData, encodeCopyData } from './copy-data.js';
import { decodeCopyDone, encodeCopyDone } from './copy-done.js';
import { decodeCopyFail, encodeCopyFail } from './copy-fail.js';
import { decodeDescribe, encodeDescribe } from './describe.js';
import { decodeExecute, encodeExecute } from './execute.js';
import { decodeFlush, encodeFlush } from './flush.js';
import { decodeFunctionCall, encodeFunctionCallWire } from './function-call.js';
import { decodeGSSResponse, encodeGSSResponse } from './gss-response.js';
import { decodeGSSENCRequest, encodeGSSENCRequest } from './gssenc-request.js';
import { decodeParse, encodeParse } from './parse.js';
import { decodePasswordMessage, encodePasswordMessage } from './password-message.js';
import { decodeQuery, encodeQuery } from './query.js';
import { decodeSASLInitialResponse, encodeSASLInitialResponse } from './sasl-initial-response.js';
import { decodeSASLResponse, encodeSASLResponse } from './sasl-response.js';
import { decodeSSLRequest, encodeSSLRequest } from './ssl-request.js';
import { PROTOCOL_MAJOR, decodeStartupMessage, protocolMajor, protocolMinor, encodeStartupMessage } from './startup-message.js';
import { decodeSync, encodeSync } from './sync.js';
import { decodeTerminate, encodeTerminate } from './terminate.js';

/** True for the type bytes a frontend may send after startup. */
export function isFrontendCode(code: number): boolean {
  switch (code) {
    case FrontendCode.BIND:
    case FrontendCode.CLOSE:
    case FrontendCode.COPY_DATA:
    case FrontendCode.COPY_DONE:
    case FrontendCode.COPY_FAIL:
    case FrontendCode.DESCRIBE:
    case FrontendCode.EXECUTE:
    case FrontendCode.FLUSH:
    case FrontendCode.FUNCTION_CALL:
    case FrontendCode.PASSWORD_MESSAGE:
    case FrontendCode.PARSE:
    case FrontendCode.QUERY:
    case FrontendCode.SYNC:
    case FrontendCode.TERMINATE:
      return true;
    default:
      return false;
  }
}

/**
 * Decodes the body of a typed frontend message. The byte `p` carries four messages; `passwordKind`
 * (what the server asked for) says which. Unknown type byte: `PGS_UNKNOWN_MESSAGE`; bad body:
 * `PGS_MALFORMED_MESSAGE`. Byte fields of the result are views of `body`.
 */
export function decodeFrontend(code: number, body: Uint8Array, passwordKind: PasswordKind = 'PasswordMessage'): FrontendMessage {
  switch (code) {
    case FrontendCode.BIND:
      return decodeBind(body);
    case FrontendCode.CLOSE:
      return decodeClose(body);
    case FrontendCode.COPY_DATA:
      return decodeCopyData(body);
    case FrontendCode.COPY_DONE:
      return decodeCopyDone(body);
    case FrontendCode.COPY_FAIL:
      return decodeCopyFail(body);
    case FrontendCode.DESCRIBE:
      return decodeDescribe(body);
    case FrontendCode.EXECUTE:
      return decodeExecute(body);
    case FrontendCode.FLUSH:
      return decodeFlush(body);
    case FrontendCode.FUNCTION_CALL:
      return decodeFunctionCall(body);
    case FrontendCode.PARSE:
      return decodeParse(body);
    case FrontendCode.QUERY:
      return decodeQuery(body);
    case FrontendCode.SYNC:
      return decodeSync(body);
    case FrontendCode.TERMINATE:
      return decodeTerminate(body);
    case FrontendCode.PASSWORD_MESSAGE:
      switch (passwordKind) {
        case 'PasswordMessage':
          return decodePasswordMessage(body);
        case 'SASLInitialResponse':
          return decodeSASLInitialResponse(body);
        case 'SASLResponse':
          return decodeSASLResponse(body);
        case 'GSSResponse':
          return decodeGSSResponse(body);
      }
  }
  throw new ProtocolError(ErrorCode.UNKNOWN_MESSAGE, `unknown frontend message type ${describeCode(code)}`);
}

/**
 * Decodes an untyped startup-phase packet (everything after its length word) by its first Int32:
 * a 3.x protocol version is a StartupMessage; 80877103 SSLRequest; 80877104 GSSENCRequest;
 * 80877102 CancelRequest. Any other version or code is `PGS_PROTOCOL_VERSION`.
 */
export function decodeStartupPacket(body: Uint8Array): FrontendMessage {
  const code = new BodyReader(body, 'startup packet').u32();
  switch (code) {
    case StartupCode.SSL_REQUEST:
      return decodeSSLRequest(body);
    case StartupCode.GSSENC_REQUEST:
      return decodeGSSENCRequest(body);
    case StartupCode.CANCEL_REQUEST:
      return decodeCancelRequest(body);
  }
  if (protocolMajor(code) !== PROTOCOL_MAJOR) {
    throw new ProtocolError(ErrorCode.PROTOCOL_VERSION, `unsupported frontend protocol ${protocolMajor(code)}.${protocolMinor(code)}`);
  }
  return decodeStartupMessage(body);
}

/**
 * Encodes any FrontendMessage shape exactly as it would have been decoded: Bind and FunctionCall
 * keep their formats as given (no collapse), so `encodeFrontend(decode(bytes))` reproduces `bytes`.
 * All-or-nothing like every encoder.
 */
export function encodeFrontend(w: MessageWriter, msg: FrontendMessage): void {
  switch (msg.type) {
    case 'StartupMessage':
      return encodeStartupMessage(w, msg);
    case 'SSLRequest':
      return encodeSSLRequest(w);
    case 'GSSENCRequest':
      return encodeGSSENCRequest(w);
    case 'CancelRequest':
      return encodeCancelRequest(w, msg.processId, msg.secretKey);
    case 'Query':
      return encodeQuery(w, msg.sql);
    case 'Parse':
      return encodeParse(w, msg.name, msg.sql, msg.paramTypes);
    case 'Bind':
      return encodeBindWire(w, msg);
    case 'Describe':
      return encodeDescribe(w, msg.target, msg.name);
    case 'Execute':
      return encodeExecute(w, msg.portal, msg.maxRows);
    case 'Close':
      return encodeClose(w, msg.target, msg.name);
    case 'Sync':
      return encodeSync(w);
    case 'Flush':
      return encodeFlush(w);
    case 'Terminate':
      return encodeTerminate(w);
    case 'FunctionCall':
      return encodeFunctionCallWire(w, msg);
    case 'CopyData':
      return encodeCopyData(w, msg.data);
    case 'CopyDone':
      return encodeCopyDone(w);
    case 'CopyFail':
      return encodeCopyFail(w, msg.message);
    case 'PasswordMessage':
      return encodePasswordMessage(w, msg.password);
    case 'SASLInitialResponse':
      return encodeSASLInitialResponse(w, msg.mechanism, msg.data);
    case 'SASLResponse':
      return encodeSASLResponse(w, msg.data);
    case 'GSSResponse':
      return encodeGSSResponse(w, msg.data);
  }
  throw invalidArgument(`not a frontend message type: ${String((msg as { type?: unknown }).type)}`);
}

const PRINTABLE = /^[!-~]$/;
const HEX_RADIX = 16;

/** `'Q' (0x51)` for printable codes, `0x05` otherwise: for error messages. */
export function describeCode(code: number): string {
  const hex = `0x${code.toString(HEX_RADIX).padStart(2, '0')}`;
  const ch = String.fromCharCode(code);
  return PRINTABLE.test(ch) ? `'${ch}' (${hex})` : hex;
}
