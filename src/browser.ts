/**
 * `pg-stream/browser`: everything that runs without Node — the codec (`pg-stream/codec`), the
 * transport-neutral session (`ConnectionBuilder.connectTransport`, `Connection`), libpq connection
 * strings, the `Transport` contract, and the browser's transports: `WebSocketTransport` (to a server
 * through a WebSocket-to-TCP bridge) and `PGliteTransport` (an in-page PGlite).
 * It imports no Node built-in (a test bundles it with `esbuild --platform=browser` to prove it).
 */
export * from './codec.js';
export { ConnectionBuilder } from './session/builder.js';
export type { ConnectTransportOptions, ProtocolRange, ProtocolVersionName } from './session/builder.js';
export { Connection } from './session/connection.js';
export type { Connected } from './session/connection.js';
export type { StartupResult } from './session/startup-result.js';
export type { SessionSettings } from './session/settings.js';
export {
  DEFAULT_PORT,
  NO_LOCAL_FACTS,
  parseConnectionString,
  redactConnectionString,
  resolveConnectOptions,
  unixSocketPath,
} from './conninfo/conninfo.js';
export type {
  ConnectOptions,
  ConnectOptionsInput,
  Env,
  GssEncMode,
  HostSpec,
  LoadBalanceHosts,
  LocalFacts,
  RequireAuthMethod,
  SslCertMode,
  SslMode,
  SslNegotiation,
  TargetSessionAttrs,
  TlsVersion,
} from './conninfo/conninfo.js';
export { lookupPassfile } from './conninfo/passfile.js';
export type { PassfileKey } from './conninfo/passfile.js';
export type { ByteSink, CancelRequestSender, Transport } from './transport/transport.js';
export { WebSocketTransport } from './transport/websocket/websocket-transport.js';
export type { WebSocketTransportOptions } from './transport/websocket/options.js';
export type { WebSocketConstructor, WebSocketLike } from './transport/websocket/socket-like.js';
export { PGliteTransport } from './transport/pglite/pglite-transport.js';
export type { PGliteExecOptions, PGliteLike, PGliteTransportOptions } from './transport/pglite/pglite-like.js';
// The query layer (Layer 2).
export type { Field, ValueReader } from './query/columns.js';
export type { ResultFormat, StatementTarget } from './query/execute.js';
export type { CallOptions } from './query/interrupt.js';
export type { ConnectionEvents, EventName, HandlerError, Notice, Notification, ParameterChange } from './query/events.js';
export { Pipeline } from './query/pipeline.js';
export { Cursor, DEFAULT_BATCH_ROWS } from './query/cursor.js';
export type { CursorOptions } from './query/cursor.js';
export { CopyOut } from './query/copy-out.js';
export { BatchStream } from './query/batches.js';
export type { BatchOptions } from './query/batches.js';
export { CopyBatches } from './query/copy-batches.js';
export type { CopyBatchOptions, CopyColumnType } from './query/copy-batches.js';
export type { CopyRows } from './query/copy-binary-writer.js';
export type { ColumnBatchSource, CopyFromSource } from './query/copy-from-columns.js';
export type { NodeWritableLike } from './query/copy-out.js';
export type { CopyFromResult, CopySource } from './query/copy-in.js';
export { PreparedStatement } from './query/prepare.js';
export type { Result } from './query/result.js';
export { Row } from './query/row.js';
export type { RunOptions } from './query/run.js';
export { RowStream } from './query/stream.js';
export { StatementCache, DEFAULT_STATEMENT_CACHE_SIZE } from './query/statement-cache.js';
