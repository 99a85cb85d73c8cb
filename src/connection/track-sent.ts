/**
 * Feeds the frontend messages of an outgoing buffer to the SessionState (src/protocol/
 * session-state.ts), so the connection can tell a desynchronised or hostile server from a valid
 * answer (RELIABILITY.md case 5). The buffer holds whole messages written by the builders; each is
 * recognised from its type byte, and Describe/Close from their target byte, without decoding the
 * rest: O(1) per message.
 */
import { FrontendCode, TargetKind } from '../protocol/codes.js';
import type { SessionState } from '../protocol/session-state.js';

const TYPE_BYTE = 1;
const HEADER = 5;

/** Message types the tracker needs no fields of. */
const SIMPLE = new Map<number, 'Query' | 'Parse' | 'Sync' | 'Flush' | 'FunctionCall' | 'Terminate' | 'CopyData' | 'CopyDone' | 'CopyFail' | 'Bind' | 'Execute'>([
  [FrontendCode.QUERY, 'Query'],
  [FrontendCode.PARSE, 'Parse'],
  [FrontendCode.SYNC, 'Sync'],
  [FrontendCode.FLUSH, 'Flush'],
  [FrontendCode.FUNCTION_CALL, 'FunctionCall'],
  [FrontendCode.TERMINATE, 'Terminate'],
  [FrontendCode.COPY_DATA, 'CopyData'],
  [FrontendCode.COPY_DONE, 'CopyDone'],
  [FrontendCode.COPY_FAIL, 'CopyFail'],
  [FrontendCode.BIND, 'Bind'],
  [FrontendCode.EXECUTE, 'Execute'],
]);

/**
 * Records every message of `bytes` (whole frontend messages) with `state.sent`. Messages the tracker
 * does not follow (authentication responses) are skipped.
 */
export function trackSent(state: SessionState, bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  while (pos + HEADER <= bytes.length) {
    const code = bytes[pos]!;
    const length = view.getInt32(pos + TYPE_BYTE);
    const simple = SIMPLE.get(code);
    if (simple !== undefined) {
      state.sent({ type: simple });
    } else if (code === FrontendCode.DESCRIBE || code === FrontendCode.CLOSE) {
      const target = bytes[pos + HEADER] === TargetKind.PORTAL ? TargetKind.PORTAL : TargetKind.STATEMENT;
      state.sent({ type: code === FrontendCode.DESCRIBE ? 'Describe' : 'Close', target });
    }
    pos += TYPE_BYTE + length;
  }
}
