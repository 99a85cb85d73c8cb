/**
 * Authentication for pg-stream: everything a connection needs to answer PostgreSQL's
 * Authentication requests, with no I/O and no Node built-ins (runs in browsers too).
 */
export { md5, md5Hex, md5Password, MD5_SALT_LENGTH } from './md5.js';
export { pgSaslprep, saslprep, scramPassword, type PgSaslprepResult } from './saslprep.js';
export {
  DEFAULT_SCRAM_MAX_ITERATIONS,
  ScramClient,
  type ScramClientOptions,
  type ScramState,
} from './scram.js';
export {
  ScramMechanism,
  TLS_SERVER_END_POINT,
  certificateSignatureHash,
  chooseSaslMechanism,
  gs2Header,
  tlsServerEndPoint,
  type ChannelBinding,
  type ChannelBindingMode,
  type EndPointHash,
  type SaslChoice,
  type SaslChoiceOptions,
  type TlsInfo,
} from './channel-binding.js';
export {
  AUTH_METHODS,
  DEFAULT_AUTH_POLICY,
  checkAuthAllowed,
  checkAuthRequest,
  checkAuthenticationOk,
  checkCleartextAllowed,
  parseChannelBinding,
  parseRequireAuth,
  type AuthMethod,
  type AuthOutcome,
  type AuthPolicy,
  type RequireAuth,
} from './policy.js';
