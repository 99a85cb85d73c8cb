/**
 * Describe (`D`): asks for the ParameterDescription/RowDescription of a prepared statement (`S`) or
 * the RowDescription of a portal (`P`).
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-DESCRIBE
 */
import { BodyReader } from '../body-reader.js';
import { FrontendCode, type TargetKind } from '../codes.js';
import type { Describe } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { beginMessage, putU8, writeName } from './frame.js';
import { apiName, checkTarget, isTarget } from './checks.js';

/** Writes a Describe of the statement or portal `name` (`null`: the unnamed one). */
export function writeDescribe(w: MessageWriter, target: TargetKind, name: string | null): void {
  checkTarget(target, 'Describe');
  const mark = w.length;
  try {
    const start = beginMessage(w, FrontendCode.DESCRIBE);
    putU8(w, target);
    writeName(w, name);
    w.finish(start);
  } catch (err) {
    w.rollback(mark);
    throw err;
  }
}

/** Decodes the body of a Describe; a target other than `S` or `P` is malformed. */
export function decodeDescribe(body: Uint8Array): Describe {
  const r = new BodyReader(body, 'Describe');
  const target = r.u8();
  const name = r.cstring();
  r.end();
  if (!isTarget(target)) throw r.malformed(`has an unknown target byte ${target}`);
  return { type: 'Describe', target, name: apiName(name) };
}

