/** CopyDone: empty body; ends the server's COPY OUT data. */
import { MessageCode } from '../codes.js';
import type { CopyDone } from '../messages.js';
import { emptyCodec } from './empty.js';

const copyDone = emptyCodec<CopyDone>({ type: 'CopyDone', code: MessageCode.COPY_DONE });

/** Decodes CopyDone (its body must be empty); returns one shared frozen instance. */
export const decodeCopyDone = copyDone.decode;

/** Writes CopyDone. */
export const encodeCopyDone = copyDone.encode;
