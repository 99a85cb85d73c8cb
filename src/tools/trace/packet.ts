/**
 * One captured frame as the pcap and pcapng readers hand it out, and the link-layer types they
 * can carry here. LINKTYPE values are those of the PCAP/PCAPNG LinkType registry
 * (draft-ietf-opsawg-pcaplinktype).
 */

/** LINKTYPE_ values this tool decodes. */
export const LinkType = {
  /** BSD loopback: a 4-byte address family in the byte order of the capturing host. */
  NULL: 0,
  /** IEEE 802.3 Ethernet. */
  ETHERNET: 1,
  /** Raw IPv4 or IPv6, told apart by the version nibble. */
  RAW: 101,
  /** OpenBSD loopback: like NULL, but the address family is big-endian. */
  LOOP: 108,
  /** Linux "cooked" capture (the `any` device), 16-byte header. */
  LINUX_SLL: 113,
  /** Raw IPv4. */
  IPV4: 228,
  /** Raw IPv6. */
  IPV6: 229,
  /** Linux "cooked" capture v2, 20-byte header. */
  LINUX_SLL2: 276,
} as const;

/** Registry names of the link types above, for messages. */
export const LINK_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [LinkType.NULL, 'NULL (BSD loopback)'],
  [LinkType.ETHERNET, 'ETHERNET'],
  [LinkType.RAW, 'RAW'],
  [LinkType.LOOP, 'LOOP (OpenBSD loopback)'],
  [LinkType.LINUX_SLL, 'LINUX_SLL'],
  [LinkType.IPV4, 'IPV4'],
  [LinkType.IPV6, 'IPV6'],
  [LinkType.LINUX_SLL2, 'LINUX_SLL2'],
]);

/** True for the link types `decapsulate` understands. */
export function isSupportedLinkType(linkType: number): boolean {
  return LINK_TYPE_NAMES.has(linkType);
}

/** A link type's name for messages: the registry name, or its number. */
export function linkTypeName(linkType: number): string {
  return LINK_TYPE_NAMES.get(linkType) ?? `LINKTYPE ${linkType}`;
}

/** One frame read from a capture file. */
export interface CapturedPacket {
  /** 1-based position in the file, counting every packet record (as Wireshark numbers frames). */
  readonly number: number;
  /** LINKTYPE_ of the interface it was captured on. */
  readonly linkType: number;
  /** The captured bytes, starting at the link-layer header (a view into the file). */
  readonly data: Uint8Array;
  /** Bytes of the frame that were not captured (snapshot length); 0 when captured whole. */
  readonly missing: number;
  /** Capture time in epoch milliseconds (microsecond precision), or undefined when the record has none. */
  readonly time: number | undefined;
}
