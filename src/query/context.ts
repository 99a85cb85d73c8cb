/**
 * QueryContext: what the query layer needs from a connection, and nothing more — the send buffer,
 * the session state the builders report to, the receive loop, the value codecs, the statement
 * cache, flushing, and cancel. The connection (src/session/connection.ts) implements it, so the
 * query layer depends on no session code (the one-way rule of the README's Layout).
 */
import type { PgStreamError } from '../errors.js';
import type { TransactionStatus } from '../protocol/codes.js';
import type { RequestLog } from '../protocol/session-state-codes.js';
import type { MessageWriter } from '../protocol/writer.js';
import type { TypeRegistry } from '../types/registry.js';
import type { Operation } from './operation.js';
import type { StatementCache } from './statement-cache.js';

/** The connection as the query layer sees it. */
export interface QueryContext {
  /** The send buffer messages are written into (a new one after each flush: read it per write). */
  readonly writer: MessageWriter;
  /** The session state, told of each request as it is written. */
  readonly requests: RequestLog;
  /** Transaction status of the last ReadyForQuery. */
  readonly transactionStatus: TransactionStatus;
  /** Value codecs by type OID. */
  readonly types: TypeRegistry;
  /** Statements prepared for the `format: 'auto'` path. */
  readonly statements: StatementCache;
  /** The connection's fatal error, or null while usable. */
  readonly error: PgStreamError | null;
  /** Why a query-layer call cannot start now (a raw read is pending, raw requests await answers), or null. */
  readonly blocked: string | null;
  /** Queues an operation whose requests were just written. */
  enqueue(op: Operation): void;
  /** Reads on after the head operation paused. */
  resume(): void;
  /** Sends what was written, at the end of the current task (writes of one tick go out together). */
  scheduleFlush(): void;
  /** Sends what was written now; resolves once handed to the transport. */
  flush(): Promise<void>;
  /**
   * Sends what was written, then `data` as it is, without copying it into the send buffer (COPY FROM
   * data); resolves once both were handed to the transport. `data` must not change until then.
   */
  writeThrough(data: Uint8Array): Promise<void>;
  /**
   * The client holds the turn (COPY FROM STDIN data is being sent: the server waits for it and owes
   * nothing), so the read deadline does not run; off again once CopyDone or CopyFail is written.
   */
  clientTurn(on: boolean): void;
  /** Asks the server to cancel what this session runs (CancelRequest on a fresh connection). */
  cancel(): Promise<void>;
  /**
   * Waits for the turn to write: calls that hold the connection (a cursor's open portal, COPY FROM
   * in progress) make later calls wait until they are done. Resolves with a release function for a
   * holder (`hold: true`), else a no-op.
   */
  turn(hold: boolean): Promise<() => void> | (() => void);
}
