/**
 * IPv4 (RFC 791) and IPv6 (RFC 8200) headers: the addresses, the upper-layer protocol and its
 * bytes. IPv6 extension headers are walked to reach the upper layer: Hop-by-Hop, Routing,
 * Destination Options, Mobility, HIP and Shim6 (length in 8-octet units after the first 8), AH
 * (RFC 4302: length in 4-octet units after the first 8) and Fragment (8 octets). ESP hides
 * everything after it. Fragments are reported as such (they are not reassembled: TCP over
 * PostgreSQL avoids them with path MTU discovery), so a lost piece shows up as a stream gap.
 */
import type { NetworkPayload } from './link-layer.js';

/** The IP layer of a packet. */
export interface IpPacket {
  readonly source: string;
  readonly destination: string;
  /** Upper-layer protocol number (6 is TCP). */
  readonly protocol: number;
  /** The upper-layer bytes that were captured. */
  readonly payload: Uint8Array;
  /** Upper-layer bytes the IP length promises but the capture lacks (snapshot length). */
  readonly missing: number;
  /** True for a fragment of a larger datagram (its payload is not a whole upper-layer packet). */
  readonly fragment: boolean;
}

/** IANA protocol numbers of the upper layer and of the IPv6 extension headers walked here. */
export const IpProtocol = {
  HOP_BY_HOP: 0,
  TCP: 6,
  ROUTING: 43,
  FRAGMENT: 44,
  ESP: 50,
  AH: 51,
  NO_NEXT_HEADER: 59,
  DESTINATION_OPTIONS: 60,
  MOBILITY: 135,
  HIP: 139,
  SHIM6: 140,
} as const;

const IPV4_MINIMUM_HEADER = 20;
const IPV4_TOTAL_LENGTH_AT = 2;
const IPV4_FLAGS_AT = 6;
const IPV4_PROTOCOL_AT = 9;
const IPV4_SOURCE_AT = 12;
const IPV4_DESTINATION_AT = 16;
const IPV4_ADDRESS = 4;
/** The More Fragments flag and the 13-bit fragment offset of the flags/offset word. */
const IPV4_MORE_FRAGMENTS = 0x2000;
const IPV4_FRAGMENT_OFFSET = 0x1fff;
const IHL_MASK = 0x0f;
const WORD = 4;
const IPV6_HEADER = 40;
const IPV6_PAYLOAD_LENGTH_AT = 4;
const IPV6_NEXT_HEADER_AT = 6;
const IPV6_SOURCE_AT = 8;
const IPV6_DESTINATION_AT = 24;
const IPV6_ADDRESS = 16;
const EXTENSION_UNIT = 8;
const EXTENSION_LENGTH_AT = 1;
const AH_UNIT = 4;
/** AH's length field counts 4-octet units minus 2. */
const AH_LENGTH_BIAS = 2;
const FRAGMENT_HEADER = 8;
const FRAGMENT_OFFSET_AT = 2;
/** The Fragment header's 13-bit offset (in the high bits) and M flag (the lowest bit). */
const IPV6_FRAGMENT_OFFSET = 0xfff8;
const IPV6_MORE_FRAGMENTS = 0x0001;
const VERSION_SHIFT = 4;

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function ipv4Address(b: Uint8Array, at: number): string {
  return Array.from(b.subarray(at, at + IPV4_ADDRESS)).join('.');
}

/** An IPv6 address in RFC 5952 text: lower-case hex, leading zeros dropped, the longest run of two or more zero groups as `::`. */
export function formatIpv6(b: Uint8Array, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < IPV6_ADDRESS; i += 2) groups.push(u16(b, at + i));
  let best = -1;
  let bestLength = 1;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLength) {
      best = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = (list: number[]): string => list.map((g) => g.toString(16)).join(':');
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLength))}`;
}

function ipv4(b: Uint8Array): IpPacket | null {
  if (b.length < IPV4_MINIMUM_HEADER) return null;
  const headerLength = (b[0]! & IHL_MASK) * WORD;
  const total = u16(b, IPV4_TOTAL_LENGTH_AT);
  if (headerLength < IPV4_MINIMUM_HEADER || total < headerLength || b.length < headerLength) return null;
  const flags = u16(b, IPV4_FLAGS_AT);
  // Trailing bytes past the total length are link padding or a frame check sequence.
  const end = Math.min(total, b.length);
  return {
    source: ipv4Address(b, IPV4_SOURCE_AT),
    destination: ipv4Address(b, IPV4_DESTINATION_AT),
    protocol: b[IPV4_PROTOCOL_AT]!,
    payload: b.subarray(headerLength, end),
    missing: total - end,
    fragment: (flags & (IPV4_MORE_FRAGMENTS | IPV4_FRAGMENT_OFFSET)) !== 0,
  };
}

function ipv6(b: Uint8Array): IpPacket | null {
  if (b.length < IPV6_HEADER) return null;
  const payloadLength = u16(b, IPV6_PAYLOAD_LENGTH_AT);
  // A zero payload length is a jumbogram (RFC 2675): take what was captured.
  const total = payloadLength === 0 ? b.length : IPV6_HEADER + payloadLength;
  const end = Math.min(total, b.length);
  let next = b[IPV6_NEXT_HEADER_AT]!;
  let at = IPV6_HEADER;
  let fragment = false;
  for (;;) {
    let length: number;
    switch (next) {
      case IpProtocol.HOP_BY_HOP:
      case IpProtocol.ROUTING:
      case IpProtocol.DESTINATION_OPTIONS:
      case IpProtocol.MOBILITY:
      case IpProtocol.HIP:
      case IpProtocol.SHIM6:
        if (at + EXTENSION_UNIT > end) return null;
        length = (b[at + EXTENSION_LENGTH_AT]! + 1) * EXTENSION_UNIT;
        break;
      case IpProtocol.AH:
        if (at + EXTENSION_UNIT > end) return null;
        length = (b[at + EXTENSION_LENGTH_AT]! + AH_LENGTH_BIAS) * AH_UNIT;
        break;
      case IpProtocol.FRAGMENT:
        if (at + FRAGMENT_HEADER > end) return null;
        if ((u16(b, at + FRAGMENT_OFFSET_AT) & (IPV6_FRAGMENT_OFFSET | IPV6_MORE_FRAGMENTS)) !== 0) fragment = true;
        length = FRAGMENT_HEADER;
        break;
      default:
        return {
          source: formatIpv6(b, IPV6_SOURCE_AT),
          destination: formatIpv6(b, IPV6_DESTINATION_AT),
          protocol: next,
          payload: b.subarray(at, end),
          missing: total - end,
          fragment,
        };
    }
    if (at + length > end) return null;
    next = b[at]!;
    at += length;
  }
}

/** The IP header of `network`, or null when it is not a well-formed IPv4 or IPv6 packet. */
export function decodeIp(network: NetworkPayload): IpPacket | null {
  const bytes = network.bytes;
  if (bytes.length === 0) return null;
  const version = bytes[0]! >> VERSION_SHIFT;
  if (network.version !== null && version !== network.version) return null;
  if (version === 4) return ipv4(bytes);
  if (version === 6) return ipv6(bytes);
  return null;
}
