/**
 * AuthenticationMode: how the client proves who it is — `trust()` (nothing to prove) or
 * `password(pw)` (cleartext, MD5 or SCRAM-SHA-256[-PLUS], whichever the server asks for and the
 * policy allows). The password is kept out of the object's enumerable state, so logging, inspecting
 * or serialising a mode (or a builder holding one) never shows it.
 */

const secrets = new WeakMap<AuthenticationMode, string>();

/** The credentials a connection authenticates with. */
export class AuthenticationMode {
  /** `trust`: no password; `password`: a password the server may ask for. */
  readonly kind: 'trust' | 'password';

  private constructor(kind: 'trust' | 'password') {
    this.kind = kind;
  }

  /** No password: the server must not ask for one (pg_hba `trust`, `cert`, `peer`). */
  static trust(): AuthenticationMode {
    return new AuthenticationMode('trust');
  }

  /** A password for cleartext, MD5 or SCRAM-SHA-256 authentication, as the server requests. */
  static password(password: string): AuthenticationMode {
    if (typeof password !== 'string') throw new TypeError('AuthenticationMode.password() needs a string');
    const mode = new AuthenticationMode('password');
    secrets.set(mode, password);
    return mode;
  }

  /** Serialises without the password. */
  toJSON(): { kind: string } {
    return { kind: this.kind };
  }

  /** Prints without the password. */
  toString(): string {
    return `AuthenticationMode(${this.kind})`;
  }

  /** Prints without the password in `util.inspect`/`console.log`. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** The password of `mode`, or null for trust (internal: never re-exported). */
export function passwordOf(mode: AuthenticationMode): string | null {
  return secrets.get(mode) ?? null;
}
