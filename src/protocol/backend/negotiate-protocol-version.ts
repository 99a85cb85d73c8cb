/**
 * NegotiateProtocolVersion (`v`): the server's newest protocol version for the requested major, and
 * the `_pq_.` startup options it did not recognise.
 * The docs call the first field the "newest minor protocol version", but PostgreSQL sends the whole
 * version number (major << 16 | minor, e.g. 196608 for 3.0) and libpq rejects anything below 3.0;
 * this codec does the same: the major must be 3 (else `PGS_PROTOCOL_VERSION`), and the message keeps
 * only the minor. Whether the minor is acceptable is the connection's call (RELIABILITY case 13).
 * https://www.postgresql.org/docs/current/protocol-message-formats.html#PROTOCOL-MESSAGE-FORMATS-NEGOTIATEPROTOCOLVERSION
 */
import { ErrorCode, ProtocolError } from '../../errors.js';
import { MessageCode, ProtocolVersion } from '../codes.js';
import type { NegotiateProtocolVersion } from '../messages.js';
import type { MessageWriter } from '../writer.js';
import { decodeBody, invalid, writeMessage } from './body.js';

/** The largest minor version the 16-bit field can carry. */
const MAX_MINOR = 0xffff;
/** The major half of a version number (protocol 3 is the only one this library speaks). */
const majorOf = (v: number): number => v >>> 16;

/** Decodes NegotiateProtocolVersion; the option count must fit the body (each name ≥ 1 byte). */
export function decodeNegotiateProtocolVersion(body: Uint8Array): NegotiateProtocolVersion {
  return decodeBody(body, 'NegotiateProtocolVersion', (r) => {
    const version = r.u32();
    if (majorOf(version) !== majorOf(ProtocolVersion.V3_0)) {
      throw new ProtocolError(ErrorCode.PROTOCOL_VERSION, `NegotiateProtocolVersion offers protocol ${majorOf(version)}.${version & MAX_MINOR}, not 3.x`);
    }
    const n = r.count(r.i32(), 1);
    const unrecognized: string[] = new Array(n);
    for (let i = 0; i < n; i++) unrecognized[i] = r.cstring();
    return {
      type: 'NegotiateProtocolVersion',
      code: MessageCode.NEGOTIATE_PROTOCOL_VERSION,
      newestMinor: version & MAX_MINOR,
      unrecognized,
    };
  });
}

/** Writes NegotiateProtocolVersion as PostgreSQL does: version 3.`newestMinor`, then the options. */
export function encodeNegotiateProtocolVersion(w: MessageWriter, msg: NegotiateProtocolVersion): void {
  writeMessage(w, MessageCode.NEGOTIATE_PROTOCOL_VERSION, () => {
    const minor = msg.newestMinor;
    if (!Number.isInteger(minor) || minor < 0 || minor > MAX_MINOR) throw invalid(`the minor version must be in [0, ${MAX_MINOR}], got ${minor}`);
    w.u32(ProtocolVersion.V3_0 + minor);
    w.i32(msg.unrecognized.length);
    for (const name of msg.unrecognized) w.cstring(name);
  });
}
