/**
 * Close (`C`): releases a prepared statement (`S`) or a portal (`P`); closing one that does not
 * exist is not an error.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-CLOSE
 */
import { BodyReader } from '../body-reader.js';
import { FrontendCode, type TargetKind } from '../codes.js';
import type { Close } from '../messages.js';
import { atomically, type MessageWriter } from '../writer.js';
import { apiName, checkTarget, isTarget, wireName } from './checks.js';

/** Writes a Close of the statement or portal `name` (`null`: the unnamed one). */
export function writeClose(w: MessageWriter, target: TargetKind, name: string | null): void {
  atomically(w, () => {
    const start = w.begin(FrontendCode.CLOSE);
    w.u8(checkTarget(target, 'Close'));
    w.cstring(wireName(name));
    w.finish(start);
  });
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
