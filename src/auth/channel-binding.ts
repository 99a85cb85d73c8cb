/**
 * SCRAM channel binding (RFC 5802 §6, RFC 5929) as PostgreSQL does it, and the choice of SASL
 * mechanism from the server's AuthenticationSASL list with libpq's rules (fe-auth.c, pg_SASL_init).
 * `ChannelBinding` is a type, not a boolean: each variant fixes the GS2 header the client sends.
 */
import { AuthError, ClientError, ErrorCode } from '../errors.js';
import { printable } from './bytes.js';
import { tlsServerEndPoint } from './tls-server-end-point.js';

export { certificateSignatureHash, tlsServerEndPoint, type EndPointHash } from './tls-server-end-point.js';

/** The SASL mechanisms this client implements. */
export const ScramMechanism = {
  SCRAM_SHA_256: 'SCRAM-SHA-256',
  SCRAM_SHA_256_PLUS: 'SCRAM-SHA-256-PLUS',
} as const;
/** One of the SASL mechanism names this client implements. */
export type ScramMechanism = (typeof ScramMechanism)[keyof typeof ScramMechanism];

/** libpq's `channel_binding` connection parameter. */
export type ChannelBindingMode = 'disable' | 'prefer' | 'require';

/**
 * What the client says about channel binding in its GS2 header (RFC 5802 §7, gs2-cbind-flag):
 * - `none`: `n,,` — no TLS, or binding disabled: the client does not support it;
 * - `client-supports-server-not`: `y,,` — TLS, but the server did not offer SCRAM-SHA-256-PLUS
 *   (a server that did would then detect the downgrade);
 * - `tls-server-end-point`: `p=tls-server-end-point,,` — bound to the server certificate's hash.
 */
export type ChannelBinding =
  | { readonly kind: 'none' }
  | { readonly kind: 'client-supports-server-not' }
  | { readonly kind: 'tls-server-end-point'; readonly data: Uint8Array };

/** The channel binding type PostgreSQL supports (RFC 5929 §4). */
export const TLS_SERVER_END_POINT = 'tls-server-end-point';

/** The GS2 header for a binding, with an empty authzid as PostgreSQL requires: `n,,`, `y,,`, `p=...,,`. */
export function gs2Header(binding: ChannelBinding): string {
  switch (binding.kind) {
    case 'none':
      return 'n,,';
    case 'client-supports-server-not':
      return 'y,,';
    case 'tls-server-end-point':
      return `p=${TLS_SERVER_END_POINT},,`;
  }
}

/** The TLS state `chooseSaslMechanism` needs; `certificateDer` null when the transport cannot expose it. */
export interface TlsInfo {
  /** The server's certificate (DER), or null when TLS is in use but its certificate is unknown. */
  readonly certificateDer: Uint8Array | null;
}

/** Inputs of `chooseSaslMechanism`. */
export interface SaslChoiceOptions {
  /** The mechanisms listed in AuthenticationSASL, in the server's order. */
  readonly offered: readonly string[];
  /** The `channel_binding` setting (libpq's default is `prefer`). */
  readonly channelBinding: ChannelBindingMode;
  /** Null on a connection without TLS. */
  readonly tls: TlsInfo | null;
  /** WebCrypto implementation used to hash the certificate (default `globalThis.crypto.subtle`). */
  readonly subtle?: SubtleCrypto;
}

/** The mechanism to name in SASLInitialResponse and the binding the ScramClient must use. */
export interface SaslChoice {
  readonly mechanism: ScramMechanism;
  readonly channelBinding: ChannelBinding;
}

const MODES: readonly string[] = ['disable', 'prefer', 'require'];

function channelBindingError(message: string): AuthError {
  return new AuthError(ErrorCode.CHANNEL_BINDING, message);
}

/**
 * Picks the SASL mechanism and channel binding the way libpq does (fe-auth.c, pg_SASL_init):
 * SCRAM-SHA-256-PLUS over TLS unless binding is disabled; SCRAM-SHA-256 otherwise; -PLUS offered on
 * a connection without TLS is an attack or a stripping proxy (AuthError PGS_CHANNEL_BINDING);
 * `require` refuses every path that would not bind (PGS_CHANNEL_BINDING); no SCRAM mechanism at
 * all is AuthError PGS_AUTH_UNSUPPORTED. Nothing has been sent when this throws.
 */
export async function chooseSaslMechanism(options: SaslChoiceOptions): Promise<SaslChoice> {
  const { offered, channelBinding: mode, tls } = options;
  if (!MODES.includes(mode)) {
    throw new ClientError(ErrorCode.INVALID_ARGUMENT, `invalid channel_binding value "${printable(String(mode), 40)}"`);
  }
  if (mode === 'require' && tls === null) {
    throw channelBindingError('channel binding required, but TLS is not in use');
  }
  const plusOffered = offered.includes(ScramMechanism.SCRAM_SHA_256_PLUS);
  if (plusOffered && tls === null) {
    throw channelBindingError('server offered SCRAM-SHA-256-PLUS authentication over a non-TLS connection');
  }
  const canBind = tls !== null && tls.certificateDer !== null && mode !== 'disable';
  if (plusOffered && canBind) {
    const data = await tlsServerEndPoint(tls.certificateDer!, options.subtle);
    return { mechanism: ScramMechanism.SCRAM_SHA_256_PLUS, channelBinding: { kind: 'tls-server-end-point', data } };
  }
  if (mode === 'require') {
    throw channelBindingError(
      plusOffered
        ? 'channel binding is required, but the server certificate is not available to bind to'
        : 'channel binding is required, but server did not offer an authentication method that supports channel binding',
    );
  }
  if (!offered.includes(ScramMechanism.SCRAM_SHA_256)) {
    const list = offered.slice(0, 8).map((m) => printable(m, 40)).join(', ');
    throw new AuthError(ErrorCode.AUTH_UNSUPPORTED, `none of the server's SASL authentication mechanisms are supported (${list})`);
  }
  // libpq sends `y` only when it could have bound: TLS in use and binding not disabled. Without the
  // certificate we cannot bind at all, which is `n` (a server offering -PLUS would reject `y`).
  const binding: ChannelBinding = canBind ? { kind: 'client-supports-server-not' } : { kind: 'none' };
  return { mechanism: ScramMechanism.SCRAM_SHA_256, channelBinding: binding };
}
