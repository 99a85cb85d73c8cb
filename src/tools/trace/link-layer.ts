/**
 * Link-layer decapsulation: from a captured frame to the IP packet it carries, for the link types
 * of packet.ts (header layouts as the LinkType registry of draft-ietf-opsawg-pcaplinktype gives
 * them). Anything that is not IPv4 or IPv6 (ARP, LLC frames,
 * other loopback families) is not an error: it is simply not part of a TCP session.
 */
import { LinkType } from './packet.js';

/** What the IP layer should parse: the IP version the link header announced, or null for the version nibble. */
export interface NetworkPayload {
  readonly version: 4 | 6 | null;
  readonly bytes: Uint8Array;
}

/** EtherType values (IEEE 802; also the protocol field of Linux cooked headers). */
const EtherType = { IPV4: 0x0800, IPV6: 0x86dd, VLAN: 0x8100, QINQ: 0x88a8, QINQ_OLD: 0x9100 } as const;
const ETHERNET_HEADER = 14;
const ETHERTYPE_AT = 12;
const VLAN_TAG = 4;
/** Linux cooked v1: packet type, ARPHRD type, address length, 8-byte address, then the protocol. */
const SLL_HEADER = 16;
const SLL_PROTOCOL_AT = 14;
/** Linux cooked v2: the protocol first, then reserved, interface index, ARPHRD, packet type, address. */
const SLL2_HEADER = 20;
const SLL2_PROTOCOL_AT = 0;
/** BSD loopback: a 4-byte address family (host order for NULL, big-endian for LOOP). */
const LOOPBACK_HEADER = 4;
const AF_INET = 2;
/** AF_INET6 differs between systems: Linux, NetBSD/OpenBSD, FreeBSD, macOS. */
const AF_INET6_VALUES: ReadonlySet<number> = new Set([10, 24, 28, 30]);
/** An address family always fits one byte; the host-order field is read in whichever order gives that. */
const FAMILY_LIMIT = 0x100;

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function byEtherType(etherType: number, bytes: Uint8Array): NetworkPayload | null {
  if (etherType === EtherType.IPV4) return { version: 4, bytes };
  if (etherType === EtherType.IPV6) return { version: 6, bytes };
  return null;
}

function ethernet(frame: Uint8Array): NetworkPayload | null {
  if (frame.length < ETHERNET_HEADER) return null;
  let at = ETHERTYPE_AT;
  let etherType = u16(frame, at);
  // 802.1Q and 802.1ad tags (stacked for QinQ) sit between the addresses and the real EtherType.
  while ((etherType === EtherType.VLAN || etherType === EtherType.QINQ || etherType === EtherType.QINQ_OLD) && at + VLAN_TAG + 2 <= frame.length) {
    at += VLAN_TAG;
    etherType = u16(frame, at);
  }
  return byEtherType(etherType, frame.subarray(at + 2));
}

function loopback(frame: Uint8Array, bigEndianOnly: boolean): NetworkPayload | null {
  if (frame.length < LOOPBACK_HEADER) return null;
  const big = ((frame[0]! << 24) | (frame[1]! << 16) | (frame[2]! << 8) | frame[3]!) >>> 0;
  const little = ((frame[3]! << 24) | (frame[2]! << 16) | (frame[1]! << 8) | frame[0]!) >>> 0;
  const family = bigEndianOnly || big < FAMILY_LIMIT ? big : little;
  const bytes = frame.subarray(LOOPBACK_HEADER);
  if (family === AF_INET) return { version: 4, bytes };
  if (AF_INET6_VALUES.has(family)) return { version: 6, bytes };
  return null;
}

/** The IP packet inside a frame of `linkType`, or null when the frame carries something else. */
export function decapsulate(linkType: number, frame: Uint8Array): NetworkPayload | null {
  switch (linkType) {
    case LinkType.ETHERNET:
      return ethernet(frame);
    case LinkType.NULL:
      return loopback(frame, false);
    case LinkType.LOOP:
      return loopback(frame, true);
    case LinkType.LINUX_SLL:
      return frame.length < SLL_HEADER ? null : byEtherType(u16(frame, SLL_PROTOCOL_AT), frame.subarray(SLL_HEADER));
    case LinkType.LINUX_SLL2:
      return frame.length < SLL2_HEADER ? null : byEtherType(u16(frame, SLL2_PROTOCOL_AT), frame.subarray(SLL2_HEADER));
    case LinkType.RAW:
      return { version: null, bytes: frame };
    case LinkType.IPV4:
      return { version: 4, bytes: frame };
    case LinkType.IPV6:
      return { version: 6, bytes: frame };
    default:
      return null;
  }
}
