/**
 * COPY FROM STDIN over PGlite. PGlite's backend reads its input only from the bytes of the current
 * call: a COPY FROM STDIN whose data is not in the same call reads end-of-input and the backend
 * exits. But a client (`conn.copyFrom`) sends the data only after the server's CopyInResponse
 * (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-COPY). The transport squares
 * the two:
 * 1. A **guard**: every call ends with a CopyFail. Outside COPY the backend ignores it (postgres.c
 *    accepts and ignores CopyData/CopyDone/CopyFail there); a COPY FROM STDIN started in the call
 *    is ended by it with an ErrorResponse ("COPY from stdin failed: <why>") instead of exiting. So
 *    no frontend message can end the backend.
 * 2. A **probe**: a simple Query that names both COPY and STDIN runs alone, under the guard. If the
 *    backend answers CopyInResponse as its first result, the COPY is real: that CopyInResponse goes
 *    to the session, the guard's failure is undone (in an implicit transaction the failed Query
 *    rolled back as a whole; inside a transaction block a savepoint taken before the probe is rolled
 *    back to), and the transport holds the Query and the session's CopyData until CopyDone or
 *    CopyFail, then runs them in ONE call; of that answer, what the probe already delivered (up to
 *    its CopyInResponse) is dropped. Statements before the COPY in the same Query would run twice,
 *    so such a Query is answered with the guard's error instead (as is a COPY FROM STDIN through
 *    the extended protocol).
 * The COPY statement's start runs twice (its first run rolled back): statement triggers and
 * sequence calls before the first row happen twice. The whole COPY is held in memory.
 */
import { ConnectionError, ErrorCode } from '../../errors.js';
import { MessageCode, TransactionStatus } from '../../protocol/codes.js';
import { encodeCopyFail } from '../../protocol/frontend/copy-fail.js';
import { encodeQuery } from '../../protocol/frontend/query.js';
import { MessageWriter } from '../../protocol/writer.js';
import { backendMessages, commandTags, concatBytes, lastTransactionStatus } from './frames.js';
import type { BackendSpan, FrontendFrame } from './frames.js';

/** Runs frontend bytes through PGlite and resolves to the answer. */
export type Exec = (bytes: Uint8Array) => Promise<Uint8Array>;

/** Why the guard ends a COPY it did not expect (the text of the server's ErrorResponse). */
export const COPY_GUARD_MESSAGE =
  'pg-stream: over PGlite, COPY FROM STDIN runs only as the first statement of a simple Query (conn.copyFrom), not through the extended protocol';
/** The savepoint a probe inside a transaction block rolls back to. */
const PROBE_SAVEPOINT = 'pg_stream_copy_probe';
/** Command tags after which the probe's savepoint may be gone (so it is not released). */
const ENDS_SAVEPOINT = /^(COMMIT|ROLLBACK|RELEASE|PREPARE TRANSACTION)\b/;
/** Messages that are a statement's results (anything else before a CopyInResponse is asynchronous). */
const RESULTS = new Set<number>([
  MessageCode.ROW_DESCRIPTION,
  MessageCode.DATA_ROW,
  MessageCode.COMMAND_COMPLETE,
  MessageCode.EMPTY_QUERY_RESPONSE,
  MessageCode.ERROR_RESPONSE,
  MessageCode.COPY_OUT_RESPONSE,
]);

function encoded(write: (w: MessageWriter) => void): Uint8Array {
  const w = new MessageWriter(256);
  write(w);
  return w.toBytes();
}

/** The guard appended to every call: a CopyFail. */
export const COPY_GUARD = encoded((w) => encodeCopyFail(w, COPY_GUARD_MESSAGE));
const SAVEPOINT = encoded((w) => encodeQuery(w, `SAVEPOINT ${PROBE_SAVEPOINT}`));
const RELEASE = encoded((w) => encodeQuery(w, `RELEASE SAVEPOINT ${PROBE_SAVEPOINT}`));
const UNDO = encoded((w) => encodeQuery(w, `ROLLBACK TO SAVEPOINT ${PROBE_SAVEPOINT}; RELEASE SAVEPOINT ${PROBE_SAVEPOINT}`));

/** True when a Query's SQL may start a COPY FROM STDIN: it names both (keywords cannot be escaped). */
export function mayCopyFromStdin(sql: string): boolean {
  return /\bcopy\b/i.test(sql) && /\bstdin\b/i.test(sql);
}

/** What a probe found. */
export interface ProbeOutcome {
  /** The answer to pass to the session now. */
  readonly deliver: Uint8Array;
  /** True: the COPY is on; hold the Query and the session's data, then run `heldCopyAnswer`. */
  readonly copying: boolean;
}

function internalFailure(what: string): ConnectionError {
  return new ConnectionError(ErrorCode.SOCKET_ERROR, `PGlite: ${what}`);
}

/** Runs a Query answered cleanly (CommandComplete…, ReadyForQuery in a block) or fails the transport. */
async function runClean(exec: Exec, bytes: Uint8Array, what: string): Promise<void> {
  const answer = await exec(bytes);
  const spans = backendMessages(answer);
  if (spans.some((s) => s.type === MessageCode.ERROR_RESPONSE) || lastTransactionStatus(answer, spans) !== TransactionStatus.IN_TRANSACTION) {
    throw internalFailure(`${what} failed`);
  }
}

/**
 * Runs `query` (a Query that may start a COPY FROM STDIN) under the guard, `status` being the
 * transaction status before it (see the module comment).
 */
export async function probeQuery(exec: Exec, query: FrontendFrame, status: number): Promise<ProbeOutcome> {
  const inBlock = status === TransactionStatus.IN_TRANSACTION;
  let answer = await exec(concatBytes(inBlock ? [SAVEPOINT, query.bytes, COPY_GUARD] : [query.bytes, COPY_GUARD]));
  let spans = backendMessages(answer);
  if (inBlock) {
    // The savepoint's own answer comes first, up to its ReadyForQuery: not the session's.
    const z = spans.findIndex((s) => s.type === MessageCode.READY_FOR_QUERY);
    if (z < 0 || spans.slice(0, z).some((s) => s.type === MessageCode.ERROR_RESPONSE)) throw internalFailure('the COPY probe could not take its savepoint');
    answer = answer.subarray(spans[z]!.end);
    spans = backendMessages(answer);
  }
  const g = spans.findIndex((s) => s.type === MessageCode.COPY_IN_RESPONSE);
  if (g < 0) {
    // No COPY FROM: the Query ran for real and this is its answer.
    // Inside a block still open, the savepoint goes unless the Query itself may have ended it.
    const release =
      inBlock && lastTransactionStatus(answer, spans) === TransactionStatus.IN_TRANSACTION && !commandTags(answer, spans).some((t) => ENDS_SAVEPOINT.test(t));
    if (release) await runClean(exec, RELEASE, 'releasing the COPY probe savepoint');
    return { deliver: answer, copying: false };
  }
  if (spans.slice(0, g).some((s) => RESULTS.has(s.type))) {
    // Statements ran before the COPY: running them again would repeat them. The guard's error stands.
    return { deliver: answer, copying: false };
  }
  if (inBlock) await runClean(exec, UNDO, 'rolling back to the COPY probe savepoint');
  return { deliver: answer.subarray(0, spans[g]!.end), copying: true };
}

/** The answer to a held COPY, without what the probe already delivered (up to its CopyInResponse). */
export function heldCopyAnswer(answer: Uint8Array): Uint8Array {
  const spans: BackendSpan[] = backendMessages(answer);
  const g = spans.findIndex((s) => s.type === MessageCode.COPY_IN_RESPONSE);
  return g < 0 ? answer : answer.subarray(spans[g]!.end);
}
