/** NoticeResponse: a warning or informational message; may arrive at any time. Body layout shared with the other notice message. */
import { MessageCode } from '../codes.js';
import type { NoticeResponse } from '../messages.js';
import { noticeCodec } from './notice-fields.js';

const noticeResponse = noticeCodec<NoticeResponse>('NoticeResponse', MessageCode.NOTICE_RESPONSE);

/** Decodes NoticeResponse: every field by its letter, unknown letters kept. */
export const decodeNoticeResponse = noticeResponse.decode;

/** Writes NoticeResponse; field types must be single non-zero bytes and values free of NUL. */
export const encodeNoticeResponse = noticeResponse.encode;
