/**
 * Close (`C`): releases a prepared statement (`S`) or a portal (`P`); closing one that does not
 * exist is not an error.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-CLOSE
 */
import { FrontendCode, type TargetKind } from '../codes.js';
import type { Close } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { decodeTargetMessage, writeTargetMessage } from './target-message.js';

/** Writes a Close of the statement or portal `name` (`null`: the unnamed one). */
export function encodeClose(w: MessageWriter, target: TargetKind, name: string | null): void {
  writeTargetMessage(w, FrontendCode.CLOSE, 'Close', target, name);
}

/** Decodes the body of a Close; a target other than `S` or `P` is malformed. */
export function decodeClose(body: Uint8Array): Close {
  return { type: 'Close', ...decodeTargetMessage(body, 'Close') };
}
