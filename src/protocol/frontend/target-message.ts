/**
 * The body Describe and Close share: a target byte (`S` statement, `P` portal) and a name.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 */
import { BodyReader } from '../body-reader.js';
import type { TargetKind } from '../codes.js';
import type { MessageWriter } from '../writer.js';
import { apiName, checkTarget, isTarget } from './checks.js';
import { beginMessage, putU8, writeName } from './frame.js';

/** Writes a `code` message (`message` names it in errors) aimed at statement or portal `name`. */
export function writeTargetMessage(w: MessageWriter, code: number, message: string, target: TargetKind, name: string | null): void {
  checkTarget(target, message);
  const mark = w.length;
  try {
    const start = beginMessage(w, code);
    putU8(w, target);
    writeName(w, name);
    w.finish(start);
  } catch (err) {
    w.rollback(mark);
    throw err;
  }
}

/** Decodes a target-and-name body; a target other than `S` or `P` is malformed. */
export function decodeTargetMessage(body: Uint8Array, message: string): { target: TargetKind; name: string | null } {
  const r = new BodyReader(body, message);
  const target = r.u8();
  const name = r.cstring();
  r.end();
  if (!isTarget(target)) throw r.malformed(`has an unknown target byte ${target}`);
  return { target, name: apiName(name) };
}
