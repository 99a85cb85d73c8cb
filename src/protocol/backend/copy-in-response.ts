/** CopyInResponse: starts COPY FROM STDIN: the client sends CopyData. Body layout shared with the other Copy*Response messages. */
import { MessageCode } from '../codes.js';
import type { CopyInResponse } from '../messages.js';
import { copyResponseCodec } from './copy-response.js';

const copyInResponse = copyResponseCodec<CopyInResponse>('CopyInResponse', MessageCode.COPY_IN_RESPONSE);

/** Decodes CopyInResponse: overall format and one format code per column (each 0 or 1). */
export const decodeCopyInResponse = copyInResponse.decode;

/** Writes CopyInResponse; more than 65535 columns is a ClientError. */
export const encodeCopyInResponse = copyInResponse.encode;
