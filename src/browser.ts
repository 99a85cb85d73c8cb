/**
 * `pg-stream/browser`: everything that runs without Node — the codec (`pg-stream/codec`), the
 * transport-neutral session (`ConnectionBuilder.connectTransport`, `Connection`), libpq connection
 * strings, and the `Transport` contract that WebSocket, PGlite or in-memory carriers implement.
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
