/**
 * Close (`C`): releases a prepared statement (`S`) or a portal (`P`); closing one that does not
 * exist is not an error.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-CLOSE
 */
import { BodyReader } from '../body-reader.js';
import { FrontendCode, type TargetKind } from '../codes.js';
import type { Close } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { beginMessage, putU8, writeName } from './frame.js';
import { apiName, checkTarget, isTarget } from './checks.js';

/** Writes a Close of the statement or portal `name` (`null`: the unnamed one). */
export function writeClose(w: MessageWriter, target: TargetKind, name: string | null): void {
  checkTarget(target, 'Close');
  const mark = w.length;
  try {
    const start = beginMessage(w, FrontendCode.CLOSE);
    putU8(w, target);
    writeName(w, name);
    w.finish(start);
  } catch (err) {
    w.rollback(mark);
    throw err;
  }
}

/** Decodes the body of a Close; a target other than `S` or `P` is malformed. */
export function decodeClose(body: Uint8Array): Close {
  const r = new BodyReader(body, 'Close');
  const target = r.u8();
  const name = r.cstring();
  r.end();
  if (!isTarget(target)) throw r.malformed(`has an unknown target byte ${target}`);
  return { type: 'Close', target, name: apiName(name) };
}
