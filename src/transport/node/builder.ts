/**
 * The Node entry's ConnectionBuilder: the transport-neutral builder (src/session/builder.ts) plus
 * what only a Node socket needs — libpq's TLS policy and `connect(socket)` / `connectWithTls(socket,
 * upgrade)` on a stream the caller opened:
 *
 * ```ts
 * const { conn, startup } = await new ConnectionBuilder('postgres')
 *   .database('mydb')
 *   .auth(AuthenticationMode.password('secret'))
 *   .connect(net.connect(5432, 'localhost'));
 * ```
 *
 * `connect(stream)` speaks plaintext unless `.sslmode()` asks for TLS (then this library performs the
 * upgrade with the builder's certificates); `connectWithTls(stream, upgrade)` sends SSLRequest and
 * hands the socket to the caller's own upgrade function.
 */
import type { Duplex } from 'node:stream';
import { SSL_MODES, SSL_NEGOTIATIONS } from '../../conninfo/values.js';
import type { SslMode, SslNegotiation } from '../../conninfo/values.js';
import { ConnectionBuilder as SessionBuilder, invalidSetting } from '../../session/builder.js';
import type { Connected } from '../../session/connection.js';
import { connectOnStream } from './establish.js';
import type { NodeSettings, StreamOpener, TlsOptions } from './settings.js';
import type { TlsUpgrade } from './tls.js';

/** Builds and starts a session on a Node stream (or, inherited, on any Transport). */
export class ConnectionBuilder extends SessionBuilder {
  #sslmode: SslMode | undefined;
  #negotiation: SslNegotiation = 'postgres';
  #tls: TlsOptions = {};
  #cancelOpener: StreamOpener | undefined;

  /**
   * libpq's sslmode. `connect()` defaults to `disable` (plaintext, as the seed); `connectWithTls()`
   * defaults to `require`. verify-ca/verify-full need `.tls({ rootCert })` when this library upgrades;
   * verify-full checks `.tls({ host })`, or else the IP address the socket is connected to.
   */
  sslmode(mode: SslMode): this {
    if (!SSL_MODES.includes(mode)) invalidSetting(`sslmode must be one of ${SSL_MODES.join(', ')}`);
    this.#sslmode = mode;
    return this;
  }

  /** `postgres` (SSLRequest first, default) or `direct` (TLS first with ALPN; PostgreSQL 17+). */
  sslNegotiation(negotiation: SslNegotiation): this {
    if (!SSL_NEGOTIATIONS.includes(negotiation)) invalidSetting(`sslnegotiation must be one of ${SSL_NEGOTIATIONS.join(', ')}`);
    this.#negotiation = negotiation;
    return this;
  }

  /** Root/client certificates, SNI host name, CRL and TLS versions for the upgrades this library performs. */
  tls(options: TlsOptions): this {
    this.#tls = { ...this.#tls, ...options };
    return this;
  }

  /**
   * How `conn.cancel()` opens a fresh stream to the server. Needed for streams whose address cannot
   * be read back (Unix sockets, proxies); TCP sockets are re-dialled at their remote address.
   */
  cancelConnector(open: StreamOpener): this {
    if (typeof open !== 'function') invalidSetting('cancelConnector needs a function');
    this.#cancelOpener = open;
    return this;
  }

  /** The settings this builder resolves to, for a connection whose default sslmode is `defaultMode`. */
  settings(defaultMode: SslMode): NodeSettings {
    return {
      ...this.sessionSettings(),
      sslmode: this.#sslmode ?? defaultMode,
      sslnegotiation: this.#negotiation,
      tls: { ...this.#tls },
      cancelOpener: this.#cancelOpener,
    };
  }

  /**
   * Starts the session on `stream` (a net.Socket may still be connecting). Plaintext unless
   * `.sslmode()` asks for TLS, in which case this library performs the TLS upgrade itself.
   */
  async connect(stream: Duplex): Promise<Connected> {
    return connectOnStream(stream, this.settings('disable'), null);
  }

  /**
   * Sends SSLRequest (or, with `sslNegotiation('direct')`, starts TLS at once), consumes exactly the
   * one answer byte, then calls `upgrade(socket)` to get the TLS stream. Certificate checks are the
   * upgrade's; with sslmode verify-ca/verify-full an unauthorised TLSSocket is refused as well.
   */
  async connectWithTls(stream: Duplex, upgrade: TlsUpgrade): Promise<Connected> {
    if (typeof upgrade !== 'function') invalidSetting('connectWithTls needs an upgrade function');
    const settings = this.settings('require');
    if (settings.sslmode === 'disable') invalidSetting('connectWithTls cannot be used with sslmode=disable');
    return connectOnStream(stream, settings, upgrade);
  }
}
