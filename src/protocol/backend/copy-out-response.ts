/** CopyOutResponse: starts COPY TO STDOUT: the server sends CopyData. Body layout shared with the other Copy*Response messages. */
import { MessageCode } from '../codes.js';
import type { CopyOutResponse } from '../messages.js';
import { copyResponseCodec } from './copy-response.js';

const copyOutResponse = copyResponseCodec<CopyOutResponse>('CopyOutResponse', MessageCode.COPY_OUT_RESPONSE);

/** Decodes CopyOutResponse: overall format and one format code per column (each 0 or 1). */
export const decodeCopyOutResponse = copyOutResponse.decode;

/** Writes CopyOutResponse; more than 65535 columns is a ClientError. */
export const encodeCopyOutResponse = copyOutResponse.encode;
