/**
 * Segment: what happened to each statement of a pipeline segment (the statements up to a Sync),
 * so that a statement is reported as done only when the server made it durable — the rule that
 * keeps a pipeline from losing a write silently (PRODUCT.md, RELIABILITY.md case 27).
 *
 * The server's behaviour (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-PIPELINING,
 * and BeginTransactionBlock/EndTransactionBlock in src/backend/access/transam/xact.c):
 * - outside an explicit transaction block, the statements of a segment run in one implicit
 *   transaction, committed at the Sync; an error rolls back the statements before it, and the
 *   server skips every message after it until the Sync;
 * - BEGIN inside a segment turns the implicit transaction into an explicit block (the statements
 *   before it join the block); COMMIT (or END) commits everything undecided so far, also in an
 *   implicit transaction; ROLLBACK undoes it; a COMMIT of a failed block answers `ROLLBACK`;
 * - SAVEPOINT / ROLLBACK TO SAVEPOINT / RELEASE nest partial rollbacks inside a block;
 * - a segment that ends with the block still open (ReadyForQuery `T`) leaves the caller's COMMIT to
 *   decide: its statements are settled as executed, and a later COMMIT that the server answers with
 *   ROLLBACK rejects (PGS_PIPELINE_ROLLED_BACK) instead of resolving; one that ends in a failed
 *   block (`E`) can no longer commit what ran since the last savepoint: those are rolled back.
 * - the connection lost before the segment's outcome arrived: once what commits it was sent (the
 *   Sync, or a COMMIT still unanswered), the server may have committed it — its statements reject
 *   with PGS_OUTCOME_UNKNOWN, never as done and never as a plain "not done"; before that, or when
 *   the server's own FATAL interrupted a statement of it (answers arrive in order: it ran no
 *   further), or after an error in the segment, they reject as not done.
 * Known limit: a command that forces an immediate commit (CREATE DATABASE, VACUUM as the first
 * command of a segment) is reported rolled back if a later statement of its segment fails; lost
 * while unanswered, it is reported with the connection's error (outside a Sync'd segment).
 * Pure: no I/O; the connection feeds it the outcomes it reads.
 */
import { ConnectionError, ErrorCode, QueryError, ServerError } from '../errors.js';
import type { PgStreamError } from '../errors.js';
import { TransactionStatus } from '../protocol/codes.js';

/** How a statement of the segment ended. */
export type StatementFate =
  /** Ran and committed (or, inside an explicit block left open, ran: the caller's COMMIT decides). */
  | { readonly kind: 'done' }
  /** Failed: the server's error for it (ServerError), or the connection's fatal error. */
  | { readonly kind: 'failed'; readonly error: PgStreamError }
  /** Never ran: the server skipped it after an earlier error (`cause`) in the segment. */
  | { readonly kind: 'aborted'; readonly error: QueryError }
  /** Ran, then was rolled back with its transaction. */
  | { readonly kind: 'rolledBack'; readonly error: QueryError };

/** A statement as the segment sees it: its SQL (for transaction control) and where its fate goes. */
export interface SegmentMember {
  /** The statement's SQL text, read only to tell `ROLLBACK TO SAVEPOINT` and a rolled-back COMMIT apart. */
  readonly sql: string;
  /** Receives the statement's fate, exactly once. */
  settle(fate: StatementFate): void;
}

const DONE: StatementFate = Object.freeze({ kind: 'done' });

/** SQL with its leading whitespace and comments removed (`-- …` lines and `/* … *\/` blocks). */
function leadingKeywords(sql: string): string {
  let s = sql;
  for (;;) {
    const trimmed = s.trimStart();
    if (trimmed.startsWith('--')) {
      const nl = trimmed.indexOf('\n');
      s = nl === -1 ? '' : trimmed.slice(nl + 1);
    } else if (trimmed.startsWith('/*')) {
      const end = trimmed.indexOf('*/');
      s = end === -1 ? '' : trimmed.slice(end + 2);
    } else {
      return trimmed.slice(0, 64).toLowerCase();
    }
  }
}

/** `ROLLBACK [WORK|TRANSACTION] TO …` (also `ABORT`-less forms): a partial rollback. */
const ROLLBACK_TO = /^rollback(\s+(work|transaction))?\s+to\b/;
/** `COMMIT` / `END` (a COMMIT of a failed block answers with the tag ROLLBACK). */
const COMMIT_SQL = /^(commit|end)\b/;
/** Statements that commit by themselves: COMMIT / END / PREPARE TRANSACTION (also COMMIT PREPARED). */
const COMMITS = /^(commit|end|prepare\s+transaction)\b/;

/** The transaction-control commands, as their tags begin (`START TRANSACTION` is a BEGIN). */
const CONTROL_VERBS = [
  'BEGIN', 'START TRANSACTION', 'COMMIT PREPARED', 'COMMIT', 'PREPARE TRANSACTION', 'ROLLBACK PREPARED', 'ROLLBACK', 'SAVEPOINT', 'RELEASE',
] as const;
/** Their first letters: a tag starting with any other letter is no transaction control. */
const CONTROL_LETTERS = new Set(CONTROL_VERBS.map((v) => v[0]));

/**
 * The transaction-control command of a command tag, or '' for every other command (this runs once
 * per statement: most tags are ruled out by their first letter).
 */
function verbOf(tag: string): string {
  if (!CONTROL_LETTERS.has(tag[0])) return '';
  for (const verb of CONTROL_VERBS) {
    if (tag.startsWith(verb) && (tag.length === verb.length || tag[verb.length] === ' ')) return verb === 'START TRANSACTION' ? 'BEGIN' : verb;
  }
  return '';
}

function rolledBack(cause: unknown): QueryError {
  return new QueryError(ErrorCode.PIPELINE_ROLLED_BACK, 'the statement ran, but its transaction was rolled back', cause === undefined ? undefined : { cause });
}

/** The error of a statement whose commit may or may not have happened when the connection was lost. */
export function outcomeUnknown(cause: PgStreamError): ConnectionError {
  return new ConnectionError(
    ErrorCode.OUTCOME_UNKNOWN,
    'the connection was lost after the statement was sent with what commits it and before the outcome arrived: the server may or may not have committed it',
    { cause },
  );
}

function aborted(cause: unknown): QueryError {
  return new QueryError(ErrorCode.PIPELINE_ABORTED, 'the statement was not run: an earlier statement of its pipeline segment failed', cause === undefined ? undefined : { cause });
}

/** The statements of one segment and what is known of their transaction. */
export class Segment {
  /** Statements that ran and whose transaction has not ended yet, in order. */
  #undecided: SegmentMember[] = [];
  /** Positions in `#undecided` where a SAVEPOINT was set (innermost last). */
  #savepoints: number[] = [];
  /** True while an explicit transaction block is open. */
  #inBlock = false;
  /** The segment's first statement started: `#inBlock` holds the status it started in. */
  #begun = false;
  /** The error that failed the segment (the server skips the rest until Sync), or null. */
  #failure: PgStreamError | null = null;
  /** Members that got no answer yet (settled as aborted at ReadyForQuery if never answered). */
  readonly #open = new Set<SegmentMember>();
  /** The segment's Sync was written: the server may commit it without another word from the client. */
  #synced = false;

  /** The Sync that ends the segment was written (src/query/sync-op.ts). */
  syncWritten(): void {
    this.#synced = true;
  }

  /**
   * The segment's first answer comes next; `status` is the transaction status of the ReadyForQuery
   * before it (known only now: earlier segments may still have been in flight when this one was written).
   */
  begin(status: TransactionStatus): void {
    if (this.#begun) return;
    this.#begun = true;
    this.#inBlock = status !== TransactionStatus.IDLE;
  }

  /** True once a statement of the segment failed. */
  get failed(): boolean {
    return this.#failure !== null;
  }

  /** A statement was written as part of this segment. */
  add(member: SegmentMember): void {
    this.#open.add(member);
  }

  /** The statement ran to CommandComplete with `tag` (or EmptyQueryResponse: tag ''). */
  completed(member: SegmentMember, tag: string): void {
    this.#open.delete(member);
    switch (verbOf(tag)) {
      case 'BEGIN':
        this.#inBlock = true;
        this.#undecided.push(member);
        return;
      case 'COMMIT':
        // Everything undecided is durable now.
        this.#settleUndecided(DONE);
        member.settle(DONE);
        this.#inBlock = false;
        return;
      case 'PREPARE TRANSACTION':
        // The transaction is durable (committed or rolled back later by name).
        this.#settleUndecided(DONE);
        member.settle(DONE);
        this.#inBlock = false;
        return;
      case 'SAVEPOINT':
        this.#savepoints.push(this.#undecided.length);
        this.#undecided.push(member);
        return;
      case 'RELEASE':
        this.#savepoints.pop();
        this.#undecided.push(member);
        return;
      case 'ROLLBACK':
        this.#rollback(member);
        return;
      default:
        this.#undecided.push(member);
    }
  }

  /** Tag ROLLBACK: a full rollback, a ROLLBACK TO SAVEPOINT, or a COMMIT of a failed block. */
  #rollback(member: SegmentMember): void {
    const sql = leadingKeywords(member.sql);
    if (ROLLBACK_TO.test(sql) && this.#savepoints.length > 0) {
      // Undo what ran after the savepoint; the savepoint itself stays (ROLLBACK TO keeps it).
      const at = this.#savepoints[this.#savepoints.length - 1]! + 1;
      for (const m of this.#undecided.splice(at)) m.settle({ kind: 'rolledBack', error: rolledBack(undefined) });
      this.#undecided.push(member);
      return;
    }
    this.#settleUndecided({ kind: 'rolledBack', error: rolledBack(undefined) });
    this.#savepoints = [];
    this.#inBlock = false;
    if (COMMIT_SQL.test(sql)) member.settle({ kind: 'rolledBack', error: new QueryError(ErrorCode.PIPELINE_ROLLED_BACK, 'COMMIT was answered with ROLLBACK: the transaction had failed and nothing was committed') });
    else member.settle(DONE);
  }

  /** The statement's Execute reached its row limit (a cursor): it has no fate of its own. */
  suspended(member: SegmentMember): void {
    this.#open.delete(member);
  }

  /** The statement failed with `error`; the server now skips the segment's remaining statements. */
  failedWith(member: SegmentMember, error: PgStreamError): void {
    this.#open.delete(member);
    this.#failure = error;
    member.settle({ kind: 'failed', error });
    if (!this.#inBlock) {
      // The implicit transaction is gone: everything that ran in it is rolled back.
      this.#settleUndecided({ kind: 'rolledBack', error: rolledBack(error) });
      this.#savepoints = [];
    }
  }

  /**
   * The Sync itself failed (an ErrorResponse to it: a deferred constraint or a serialization
   * failure at commit): what ran in the implicit transaction is rolled back.
   */
  commitFailed(error: PgStreamError): void {
    this.#failure = error;
    if (!this.#inBlock) {
      this.#settleUndecided({ kind: 'rolledBack', error: rolledBack(error) });
      this.#savepoints = [];
    }
  }

  /**
   * ReadyForQuery ended the segment with transaction `status`: statements never answered were
   * skipped; the rest are settled by what the status says of their transaction.
   */
  ready(status: TransactionStatus): void {
    const cause = this.#failure ?? undefined;
    for (const m of this.#open) m.settle({ kind: 'aborted', error: aborted(cause) });
    this.#open.clear();
    if (status === TransactionStatus.IDLE) {
      // Committed at the Sync (or by a COMMIT), unless the segment failed, which rolled it back.
      this.#settleUndecided(this.#failure === null ? DONE : { kind: 'rolledBack', error: rolledBack(cause) });
    } else if (status === TransactionStatus.IN_TRANSACTION) {
      // The explicit block stays open: its statements ran; the caller's COMMIT decides.
      this.#settleUndecided(DONE);
    } else {
      // A failed block: what ran since the last savepoint can never commit; before it, it still may.
      const keep = this.#savepoints.length > 0 ? this.#savepoints[this.#savepoints.length - 1]! + 1 : 0;
      for (const m of this.#undecided.splice(keep)) m.settle({ kind: 'rolledBack', error: rolledBack(cause) });
      this.#settleUndecided(DONE);
    }
  }

  /**
   * The connection failed with `error` before the segment's outcome was known: each statement not
   * settled yet is told what can be known (see the module comment).
   */
  abandon(error: PgStreamError): void {
    const open = [...this.#open];
    this.#open.clear();
    const cause = this.#failure;
    if (cause !== null) {
      // The segment had failed: the server skipped the rest and can commit nothing of it (outside a
      // block it was rolled back already; a failed block can only roll back).
      for (const m of open) m.settle({ kind: 'aborted', error: aborted(cause) });
      this.#settleUndecided({ kind: 'rolledBack', error: rolledBack(cause) });
      return;
    }
    const fate: StatementFate = this.#mayHaveCommitted(open, error) ? { kind: 'failed', error: outcomeUnknown(error) } : { kind: 'failed', error };
    for (const m of open) m.settle(fate);
    this.#settleUndecided(fate);
  }

  /** Whether the server may have committed what is undecided when the connection failed with `error`. */
  #mayHaveCommitted(open: readonly SegmentMember[], error: PgStreamError): boolean {
    if (open.length === 0 && this.#undecided.length === 0) return false;
    // The server's FATAL came while a statement was unanswered: it ran no further, nothing committed.
    if (error instanceof ServerError && open.length > 0) return false;
    // A COMMIT (or PREPARE TRANSACTION) sent and not answered commits without the Sync.
    if (open.some((m) => COMMITS.test(leadingKeywords(m.sql)))) return true;
    // The Sync commits an implicit transaction; an explicit block stays open over it and dies with the connection.
    return this.#synced && !(this.#inBlock && this.#begun);
  }

  #settleUndecided(fate: StatementFate): void {
    const members = this.#undecided;
    this.#undecided = [];
    for (const m of members) m.settle(fate);
  }
}
