/**
 * The TCP header (RFC 9293 section 3.1): ports, sequence number, flags and the payload after the
 * data offset. Checksums are not verified: captures taken on the sending host carry checksums the
 * network card fills in later, so a wrong checksum in a capture proves nothing.
 */

/** The fields of a TCP segment the reassembly needs. */
export interface TcpSegment {
  readonly sourcePort: number;
  readonly destinationPort: number;
  /** Sequence number of the first payload byte (of the SYN itself when SYN is set). */
  readonly sequence: number;
  readonly syn: boolean;
  readonly ack: boolean;
  readonly fin: boolean;
  readonly rst: boolean;
  readonly payload: Uint8Array;
}

/** TCP control bits (the low byte of the flags). */
export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, ACK: 0x10 } as const;

const MINIMUM_HEADER = 20;
const DESTINATION_PORT_AT = 2;
const SEQUENCE_AT = 4;
const DATA_OFFSET_AT = 12;
const FLAGS_AT = 13;
const DATA_OFFSET_SHIFT = 4;
const WORD = 4;

/** The segment in `bytes` (an IP payload), or null when its header is malformed or cut short. */
export function decodeTcp(bytes: Uint8Array): TcpSegment | null {
  if (bytes.length < MINIMUM_HEADER) return null;
  const headerLength = (bytes[DATA_OFFSET_AT]! >> DATA_OFFSET_SHIFT) * WORD;
  if (headerLength < MINIMUM_HEADER || headerLength > bytes.length) return null;
  const flags = bytes[FLAGS_AT]!;
  const b = bytes;
  return {
    sourcePort: (b[0]! << 8) | b[1]!,
    destinationPort: (b[DESTINATION_PORT_AT]! << 8) | b[DESTINATION_PORT_AT + 1]!,
    sequence: ((b[SEQUENCE_AT]! << 24) | (b[SEQUENCE_AT + 1]! << 16) | (b[SEQUENCE_AT + 2]! << 8) | b[SEQUENCE_AT + 3]!) >>> 0,
    syn: (flags & TcpFlag.SYN) !== 0,
    ack: (flags & TcpFlag.ACK) !== 0,
    fin: (flags & TcpFlag.FIN) !== 0,
    rst: (flags & TcpFlag.RST) !== 0,
    payload: bytes.subarray(headerLength),
  };
}
