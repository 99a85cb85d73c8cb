/**
 * Describe (`D`): asks for the ParameterDescription/RowDescription of a prepared statement (`S`) or
 * the RowDescription of a portal (`P`).
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-DESCRIBE
 */
import { FrontendCode, type TargetKind } from '../codes.js';
import type { Describe } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { decodeTargetMessage, writeTargetMessage } from './target-message.js';

/** Writes a Describe of the statement or portal `name` (`null`: the unnamed one). */
export function encodeDescribe(w: MessageWriter, target: TargetKind, name: string | null): void {
  writeTargetMessage(w, FrontendCode.DESCRIBE, 'Describe', target, name);
}

/** Decodes the body of a Describe; a target other than `S` or `P` is malformed. */
export function decodeDescribe(body: Uint8Array): Describe {
  return { type: 'Describe', ...decodeTargetMessage(body, 'Describe') };
}
