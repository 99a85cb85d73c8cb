/** NoData: empty body; answers Describe of a statement or portal that returns no rows. */
import { MessageCode } from '../codes.js';
import type { NoData } from '../messages.js';
import { emptyCodec } from './empty.js';

const noData = emptyCodec<NoData>({ type: 'NoData', code: MessageCode.NO_DATA });

/** Decodes NoData (its body must be empty); returns one shared frozen instance. */
export const decodeNoData = noData.decode;

/** Writes NoData. */
export const encodeNoData = noData.encode;
