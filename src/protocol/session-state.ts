/**
 * A pure tracker of what the client has asked and what the server may answer next, after startup.
 *
 * Fed every frontend message as it is written (`sent`) and every backend message as it is received
 * (`received`), it keeps a queue of requests awaiting responses and throws ProtocolError
 * PGS_UNEXPECTED_MESSAGE when the server says something the protocol does not allow at that point
 * (RELIABILITY.md case 5: a desynchronised stream must be fatal, not misattributed). It also reports
 * what each message did to the request at the head of the queue, so a connection can settle its own
 * per-request promises, including requests the server skipped after an error (case 15).
 *
 * Ordering rules: https://www.postgresql.org/docs/current/protocol-flow.html — responses come in
 * request order; after an ErrorResponse to an extended-protocol message the server discards every
 * message until Sync (postgres.c `ignore_till_sync`, which Query and FunctionCall do not set).
 * Cost: `received` is O(1) and allocation-free for every message except a Describe's RowDescription
 * (one Map entry); the DataRow check is two integer comparisons.
 */
import { ClientError, ErrorCode, ProtocolError } from '../errors.js';
import { TargetKind, TransactionStatus } from './codes.js';
import type { BackendMessage, ErrorResponse } from './messages.js';
import { KIND_NAMES, Outcome, RequestKind, SendResult, type TrackedMessage } from './session-state-codes.js';

export { Outcome, RequestKind, SendResult } from './session-state-codes.js';
export type { TrackedMessage } from './session-state-codes.js';

// States of the head request.
const START = 0;
const ROWS = 1;
const COPY_IN = 2;
const COPY_OUT = 3;
const COPY_OUT_DONE = 4;
const COPY_BOTH = 5;
const FAILED = 6;
const DONE = 7;
const PARAMS = 8;
/** A Query after at least one statement finished (START = nothing received for it yet). */
const NEXT = 9;

// Row shapes: a field count, or one of these.
const UNKNOWN_SHAPE = -1;
const NO_ROWS = -2;

// Per-request flags: an Execute with maxRows 0 cannot end in PortalSuspended; a Close may target a portal.
const NOT_SUSPENDABLE = 1;
const CLOSES_PORTAL = 1;

/** The DataRow a run of rows is checked as (`receivedRows`): only its type and field count are read. */
const ROW_RUN = { type: 'DataRow', fieldCount: 0 };
/** The CopyData a run of them is checked as (`receivedCopyData`): only its type is read. */
const COPY_DATA_RUN = { type: 'CopyData' };
const { QUERY, PARSE, BIND, DESCRIBE_STATEMENT, DESCRIBE_PORTAL, EXECUTE, CLOSE, SYNC, FUNCTION_CALL, NONE } = RequestKind;

/** Tracks pending requests and validates the order of backend messages (see the module comment). */
export class SessionState {
  #kinds = new Uint8Array(16);
  #flags = new Uint8Array(16);
  #names: (string | null | undefined)[] = new Array<string | null | undefined>(16).fill(undefined);
  #first = 0;
  #count = 0;
  #headKind: RequestKind = NONE;
  /** Kind of the request written last (the queue's tail). */
  #tailKind: RequestKind = NONE;
  #state = START;
  #rowFields = UNKNOWN_SHAPE;
  /** DataRows of the current result, checked against the row count of its CommandComplete. */
  #rowsSeen = 0;
  #syncs = 0;
  #readies = 0;
  #discarding = false;
  #terminated = false;
  #status: TransactionStatus = TransactionStatus.IDLE;
  #lastKind: RequestKind = NONE;
  #skipped = 0;
  #failure: ProtocolError | null = null;
  /** Row shapes of described portals (null = the unnamed portal): field count or NO_ROWS. */
  readonly #portalShapes = new Map<string | null, number>();

  /** Transaction status from the last ReadyForQuery (IDLE before any). */
  get transactionStatus(): TransactionStatus {
    return this.#status;
  }

  /** Requests awaiting a response. */
  get pending(): number {
    return this.#count;
  }

  /** Sync messages whose ReadyForQuery has not arrived. */
  get pendingSyncs(): number {
    return this.#syncs;
  }

  /** ReadyForQuery messages still expected (one per pending Sync, Query and FunctionCall). */
  get pendingReady(): number {
    return this.#readies;
  }

  /** True when no response is outstanding. */
  get idle(): boolean {
    return this.#count === 0;
  }

  /** True when the server is discarding everything until a Sync the client has not sent yet. */
  get discarding(): boolean {
    return this.#discarding;
  }

  /** The request the last received message concerned (NONE for asynchronous messages). */
  get kind(): RequestKind {
    return this.#lastKind;
  }

  /** After a FAILED outcome: how many requests that followed the failed one were skipped, in order. */
  get skipped(): number {
    return this.#skipped;
  }

  /** Kind of the `i`-th pending request (0 = the head), or NONE. */
  peek(i = 0): RequestKind {
    return i >= 0 && i < this.#count ? (this.#kinds[(this.#first + i) & (this.#kinds.length - 1)] as RequestKind) : NONE;
  }

  /** True while the server is in COPY OUT or COPY BOTH mode for the head request. */
  get copyOut(): boolean {
    return this.#state === COPY_OUT || this.#state === COPY_BOTH;
  }

  /** True while the server is in COPY IN or COPY BOTH mode (the client may send CopyData). */
  get copyIn(): boolean {
    return this.#state === COPY_IN || this.#state === COPY_BOTH;
  }

  /** Records a frontend message as it is written (by its decoded shape; see also the `sent…` methods). */
  sent(msg: TrackedMessage): SendResult {
    switch (msg.type) {
      case 'Sync':
        return this.sentSync();
      case 'Flush':
      case 'CopyData':
      case 'CopyDone':
      case 'CopyFail':
        return SendResult.NO_RESPONSE;
      case 'Terminate':
        return this.sentTerminate();
      case 'Query':
        return this.sentQuery();
      case 'Parse':
        return this.sentParse();
      case 'Bind':
        return this.sentBind(msg.portal);
      case 'Describe':
        return this.sentDescribe(msg.target, msg.name);
      case 'Close':
        return this.sentClose(msg.target, msg.name);
      case 'Execute':
        return this.sentExecute(msg.portal, msg.maxRows);
      case 'FunctionCall':
        return this.sentFunctionCall();
      default:
        throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'SessionState tracks only post-startup frontend messages');
    }
  }

  // The builders report each request through these as they write it (no re-reading of sent bytes).
  // `undefined` names are unknown names (they only blunt the checks); `null` is the unnamed one.

  /** Records a Query. */
  sentQuery(): SendResult {
    return this.#request(QUERY, undefined, 0);
  }

  /** Records a Parse. */
  sentParse(): SendResult {
    return this.#request(PARSE, undefined, 0);
  }

  /** Records a Bind creating `portal`. */
  sentBind(portal?: string | null): SendResult {
    return this.#request(BIND, portal, 0);
  }

  /** Records a Describe of a statement or portal. */
  sentDescribe(target: TargetKind, name?: string | null): SendResult {
    return target === TargetKind.PORTAL ? this.#request(DESCRIBE_PORTAL, name, 0) : this.#request(DESCRIBE_STATEMENT, undefined, 0);
  }

  /** Records a Close of a statement or portal. */
  sentClose(target: TargetKind, name?: string | null): SendResult {
    // Only portal names matter (they invalidate row shapes).
    return target === TargetKind.PORTAL ? this.#request(CLOSE, name, CLOSES_PORTAL) : this.#request(CLOSE, null, 0);
  }

  /** Records an Execute of `portal` with a row limit (0: all rows; `undefined`: unknown). */
  sentExecute(portal?: string | null, maxRows?: number): SendResult {
    return this.#request(EXECUTE, portal, maxRows === 0 ? NOT_SUSPENDABLE : 0);
  }

  /** Records a FunctionCall. */
  sentFunctionCall(): SendResult {
    return this.#request(FUNCTION_CALL, undefined, 0);
  }

  /** Records a Sync: the end of an extended-query segment, answered by ReadyForQuery. */
  sentSync(): SendResult {
    this.#discarding = false;
    this.#push(SYNC, undefined, 0);
    return SendResult.PENDING;
  }

  /** Records a Terminate. */
  sentTerminate(): SendResult {
    this.#terminated = true;
    return SendResult.NO_RESPONSE;
  }

  /**
   * True when a Sync now would be answered by a ReadyForQuery nobody expects: the last request
   * written was a Query or a FunctionCall, each of which already ends in its own ReadyForQuery.
   */
  get syncRedundant(): boolean {
    return this.#count > 0 && (this.#tailKind === QUERY || this.#tailKind === FUNCTION_CALL);
  }

  #request(kind: RequestKind, name: string | null | undefined, flag: number): SendResult {
    if (this.#discarding) return SendResult.SKIPPED;
    this.#push(kind, name, flag);
    return SendResult.PENDING;
  }

  /**
   * Validates a backend message against the pending requests and advances the state. Throws
   * ProtocolError PGS_UNEXPECTED_MESSAGE on a violation; after one, every call throws it again.
   */
  received(msg: BackendMessage): Outcome {
    if (this.#failure !== null) throw this.#failure;
    const k = this.#headKind;
    const st = this.#state;
    switch (msg.type) {
      case 'NoticeResponse':
      case 'ParameterStatus':
      case 'NotificationResponse':
        this.#lastKind = NONE;
        return Outcome.ASYNC;
      case 'DataRow':
        if (k === QUERY) {
          if (st !== ROWS) return this.#violation(msg, 'no RowDescription in effect');
          if (msg.fieldCount !== this.#rowFields) return this.#violation(msg, 'field count differs from the RowDescription');
        } else if (k === EXECUTE) {
          if (st === START) {
            const name = this.#names[this.#first];
            this.#rowFields = name === undefined ? UNKNOWN_SHAPE : (this.#portalShapes.get(name) ?? UNKNOWN_SHAPE);
            this.#state = ROWS;
          } else if (st !== ROWS) {
            return this.#violation(msg, 'not expected in this state of the Execute');
          }
          if (this.#rowFields === NO_ROWS) return this.#violation(msg, 'the portal was described as returning no rows (NoData)');
          if (this.#rowFields >= 0 && msg.fieldCount !== this.#rowFields) {
            return this.#violation(msg, "field count differs from the portal's RowDescription");
          }
        } else {
          return this.#violation(msg, 'no Query or Execute pending');
        }
        this.#rowsSeen++;
        return this.#partial(k);
      case 'RowDescription':
        if (k === QUERY && (st === START || st === NEXT)) {
          this.#state = ROWS;
          this.#rowFields = msg.fields.length;
          this.#rowsSeen = 0;
          return this.#partial(k);
        }
        if (k === DESCRIBE_PORTAL && st === START) {
          this.#setShape(this.#names[this.#first], msg.fields.length);
          return this.#complete(k);
        }
        if (k === DESCRIBE_STATEMENT && st === PARAMS) return this.#complete(k);
        return this.#violation(msg, 'no Query or Describe awaiting one');
      case 'NoData':
        if (k === DESCRIBE_PORTAL && st === START) {
          this.#setShape(this.#names[this.#first], NO_ROWS);
          return this.#complete(k);
        }
        if (k === DESCRIBE_STATEMENT && st === PARAMS) return this.#complete(k);
        return this.#violation(msg, 'no Describe pending');
      case 'ParameterDescription':
        if (k === DESCRIBE_STATEMENT && st === START) {
          this.#state = PARAMS;
          return this.#partial(k);
        }
        return this.#violation(msg, 'no Describe (statement) pending');
      case 'ParseComplete':
        return k === PARSE ? this.#complete(k) : this.#violation(msg, 'no Parse pending');
      case 'BindComplete':
        if (k !== BIND) return this.#violation(msg, 'no Bind pending');
        this.#dropShape(this.#names[this.#first]);
        return this.#complete(k);
      case 'CloseComplete':
        if (k !== CLOSE) return this.#violation(msg, 'no Close pending');
        if (this.#flags[this.#first] === CLOSES_PORTAL) this.#dropShape(this.#names[this.#first]);
        return this.#complete(k);
      case 'CommandComplete':
        if ((k === QUERY || k === EXECUTE) && (st === START || st === NEXT || st === ROWS || st === COPY_IN || st === COPY_OUT_DONE || st === COPY_BOTH)) {
          // The tag counts the rows the command returned (SELECT n, INSERT … RETURNING, FETCH n): a
          // DataRow duplicated or lost on the way is a desynchronised stream. An Execute with a row
          // limit is not checked (its tag may count the portal's rows so far, not this batch's).
          const rows = this.#rowsSeen;
          if (rows > 0 && msg.rows !== null && msg.rows !== rows && (k === QUERY || this.#flags[this.#first] === NOT_SUSPENDABLE)) {
            return this.#violation(msg, `${rows} DataRows arrived for a command that reports ${msg.rows}`);
          }
          this.#rowsSeen = 0;
          if (k === EXECUTE) return this.#complete(k);
          this.#state = NEXT;
          return this.#partial(k);
        }
        return this.#violation(msg, k === QUERY || k === EXECUTE ? 'not expected in this state' : 'no Query or Execute pending');
      case 'EmptyQueryResponse':
        // Only an entirely empty query string gets EmptyQueryResponse, and nothing else before ReadyForQuery.
        if (k === QUERY && st === START) {
          this.#state = DONE;
          return this.#partial(k);
        }
        if (k === EXECUTE && st === START) return this.#complete(k);
        return this.#violation(msg, 'no Query or Execute awaiting it');
      case 'PortalSuspended':
        if (k === EXECUTE && (st === START || st === ROWS) && this.#flags[this.#first] !== NOT_SUSPENDABLE) return this.#complete(k);
        return this.#violation(msg, 'no Execute with a row limit pending');
      case 'CopyInResponse':
      case 'CopyOutResponse':
      case 'CopyBothResponse':
        if ((k === QUERY && (st === START || st === NEXT)) || (k === EXECUTE && st === START)) {
          this.#state = msg.type === 'CopyInResponse' ? COPY_IN : msg.type === 'CopyOutResponse' ? COPY_OUT : COPY_BOTH;
          return this.#partial(k);
        }
        return this.#violation(msg, 'no Query or Execute awaiting it');
      case 'CopyData':
        if (st === COPY_OUT || st === COPY_BOTH) return this.#partial(k);
        return this.#violation(msg, 'not in COPY OUT or COPY BOTH mode');
      case 'CopyDone':
        if (st === COPY_OUT || st === COPY_BOTH) {
          // After COPY BOTH (replication) a Query may still send a result set before CommandComplete.
          this.#state = st === COPY_BOTH && k === QUERY ? NEXT : COPY_OUT_DONE;
          return this.#partial(k);
        }
        return this.#violation(msg, 'not in COPY OUT or COPY BOTH mode');
      case 'FunctionCallResponse':
        if (k === FUNCTION_CALL && st === START) {
          this.#state = DONE;
          return this.#partial(k);
        }
        return this.#violation(msg, 'no FunctionCall pending');
      case 'ErrorResponse':
        return this.#error(msg);
      case 'ReadyForQuery':
        if (!((k === SYNC && (st === START || st === FAILED))
          || (k === QUERY && (st === NEXT || st === DONE || st === FAILED))
          || (k === FUNCTION_CALL && (st === DONE || st === FAILED)))) {
          return this.#violation(msg, k === SYNC || k === QUERY || k === FUNCTION_CALL ? 'the request is not finished' : 'no Sync, Query or FunctionCall pending');
        }
        this.#status = msg.status;
        // Portals live until the end of their transaction; a Query also destroys the unnamed one.
        if (this.#portalShapes.size > 0) {
          if (msg.status !== TransactionStatus.IN_TRANSACTION) this.#portalShapes.clear();
          else if (k === QUERY) this.#portalShapes.delete(null);
        }
        this.#pop();
        this.#lastKind = k;
        return Outcome.READY;
      default:
        return this.#violation(msg, 'not allowed after startup');
    }
  }

  /**
   * A run of `count` DataRows read at once (column-at-a-time reading, BackendReader.nextRows):
   * checked as `count` DataRows of `fieldCount` fields (a run whose field counts differ passes one no row has, e.g. 0x10000), so the
   * CommandComplete row count check holds for them too.
   */
  receivedRows(count: number, fieldCount: number): Outcome {
    ROW_RUN.fieldCount = fieldCount;
    const outcome = this.received(ROW_RUN as unknown as BackendMessage);
    this.#rowsSeen += count - 1;
    return outcome;
  }

  /** A run of CopyData messages read at once (copyTo().batches()): checked as one. */
  receivedCopyData(): Outcome {
    return this.received(COPY_DATA_RUN as unknown as BackendMessage);
  }

  #error(msg: ErrorResponse): Outcome {
    const k = this.#headKind;
    const severity = msg.fields.get('V') ?? msg.fields.get('S');
    this.#lastKind = k;
    this.#skipped = 0;
    if (severity === 'FATAL' || severity === 'PANIC') {
      // The server closes the connection: nothing pending will ever be answered.
      this.#skipped = Math.max(0, this.#count - 1);
      while (this.#count > 0) this.#pop();
      this.#terminated = true;
      return Outcome.FAILED;
    }
    if (this.#terminated) return this.#violation(msg, 'the session has ended');
    switch (k) {
      case QUERY:
      case FUNCTION_CALL:
      case SYNC:
        if (this.#state === FAILED) return this.#violation(msg, 'a second error for the same request');
        if (this.#state === DONE && k === QUERY) return this.#violation(msg, 'the empty query already finished');
        // Not extended-protocol messages: no skipping, ReadyForQuery follows.
        this.#state = FAILED;
        return Outcome.FAILED;
      case NONE:
        return this.#violation(msg, 'nothing pending');
      default:
        // Extended protocol: the server discards everything up to the next Sync.
        this.#pop();
        while (this.#count > 0 && this.#headKind !== SYNC) {
          this.#pop();
          this.#skipped++;
        }
        if (this.#count === 0) this.#discarding = true;
        return Outcome.FAILED;
    }
  }

  #partial(k: RequestKind): Outcome {
    this.#lastKind = k;
    return Outcome.PARTIAL;
  }

  #complete(k: RequestKind): Outcome {
    this.#pop();
    this.#lastKind = k;
    return Outcome.COMPLETE;
  }

  #setShape(name: string | null | undefined, shape: number): void {
    if (name !== undefined) this.#portalShapes.set(name, shape);
  }

  /** A portal was (re)bound or closed: its shape is no longer known (unknown name = forget all). */
  #dropShape(name: string | null | undefined): void {
    // Map.clear() allocates a fresh table even when empty: this runs on every BindComplete.
    if (this.#portalShapes.size === 0) return;
    if (name === undefined) this.#portalShapes.clear();
    else this.#portalShapes.delete(name);
  }

  #violation(msg: BackendMessage, why: string): never {
    const state = this.#count === 0 ? 'nothing pending' : `awaiting ${KIND_NAMES[this.#headKind]}`;
    this.#failure = new ProtocolError(ErrorCode.UNEXPECTED_MESSAGE, `unexpected ${msg.type} (${why}; ${state})`);
    throw this.#failure;
  }

  #push(kind: RequestKind, name: string | null | undefined, flag: number): void {
    let cap = this.#kinds.length;
    if (this.#count === cap) {
      const kinds = new Uint8Array(cap * 2);
      const flags = new Uint8Array(cap * 2);
      const names = new Array<string | null | undefined>(cap * 2).fill(undefined);
      for (let i = 0; i < this.#count; i++) {
        const j = (this.#first + i) & (cap - 1);
        kinds[i] = this.#kinds[j]!;
        flags[i] = this.#flags[j]!;
        names[i] = this.#names[j];
      }
      this.#kinds = kinds;
      this.#flags = flags;
      this.#names = names;
      this.#first = 0;
      cap *= 2;
    }
    const at = (this.#first + this.#count) & (cap - 1);
    this.#kinds[at] = kind;
    this.#flags[at] = flag;
    this.#names[at] = name;
    if (this.#count++ === 0) {
      this.#headKind = kind;
      this.#state = START;
    }
    this.#tailKind = kind;
    if (kind === SYNC) this.#syncs++;
    if (kind === SYNC || kind === QUERY || kind === FUNCTION_CALL) this.#readies++;
  }

  #pop(): void {
    const kind = this.#headKind;
    if (kind === SYNC) this.#syncs--;
    if (kind === SYNC || kind === QUERY || kind === FUNCTION_CALL) this.#readies--;
    this.#names[this.#first] = undefined;
    this.#first = (this.#first + 1) & (this.#kinds.length - 1);
    this.#count--;
    this.#headKind = this.#count === 0 ? NONE : (this.#kinds[this.#first] as RequestKind);
    this.#state = START;
    this.#rowFields = UNKNOWN_SHAPE;
    this.#rowsSeen = 0;
  }
}
