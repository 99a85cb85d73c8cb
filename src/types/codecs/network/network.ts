/**
 * `inet` and `cidr` (src/backend/utils/adt/network.c). Both decode to an `Inet`: the address in
 * the server's text form and the prefix length (netmask bits).
 *
 * Text: inet_out writes the address, then `/bits` unless bits is the full length (32 or 128);
 * cidr_out always writes `/bits`. Binary (network_send/network_recv): one byte each for the
 * family (PGSQL_AF_INET = 2, PGSQL_AF_INET6 = 3), bits, is_cidr and the address length (4 or
 * 16), then the address in network byte order. cidr refuses host bits set beyond the prefix.
 */
import type { MessageWriter } from '../../../protocol/writer.js';
import { oid } from '../../oids.js';
import type { BinaryTypeCodec } from '../../type-codec.js';
import { cannotEncode, describe, invalidText, invalidValue } from '../../value-errors.js';
import { IPV4_BYTES, IPV6_BYTES, formatIpAddress, hostBitsZero, maxPrefix, parseIpAddress } from './ip-address.js';

/** PGSQL_AF_INET (utils/inet.h): the same value as AF_INET. */
const PGSQL_AF_INET = 2;
/** PGSQL_AF_INET6 (utils/inet.h): AF_INET + 1, whatever the platform's AF_INET6. */
const PGSQL_AF_INET6 = 3;
const HEADER_BYTES = 4;
const PREFIX_PATTERN = /^(?:0|[1-9][0-9]{0,2})$/;

/** An `inet` or `cidr` value: an IPv4 or IPv6 address and a prefix length. */
export class Inet {
  /**
   * @param address the address as the server prints it (e.g. `192.168.0.1`, `2001:db8::1`)
   * @param prefix the netmask length: 0..32 for IPv4, 0..128 for IPv6
   */
  constructor(
    readonly address: string,
    readonly prefix: number,
  ) {}

  /** 4 or 6. */
  get family(): 4 | 6 {
    return this.address.indexOf(':') === -1 ? 4 : 6;
  }

  /** inet_out's text: the address, and `/prefix` unless it is the full length. */
  toString(): string {
    const full = this.family === 4 ? maxPrefix(IPV4_BYTES) : maxPrefix(IPV6_BYTES);
    return this.prefix === full ? this.address : `${this.address}/${this.prefix}`;
  }
}

/** Splits `addr[/bits]` into its address bytes and prefix; null when it is not that. */
function parseInetText(text: string): { bytes: Uint8Array; address: string; prefix: number } | null {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const bytes = parseIpAddress(address);
  if (bytes === null) return null;
  let prefix = maxPrefix(bytes.length);
  if (slash !== -1) {
    const p = text.slice(slash + 1);
    if (!PREFIX_PATTERN.test(p) || Number(p) > prefix) return null;
    prefix = Number(p);
  }
  return { bytes, address, prefix };
}

/** Reads an `Inet`, an `{ address, prefix? }` object or an `addr[/bits]` string. */
function toParts(type: string, v: unknown): { bytes: Uint8Array; address: string; prefix: number } {
  let parsed: ReturnType<typeof parseInetText> = null;
  if (typeof v === 'string') {
    parsed = parseInetText(v);
  } else if (typeof v === 'object' && v !== null && typeof (v as Inet).address === 'string') {
    const { address, prefix } = v as { address: string; prefix?: unknown };
    const bytes = parseIpAddress(address);
    const full = bytes === null ? 0 : maxPrefix(bytes.length);
    const p = prefix === undefined ? full : prefix;
    if (bytes !== null && typeof p === 'number' && Number.isInteger(p) && p >= 0 && p <= full) {
      parsed = { bytes, address, prefix: p };
    }
  }
  if (parsed === null) throw cannotEncode(type, `needs an IPv4/IPv6 address and a prefix within its length, got ${describe(v)}`);
  if (type === 'cidr' && !hostBitsZero(parsed.bytes, 0, parsed.bytes.length, parsed.prefix)) {
    throw cannotEncode('cidr', `${describe(v)} has bits set to the right of its netmask`);
  }
  return parsed;
}

function networkCodec(type: 'inet' | 'cidr', typeOid: number, arrayOid: number): BinaryTypeCodec<Inet> {
  const isCidr = type === 'cidr';
  return {
    oid: typeOid,
    name: type,
    arrayOid,
    binary: true,
    decodeText(text) {
      const p = parseInetText(text);
      if (p === null || (isCidr && text.indexOf('/') === -1)) throw invalidText(type, text);
      return new Inet(p.address, p.prefix);
    },
    encodeText(value) {
      const p = toParts(type, value);
      const address = formatIpAddress(p.bytes, 0, p.bytes.length);
      return isCidr || p.prefix !== maxPrefix(p.bytes.length) ? `${address}/${p.prefix}` : address;
    },
    decodeBinary(bytes, start, length) {
      if (length < HEADER_BYTES) throw invalidValue(type, `binary value of ${length} bytes is shorter than its header`);
      const family = bytes[start]!;
      const bits = bytes[start + 1]!;
      const size = bytes[start + 3]!;
      const expected = family === PGSQL_AF_INET ? IPV4_BYTES : family === PGSQL_AF_INET6 ? IPV6_BYTES : 0;
      if (expected === 0) throw invalidValue(type, `invalid address family ${family}`);
      if (bits > maxPrefix(expected)) throw invalidValue(type, `invalid bits ${bits}`);
      if (size !== expected || length !== HEADER_BYTES + size) throw invalidValue(type, `invalid address length ${size} in ${length} bytes`);
      const at = start + HEADER_BYTES;
      if (isCidr && !hostBitsZero(bytes, at, size, bits)) throw invalidValue(type, 'bits set to the right of the netmask');
      return new Inet(formatIpAddress(bytes, at, size), bits);
    },
    encodeBinary(w: MessageWriter, value: Inet) {
      const p = toParts(type, value);
      w.u8(p.bytes.length === IPV4_BYTES ? PGSQL_AF_INET : PGSQL_AF_INET6);
      w.u8(p.prefix);
      w.u8(isCidr ? 1 : 0);
      w.u8(p.bytes.length);
      w.bytes(p.bytes);
    },
  };
}

/** The `inet` codec: an `Inet`. */
export const inetCodec = networkCodec('inet', oid.INET, oid.INET_ARRAY);
/** The `cidr` codec: an `Inet` whose host bits are zero. */
export const cidrCodec = networkCodec('cidr', oid.CIDR, oid.CIDR_ARRAY);
