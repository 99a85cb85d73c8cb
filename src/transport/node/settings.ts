/**
 * The Node transport's settings on top of the session's: TLS policy (libpq's sslmode and
 * sslnegotiation, certificates) and how to reach the server again for a CancelRequest.
 */
import type { Duplex } from 'node:stream';
import type { SslMode, SslNegotiation } from '../../conninfo/values.js';
import type { SessionSettings } from '../../session/settings.js';
import type { TlsPolicy } from './tls.js';

/** Opens a fresh stream to the same server (for CancelRequest); it may still be connecting. */
export type StreamOpener = () => Duplex | Promise<Duplex>;

/** Certificates and TLS options for upgrades this library performs (PEM contents, not file names). */
export type TlsOptions = Omit<TlsPolicy, 'sslmode' | 'negotiation'>;

/** The resolved settings of one connection attempt over a Node socket. */
export interface NodeSettings extends SessionSettings {
  readonly sslmode: SslMode;
  readonly sslnegotiation: SslNegotiation;
  /** Certificates, SNI and TLS versions for the upgrades this library performs itself. */
  readonly tls: TlsOptions;
  /** How to open a stream for CancelRequest; undefined = derive it from the connection's socket. */
  readonly cancelOpener: StreamOpener | undefined;
}
