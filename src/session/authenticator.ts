/**
 * Authenticator: answers the server's Authentication requests during startup, with the helpers of
 * src/auth (MD5, SCRAM-SHA-256[-PLUS], channel binding) and libpq's policies, each checked BEFORE
 * anything is sent:
 * - `require_auth`: a method not on the allow-list is refused; a server that skips authentication
 *   is refused unless `none` is allowed (fe-auth.c, check_expected_areq);
 * - cleartext passwords are refused on a connection without TLS unless explicitly allowed;
 * - `channel_binding=require` refuses every method but SCRAM-SHA-256-PLUS, and a server that
 *   completes authentication without it;
 * - AuthenticationOk before the SCRAM server signature was verified is fatal.
 * https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-START-UP
 */
import { chooseSaslMechanism } from '../auth/channel-binding.js';
import { md5Password } from '../auth/md5.js';
import { checkAuthRequest, checkAuthenticationOk } from '../auth/policy.js';
import type { AuthMethod, AuthPolicy } from '../auth/policy.js';
import { ScramClient } from '../auth/scram.js';
import { AuthError, ErrorCode, ProtocolError } from '../errors.js';
import { AuthCode } from '../protocol/codes.js';
import { encodePasswordMessage } from '../protocol/frontend/password-message.js';
import { encodeSASLInitialResponse } from '../protocol/frontend/sasl-initial-response.js';
import { encodeSASLResponse } from '../protocol/frontend/sasl-response.js';
import type { Authentication } from '../protocol/messages.js';
import type { MessageWriter } from '../protocol/writer.js';
import { passwordOf } from '../auth/authentication-mode.js';
import type { SessionSettings } from './settings.js';

/** What the authenticator knows about the transport. */
export interface AuthTransportInfo {
  /** True when the session runs over TLS. */
  readonly encrypted: boolean;
  /** True when the channel is private even without TLS (a Unix socket): cleartext passwords may cross it. */
  readonly confidential?: boolean;
  /** The server certificate (DER) for tls-server-end-point, or null when unknown or not TLS. */
  readonly certificateDer: Uint8Array | null;
}

/** Answers Authentication requests for one startup; one instance per connection attempt. */
export class Authenticator {
  readonly #settings: SessionSettings;
  readonly #policy: AuthPolicy;
  readonly #transport: AuthTransportInfo;
  readonly #user: string;
  #scram: ScramClient | null = null;
  #method = 'trust';
  #exchange: 'none' | 'incomplete' | 'complete' = 'none';
  #done = false;

  constructor(settings: SessionSettings, transport: AuthTransportInfo) {
    this.#settings = settings;
    this.#policy = {
      requireAuth: settings.requireAuth,
      channelBinding: settings.channelBinding,
      allowCleartextOverPlaintext: settings.allowCleartextOverPlaintext,
    };
    this.#transport = transport;
    this.#user = settings.parameters.get('user') ?? '';
  }

  /** The method the server used: `trust`, `password`, `md5`, `SCRAM-SHA-256` or `SCRAM-SHA-256-PLUS`. */
  get method(): string {
    return this.#method;
  }

  /** True once AuthenticationOk was accepted. */
  get authenticated(): boolean {
    return this.#done;
  }

  /**
   * Handles one Authentication message, writing the answer (if any) into `out`. Resolves true on an
   * accepted AuthenticationOk. Throws AuthError for a refused or failed exchange (nothing written).
   */
  async respond(msg: Authentication, out: MessageWriter): Promise<boolean> {
    if (this.#done) {
      throw new ProtocolError(ErrorCode.UNEXPECTED_MESSAGE, `unexpected ${msg.type} after AuthenticationOk`);
    }
    if (this.#scram !== null && msg.auth !== AuthCode.SASL_CONTINUE && msg.auth !== AuthCode.SASL_FINAL && msg.auth !== AuthCode.OK) {
      throw new AuthError(ErrorCode.SCRAM_PROTOCOL, `unexpected ${msg.type} during SASL authentication`);
    }
    switch (msg.auth) {
      case AuthCode.OK:
        this.#ok();
        return true;
      case AuthCode.CLEARTEXT_PASSWORD:
        this.#check('password');
        encodePasswordMessage(out, this.#password('password'));
        this.#method = 'password';
        this.#exchange = 'complete';
        return false;
      case AuthCode.MD5_PASSWORD:
        this.#check('md5');
        encodePasswordMessage(out, md5Password(this.#user, this.#password('MD5'), msg.salt));
        this.#method = 'md5';
        this.#exchange = 'complete';
        return false;
      case AuthCode.SASL:
        await this.#saslStart(msg.mechanisms, out);
        return false;
      case AuthCode.SASL_CONTINUE:
        if (this.#scram === null) throw new AuthError(ErrorCode.SCRAM_PROTOCOL, 'AuthenticationSASLContinue without AuthenticationSASL');
        encodeSASLResponse(out, await this.#scram.clientFinalMessage(msg.data));
        return false;
      case AuthCode.SASL_FINAL:
        if (this.#scram === null) throw new AuthError(ErrorCode.SCRAM_PROTOCOL, 'AuthenticationSASLFinal without AuthenticationSASL');
        await this.#scram.verifyServerFinal(msg.data);
        this.#exchange = 'complete';
        return false;
      case AuthCode.GSS:
      case AuthCode.GSS_CONTINUE:
        this.#check('gss');
        throw new AuthError(ErrorCode.AUTH_UNSUPPORTED, 'server requested GSSAPI authentication, which pg-stream does not support');
      case AuthCode.SSPI:
        this.#check('sspi');
        throw new AuthError(ErrorCode.AUTH_UNSUPPORTED, 'server requested SSPI authentication, which pg-stream does not support');
      case AuthCode.KERBEROS_V5:
        throw new AuthError(ErrorCode.AUTH_UNSUPPORTED, 'server requested Kerberos V5 authentication, which is no longer supported');
    }
  }

  /** require_auth, channel_binding and the cleartext rule for a request of `method`. */
  #check(method: AuthMethod): void {
    checkAuthRequest(this.#policy, method, this.#transport.encrypted || this.#transport.confidential === true);
  }

  #password(label: string): string {
    const password = passwordOf(this.#settings.auth);
    if (password === null) {
      throw new AuthError(ErrorCode.AUTH_PASSWORD_REQUIRED, `server requested ${label} authentication, but no password was supplied`);
    }
    return password;
  }

  async #saslStart(mechanisms: readonly string[], out: MessageWriter): Promise<void> {
    this.#check('scram-sha-256');
    const password = this.#password('SCRAM');
    this.#exchange = 'incomplete';
    const choice = await chooseSaslMechanism({
      offered: mechanisms,
      channelBinding: this.#settings.channelBinding,
      tls: this.#transport.encrypted ? { certificateDer: this.#transport.certificateDer } : null,
    });
    const scram = new ScramClient({
      password,
      mechanism: choice.mechanism,
      channelBinding: choice.channelBinding,
      ...(this.#settings.maxScramIterations === undefined ? {} : { maxIterations: this.#settings.maxScramIterations }),
    });
    encodeSASLInitialResponse(out, scram.mechanism, scram.clientFirstMessage());
    this.#scram = scram;
    this.#method = scram.mechanism;
  }

  /** AuthenticationOk: the exchange must be complete and the outcome acceptable to the policy. */
  #ok(): void {
    if (this.#scram !== null) this.#scram.checkAuthenticationOk();
    checkAuthenticationOk(this.#policy, { exchange: this.#exchange, channelBound: this.#scram?.channelBound ?? false });
    this.#done = true;
  }
}
