/**
 * The classic pcap file format (draft-ietf-opsawg-pcap, "PCAP Capture File Format"): a 24-byte file
 * header then packet records of a 16-byte header and the captured bytes, every number in the byte
 * order of the host that wrote the file — told by the magic number, which also says whether the
 * second timestamp field counts microseconds (0xA1B2C3D4) or nanoseconds (0xA1B23C4D).
 *
 * The reader validates every header (as the draft's security considerations ask) and never
 * allocates from a length in the file: packets are views of the file's bytes. A partial last record
 * yields every complete packet first, then throws `PGS_CAPTURE_TRUNCATED`.
 */
import { CaptureError, invalidCapture, truncatedCapture } from './capture-error.js';
import { ErrorCode } from '../../errors.js';
import { isSupportedLinkType, linkTypeName, type CapturedPacket } from './packet.js';

/** The magic number of a microsecond-resolution file, as the writing host stores it. */
export const PCAP_MAGIC_MICROSECONDS = 0xa1b2c3d4;
/** The magic number of a nanosecond-resolution file. */
export const PCAP_MAGIC_NANOSECONDS = 0xa1b23c4d;

const FILE_HEADER_LENGTH = 24;
/** File header fields after the magic number. */
const MAJOR_AT = 4;
const MINOR_AT = 6;
const LINK_TYPE_AT = 20;
const RECORD_HEADER_LENGTH = 16;
/** Packet record header fields: seconds, then the fraction, captured and original lengths. */
const FRACTION_AT = 4;
const CAPTURED_AT = 8;
const ORIGINAL_AT = 12;
const SUPPORTED_MAJOR = 2;
const MAGIC_LENGTH = 4;
/**
 * The LinkType field, from its least significant bit: the link type (16 bits), Reserved3 (10 bits),
 * P (FCS length present), R (reserved), the FCS length in 16-bit words (4 bits).
 */
const LINK_TYPE_MASK = 0xffff;
const RESERVED_BITS = 0x03ff_0000;
const R_BIT = 0x0800_0000;
const MS_PER_SECOND = 1000;
const MICROSECONDS_PER_MS = 1000;
const NANOSECONDS_PER_MS = 1_000_000;

/** The byte order and resolution a magic number announces, or null when it is not a pcap magic. */
function decodeMagic(file: Uint8Array): { little: boolean; nanoseconds: boolean } | null {
  if (file.length < MAGIC_LENGTH) return null;
  const view = new DataView(file.buffer, file.byteOffset, MAGIC_LENGTH);
  for (const little of [false, true]) {
    const magic = view.getUint32(0, little);
    if (magic === PCAP_MAGIC_MICROSECONDS) return { little, nanoseconds: false };
    if (magic === PCAP_MAGIC_NANOSECONDS) return { little, nanoseconds: true };
  }
  return null;
}

/** True when `file` starts with a pcap magic number (either byte order, either resolution). */
export function isPcap(file: Uint8Array): boolean {
  return decodeMagic(file) !== null;
}

/** The packets of a pcap file, in file order; throws a CaptureError for a bad header or a partial record. */
export function* readPcap(file: Uint8Array): Generator<CapturedPacket, void> {
  const magic = decodeMagic(file);
  if (magic === null) throw invalidCapture('not a pcap file (no pcap magic number)');
  if (file.length < FILE_HEADER_LENGTH) {
    throw truncatedCapture(`the pcap file header needs ${FILE_HEADER_LENGTH} bytes, the file has ${file.length}`);
  }
  const { little, nanoseconds } = magic;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const major = view.getUint16(MAJOR_AT, little);
  if (major !== SUPPORTED_MAJOR) throw invalidCapture(`unsupported pcap version ${major}.${view.getUint16(MINOR_AT, little)}`);
  const linkField = view.getUint32(LINK_TYPE_AT, little);
  if ((linkField & (RESERVED_BITS | R_BIT)) !== 0) {
    throw invalidCapture(`the pcap LinkType field 0x${linkField.toString(16)} has reserved bits set`);
  }
  // The P bit and FCS length only say that a frame check sequence trails each frame; the IP
  // layer's own length leaves it out, so it needs no handling here.
  const linkType = linkField & LINK_TYPE_MASK;
  if (!isSupportedLinkType(linkType)) {
    throw new CaptureError(ErrorCode.CAPTURE_UNSUPPORTED, `unsupported link type ${linkTypeName(linkType)} (this tool reads Ethernet, Linux cooked SLL/SLL2, BSD loopback and raw IP)`);
  }
  const fractionPerMs = nanoseconds ? NANOSECONDS_PER_MS : MICROSECONDS_PER_MS;
  const fractionLimit = fractionPerMs * MS_PER_SECOND;
  let at = FILE_HEADER_LENGTH;
  let number = 0;
  while (at < file.length) {
    number++;
    if (file.length - at < RECORD_HEADER_LENGTH) {
      throw truncatedCapture(`the pcap file ends inside the header of packet ${number} (${file.length - at} of ${RECORD_HEADER_LENGTH} bytes)`);
    }
    const seconds = view.getUint32(at, little);
    const fraction = view.getUint32(at + FRACTION_AT, little);
    const captured = view.getUint32(at + CAPTURED_AT, little);
    const original = view.getUint32(at + ORIGINAL_AT, little);
    if (fraction >= fractionLimit) {
      throw invalidCapture(`packet ${number} has a timestamp fraction of ${fraction}, not below ${fractionLimit}`);
    }
    const start = at + RECORD_HEADER_LENGTH;
    if (captured > file.length - start) {
      throw truncatedCapture(`the pcap file ends inside packet ${number} (${file.length - start} of ${captured} captured bytes)`);
    }
    at = start + captured;
    yield {
      number,
      linkType,
      data: file.subarray(start, at),
      missing: original > captured ? original - captured : 0,
      // Truncated to whole microseconds: PQtrace prints microseconds.
      time: seconds * MS_PER_SECOND + Math.floor(fraction / (fractionPerMs / MICROSECONDS_PER_MS)) / MICROSECONDS_PER_MS,
    };
  }
}
