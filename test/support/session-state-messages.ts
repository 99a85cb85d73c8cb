/**
 * Backend message objects for SessionState tests, built as plain literals of the shapes in
 * src/protocol/messages.ts (the tracker looks only at `type`, counts and severities).
 */
import { AuthCode, FormatCode, MessageCode, TargetKind, TransactionStatus } from '../../src/protocol/codes.js';
import type { BackendMessage, DataRowView, FieldDescription } from '../../src/protocol/messages.js';

const field = (i: number): FieldDescription => ({
  name: `c${i}`, tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: FormatCode.Text,
});

function dataRow(n: number): DataRowView {
  const row: DataRowView = {
    type: 'DataRow', code: MessageCode.DATA_ROW, fieldCount: n,
    isNull: () => false, bytes: () => new Uint8Array(0), text: () => '', fieldLength: () => 0, fieldOffset: () => 0,
    buffer: new Uint8Array(0), copy: () => row,
  };
  return row;
}

const statuses = { I: TransactionStatus.IDLE, T: TransactionStatus.IN_TRANSACTION, E: TransactionStatus.FAILED };

/** Factories for every backend message the tracker distinguishes. */
export const B = {
  rfq: (s: keyof typeof statuses = 'I'): BackendMessage => ({ type: 'ReadyForQuery', code: MessageCode.READY_FOR_QUERY, status: statuses[s] }),
  rowDescription: (n: number): BackendMessage => ({
    type: 'RowDescription', code: MessageCode.ROW_DESCRIPTION, fields: Array.from({ length: n }, (_, i) => field(i)),
  }),
  dataRow: (n: number): BackendMessage => dataRow(n),
  /** A CommandComplete; `rows` is what its tag counts (null: not checked against the DataRows sent). */
  commandComplete: (tag = 'SELECT 1', rows: number | null = null): BackendMessage => ({ type: 'CommandComplete', code: MessageCode.COMMAND_COMPLETE, tag, rows }),
  emptyQuery: (): BackendMessage => ({ type: 'EmptyQueryResponse', code: MessageCode.EMPTY_QUERY_RESPONSE }),
  error: (severity = 'ERROR'): BackendMessage => ({
    type: 'ErrorResponse', code: MessageCode.ERROR_RESPONSE,
    fields: new Map([['S', severity], ['V', severity], ['C', '42P01'], ['M', 'boom']]),
  }),
  notice: (): BackendMessage => ({ type: 'NoticeResponse', code: MessageCode.NOTICE_RESPONSE, fields: new Map([['S', 'NOTICE'], ['M', 'hi']]) }),
  parameterStatus: (): BackendMessage => ({ type: 'ParameterStatus', code: MessageCode.PARAMETER_STATUS, name: 'TimeZone', value: 'UTC' }),
  notification: (): BackendMessage => ({ type: 'NotificationResponse', code: MessageCode.NOTIFICATION_RESPONSE, processId: 1, channel: 'c', payload: 'p' }),
  parseComplete: (): BackendMessage => ({ type: 'ParseComplete', code: MessageCode.PARSE_COMPLETE }),
  bindComplete: (): BackendMessage => ({ type: 'BindComplete', code: MessageCode.BIND_COMPLETE }),
  closeComplete: (): BackendMessage => ({ type: 'CloseComplete', code: MessageCode.CLOSE_COMPLETE }),
  noData: (): BackendMessage => ({ type: 'NoData', code: MessageCode.NO_DATA }),
  parameterDescription: (n = 1): BackendMessage => ({
    type: 'ParameterDescription', code: MessageCode.PARAMETER_DESCRIPTION, typeOids: Array<number>(n).fill(23),
  }),
  portalSuspended: (): BackendMessage => ({ type: 'PortalSuspended', code: MessageCode.PORTAL_SUSPENDED }),
  copyIn: (): BackendMessage => ({ type: 'CopyInResponse', code: MessageCode.COPY_IN_RESPONSE, format: FormatCode.Text, columnFormats: [] }),
  copyOut: (): BackendMessage => ({ type: 'CopyOutResponse', code: MessageCode.COPY_OUT_RESPONSE, format: FormatCode.Text, columnFormats: [] }),
  copyBoth: (): BackendMessage => ({ type: 'CopyBothResponse', code: MessageCode.COPY_BOTH_RESPONSE, format: FormatCode.Binary, columnFormats: [] }),
  copyData: (): BackendMessage => ({ type: 'CopyData', code: MessageCode.COPY_DATA, data: new Uint8Array([1]) }),
  copyDone: (): BackendMessage => ({ type: 'CopyDone', code: MessageCode.COPY_DONE }),
  functionCallResponse: (): BackendMessage => ({ type: 'FunctionCallResponse', code: MessageCode.FUNCTION_CALL_RESPONSE, result: null }),
  authenticationOk: (): BackendMessage => ({ type: 'AuthenticationOk', code: MessageCode.AUTHENTICATION, auth: AuthCode.OK }),
  backendKeyData: (): BackendMessage => ({ type: 'BackendKeyData', code: MessageCode.BACKEND_KEY_DATA, processId: 1, secretKey: new Uint8Array(4) }),
  negotiateProtocolVersion: (): BackendMessage => ({
    type: 'NegotiateProtocolVersion', code: MessageCode.NEGOTIATE_PROTOCOL_VERSION, newestMinor: 0, unrecognized: [],
  }),
};

/** Frontend messages as the tracker takes them. */
export const F = {
  query: { type: 'Query' } as const,
  parse: { type: 'Parse' } as const,
  bind: (portal?: string | null) => ({ type: 'Bind', portal }) as const,
  describePortal: (name?: string | null) => ({ type: 'Describe', target: TargetKind.PORTAL, name }) as const,
  describeStatement: (name?: string | null) => ({ type: 'Describe', target: TargetKind.STATEMENT, name }) as const,
  execute: (portal?: string | null, maxRows?: number) => ({ type: 'Execute', portal, maxRows }) as const,
  closePortal: (name?: string | null) => ({ type: 'Close', target: TargetKind.PORTAL, name }) as const,
  closeStatement: (name?: string | null) => ({ type: 'Close', target: TargetKind.STATEMENT, name }) as const,
  sync: { type: 'Sync' } as const,
  flush: { type: 'Flush' } as const,
  functionCall: { type: 'FunctionCall' } as const,
  copyData: { type: 'CopyData' } as const,
  copyDone: { type: 'CopyDone' } as const,
  copyFail: { type: 'CopyFail' } as const,
  terminate: { type: 'Terminate' } as const,
};
