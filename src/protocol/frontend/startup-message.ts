/**
 * StartupMessage: the first packet of a session (untyped: a length, the protocol version, then
 * name/value pairs ended by an empty name). Protocol 3.0 and 3.2 (PostgreSQL 18) share the layout;
 * `_pq_.`-prefixed names are protocol options, sent in order like any other parameter.
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-STARTUPMESSAGE
 */
import { ClientError, ErrorCode } from '../../errors.js';
import { BodyReader } from '../body-reader.js';
import type { ProtocolVersion } from '../codes.js';
import type { StartupMessage } from '../messages.js';
import { atomically, type MessageWriter } from '../writer.js';
import { MAX_UINT32, invalidArgument } from './checks.js';

/**
 * Largest startup packet body PostgreSQL accepts (`MAX_STARTUP_PACKET_LENGTH` in libpq/pqcomm.h):
 * the length word excluded. Bigger packets are refused by the server, so they are refused here.
 */
export const MAX_STARTUP_PACKET_LENGTH = 10000;

/** The protocol major version this library speaks. */
export const PROTOCOL_MAJOR = 3;
const MAJOR_SHIFT = 16;
const MINOR_MASK = 0xffff;
const LENGTH_WORD = 4;
/** The parameter PostgreSQL requires in every StartupMessage. */
const USER = 'user';

/** What `encodeStartupMessage` needs: the version and the parameters, in the order to send them. */
export interface StartupMessageOptions {
  /** `ProtocolVersion.V3_0`, `ProtocolVersion.V3_2`, or any 3.x (major << 16 | minor). */
  readonly protocol: ProtocolVersion | number;
  /** `user` is required; `_pq_.` protocol options are allowed; names may not be empty. */
  readonly parameters: ReadonlyMap<string, string> | Readonly<Record<string, string>>;
}

/** The major version of a protocol number (`major << 16 | minor`). */
export function protocolMajor(protocol: number): number {
  return protocol >>> MAJOR_SHIFT;
}

/** The minor version of a protocol number. */
export function protocolMinor(protocol: number): number {
  return protocol & MINOR_MASK;
}

function entries(p: StartupMessageOptions['parameters']): Iterable<readonly [string, string]> {
  return p instanceof Map ? p : Object.entries(p);
}

/**
 * Writes a StartupMessage. Refused (`PGS_INVALID_ARGUMENT`, nothing written): a version that is not
 * 3.x, a missing or empty `user`, an empty parameter name, a value that is not a string; a NUL is
 * `PGS_NUL_IN_STRING`; a packet over PostgreSQL's 10000-byte limit is `PGS_MESSAGE_TOO_LARGE`.
 */
export function encodeStartupMessage(w: MessageWriter, options: StartupMessageOptions): void {
  const { protocol, parameters } = options;
  if (!Number.isInteger(protocol) || protocol < 0 || protocol > MAX_UINT32 || protocolMajor(protocol) !== PROTOCOL_MAJOR) {
    throw invalidArgument(`StartupMessage protocol must be 3.x, got ${String(protocol)}`);
  }
  let user = false;
  atomically(w, () => {
    const start = w.beginUntyped();
    w.i32(protocol);
    for (const [name, value] of entries(parameters)) {
      if (typeof name !== 'string' || name === '') throw invalidArgument('a startup parameter name may not be empty');
      if (typeof value !== 'string') throw invalidArgument(`startup parameter ${name} must be a string`);
      if (name === USER) user = value !== '';
      w.cstring(name);
      w.cstring(value);
    }
    w.u8(0);
    if (!user) throw invalidArgument('StartupMessage needs a non-empty "user" parameter');
    if (w.length - start - LENGTH_WORD > MAX_STARTUP_PACKET_LENGTH) {
      throw new ClientError(ErrorCode.MESSAGE_TOO_LARGE, `StartupMessage exceeds PostgreSQL's ${MAX_STARTUP_PACKET_LENGTH}-byte limit`);
    }
    w.finish(start);
  });
}

/**
 * Decodes a StartupMessage body (everything after the length word, version included). The list
 * must end with its terminating NUL; a repeated name, or a missing or empty `user`, is malformed.
 */
export function decodeStartupMessage(body: Uint8Array): StartupMessage {
  const r = new BodyReader(body, 'StartupMessage');
  const protocol = r.u32();
  if (protocolMajor(protocol) !== PROTOCOL_MAJOR) throw r.malformed(`has protocol version ${protocol}, not 3.x`);
  const parameters = new Map<string, string>();
  for (;;) {
    const name = r.cstring();
    if (name === '') break;
    if (parameters.has(name)) throw r.malformed(`repeats the parameter ${name}`);
    parameters.set(name, r.cstring());
  }
  r.end();
  if (!parameters.get(USER)) throw r.malformed('has no user');
  return { type: 'StartupMessage', protocol, parameters };
}
