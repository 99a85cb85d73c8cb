/**
 * Parse (`P`): prepares `sql` as a named (or the unnamed) statement, optionally fixing the types of
 * its parameters (0 leaves a type unspecified).
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-PARSE
 */
import { BodyReader } from '../body-reader.js';
import { FrontendCode } from '../codes.js';
import type { Parse } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { beginMessage, putI32, putU16, writeName } from './frame.js';
import { apiName, checkCount, checkOid } from './checks.js';

const NO_TYPES: readonly number[] = [];
const OID_SIZE = 4;

/**
 * Writes a Parse. More than 65535 parameter types is `PGS_TOO_MANY_PARAMETERS`, a type that is not
 * a UInt32 is `PGS_INVALID_ARGUMENT`, a NUL in a string is `PGS_NUL_IN_STRING`; nothing is written then.
 */
export function encodeParse(
  w: MessageWriter,
  name: string | null,
  sql: string,
  paramTypes: readonly number[] = NO_TYPES,
): void {
  const n = paramTypes.length;
  checkCount(n, 'parameter types');
  const mark = w.length;
  try {
    const start = beginMessage(w, FrontendCode.PARSE);
    writeName(w, name);
    w.cstring(sql);
    putU16(w, n);
    for (let i = 0; i < n; i++) putI32(w, checkOid(paramTypes[i]!, 'a parameter type'));
    w.finish(start);
  } catch (err) {
    w.rollback(mark);
    throw err;
  }
}

/** Decodes the body of a Parse. */
export function decodeParse(body: Uint8Array): Parse {
  const r = new BodyReader(body, 'Parse');
  const name = r.cstring();
  const sql = r.cstring();
  const n = r.count(r.u16(), OID_SIZE);
  const paramTypes = new Array<number>(n);
  for (let i = 0; i < n; i++) paramTypes[i] = r.u32();
  r.end();
  return { type: 'Parse', name: apiName(name), sql, paramTypes };
}
