/** BindComplete: empty body; answers Bind (protocol-flow.html#PROTOCOL-FLOW-EXT-QUERY). */
import { MessageCode } from '../codes.js';
import type { BindComplete } from '../messages.js';
import { emptyCodec } from './empty.js';

const bindComplete = emptyCodec<BindComplete>({ type: 'BindComplete', code: MessageCode.BIND_COMPLETE });

/** Decodes BindComplete (its body must be empty); returns one shared frozen instance. */
export const decodeBindComplete = bindComplete.decode;

/** Writes BindComplete. */
export const encodeBindComplete = bindComplete.encode;
