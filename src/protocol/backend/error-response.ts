/** ErrorResponse: the server's error report (SQLSTATE in field C); the statement failed. Body layout shared with the other notice message. */
import { MessageCode } from '../codes.js';
import type { ErrorResponse } from '../messages.js';
import { noticeCodec } from './notice-fields.js';

const errorResponse = noticeCodec<ErrorResponse>('ErrorResponse', MessageCode.ERROR_RESPONSE);

/** Decodes ErrorResponse: every field by its letter, unknown letters kept. */
export const decodeErrorResponse = errorResponse.decode;

/** Writes ErrorResponse; field types must be single non-zero bytes and values free of NUL. */
export const encodeErrorResponse = errorResponse.encode;
