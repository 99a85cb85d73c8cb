/**
 * The client side of SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802, RFC 7677) in PostgreSQL's
 * dialect (protocol docs "SASL Authentication"; libpq fe-auth-scram.c): the user name in
 * client-first-message is empty (`n=`), the server takes it from the StartupMessage.
 *
 * A small state machine with no I/O: the connection feeds it AuthenticationSASLContinue and
 * AuthenticationSASLFinal payloads and sends what it returns. The nonce and the WebCrypto
 * implementation are injectable, so a recorded exchange can be replayed in tests. PBKDF2 and HMAC
 * run through WebCrypto, asynchronously and off the event loop. The password, the salted password,
 * the keys and the proof are held in private fields, wiped after use, and never appear in errors.
 */
import { AuthError, ClientError, ErrorCode } from '../errors.js';
import { encodeBase64 } from './base64.js';
import { bufferSource, concatBytes, timingSafeEqual, utf8, wipe } from './bytes.js';
import { ScramMechanism, gs2Header, type ChannelBinding } from './channel-binding.js';
import { decodeScramText, parseServerFinal, parseServerFirst, scramProtocolError } from './scram-messages.js';
import { scramPassword } from './saslprep.js';

/**
 * Default cap on the server's iteration count. PostgreSQL's default `scram_iterations` is 4096;
 * the cap leaves room for deliberately slow settings (OWASP suggests 600,000 for PBKDF2-SHA-256)
 * while bounding what a hostile server can make the client compute: at worst one PBKDF2 run of
 * a million iterations on a WebCrypto worker thread (about 0.3 s on a current x86 core).
 */
export const DEFAULT_SCRAM_MAX_ITERATIONS = 1_000_000;

/** libpq's SCRAM_RAW_NONCE_LEN: 18 random bytes, 24 base64 characters. */
const NONCE_BYTES = 18;
const KEY_BITS = 256;
const HASH = 'SHA-256';
const CLIENT_KEY = utf8('Client Key');
const SERVER_KEY = utf8('Server Key');
const COMMA = utf8(',');
/** RFC 5802 `printable` (a nonce): visible ASCII except the comma. */
const NONCE_CHARS = /^[\x21-\x2b\x2d-\x7e]+$/;

/** Options of a ScramClient. */
export interface ScramClientOptions {
  /** The password, as a string (UTF-8) or bytes; SASLprep'd the way PostgreSQL does. */
  readonly password: string | Uint8Array;
  /** The mechanism chosen by `chooseSaslMechanism`. */
  readonly mechanism: ScramMechanism;
  /** The binding chosen with it: `tls-server-end-point` exactly when the mechanism is -PLUS. */
  readonly channelBinding: ChannelBinding;
  /** User name for client-first-message; PostgreSQL ignores it and libpq sends it empty (default). */
  readonly username?: string;
  /** The client nonce (tests); default 18 random bytes in base64, as libpq. */
  readonly nonce?: string;
  /** Highest iteration count accepted from the server (default DEFAULT_SCRAM_MAX_ITERATIONS). */
  readonly maxIterations?: number;
  /** WebCrypto implementation (default `globalThis.crypto.subtle`). */
  readonly subtle?: SubtleCrypto;
}

/** Where a ScramClient is in the exchange. */
export type ScramState =
  | 'initial'
  | 'awaiting-server-first'
  | 'computing-proof'
  | 'awaiting-server-final'
  | 'verified'
  | 'failed';

/** RFC 5802 §5.1 saslname: `=` and `,` are escaped as `=3D` and `=2C`. */
function saslname(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function randomNonce(): string {
  const random = globalThis.crypto?.getRandomValues;
  if (random === undefined) {
    throw new AuthError(ErrorCode.AUTH_UNSUPPORTED, 'SCRAM needs crypto.getRandomValues, which this runtime lacks');
  }
  return encodeBase64(globalThis.crypto.getRandomValues(new Uint8Array(NONCE_BYTES)));
}

/** A SCRAM-SHA-256(-PLUS) exchange, from client-first-message to the verified server signature. */
export class ScramClient {
  /** The mechanism to name in SASLInitialResponse. */
  readonly mechanism: ScramMechanism;
  /** The channel binding this exchange uses. */
  readonly channelBinding: ChannelBinding;
  readonly #subtle: SubtleCrypto;
  readonly #maxIterations: number;
  readonly #clientNonce: string;
  readonly #clientFirstBare: string;
  #password: Uint8Array | null;
  #expectedServerSignature: Uint8Array | null = null;
  #state: ScramState = 'initial';

  constructor(options: ScramClientOptions) {
    const { mechanism, channelBinding } = options;
    const plus = mechanism === ScramMechanism.SCRAM_SHA_256_PLUS;
    if (!plus && mechanism !== ScramMechanism.SCRAM_SHA_256) {
      throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'unsupported SCRAM mechanism');
    }
    if (plus !== (channelBinding.kind === 'tls-server-end-point')) {
      throw new ClientError(
        ErrorCode.INVALID_ARGUMENT,
        'SCRAM-SHA-256-PLUS needs tls-server-end-point channel binding, and only it may use one',
      );
    }
    const maxIterations = options.maxIterations ?? DEFAULT_SCRAM_MAX_ITERATIONS;
    if (!Number.isSafeInteger(maxIterations) || maxIterations < 1) {
      throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'maxIterations must be a positive integer');
    }
    const nonce = options.nonce ?? randomNonce();
    if (!NONCE_CHARS.test(nonce)) {
      throw new ClientError(ErrorCode.INVALID_ARGUMENT, 'a SCRAM nonce must be non-empty visible ASCII without commas');
    }
    const subtle = options.subtle ?? globalThis.crypto?.subtle;
    if (subtle === undefined) {
      throw new AuthError(ErrorCode.AUTH_UNSUPPORTED, 'SCRAM needs WebCrypto (crypto.subtle), which this context lacks');
    }
    if (options.password.length === 0) {
      throw new AuthError(ErrorCode.AUTH_PASSWORD_REQUIRED, 'SCRAM authentication requires a password');
    }
    this.mechanism = mechanism;
    this.channelBinding = channelBinding;
    this.#subtle = subtle;
    this.#maxIterations = maxIterations;
    this.#clientNonce = nonce;
    this.#clientFirstBare = `n=${saslname(options.username ?? '')},r=${nonce}`;
    this.#password = scramPassword(options.password);
  }

  /** Where the exchange stands. */
  get state(): ScramState {
    return this.#state;
  }

  /** True once the server has proved it knows the password (its `v=` matched). */
  get verified(): boolean {
    return this.#state === 'verified';
  }

  /** True once verified over SCRAM-SHA-256-PLUS: the server also proved it holds our TLS channel. */
  get channelBound(): boolean {
    return this.verified && this.channelBinding.kind === 'tls-server-end-point';
  }

  /** The SASLInitialResponse payload: `gs2-header client-first-message-bare`. */
  clientFirstMessage(): Uint8Array {
    this.#expect('initial', 'client-first-message already sent');
    this.#state = 'awaiting-server-first';
    return utf8(gs2Header(this.channelBinding) + this.#clientFirstBare);
  }

  /**
   * Checks the server-first-message (AuthenticationSASLContinue payload) and computes the
   * client-final-message (SASLResponse payload) with the proof. `serverFirst` is copied before any
   * await, so a zero-copy view that the next receive invalidates is fine.
   */
  async clientFinalMessage(serverFirst: Uint8Array): Promise<Uint8Array> {
    this.#expect('awaiting-server-first', 'server-first-message out of order');
    this.#state = 'computing-proof';
    try {
      const serverFirstBytes = serverFirst.slice();
      const text = decodeScramText(serverFirstBytes, 'server-first-message');
      const first = parseServerFirst(text, this.#clientNonce, this.#maxIterations);
      const cbindInput = concatBytes(
        utf8(gs2Header(this.channelBinding)),
        this.channelBinding.kind === 'tls-server-end-point' ? this.channelBinding.data : new Uint8Array(0),
      );
      const withoutProof = `c=${encodeBase64(cbindInput)},r=${first.nonce}`;
      const authMessage = concatBytes(utf8(this.#clientFirstBare), COMMA, serverFirstBytes, COMMA, utf8(withoutProof));
      const proof = await this.#prove(first.salt, first.iterations, authMessage);
      if (this.#state !== 'computing-proof') {
        wipe(proof);
        throw scramProtocolError('SCRAM exchange already failed');
      }
      const message = utf8(`${withoutProof},p=${encodeBase64(proof)}`);
      wipe(proof);
      this.#state = 'awaiting-server-final';
      return message;
    } catch (error) {
      this.#fail();
      throw error;
    }
  }

  /**
   * Checks the server-final-message (AuthenticationSASLFinal payload): `e=` is AuthError
   * PGS_SCRAM_SERVER_ERROR, a `v=` that differs from the expected signature (compared in constant
   * time) is PGS_SCRAM_SERVER_SIGNATURE. Resolves once the server is authenticated.
   */
  async verifyServerFinal(serverFinal: Uint8Array): Promise<void> {
    this.#expect('awaiting-server-final', 'server-final-message before client-final-message');
    try {
      const final = parseServerFinal(decodeScramText(serverFinal, 'server-final-message'));
      const expected = this.#expectedServerSignature!;
      if (!timingSafeEqual(final.serverSignature, expected)) {
        throw new AuthError(
          ErrorCode.SCRAM_SERVER_SIGNATURE,
          'SCRAM server signature is invalid: the server does not know the password, or the exchange was tampered with',
        );
      }
      wipe(expected);
      this.#expectedServerSignature = null;
      this.#state = 'verified';
    } catch (error) {
      this.#fail();
      throw error;
    }
  }

  /**
   * Called by the connection on AuthenticationOk: a server that skips or cuts short the SCRAM
   * exchange has not proved it knows the password, so that is fatal (RELIABILITY.md, SCRAM).
   */
  checkAuthenticationOk(): void {
    if (!this.verified) {
      throw scramProtocolError('server sent AuthenticationOk before completing SCRAM authentication');
    }
  }

  #expect(state: ScramState, message: string): void {
    if (this.#state === state) return;
    const failed = this.#state === 'failed';
    this.#fail();
    throw scramProtocolError(failed ? 'SCRAM exchange already failed' : `SCRAM ${message}`);
  }

  #fail(): void {
    this.#state = 'failed';
    wipe(this.#password, this.#expectedServerSignature);
    this.#password = null;
    this.#expectedServerSignature = null;
  }

  /** RFC 5802 §3: derives the keys, keeps ServerSignature for later, returns ClientProof. */
  async #prove(salt: Uint8Array, iterations: number, authMessage: Uint8Array): Promise<Uint8Array> {
    const subtle = this.#subtle;
    const password = this.#password!;
    let salted: Uint8Array | null = null;
    let clientKey: Uint8Array | null = null;
    let storedKey: Uint8Array | null = null;
    try {
      const base = await subtle.importKey('raw', bufferSource(password), 'PBKDF2', false, ['deriveBits']);
      salted = new Uint8Array(
        await subtle.deriveBits({ name: 'PBKDF2', hash: HASH, salt: bufferSource(salt), iterations }, base, KEY_BITS),
      );
      wipe(password);
      this.#password = null;
      clientKey = await this.#hmac(salted, CLIENT_KEY);
      const serverKey = await this.#hmac(salted, SERVER_KEY);
      storedKey = new Uint8Array(await subtle.digest(HASH, bufferSource(clientKey)));
      const clientSignature = await this.#hmac(storedKey, authMessage);
      this.#expectedServerSignature = await this.#hmac(serverKey, authMessage);
      wipe(serverKey);
      const proof = new Uint8Array(clientKey.length);
      for (let i = 0; i < proof.length; i++) proof[i] = clientKey[i]! ^ clientSignature[i]!;
      wipe(clientSignature);
      return proof;
    } catch (error) {
      if (error instanceof AuthError) throw error;
      // WebCrypto's own errors (DOMException) carry no key material; keep only their name.
      const name = error instanceof Error ? error.name : 'Error';
      throw new AuthError(ErrorCode.AUTH_UNSUPPORTED, `SCRAM key derivation failed in WebCrypto (${name})`);
    } finally {
      wipe(salted, clientKey, storedKey);
    }
  }

  async #hmac(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
    const k = await this.#subtle.importKey('raw', bufferSource(key), { name: 'HMAC', hash: HASH }, false, ['sign']);
    return new Uint8Array(await this.#subtle.sign('HMAC', k, bufferSource(data)));
  }
}
