/**
 * FunctionCallResponse (`V`): Int32 result length (-1 for NULL), then the result bytes. The result is
 * a view into the receive buffer, valid until the next receive; a length other than -1 that is
 * negative or longer than what remains is malformed (CVE-2026-6477 class).
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-FUNCTIONCALLRESPONSE
 */
import { MessageCode } from '../codes.js';
import type { FunctionCallResponse } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { decodeBody, writeMessage } from './body.js';

/** The length that stands for SQL NULL. */
const NULL_LENGTH = -1;

/** Decodes FunctionCallResponse; the result is a view, or null for SQL NULL. */
export function decodeFunctionCallResponse(body: Uint8Array): FunctionCallResponse {
  return decodeBody(body, 'FunctionCallResponse', (r) => {
    const n = r.i32();
    if (n < NULL_LENGTH) throw r.malformed(`has a negative result length ${n}`);
    const result = n === NULL_LENGTH ? null : r.bytes(n);
    return { type: 'FunctionCallResponse', code: MessageCode.FUNCTION_CALL_RESPONSE, result };
  });
}

/** Writes FunctionCallResponse (null result → length -1). */
export function encodeFunctionCallResponse(w: MessageWriter, msg: FunctionCallResponse): void {
  writeMessage(w, MessageCode.FUNCTION_CALL_RESPONSE, () => {
    if (msg.result === null) {
      w.i32(NULL_LENGTH);
    } else {
      w.i32(msg.result.length);
      w.bytes(msg.result);
    }
  });
}
