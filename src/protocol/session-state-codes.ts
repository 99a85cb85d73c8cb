/**
 * The vocabulary of SessionState (session-state.ts): the kinds of queued requests, what a received
 * message did (Outcome), what a sent one will get (SendResult), and the frontend shapes it tracks.
 */
import type { TargetKind } from './codes.js';

/** Requests that expect responses, as queued by the tracker. */
export const RequestKind = {
  NONE: 0,
  QUERY: 1,
  PARSE: 2,
  BIND: 3,
  DESCRIBE_STATEMENT: 4,
  DESCRIBE_PORTAL: 5,
  EXECUTE: 6,
  CLOSE: 7,
  SYNC: 8,
  FUNCTION_CALL: 9,
} as const;
/** A kind of queued request. */
export type RequestKind = (typeof RequestKind)[keyof typeof RequestKind];

/** What a received message did, returned by `received`. */
export const Outcome = {
  /** NoticeResponse, ParameterStatus or NotificationResponse: deliver it; no request is affected. */
  ASYNC: 0,
  /** Part of the head request's answer, which continues (rows, COPY data, one statement of a Query…). */
  PARTIAL: 1,
  /** The head request completed successfully and left the queue (ParseComplete, an Execute's CommandComplete…). */
  COMPLETE: 2,
  /** ErrorResponse: the head request failed; `skipped` further requests will get no response at all. */
  FAILED: 3,
  /** ReadyForQuery ended a Sync, Query or FunctionCall cycle; `transactionStatus` is updated. */
  READY: 4,
} as const;
/** What a received message did. */
export type Outcome = (typeof Outcome)[keyof typeof Outcome];

/** What `sent` learned about a frontend message. */
export const SendResult = {
  /** Queued: a response will come. */
  PENDING: 0,
  /** Nothing answers this message (Flush, CopyData, CopyDone, CopyFail, Terminate). */
  NO_RESPONSE: 1,
  /** The server is discarding input until Sync after an error: this request will get no response. */
  SKIPPED: 2,
} as const;
/** What `sent` learned about a frontend message. */
export type SendResult = (typeof SendResult)[keyof typeof SendResult];

/**
 * The frontend messages the tracker accepts: PostgreSQL's names; names of portals (`portal`, and
 * `name` for a portal Describe/Close) and `maxRows` are optional and only sharpen the checks. The
 * FrontendMessage shapes of messages.ts fit, and so do constant objects such as `{ type: 'Sync' }`.
 */
export type TrackedMessage =
  | { readonly type: 'Query' | 'Parse' | 'Sync' | 'Flush' | 'FunctionCall' | 'Terminate' }
  | { readonly type: 'CopyData' | 'CopyDone' | 'CopyFail' }
  | { readonly type: 'Bind'; readonly portal?: string | null }
  | { readonly type: 'Describe' | 'Close'; readonly target: TargetKind; readonly name?: string | null }
  | { readonly type: 'Execute'; readonly portal?: string | null; readonly maxRows?: number };

/** Names of request kinds, for error messages. */
export const KIND_NAMES: Record<RequestKind, string> = {
  [RequestKind.NONE]: 'nothing',
  [RequestKind.QUERY]: 'Query',
  [RequestKind.PARSE]: 'Parse',
  [RequestKind.BIND]: 'Bind',
  [RequestKind.DESCRIBE_STATEMENT]: 'Describe (statement)',
  [RequestKind.DESCRIBE_PORTAL]: 'Describe (portal)',
  [RequestKind.EXECUTE]: 'Execute',
  [RequestKind.CLOSE]: 'Close',
  [RequestKind.SYNC]: 'Sync',
  [RequestKind.FUNCTION_CALL]: 'FunctionCall',
};

/**
 * What the frontend builders report as they write each request, so the session state never has to
 * read sent bytes again (SessionState implements it; a plain MessageBuffer has none).
 */
export interface RequestLog {
  sentQuery(): SendResult;
  sentParse(): SendResult;
  sentBind(portal?: string | null): SendResult;
  sentDescribe(target: TargetKind, name?: string | null): SendResult;
  sentClose(target: TargetKind, name?: string | null): SendResult;
  sentExecute(portal?: string | null, maxRows?: number): SendResult;
  sentFunctionCall(): SendResult;
  sentSync(): SendResult;
  sentTerminate(): SendResult;
  /** True when a Sync now would only add a ReadyForQuery nobody waits for (after a Query or FunctionCall). */
  readonly syncRedundant: boolean;
}
