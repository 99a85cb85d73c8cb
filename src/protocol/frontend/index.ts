/**
 * The frontend (client → server) side of the protocol: one encoder and one decoder per message,
 * the chainable PgProtocol API with MessageBuffer, Bindable parameters, and FrontendReader for
 * playing the server. Dispatch (`decodeFrontend`, `decodeStartupPacket`, `encodeFrontend`) lives in
 * codec.ts so that FrontendReader can use it without an import cycle through this index.
 */
export * from './bind.js';
export * from './bindable.js';
export type { BindBuilder, FnCallBuilder, ParseReady, ParseStart } from './builders.js';
export * from './cancel-request.js';
export * from './close.js';
export * from './dispatch.js';
export * from './copy-data.js';
export * from './copy-done.js';
export * from './copy-fail.js';
export * from './describe.js';
export * from './execute.js';
export * from './flush.js';
export * from './frontend-reader.js';
export * from './function-call.js';
export * from './gss-response.js';
export * from './gssenc-request.js';
export * from './message-buffer.js';
export * from './parse.js';
export * from './password-message.js';
export * from './protocol.js';
export * from './query.js';
export * from './sasl-initial-response.js';
export * from './sasl-response.js';
export * from './ssl-request.js';
export * from './startup-message.js';
export * from './sync.js';
export * from './terminate.js';
