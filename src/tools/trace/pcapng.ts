/**
 * The pcapng file format (draft-ietf-opsawg-pcapng, "PCAP Now Generic (pcapng) Capture File
 * Format"): a sequence of blocks (type, total length, body, total length again), grouped in
 * sections that each start with a Section Header Block whose byte-order magic gives the byte order
 * of every block in the section. Each Interface Description Block (IDB) declares an interface's link
 * type, snapshot length and timestamp unit (`if_tsresol`: 10^-n or 2^-n seconds, default 10^-6)
 * and offset (`if_tsoffset`, seconds). Packets come in Enhanced Packet Blocks (EPB: interface,
 * 64-bit timestamp), Simple Packet Blocks (SPB: interface 0, no timestamp) and the obsolete Packet
 * Block; every other block type is skipped, as the draft asks of readers.
 *
 * Every length is checked against the block that holds it and packets are views of the file's
 * bytes, so a hostile file costs no more memory than its size. A partial last block yields every
 * complete packet first, then throws `PGS_CAPTURE_TRUNCATED`.
 */
import { invalidCapture, truncatedCapture } from './capture-error.js';
import type { CapturedPacket } from './packet.js';

/** The block type of a Section Header Block (a palindrome: the same in both byte orders). */
export const PCAPNG_SECTION_HEADER = 0x0a0d0d0a;
/** The Section Header Block's byte-order magic, as the writing host stores it. */
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

const BlockType = {
  INTERFACE_DESCRIPTION: 0x0000_0001,
  PACKET: 0x0000_0002,
  SIMPLE_PACKET: 0x0000_0003,
  ENHANCED_PACKET: 0x0000_0006,
} as const;

const Option = { END_OF_OPTIONS: 0, IF_TSRESOL: 9, IF_TSOFFSET: 14 } as const;

/** Block type and total length before the body, total length again after it. */
const BLOCK_HEADER = 8;
const BLOCK_TRAILER = 4;
const BLOCK_MINIMUM = BLOCK_HEADER + BLOCK_TRAILER;
const ALIGNMENT = 4;
/** SHB body: byte-order magic, major and minor version, 64-bit section length, options. */
const SHB_BODY_MINIMUM = 16;
const SHB_MAJOR_AT = 4;
const SHB_MINOR_AT = 6;
const SUPPORTED_MAJOR = 1;
/** IDB body: link type, reserved, snapshot length, options. */
const IDB_SNAPLEN_AT = 4;
const IDB_OPTIONS_AT = 8;
/**
 * EPB body: interface, timestamp (high, low), captured length, original length, data. The obsolete
 * Packet Block has the same layout with a 16-bit interface and a 16-bit drops count in the first word.
 */
const EPB_TS_HIGH_AT = 4;
const EPB_TS_LOW_AT = 8;
const EPB_CAPTURED_AT = 12;
const EPB_ORIGINAL_AT = 16;
const EPB_DATA_AT = 20;
/** SPB body: original length, data. */
const SPB_DATA_AT = 4;
/** Option header: code and length, 16 bits each. */
const OPTION_HEADER = 4;
const OPTION_LENGTH_AT = 2;
const TSRESOL_POWER_OF_TWO = 0x80;
const TSRESOL_EXPONENT = 0x7f;
const TSOFFSET_LENGTH = 8;
const DEFAULT_UNITS_PER_SECOND = 1_000_000n;
const MICROSECONDS_PER_SECOND = 1_000_000n;
const MICROSECONDS_PER_MS = 1000;
const TWO_POW_32 = 0x1_0000_0000;
/** The range of a JavaScript Date (ECMA-262 "Time Values and Time Range"). */
const MAX_DATE_MS = 8.64e15;
/** Timestamps whose high word is below this fit a double exactly as microseconds (2^53). */
const EXACT_HIGH_LIMIT = 1 << 21;

/** An interface of the current section, as its IDB described it. */
interface Interface {
  readonly linkType: number;
  readonly snapLength: number;
  readonly unitsPerSecond: bigint;
  readonly offsetSeconds: bigint;
}

/** True when `file` starts with a Section Header Block. */
export function isPcapng(file: Uint8Array): boolean {
  return file.length >= ALIGNMENT && new DataView(file.buffer, file.byteOffset, ALIGNMENT).getUint32(0) === PCAPNG_SECTION_HEADER;
}

/** The packets of a pcapng file, in file order; throws a CaptureError for a bad block or a partial block. */
export function* readPcapng(file: Uint8Array): Generator<CapturedPacket, void> {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let little = false;
  let interfaces: Interface[] = [];
  let inSection = false;
  let number = 0;
  let at = 0;
  while (at < file.length) {
    const remaining = file.length - at;
    if (remaining < BLOCK_MINIMUM) throw truncatedCapture(`the pcapng file ends inside a block header at offset ${at}`);
    if (view.getUint32(at) === PCAPNG_SECTION_HEADER) {
      if (remaining < BLOCK_HEADER + SHB_BODY_MINIMUM) throw truncatedCapture(`the pcapng file ends inside a Section Header Block at offset ${at}`);
      const magic = view.getUint32(at + BLOCK_HEADER);
      if (magic === BYTE_ORDER_MAGIC) little = false;
      else if (view.getUint32(at + BLOCK_HEADER, true) === BYTE_ORDER_MAGIC) little = true;
      else throw invalidCapture(`the Section Header Block at offset ${at} has no valid byte-order magic`);
      const major = view.getUint16(at + BLOCK_HEADER + SHB_MAJOR_AT, little);
      if (major !== SUPPORTED_MAJOR) {
        throw invalidCapture(`unsupported pcapng version ${major}.${view.getUint16(at + BLOCK_HEADER + SHB_MINOR_AT, little)}`);
      }
      interfaces = [];
      inSection = true;
    } else if (!inSection) {
      throw invalidCapture('not a pcapng file (it does not start with a Section Header Block)');
    }
    const type = view.getUint32(at, little);
    const length = view.getUint32(at + ALIGNMENT, little);
    if (length < BLOCK_MINIMUM || length % ALIGNMENT !== 0) {
      throw invalidCapture(`block type 0x${type.toString(16)} at offset ${at} has an invalid total length ${length}`);
    }
    if (length > remaining) {
      throw truncatedCapture(`the pcapng file ends inside block type 0x${type.toString(16)} at offset ${at} (${remaining} of ${length} bytes)`);
    }
    if (view.getUint32(at + length - BLOCK_TRAILER, little) !== length) {
      throw invalidCapture(`block type 0x${type.toString(16)} at offset ${at}: the trailing total length does not match ${length}`);
    }
    const body = at + BLOCK_HEADER;
    const bodyEnd = at + length - BLOCK_TRAILER;
    const where = `block at offset ${at}`;
    at += length;
    switch (type) {
      case BlockType.INTERFACE_DESCRIPTION:
        interfaces.push(readInterface(view, body, bodyEnd, little, where));
        break;
      case BlockType.ENHANCED_PACKET:
      case BlockType.PACKET: {
        if (bodyEnd - body < EPB_DATA_AT) throw invalidCapture(`the packet ${where} is too short`);
        number++;
        const id = type === BlockType.PACKET ? view.getUint16(body, little) : view.getUint32(body, little);
        const iface = interfaceOf(interfaces, id, where);
        const captured = view.getUint32(body + EPB_CAPTURED_AT, little);
        const original = view.getUint32(body + EPB_ORIGINAL_AT, little);
        if (captured > bodyEnd - body - EPB_DATA_AT) throw invalidCapture(`the packet ${where} claims ${captured} captured bytes, more than the block holds`);
        const high = view.getUint32(body + EPB_TS_HIGH_AT, little);
        const low = view.getUint32(body + EPB_TS_LOW_AT, little);
        yield {
          number,
          linkType: iface.linkType,
          data: file.subarray(body + EPB_DATA_AT, body + EPB_DATA_AT + captured),
          missing: original > captured ? original - captured : 0,
          time: timestamp(iface, high, low),
        };
        break;
      }
      case BlockType.SIMPLE_PACKET: {
        if (bodyEnd - body < SPB_DATA_AT) throw invalidCapture(`the Simple Packet Block ${where} is too short`);
        number++;
        const iface = interfaceOf(interfaces, 0, where);
        const original = view.getUint32(body, little);
        let captured = Math.min(original, bodyEnd - body - SPB_DATA_AT);
        if (iface.snapLength > 0) captured = Math.min(captured, iface.snapLength);
        yield {
          number,
          linkType: iface.linkType,
          data: file.subarray(body + SPB_DATA_AT, body + SPB_DATA_AT + captured),
          missing: original - captured,
          time: undefined,
        };
        break;
      }
      default:
      // Name resolution, statistics, decryption secrets, custom blocks: nothing a trace needs.
    }
  }
}

function interfaceOf(interfaces: readonly Interface[], id: number, where: string): Interface {
  const iface = interfaces[id];
  if (iface === undefined) throw invalidCapture(`the packet ${where} names interface ${id}, which no Interface Description Block of its section declares`);
  return iface;
}

/** An IDB: link type, snapshot length, and the `if_tsresol`/`if_tsoffset` options. */
function readInterface(view: DataView, body: number, end: number, little: boolean, where: string): Interface {
  if (end - body < IDB_OPTIONS_AT) throw invalidCapture(`the Interface Description Block ${where} is too short`);
  let unitsPerSecond = DEFAULT_UNITS_PER_SECOND;
  let offsetSeconds = 0n;
  let at = body + IDB_OPTIONS_AT;
  while (end - at >= OPTION_HEADER) {
    const code = view.getUint16(at, little);
    const length = view.getUint16(at + OPTION_LENGTH_AT, little);
    if (code === Option.END_OF_OPTIONS) break;
    const value = at + OPTION_HEADER;
    if (length > end - value) throw invalidCapture(`option ${code} of the Interface Description Block ${where} runs past the block`);
    if (code === Option.IF_TSRESOL && length >= 1) {
      const resolution = view.getUint8(value);
      const exponent = BigInt(resolution & TSRESOL_EXPONENT);
      unitsPerSecond = (resolution & TSRESOL_POWER_OF_TWO) !== 0 ? 2n ** exponent : 10n ** exponent;
    } else if (code === Option.IF_TSOFFSET && length >= TSOFFSET_LENGTH) {
      offsetSeconds = view.getBigInt64(value, little);
    }
    at = value + Math.ceil(length / ALIGNMENT) * ALIGNMENT;
  }
  return { linkType: view.getUint16(body, little), snapLength: view.getUint32(body + IDB_SNAPLEN_AT, little), unitsPerSecond, offsetSeconds };
}

/**
 * A 64-bit timestamp in the interface's units, as epoch milliseconds truncated to whole
 * microseconds; undefined when it lies outside what a JavaScript Date can show (±8.64e15 ms).
 */
function timestamp(iface: Interface, high: number, low: number): number | undefined {
  if (iface.unitsPerSecond === DEFAULT_UNITS_PER_SECOND && iface.offsetSeconds === 0n && high < EXACT_HIGH_LIMIT) {
    return (high * TWO_POW_32 + low) / MICROSECONDS_PER_MS;
  }
  const units = (BigInt(high) << 32n) | BigInt(low);
  const microseconds = (units * MICROSECONDS_PER_SECOND) / iface.unitsPerSecond + iface.offsetSeconds * MICROSECONDS_PER_SECOND;
  const ms = Number(microseconds) / MICROSECONDS_PER_MS;
  return Math.abs(ms) <= MAX_DATE_MS ? ms : undefined;
}
