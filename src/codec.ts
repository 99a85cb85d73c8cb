/**
 * `pg-stream/codec`: the browser-safe part of the library — errors, protocol codes, message shapes,
 * every frontend and backend encoder/decoder, the chainable PgProtocol/MessageBuffer API with
 * Bindable parameters, the WASM-framed BackendReader, the PQtrace tracer, SCRAM/MD5 authentication
 * helpers. Nothing here imports Node built-ins; the session, sockets, TLS, the
 * connection and the embedded servers live in the main entry (`pg-stream`).
 */
export * from './errors.js';
export * from './protocol/codes.js';
export type * from './protocol/messages.js';
export { MessageWriter, atomically } from './protocol/writer.js';
export { BodyReader } from './protocol/body-reader.js';
export { decodeUtf8, decodeLatin1, decodeUtf8Strict } from './protocol/text.js';
export * from './protocol/frontend/index.js';
export * from './types/oids.js';
export * from './types/bindable.js';
export { TypeRegistry } from './types/registry.js';
export { DEFAULT_TYPE_OPTIONS } from './types/options.js';
export type { TypeOptions, Int8Mode, DateMode, TimestampMode } from './types/options.js';
export { isBinaryCodec } from './types/type-codec.js';
export type { TypeCodec, BinaryTypeCodec, ColumnDecoder, TextValueDecoder, BinaryValueDecoder } from './types/type-codec.js';
export { builtinCodec, builtinCodecs } from './types/builtins.js';
export { encodeParamText } from './types/param-text.js';
export { Interval } from './types/codecs/temporal/interval.js';
export { Time, TimeTz } from './types/codecs/temporal/time.js';
export { Inet } from './types/codecs/network/network.js';
export { ArrayCodec } from './types/codecs/array/array.js';
// Columns in Apache Arrow's layout (Layer 3): ColumnBatch, the type mapping, Arrow IPC, the builder.
export * from './types/arrow/index.js';
export { ColumnBatchBuilder, DEFAULT_BATCH_ROWS as DEFAULT_COLUMN_BATCH_ROWS } from './types/arrow/column-builder.js';
export type { ColumnSpec, ColumnBatchBuilderOptions } from './types/arrow/column-builder.js';
export { columnKindOf, arrowTypeOf } from './types/arrow/column-kinds.js';
export { ColumnKind } from './wasm/layout.js';
export type { PgArray } from './types/codecs/array/array-shape.js';
export { decodeBackend, encodeBackend, copyMessage } from './protocol/backend/index.js';
export { decodeDataRow, encodeDataRow, DetachedDataRow } from './protocol/backend/data-row.js';
export { BackendReader, DEFAULT_MAX_MESSAGE_LENGTH } from './protocol/backend-reader.js';
export type { BackendReaderOptions } from './protocol/backend-reader.js';
export { SessionState, Outcome, RequestKind, SendResult } from './protocol/session-state.js';
export type { TrackedMessage } from './protocol/session-state.js';
export { Tracer, traceBackend, traceFrontend, traceCharResponse } from './protocol/trace.js';
export type { TraceOptions } from './protocol/trace.js';
export { getCore, initCore, createCore, WasmCore } from './wasm/core.js';
export type { InitCoreOptions } from './wasm/core.js';
export {
  ScramMechanism,
  chooseSaslMechanism,
  gs2Header,
  tlsServerEndPoint,
  certificateSignatureHash,
  TLS_SERVER_END_POINT,
} from './auth/channel-binding.js';
export type {
  ChannelBinding as ScramChannelBinding,
  ChannelBindingMode,
  EndPointHash,
  SaslChoice,
  SaslChoiceOptions,
  TlsInfo,
} from './auth/channel-binding.js';
export { ScramClient, DEFAULT_SCRAM_MAX_ITERATIONS } from './auth/scram.js';
export type { ScramClientOptions, ScramState } from './auth/scram.js';
export { md5Password } from './auth/md5.js';
export { saslprep } from './auth/saslprep.js';
export {
  AUTH_METHODS,
  DEFAULT_AUTH_POLICY,
  parseRequireAuth,
  parseChannelBinding,
  checkAuthAllowed,
  checkAuthRequest,
  checkAuthenticationOk,
  checkCleartextAllowed,
} from './auth/policy.js';
export type { AuthMethod, AuthOutcome, AuthPolicy, RequireAuth } from './auth/policy.js';
export { AuthenticationMode } from './auth/authentication-mode.js';
