/**
 * ReadyForQuery (`Z`): the server is idle again; Byte1 transaction status `I` (idle), `T` (in a
 * transaction block) or `E` (in a failed block). Any other status is malformed. Decoding returns one
 * frozen instance per status, so this once-per-statement message allocates nothing.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-READYFORQUERY
 */
import { ErrorCode, ProtocolError } from '../../errors.js';
import { MessageCode, TransactionStatus } from '../codes.js';
import type { ReadyForQuery } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { invalid, writeMessage, wrongLength } from './body.js';

/** The body is one Byte1. */
const STATUS_SIZE = 1;

const byStatus = new Map<number, ReadyForQuery>(
  Object.values(TransactionStatus).map((status) => [
    status,
    Object.freeze({ type: 'ReadyForQuery', code: MessageCode.READY_FOR_QUERY, status }),
  ]),
);

/** Decodes ReadyForQuery (a shared frozen instance per status). */
export function decodeReadyForQuery(body: Uint8Array): ReadyForQuery {
  if (body.length !== STATUS_SIZE) throw wrongLength('ReadyForQuery', body, STATUS_SIZE);
  const msg = byStatus.get(body[0]!);
  if (msg === undefined) throw new ProtocolError(ErrorCode.MALFORMED_MESSAGE, `ReadyForQuery has an invalid transaction status ${body[0]}`);
  return msg;
}

/** Writes ReadyForQuery; the status must be I, T or E. */
export function encodeReadyForQuery(w: MessageWriter, msg: ReadyForQuery): void {
  writeMessage(w, MessageCode.READY_FOR_QUERY, () => {
    if (!byStatus.has(msg.status)) throw invalid(`ReadyForQuery status must be I, T or E, got ${msg.status}`);
    w.u8(msg.status);
  });
}
