/** CloseComplete: empty body; answers Close. */
import { MessageCode } from '../codes.js';
import type { CloseComplete } from '../messages.js';
import { emptyCodec } from './empty.js';

const closeComplete = emptyCodec<CloseComplete>({ type: 'CloseComplete', code: MessageCode.CLOSE_COMPLETE });

/** Decodes CloseComplete (its body must be empty); returns one shared frozen instance. */
export const decodeCloseComplete = closeComplete.decode;

/** Writes CloseComplete. */
export const encodeCloseComplete = closeComplete.encode;
