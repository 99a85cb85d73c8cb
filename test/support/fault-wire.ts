/**
 * PostgreSQL framing as the fault proxy (./fault-proxy.ts) sees it, written independently of src/
 * so that a framing bug in the library cannot hide itself in the proxy: the untyped startup packets
 * (StartupMessage, SSLRequest, GSSENCRequest, CancelRequest), the single-byte answer to
 * SSLRequest/GSSENCRequest, typed messages in both directions, and the opaque encrypted bytes that
 * follow an `S`/`G` answer or a direct TLS ClientHello.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html
 * https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-SSL
 */
import { Bytes } from '../fixtures/bytes.js';

/** Which way bytes travel: `frontend` = client → server, `backend` = server → client. */
export type Direction = 'frontend' | 'backend';

/** The request codes of the untyped startup packets (protocol-message-formats.html). */
export const StartupCode = {
  CANCEL_REQUEST: 80877102,
  SSL_REQUEST: 80877103,
  GSSENC_REQUEST: 80877104,
} as const;

/** The server's one-byte answers to SSLRequest/GSSENCRequest. */
export const EncryptionAnswer = { SSL_ACCEPT: 'S', GSS_ACCEPT: 'G', REJECT: 'N' } as const;

/** Authentication request sub-codes (the Int32 after `R`). */
export const AuthRequest = {
  OK: 0,
  KERBEROS_V5: 2,
  CLEARTEXT_PASSWORD: 3,
  MD5_PASSWORD: 5,
  GSS: 7,
  GSS_CONTINUE: 8,
  SSPI: 9,
  SASL: 10,
  SASL_CONTINUE: 11,
  SASL_FINAL: 12,
} as const;

/** The type byte of a TLS handshake record: the first byte of a direct-TLS ClientHello (RFC 8446 §5.1). */
const TLS_HANDSHAKE_RECORD = 0x16;
/** The length word of a typed message counts itself. */
const LENGTH_SIZE = 4;
/** Type byte + length word. */
const HEADER_SIZE = 1 + LENGTH_SIZE;
/** A startup packet's length word + its request code. */
const MIN_STARTUP_PACKET = 8;
/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH (src/include/libpq/pqcomm.h). */
const MAX_STARTUP_PACKET = 10_000;
/** Beyond this the proxy stops framing (a hostile length) and passes bytes through opaquely. */
const MAX_FRAMED_MESSAGE = 1 << 30;
/** `Int32(196608)` = protocol 3.0; the major version sits in the high 16 bits. */
const PROTOCOL_MAJOR_SHIFT = 16;
const PROTOCOL_MAJOR_3 = 3;

/** Names of backend messages by type byte (`R` is named by its sub-code, see `authName`). */
const BACKEND_NAMES: Readonly<Record<string, string>> = {
  K: 'BackendKeyData',
  '2': 'BindComplete',
  '3': 'CloseComplete',
  C: 'CommandComplete',
  d: 'CopyData',
  c: 'CopyDone',
  G: 'CopyInResponse',
  H: 'CopyOutResponse',
  W: 'CopyBothResponse',
  D: 'DataRow',
  I: 'EmptyQueryResponse',
  E: 'ErrorResponse',
  V: 'FunctionCallResponse',
  v: 'NegotiateProtocolVersion',
  n: 'NoData',
  N: 'NoticeResponse',
  A: 'NotificationResponse',
  t: 'ParameterDescription',
  S: 'ParameterStatus',
  '1': 'ParseComplete',
  s: 'PortalSuspended',
  Z: 'ReadyForQuery',
  T: 'RowDescription',
};

/** Names of frontend messages by type byte (`p` is named by the authentication exchange). */
const FRONTEND_NAMES: Readonly<Record<string, string>> = {
  B: 'Bind',
  C: 'Close',
  d: 'CopyData',
  c: 'CopyDone',
  f: 'CopyFail',
  D: 'Describe',
  E: 'Execute',
  H: 'Flush',
  F: 'FunctionCall',
  P: 'Parse',
  Q: 'Query',
  S: 'Sync',
  X: 'Terminate',
};

const AUTH_NAMES: ReadonlyMap<number, string> = new Map([
  [AuthRequest.OK, 'AuthenticationOk'],
  [AuthRequest.KERBEROS_V5, 'AuthenticationKerberosV5'],
  [AuthRequest.CLEARTEXT_PASSWORD, 'AuthenticationCleartextPassword'],
  [AuthRequest.MD5_PASSWORD, 'AuthenticationMD5Password'],
  [AuthRequest.GSS, 'AuthenticationGSS'],
  [AuthRequest.GSS_CONTINUE, 'AuthenticationGSSContinue'],
  [AuthRequest.SSPI, 'AuthenticationSSPI'],
  [AuthRequest.SASL, 'AuthenticationSASL'],
  [AuthRequest.SASL_CONTINUE, 'AuthenticationSASLContinue'],
  [AuthRequest.SASL_FINAL, 'AuthenticationSASLFinal'],
]);

/** The type byte `R` (Authentication) and `p` (the client's answers to it). */
const AUTHENTICATION = 'R';
const AUTH_RESPONSE = 'p';

/** One framed unit: a whole message, the one-byte encryption answer, or a chunk of encrypted bytes. */
export interface WireMessage {
  readonly direction: Direction;
  /** PostgreSQL's message name (`StartupMessage`, `AuthenticationSASL`, `SSLResponse`, …), `Encrypted` for TLS/GSS bytes, `Incomplete` for a partial message at EOF. */
  readonly name: string;
  /** The type byte as a character for typed messages, else null. */
  readonly type: string | null;
  /** The whole unit as received (header included). */
  readonly bytes: Uint8Array;
  /** Where it starts in its direction's byte stream. */
  readonly offset: number;
  /** Its position among the units of its direction (0-based). */
  readonly index: number;
}

/** State both directions' framers share: what the connection is speaking now. */
export class WireState {
  /** Frontend: untyped startup packets first; then typed messages; opaque once encrypted. */
  frontend: 'startup' | 'typed' | 'opaque' = 'startup';
  /** Backend: typed messages, the one-byte answer after SSLRequest/GSSENCRequest, opaque once encrypted. */
  backend: 'typed' | 'ssl-answer' | 'gss-answer' | 'opaque' = 'typed';
  /** The last Authentication request code seen, which names the client's `p` answer. */
  lastAuth: number | null = null;
}

function int32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) | 0;
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** The name of a backend message (Authentication by sub-code). */
export function backendName(type: string, bytes: Uint8Array): string {
  if (type === AUTHENTICATION) {
    const code = bytes.length >= HEADER_SIZE + LENGTH_SIZE ? int32(bytes, HEADER_SIZE) : -1;
    return AUTH_NAMES.get(code) ?? `Authentication(${code})`;
  }
  return BACKEND_NAMES[type] ?? `Unknown(${type})`;
}

/** The name of a frontend typed message; `p` is named after the Authentication request it answers. */
export function frontendName(type: string, lastAuth: number | null): string {
  if (type === AUTH_RESPONSE) {
    if (lastAuth === AuthRequest.SASL) return 'SASLInitialResponse';
    if (lastAuth === AuthRequest.SASL_CONTINUE) return 'SASLResponse';
    if (lastAuth === AuthRequest.GSS || lastAuth === AuthRequest.GSS_CONTINUE || lastAuth === AuthRequest.SSPI) return 'GSSResponse';
    return 'PasswordMessage';
  }
  return FRONTEND_NAMES[type] ?? `Unknown(${type})`;
}

function startupName(code: number): string {
  switch (code) {
    case StartupCode.SSL_REQUEST:
      return 'SSLRequest';
    case StartupCode.GSSENC_REQUEST:
      return 'GSSENCRequest';
    case StartupCode.CANCEL_REQUEST:
      return 'CancelRequest';
    default:
      return code >>> PROTOCOL_MAJOR_SHIFT === PROTOCOL_MAJOR_3 ? 'StartupMessage' : `UnknownStartupPacket(${code})`;
  }
}

/**
 * Splits one direction's bytes into `WireMessage`s, following the connection's phase in `state`
 * (shared with the other direction's framer). Never throws: a length it cannot believe switches
 * the direction to opaque pass-through and is reported in `notes`.
 */
export class WireFramer {
  readonly direction: Direction;
  readonly #state: WireState;
  #buf: Uint8Array = new Uint8Array(0);
  #offset = 0;
  #index = 0;
  /** Oddities met while framing (a hostile length, a packet of unknown kind). */
  readonly notes: string[] = [];

  constructor(direction: Direction, state: WireState) {
    this.direction = direction;
    this.#state = state;
  }

  /** Bytes not yet framed (a partial message). */
  get pending(): number {
    return this.#buf.length;
  }

  /** Feeds a chunk; returns every unit it completed, in order. */
  push(chunk: Uint8Array): WireMessage[] {
    this.#buf = concatBytes(this.#buf, chunk);
    const out: WireMessage[] = [];
    for (;;) {
      const unit = this.#next();
      if (unit === null) break;
      out.push(unit);
    }
    return out;
  }

  /** At EOF: whatever partial message remains, as an `Incomplete` unit (or null). */
  flush(): WireMessage | null {
    if (this.#buf.length === 0) return null;
    return this.#take(this.#buf.length, 'Incomplete', null);
  }

  #phase(): string {
    return this.direction === 'frontend' ? this.#state.frontend : this.#state.backend;
  }

  #goOpaque(why: string | null): void {
    if (why !== null) this.notes.push(why);
    if (this.direction === 'frontend') this.#state.frontend = 'opaque';
    else this.#state.backend = 'opaque';
  }

  #take(n: number, name: string, type: string | null): WireMessage {
    const bytes = this.#buf.slice(0, n);
    this.#buf = this.#buf.subarray(n);
    const unit: WireMessage = { direction: this.direction, name, type, bytes, offset: this.#offset, index: this.#index++ };
    this.#offset += n;
    return unit;
  }

  #next(): WireMessage | null {
    const b = this.#buf;
    if (b.length === 0) return null;
    switch (this.#phase()) {
      case 'opaque':
        return this.#take(b.length, 'Encrypted', null);
      case 'startup':
        return this.#startupPacket();
      case 'ssl-answer':
      case 'gss-answer':
        return this.#encryptionAnswer();
      default:
        return this.#typed();
    }
  }

  #startupPacket(): WireMessage | null {
    const b = this.#buf;
    if (b[0] === TLS_HANDSHAKE_RECORD) {
      // Direct TLS (sslnegotiation=direct): the client starts with a ClientHello, no SSLRequest.
      this.#state.frontend = 'opaque';
      this.#state.backend = 'opaque';
      return this.#take(b.length, 'Encrypted', null);
    }
    if (b.length < MIN_STARTUP_PACKET) return null;
    const length = int32(b, 0);
    if (length < MIN_STARTUP_PACKET || length > MAX_STARTUP_PACKET) {
      this.#goOpaque(`startup packet length ${length} out of range: passing the rest through unframed`);
      return this.#take(b.length, 'Garbage', null);
    }
    if (b.length < length) return null;
    const name = startupName(int32(b, LENGTH_SIZE));
    const unit = this.#take(length, name, null);
    if (name === 'SSLRequest') this.#state.backend = 'ssl-answer';
    else if (name === 'GSSENCRequest') this.#state.backend = 'gss-answer';
    else this.#state.frontend = 'typed';
    return unit;
  }

  #encryptionAnswer(): WireMessage | null {
    const answer = String.fromCharCode(this.#buf[0]!);
    const gss = this.#state.backend === 'gss-answer';
    if (answer === EncryptionAnswer.SSL_ACCEPT || answer === EncryptionAnswer.GSS_ACCEPT) {
      const unit = this.#take(1, gss ? 'GSSENCResponse' : 'SSLResponse', null);
      this.#state.backend = 'opaque';
      this.#state.frontend = 'opaque';
      return unit;
    }
    if (answer === EncryptionAnswer.REJECT) {
      const unit = this.#take(1, gss ? 'GSSENCResponse' : 'SSLResponse', null);
      this.#state.backend = 'typed';
      this.#state.frontend = 'startup';
      return unit;
    }
    // Anything else (an ErrorResponse from an old server, or garbage) is framed as typed messages.
    this.#state.backend = 'typed';
    return this.#typed();
  }

  #typed(): WireMessage | null {
    const b = this.#buf;
    if (b.length < HEADER_SIZE) return null;
    const length = int32(b, 1);
    if (length < LENGTH_SIZE || length > MAX_FRAMED_MESSAGE) {
      this.#goOpaque(`message length ${length} out of range: passing the rest through unframed`);
      return this.#take(b.length, 'Garbage', null);
    }
    const total = 1 + length;
    if (b.length < total) return null;
    const type = String.fromCharCode(b[0]!);
    if (this.direction === 'backend') {
      const name = backendName(type, b.subarray(0, total));
      const unit = this.#take(total, name, type);
      if (type === AUTHENTICATION && unit.bytes.length >= HEADER_SIZE + LENGTH_SIZE) this.#state.lastAuth = int32(unit.bytes, HEADER_SIZE);
      return unit;
    }
    return this.#take(total, frontendName(type, this.#state.lastAuth), type);
  }
}

/** An AuthenticationSASL message offering `mechanisms` (each a C string, then an empty one). */
export function encodeAuthenticationSASL(mechanisms: readonly string[]): Uint8Array {
  const b = new Bytes().i32(AuthRequest.SASL);
  for (const m of mechanisms) b.cstr(m);
  return b.u8(0).frame(AUTHENTICATION);
}

/** The mechanisms listed in an AuthenticationSASL message (for assertions on what passed). */
export function decodeAuthenticationSASL(bytes: Uint8Array): string[] {
  const out: string[] = [];
  let at = HEADER_SIZE + LENGTH_SIZE;
  const text = new TextDecoder();
  while (at < bytes.length) {
    const end = bytes.indexOf(0, at);
    if (end <= at) break;
    out.push(text.decode(bytes.subarray(at, end)));
    at = end + 1;
  }
  return out;
}

/** The body of a typed message (after type byte and length). */
export function bodyOf(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(HEADER_SIZE);
}

/** The SASL data of an AuthenticationSASLContinue/Final (after the sub-code). */
export function saslDataOf(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(HEADER_SIZE + LENGTH_SIZE);
}

/** The Int32 at `at` of a message body. */
export function readInt32(bytes: Uint8Array, at: number): number {
  return int32(bytes, at);
}
