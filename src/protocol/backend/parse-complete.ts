/** ParseComplete: empty body; answers Parse. */
import { MessageCode } from '../codes.js';
import type { ParseComplete } from '../messages.js';
import { emptyCodec } from './empty.js';

const parseComplete = emptyCodec<ParseComplete>({ type: 'ParseComplete', code: MessageCode.PARSE_COMPLETE });

/** Decodes ParseComplete (its body must be empty); returns one shared frozen instance. */
export const decodeParseComplete = parseComplete.decode;

/** Writes ParseComplete. */
export const encodeParseComplete = parseComplete.encode;
