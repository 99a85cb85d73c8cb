/** EmptyQueryResponse: empty body; answers an empty query string in place of CommandComplete. */
import { MessageCode } from '../codes.js';
import type { EmptyQueryResponse } from '../messages.js';
import { emptyCodec } from './empty.js';

const emptyQueryResponse = emptyCodec<EmptyQueryResponse>({ type: 'EmptyQueryResponse', code: MessageCode.EMPTY_QUERY_RESPONSE });

/** Decodes EmptyQueryResponse (its body must be empty); returns one shared frozen instance. */
export const decodeEmptyQueryResponse = emptyQueryResponse.decode;

/** Writes EmptyQueryResponse. */
export const encodeEmptyQueryResponse = emptyQueryResponse.encode;
