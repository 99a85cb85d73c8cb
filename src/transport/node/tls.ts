/**
 * TLS negotiation: the SSLRequest exchange and the upgrade of a plain socket to TLS.
 *
 * - `requestTls` sends SSLRequest and consumes exactly the one answer byte. Any byte the server sent
 *   after it (in the same chunk or already in the socket's buffer) was sent unencrypted and would be
 *   read as if it came through TLS: that is CVE-2021-23222, refused with `PGS_TLS_INJECTED_BYTES`.
 *   An `E` answer is an ErrorResponse from an unauthenticated peer: its text is never read or shown
 *   (CVE-2024-10977), the error message is fixed.
 * - `tlsUpgrade` builds the upgrade this library performs itself (`tls.connect({ socket })`) from a
 *   libpq-style policy: sslmode, root/client certificates, SNI for host names only, ALPN
 *   `postgresql` (required by PostgreSQL 17+ for direct negotiation, harmless before).
 * https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-SSL
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { ConfigError, ErrorCode, PgStreamError, TlsError } from '../../errors.js';
import { EncryptionResponse } from '../../protocol/codes.js';
import { encodeSSLRequest } from '../../protocol/frontend/ssl-request.js';
import { MessageWriter } from '../../protocol/writer.js';
import { closedError, guard, socketError } from './socket-guard.js';
import type { SslMode, SslNegotiation } from '../../conninfo/values.js';

/** The caller's upgrade: turns the plain socket into a TLS stream (e.g. with `tls.connect`). */
export type TlsUpgrade = (socket: Duplex) => Promise<Duplex>;

/** The ALPN protocol name PostgreSQL uses. */
export const ALPN_POSTGRESQL = 'postgresql';

/** True when `mode` refuses a plaintext session. */
export function requiresTls(mode: SslMode): boolean {
  return mode === 'require' || mode === 'verify-ca' || mode === 'verify-full';
}

/** Where the server's certificate and identity come from, and what client certificate to present. */
export interface TlsPolicy {
  readonly sslmode: SslMode;
  readonly negotiation: SslNegotiation;
  /** The server's host name or address: checked under verify-full, sent as SNI when a name. */
  readonly host?: string | undefined;
  /** Send SNI (libpq `sslsni`, default true); never sent for IP literals. */
  readonly sni?: boolean | undefined;
  /** Trusted roots (PEM), or `'system'` for the platform's store. With `require` it means verify-ca. */
  readonly rootCert?: string | Uint8Array | 'system' | undefined;
  /** Client certificate chain (PEM). */
  readonly cert?: string | Uint8Array | undefined;
  /** Client private key (PEM). */
  readonly key?: string | Uint8Array | undefined;
  /** Passphrase of the client key (libpq `sslpassword`). */
  readonly passphrase?: string | undefined;
  /** Certificate revocation lists (PEM). */
  readonly crl?: string | Uint8Array | undefined;
  /** Oldest and newest TLS version allowed (libpq default minimum: TLSv1.2). */
  readonly minVersion?: tls.SecureVersion | undefined;
  readonly maxVersion?: tls.SecureVersion | undefined;
}

/** What certificate checks `policy` asks for, as libpq decides them. */
export function verification(policy: TlsPolicy): 'none' | 'ca' | 'full' {
  if (policy.sslmode === 'verify-full') return 'full';
  if (policy.sslmode === 'verify-ca') return 'ca';
  // libpq: "require" with a root certificate file behaves like verify-ca.
  if (policy.rootCert !== undefined) return policy.rootCert === 'system' ? 'full' : 'ca';
  return 'none';
}

/** The `tls.connect` options for `policy` (without the socket). */
export function nodeTlsOptions(policy: TlsPolicy): tls.ConnectionOptions {
  const verify = verification(policy);
  if (verify !== 'none' && policy.rootCert === undefined) {
    throw new ConfigError(
      ErrorCode.INVALID_ARGUMENT,
      `sslmode=${policy.sslmode} needs a root certificate (sslrootcert), or sslrootcert=system for the system's trusted roots`,
    );
  }
  const host = policy.host;
  const isName = host !== undefined && host !== '' && net.isIP(host) === 0 && !host.startsWith('/');
  const options: tls.ConnectionOptions = {
    ALPNProtocols: [ALPN_POSTGRESQL],
    rejectUnauthorized: verify !== 'none',
    minVersion: policy.minVersion ?? 'TLSv1.2',
  };
  if (policy.maxVersion !== undefined) options.maxVersion = policy.maxVersion;
  if (policy.rootCert !== undefined && policy.rootCert !== 'system') options.ca = pem(policy.rootCert);
  if (policy.cert !== undefined) options.cert = pem(policy.cert);
  if (policy.key !== undefined) options.key = pem(policy.key);
  if (policy.passphrase !== undefined) options.passphrase = policy.passphrase;
  if (policy.crl !== undefined) options.crl = pem(policy.crl);
  if (isName && policy.sni !== false) options.servername = host;
  if (verify === 'full') {
    if (host === undefined || host === '') {
      throw new ConfigError(ErrorCode.INVALID_ARGUMENT, `sslmode=${policy.sslmode} needs the server's host name to verify (tls({ host }))`);
    }
    options.checkServerIdentity = (_servername, cert) => tls.checkServerIdentity(host, cert);
  } else {
    options.checkServerIdentity = () => undefined;
  }
  return options;
}

function pem(v: string | Uint8Array): string | Buffer {
  return typeof v === 'string' ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

/** Wraps any failure of a TLS handshake in `TlsError` (`PGS_TLS_HANDSHAKE`). */
export function handshakeError(err: unknown): PgStreamError {
  if (err instanceof PgStreamError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const text = err instanceof Error ? err.message : String(err);
  return new TlsError(ErrorCode.TLS_HANDSHAKE, `TLS handshake failed: ${typeof code === 'string' ? `${code}: ` : ''}${text}`, {
    cause: err,
  });
}

/**
 * The upgrade this library performs itself: `tls.connect({ socket })` with `policy`, resolved at
 * 'secureConnect'. Under direct negotiation the server must have selected ALPN `postgresql`.
 */
export function tlsUpgrade(policy: TlsPolicy): TlsUpgrade {
  const options = nodeTlsOptions(policy);
  return (socket: Duplex) =>
    new Promise<Duplex>((resolve, reject) => {
      let secure: tls.TLSSocket;
      try {
        secure = tls.connect({ ...options, socket });
      } catch (err) {
        reject(handshakeError(err));
        return;
      }
      guard(secure);
      const cleanup = (): void => {
        secure.off('secureConnect', onSecure);
        secure.off('error', onError);
        secure.off('close', onClose);
      };
      const onSecure = (): void => {
        cleanup();
        if (policy.negotiation === 'direct' && secure.alpnProtocol !== ALPN_POSTGRESQL) {
          secure.destroy();
          reject(new TlsError(ErrorCode.TLS_HANDSHAKE, 'the server did not select ALPN "postgresql" for a direct TLS connection'));
          return;
        }
        resolve(secure);
      };
      const onError = (err: unknown): void => {
        cleanup();
        secure.destroy();
        reject(handshakeError(err));
      };
      const onClose = (): void => {
        cleanup();
        reject(new TlsError(ErrorCode.TLS_HANDSHAKE, 'TLS handshake failed: the server closed the connection'));
      };
      secure.on('secureConnect', onSecure);
      secure.on('error', onError);
      secure.on('close', onClose);
    });
}

/**
 * Runs a caller's upgrade on `socket`, mapping its failures to `TlsError`. When the result is a
 * `tls.TLSSocket` and `policy` asks for verification, an unverified session is refused here too.
 */
export async function runUpgrade(upgrade: TlsUpgrade, socket: Duplex, policy: TlsPolicy): Promise<Duplex> {
  let secure: Duplex;
  try {
    secure = await upgrade(socket);
  } catch (err) {
    socket.destroy();
    throw handshakeError(err);
  }
  if (secure === null || typeof secure !== 'object' || typeof (secure as Duplex).write !== 'function') {
    socket.destroy();
    throw new TlsError(ErrorCode.TLS_HANDSHAKE, 'the TLS upgrade function did not return a stream');
  }
  guard(secure);
  if (secure instanceof tls.TLSSocket && verification(policy) !== 'none' && !secure.authorized) {
    secure.destroy();
    throw new TlsError(ErrorCode.TLS_HANDSHAKE, `TLS handshake failed: the server certificate was not verified (${String(secure.authorizationError ?? 'unknown reason')})`);
  }
  return secure;
}

/** The server certificate (DER) of a TLS stream, for SCRAM channel binding; null when unavailable. */
export function peerCertificate(stream: Duplex): Uint8Array | null {
  if (!(stream instanceof tls.TLSSocket)) return null;
  const x509 = stream.getPeerX509Certificate?.();
  if (x509 !== undefined) return new Uint8Array(x509.raw);
  const cert = stream.getPeerCertificate();
  return cert && cert.raw ? new Uint8Array(cert.raw) : null;
}

/** The answer to SSLRequest that lets the session go on: `S` (switch to TLS) or `N` (stay plain). */
export type TlsAnswer = 'accepted' | 'refused';

/**
 * Sends SSLRequest on `socket` and consumes exactly its one-byte answer. `S` → 'accepted', `N` →
 * 'refused'; `E` → `PGS_TLS_REQUEST_REJECTED` (fixed message); anything else →
 * `PGS_TLS_INVALID_RESPONSE`; any further byte already received → `PGS_TLS_INJECTED_BYTES`. On
 * failure the socket is destroyed. On success the socket is paused with nothing unread.
 */
export function requestTls(socket: Duplex): Promise<TlsAnswer> {
  const state = guard(socket);
  if (state.error !== undefined) return Promise.reject(socketError(state.error));
  return new Promise<TlsAnswer>((resolve, reject) => {
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onError);
    };
    const fail = (err: PgStreamError): void => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onData = (chunk: Uint8Array): void => {
      socket.pause();
      cleanup();
      if (chunk.length === 0) {
        socket.on('data', onData);
        socket.on('end', onEnd);
        socket.on('close', onEnd);
        socket.on('error', onError);
        socket.resume();
        return;
      }
      const answer = chunk[0]!;
      if (answer === EncryptionResponse.ERROR) {
        fail(new TlsError(ErrorCode.TLS_REQUEST_REJECTED, 'the server sent an error response during the SSL exchange'));
      } else if (answer !== EncryptionResponse.ACCEPT && answer !== EncryptionResponse.REJECT) {
        fail(new TlsError(ErrorCode.TLS_INVALID_RESPONSE, 'the server sent an invalid answer to SSLRequest'));
      } else if (chunk.length > 1 || socket.readableLength > 0) {
        fail(injectedBytes());
      } else {
        resolve(answer === EncryptionResponse.ACCEPT ? 'accepted' : 'refused');
      }
    };
    const onEnd = (): void => fail(closedError('the server closed the connection in answer to SSLRequest'));
    const onError = (err: unknown): void => fail(socketError(err));
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
    socket.on('error', onError);
    const w = new MessageWriter(16);
    encodeSSLRequest(w);
    socket.write(w.toBytes());
    socket.resume();
  });
}

/** `PGS_TLS_INJECTED_BYTES`: unencrypted bytes followed the server's answer to SSLRequest. */
export function injectedBytes(): TlsError {
  return new TlsError(ErrorCode.TLS_INJECTED_BYTES, 'the server sent unencrypted data after its answer to SSLRequest');
}

/**
 * Re-checks, right before the socket is handed to TLS, that nothing arrived after the answer byte
 * (the caller's upgrade may be asynchronous, and bytes may arrive in a later segment).
 */
export function assertNothingUnread(socket: Duplex): void {
  if (socket.readableLength > 0) {
    socket.destroy();
    throw injectedBytes();
  }
}
