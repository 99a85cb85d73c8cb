/** Every fuzz target, in the order `npm run fuzz` runs them. */
import type { AnyTarget } from './target.js';
import { authExchange } from './targets/auth.js';
import { backendDecoders, framer } from './targets/backend.js';
import { columnsDataRows, copyBinary } from './targets/columns.js';
import { conninfoStrings, passfile } from './targets/conninfo.js';
import { sessionState } from './targets/session.js';
import { traceCapture, traceHex, traceRaw } from './targets/trace.js';
import { typesBinary, typesText } from './targets/types.js';

export const TARGETS: readonly AnyTarget[] = [
  framer, backendDecoders, sessionState, authExchange, typesText, typesBinary, columnsDataRows, copyBinary,
  conninfoStrings, passfile, traceCapture, traceRaw, traceHex,
];
