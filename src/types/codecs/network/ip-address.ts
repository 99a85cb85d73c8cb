/**
 * IP address text ⇄ bytes, as the inet and cidr types print and read them. Printing follows
 * pg_inet_net_ntop (src/port/inet_net_ntop.c): IPv4 as four decimal octets; IPv6 as lowercase
 * hex groups without leading zeros, the longest run of two or more zero groups (the first, on a
 * tie) written `::`, and the last 32 bits as a dotted quad for IPv4-compatible (`::a.b.c.d`) and
 * IPv4-mapped (`::ffff:a.b.c.d`) addresses. Reading accepts the usual forms (RFC 4291 §2.2).
 */

/** Bytes of an IPv4 address. */
export const IPV4_BYTES = 4;
/** Bytes of an IPv6 address. */
export const IPV6_BYTES = 16;
const IPV6_GROUPS = 8;
const OCTET_MAX = 255;
const HEX_RADIX = 16;
const BYTE_MASK = 0xff;
const IPV4_PART = /^(?:0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
/** The group before an embedded IPv4 address in an IPv4-mapped address. */
const MAPPED_MARKER = 0xffff;
/** Zero groups in front of an IPv4-compatible (6) and an IPv4-mapped (5, then 0xffff) address. */
const COMPAT_ZEROS = 6;
const MAPPED_ZEROS = 5;
const LOOPBACK_GROUP = 0x0001;
const ALL_BUT_LAST = 7;

/** Parses a dotted quad into 4 bytes at `out[at]`; false when it is not one. */
function parseIPv4Into(s: string, out: Uint8Array, at: number): boolean {
  const parts = s.split('.');
  if (parts.length !== IPV4_BYTES) return false;
  for (let i = 0; i < IPV4_BYTES; i++) {
    const p = parts[i]!;
    if (!IPV4_PART.test(p)) return false;
    const v = Number(p);
    if (v > OCTET_MAX) return false;
    out[at + i] = v;
  }
  return true;
}

function parseGroups(s: string, groups: number[]): boolean {
  if (s === '') return true;
  for (const g of s.split(':')) {
    if (!HEX_GROUP.test(g)) return false;
    groups.push(parseInt(g, HEX_RADIX));
  }
  return true;
}

/** Parses an IPv6 address (with `::` and an optional trailing dotted quad); null when it is not one. */
function parseIPv6(s: string): Uint8Array | null {
  const out = new Uint8Array(IPV6_BYTES);
  let text = s;
  let room = IPV6_GROUPS;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.indexOf('.') !== -1) {
    if (!parseIPv4Into(last, out, IPV6_BYTES - IPV4_BYTES)) return null;
    room = IPV6_GROUPS - IPV4_BYTES / 2;
    // Drop the dotted quad and the colon before it, unless that colon ends a `::`.
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const gap = text.indexOf('::');
  if (gap !== -1 && text.indexOf('::', gap + 1) !== -1) return null;
  const head: number[] = [];
  const tail: number[] = [];
  if (gap === -1) {
    if (!parseGroups(text, head) || head.length !== room) return null;
  } else {
    // `::` stands for at least one zero group.
    if (!parseGroups(text.slice(0, gap), head) || !parseGroups(text.slice(gap + 2), tail)) return null;
    if (head.length + tail.length >= room) return null;
  }
  const groups = head.concat(new Array<number>(room - head.length - tail.length).fill(0), tail);
  for (let i = 0; i < room; i++) {
    out[2 * i] = groups[i]! >> 8;
    out[2 * i + 1] = groups[i]! & BYTE_MASK;
  }
  return out;
}

/** The bytes of an IPv4 or IPv6 address (4 or 16), or null when `s` is not one. */
export function parseIpAddress(s: string): Uint8Array | null {
  if (s.indexOf(':') !== -1) return parseIPv6(s);
  const out = new Uint8Array(IPV4_BYTES);
  return parseIPv4Into(s, out, 0) ? out : null;
}

function formatIPv4(b: Uint8Array, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** pg_inet_net_ntop's text of a 4- or 16-byte address at `bytes[at]` (without the prefix). */
export function formatIpAddress(bytes: Uint8Array, at: number, size: number): string {
  if (size === IPV4_BYTES) return formatIPv4(bytes, at);
  const words = new Array<number>(IPV6_GROUPS);
  for (let i = 0; i < IPV6_GROUPS; i++) words[i] = (bytes[at + 2 * i]! << 8) | bytes[at + 2 * i + 1]!;
  // The longest run of zero words (the first of equal runs), if at least two long.
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < IPV6_GROUPS; ) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < IPV6_GROUPS && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let s = '';
  for (let i = 0; i < IPV6_GROUPS; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) s += ':';
      continue;
    }
    if (i !== 0) s += ':';
    const embedded =
      i === COMPAT_ZEROS &&
      bestBase === 0 &&
      (bestLen === COMPAT_ZEROS ||
        (bestLen === ALL_BUT_LAST && words[ALL_BUT_LAST] !== LOOPBACK_GROUP) ||
        (bestLen === MAPPED_ZEROS && words[MAPPED_ZEROS] === MAPPED_MARKER));
    if (embedded) return s + formatIPv4(bytes, at + IPV6_BYTES - IPV4_BYTES);
    s += words[i]!.toString(HEX_RADIX);
  }
  if (bestBase !== -1 && bestBase + bestLen === IPV6_GROUPS) s += ':';
  return s;
}

/** Largest prefix of an address of `size` bytes (32 or 128). */
export function maxPrefix(size: number): number {
  return size * 8;
}

/** True when no bit after the first `prefix` is set (what cidr requires). */
export function hostBitsZero(bytes: Uint8Array, at: number, size: number, prefix: number): boolean {
  for (let bit = prefix; bit < size * 8; bit++) {
    if ((bytes[at + (bit >> 3)]! >> (7 - (bit & 7))) & 1) return false;
  }
  return true;
}
