/**
 * `pg-stream`: the whole library for Node — everything in `pg-stream/codec` (browser-safe codec,
 * builders, reader, tracer, auth helpers) plus sockets, TLS negotiation, the connection and its
 * builder, `connect()` from a libpq connection string, and libpq-compatible option parsing.
 */
export * from './codec.js';
export { ConnectionBuilder } from './connection/builder.js';
export type { Connected, ProtocolRange, ProtocolVersionName, TlsOptions } from './connection/builder.js';
export { Connection } from './connection/connection.js';
export type { StartupResult } from './connection/startup-result.js';
export { connect } from './connection/connect.js';
export type { ConnectExtras } from './connection/connect.js';
export type { StreamOpener } from './connection/settings.js';
export { ALPN_POSTGRESQL, nodeTlsOptions, requestTls, tlsUpgrade } from './connection/tls.js';
export type { TlsAnswer, TlsPolicy, TlsUpgrade } from './connection/tls.js';
export {
  DEFAULT_PORT,
  parseConnectionString,
  redactConnectionString,
  resolveConnectOptions,
} from './connection/conninfo.js';
export type {
  ConnectOptions,
  ConnectOptionsInput,
  Env,
  GssEncMode,
  HostSpec,
  LoadBalanceHosts,
  RequireAuthMethod,
  SslCertMode,
  SslMode,
  SslNegotiation,
  TargetSessionAttrs,
  TlsVersion,
} from './connection/conninfo.js';
export { NodeSocketTransport } from './transport/node-socket.js';
export type { NodeSocketTransportOptions } from './transport/node-socket.js';
