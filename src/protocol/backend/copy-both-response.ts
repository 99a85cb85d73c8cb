/** CopyBothResponse: starts a bidirectional copy (streaming replication). Body layout shared with the other Copy*Response messages. */
import { MessageCode } from '../codes.js';
import type { CopyBothResponse } from '../messages.js';
import { copyResponseCodec } from './copy-response.js';

const copyBothResponse = copyResponseCodec<CopyBothResponse>('CopyBothResponse', MessageCode.COPY_BOTH_RESPONSE);

/** Decodes CopyBothResponse: overall format and one format code per column (each 0 or 1). */
export const decodeCopyBothResponse = copyBothResponse.decode;

/** Writes CopyBothResponse; more than 65535 columns is a ClientError. */
export const encodeCopyBothResponse = copyBothResponse.encode;
