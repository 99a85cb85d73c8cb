/**
 * `pg-stream`: the whole library for Node — everything in `pg-stream/browser` (the codec, the
 * transport-neutral session, connection strings) plus the Node transport: TCP/TLS/Unix sockets,
 * TLS negotiation, `ConnectionBuilder.connect(socket)`/`connectWithTls`, `connect()` from a libpq
 * connection string, and this machine's defaults (OS user, socket directory, password file).
 */
export * from './browser.js';
// The Node builder (TLS settings, connect(socket)) and the Node resolver (OS user, socket directory)
// shadow the transport-neutral ones of the same names re-exported above.
export { ConnectionBuilder } from './transport/node/builder.js';
export { resolveConnectOptions, defaultSocketDirectory } from './transport/node/local-facts.js';
export type { NodeSettings, StreamOpener, TlsOptions } from './transport/node/settings.js';
export { connect } from './transport/node/connect.js';
export type { ConnectExtras } from './transport/node/connect.js';
export { ALPN_POSTGRESQL, nodeTlsOptions, requestTls, tlsUpgrade } from './transport/node/tls.js';
export type { TlsAnswer, TlsPolicy, TlsUpgrade } from './transport/node/tls.js';
export { NodeSocketTransport } from './transport/node/socket-transport.js';
export type { NodeSocketTransportOptions } from './transport/node/socket-transport.js';
