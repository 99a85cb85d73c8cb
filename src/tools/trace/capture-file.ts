/**
 * A capture file of either format, told apart by its first four bytes: a pcap magic number
 * (draft-ietf-opsawg-pcap) or a pcapng Section Header Block type (draft-ietf-opsawg-pcapng), which
 * the pcap draft notes can never be mistaken for one another.
 */
import { invalidCapture } from './capture-error.js';
import type { CapturedPacket } from './packet.js';
import { isPcap, readPcap } from './pcap.js';
import { isPcapng, readPcapng } from './pcapng.js';

/** The capture formats read here. */
export type CaptureFormat = 'pcap' | 'pcapng';

/** The format of `file`, or null when it is neither. */
export function captureFormat(file: Uint8Array): CaptureFormat | null {
  if (isPcap(file)) return 'pcap';
  if (isPcapng(file)) return 'pcapng';
  return null;
}

/** The packets of a pcap or pcapng file; throws `PGS_CAPTURE_INVALID` for anything else. */
export function readCapture(file: Uint8Array): Generator<CapturedPacket, void> {
  switch (captureFormat(file)) {
    case 'pcap':
      return readPcap(file);
    case 'pcapng':
      return readPcapng(file);
    default:
      throw invalidCapture('not a pcap or pcapng capture (unknown magic number)');
  }
}
