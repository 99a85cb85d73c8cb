/**
 * Both directions of one session, decoded together and printed in libpq's PQtrace format
 * (src/protocol/trace.ts). Decoding both sides in one place is what makes the frontend decodable:
 * the byte `p` is PasswordMessage, SASLInitialResponse, SASLResponse or GSSResponse depending on the
 * server's last Authentication request (protocol-message-formats.html), and the server's answer to
 * SSLRequest/GSSENCRequest is one untyped byte only the frontend's request announces.
 *
 * Two ways to interleave the sides:
 * - by arrival (`traceEvents`): chunks in capture order, each side drained as its bytes arrive, so a
 *   line appears when its message's last byte did (and carries that time);
 * - by protocol turns (`traceTurns`), for inputs with no order between the sides (two raw files,
 *   two hex dumps): the frontend's messages up to one that waits for an answer (Query, Sync, Flush,
 *   a startup or authentication packet, CopyDone, CopyFail, FunctionCall), then the backend's up to
 *   one that hands the turn back (ReadyForQuery, an Authentication request other than Ok,
 *   CopyInResponse, CopyBothResponse, an encryption answer). Pipelined traffic therefore reads as
 *   request/response pairs rather than in its true wire order, which raw bytes cannot tell.
 */
import { ErrorCode, traceBackend, traceCharResponse, traceFrontend, EncryptionResponse } from '../../codec.js';
import type { BackendMessage, FrontendMessage, TraceOptions } from '../../codec.js';
import { CaptureError } from './capture-error.js';
import { BackendDecoder, ENCRYPTED_MESSAGE, FrontendDecoder, GSS_ENCRYPTED_MESSAGE, type Side } from './stream-decoders.js';

/** How a session is printed. */
export interface ConversationOptions {
  /** Prefix lines with the time their message's last byte arrived (when the input has times). */
  readonly timestamps?: boolean;
  /** libpq's PQTRACE_REGRESS_MODE masking (see TraceOptions). */
  readonly regress?: boolean;
  /** False when the frontend stream starts after the startup phase (a capture begun mid-session). */
  readonly startup?: boolean;
}

/** Bytes of one side, with the time they arrived (undefined when the input has no times). */
export interface SideChunk {
  readonly side: Side;
  readonly bytes: Uint8Array;
  readonly time: number | undefined;
}

/** A printed line and whether it ends the side's turn (for turn-based interleaving). */
interface Line {
  readonly text: string;
  readonly endsTurn: boolean;
  /** Thrown once the line is out: the session continues encrypted. */
  readonly then?: CaptureError;
}

/** Frontend messages after which the client waits for the server. */
const AWAITS_ANSWER: ReadonlySet<FrontendMessage['type']> = new Set([
  'StartupMessage', 'SSLRequest', 'GSSENCRequest', 'CancelRequest', 'Query', 'Sync', 'Flush', 'FunctionCall',
  'CopyDone', 'CopyFail', 'PasswordMessage', 'SASLInitialResponse', 'SASLResponse', 'GSSResponse', 'Terminate',
]);

/** Backend messages after which the server waits for the client. */
const HANDS_BACK: ReadonlySet<BackendMessage['type']> = new Set([
  'ReadyForQuery', 'CopyInResponse', 'CopyBothResponse', 'AuthenticationCleartextPassword', 'AuthenticationMD5Password',
  'AuthenticationKerberosV5', 'AuthenticationGSS', 'AuthenticationGSSContinue', 'AuthenticationSSPI',
  'AuthenticationSASL', 'AuthenticationSASLContinue',
]);

/** One session's two decoders and the line formatting. */
class Conversation {
  private readonly frontend: FrontendDecoder;
  private readonly backend = new BackendDecoder();
  private readonly regress: boolean;
  private readonly timestamps: boolean;

  constructor(options: ConversationOptions) {
    this.frontend = new FrontendDecoder(options.startup !== false);
    this.regress = options.regress === true;
    this.timestamps = options.timestamps === true;
  }

  append(chunk: SideChunk): void {
    (chunk.side === 'frontend' ? this.frontend : this.backend).queue.append(chunk.bytes, chunk.time);
  }

  /** The next line of `side`, or null until more of its bytes arrive. */
  pull(side: Side): Line | null {
    return side === 'frontend' ? this.pullFrontend() : this.pullBackend();
  }

  /** Throws when either side ends inside a message. */
  finish(): void {
    this.frontend.finish();
    this.backend.finish();
  }

  private options(time: number | undefined): TraceOptions {
    if (!this.timestamps || time === undefined) return { regress: this.regress };
    return { regress: this.regress, timestamps: true, now: () => time };
  }

  private pullFrontend(): Line | null {
    const item = this.frontend.next();
    if (item === null) return null;
    const { message } = item;
    if (message.type === 'SSLRequest') this.backend.expectResponse('SSLResponse');
    else if (message.type === 'GSSENCRequest') this.backend.expectResponse('GSSENCResponse');
    return { text: traceFrontend(message, item.length, this.options(item.time)), endsTurn: AWAITS_ANSWER.has(message.type) };
  }

  private pullBackend(): Line | null {
    const item = this.backend.next();
    if (item === null) return null;
    if (item.kind === 'response') {
      const text = traceCharResponse(item.response, item.value, this.options(item.time));
      if (item.value === EncryptionResponse.REJECT) return { text, endsTurn: true };
      const message = item.response === 'SSLResponse' ? ENCRYPTED_MESSAGE : GSS_ENCRYPTED_MESSAGE;
      return { text, endsTurn: true, then: new CaptureError(ErrorCode.CAPTURE_ENCRYPTED, message) };
    }
    const { message } = item;
    switch (message.type) {
      case 'AuthenticationCleartextPassword':
      case 'AuthenticationMD5Password':
        this.frontend.passwordKind = 'PasswordMessage';
        break;
      case 'AuthenticationSASL':
        this.frontend.passwordKind = 'SASLInitialResponse';
        break;
      case 'AuthenticationSASLContinue':
        this.frontend.passwordKind = 'SASLResponse';
        break;
      case 'AuthenticationGSS':
      case 'AuthenticationSSPI':
      case 'AuthenticationGSSContinue':
        this.frontend.passwordKind = 'GSSResponse';
        break;
      default:
    }
    return { text: traceBackend(message, item.length, this.options(item.time)), endsTurn: HANDS_BACK.has(message.type) };
  }
}

/** Every line `side` can produce now. */
function* drain(c: Conversation, side: Side): Generator<string, void> {
  for (let line = c.pull(side); line !== null; line = c.pull(side)) {
    yield line.text;
    if (line.then !== undefined) throw line.then;
  }
}

/**
 * The trace of a session whose chunks come in arrival order. Yields every line it can decode, then
 * throws a CaptureError if a side does not decode or ends inside a message (`checkEnd`: false when
 * the caller explains the end itself, e.g. by a capture gap).
 */
export function* traceEvents(chunks: Iterable<SideChunk>, options: ConversationOptions = {}, checkEnd = true): Generator<string, void> {
  const c = new Conversation(options);
  for (const chunk of chunks) {
    c.append(chunk);
    yield* drain(c, chunk.side);
  }
  if (checkEnd) c.finish();
}

/** The trace of a session from each side's whole byte stream, interleaved by protocol turns (no times). */
export function* traceTurns(frontend: Uint8Array | null, backend: Uint8Array | null, options: ConversationOptions = {}): Generator<string, void> {
  const c = new Conversation({ ...options, timestamps: false });
  if (frontend !== null) c.append({ side: 'frontend', bytes: frontend, time: undefined });
  if (backend !== null) c.append({ side: 'backend', bytes: backend, time: undefined });
  for (;;) {
    let progress = false;
    for (const side of ['frontend', 'backend'] as const) {
      for (let line = c.pull(side); line !== null; line = c.pull(side)) {
        progress = true;
        yield line.text;
        if (line.then !== undefined) throw line.then;
        if (line.endsTurn) break;
      }
    }
    if (!progress) break;
  }
  c.finish();
}
