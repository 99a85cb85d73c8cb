/**
 * inet and cidr: golden vectors (network_send's family 2/3, bits, is_cidr, length, address bytes),
 * the server's text of IPv6 addresses (pg_inet_net_ntop: `::` for the first longest zero run, the
 * dotted quad of IPv4-compatible and -mapped addresses), round trips, malformed input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { Inet, cidrCodec, inetCodec } from '../../src/types/codecs/network/network.js';
import { hex } from '../fixtures/bytes.js';
import { decodeBin, encodeBin, expectCode } from '../support/types-helpers.js';

const INVALID = ErrorCode.INVALID_VALUE;
const ARG = ErrorCode.INVALID_ARGUMENT;

/** An IPv6 address's 16 bytes from 8 groups, written here apart from src/. */
function v6(...groups: number[]): string {
  return groups.map((g) => `${(g >> 8).toString(16).padStart(2, '0')} ${(g & 0xff).toString(16).padStart(2, '0')}`).join(' ');
}

describe('inet and cidr', () => {
  it.each([
    [inetCodec, '192.168.0.1/24', '192.168.0.1', 24, '02 18 00 04 c0 a8 00 01'],
    [inetCodec, '10.1.2.3', '10.1.2.3', 32, '02 20 00 04 0a 01 02 03'],
    [inetCodec, '0.0.0.0/0', '0.0.0.0', 0, '02 00 00 04 00 00 00 00'],
    [cidrCodec, '10.0.0.0/8', '10.0.0.0', 8, '02 08 01 04 0a 00 00 00'],
    [cidrCodec, '192.168.1.1/32', '192.168.1.1', 32, '02 20 01 04 c0 a8 01 01'],
    [inetCodec, '::1', '::1', 128, `03 80 00 10 ${v6(0, 0, 0, 0, 0, 0, 0, 1)}`],
    [inetCodec, '::', '::', 128, `03 80 00 10 ${v6(0, 0, 0, 0, 0, 0, 0, 0)}`],
    [inetCodec, '2001:db8::1/64', '2001:db8::1', 64, `03 40 00 10 ${v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)}`],
    [cidrCodec, '2001:db8::/32', '2001:db8::', 32, `03 20 01 10 ${v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0)}`],
    [inetCodec, '::ffff:1.2.3.4', '::ffff:1.2.3.4', 128, `03 80 00 10 ${v6(0, 0, 0, 0, 0, 0xffff, 0x102, 0x304)}`],
    [inetCodec, '::1.2.3.4', '::1.2.3.4', 128, `03 80 00 10 ${v6(0, 0, 0, 0, 0, 0, 0x102, 0x304)}`],
    [inetCodec, '::ffff:0.0.0.0', '::ffff:0.0.0.0', 128, `03 80 00 10 ${v6(0, 0, 0, 0, 0, 0xffff, 0, 0)}`],
    [inetCodec, '1:0:0:1::1', '1:0:0:1::1', 128, `03 80 00 10 ${v6(1, 0, 0, 1, 0, 0, 0, 1)}`],
    [inetCodec, '1::2:0:0:3:4', '1::2:0:0:3:4', 128, `03 80 00 10 ${v6(1, 0, 0, 2, 0, 0, 3, 4)}`],
    [inetCodec, '1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7', 128, `03 80 00 10 ${v6(1, 0, 2, 3, 4, 5, 6, 7)}`],
    [inetCodec, '1::', '1::', 128, `03 80 00 10 ${v6(1, 0, 0, 0, 0, 0, 0, 0)}`],
    [inetCodec, 'fe80::abcd:ef01/10', 'fe80::abcd:ef01', 10, `03 0a 00 10 ${v6(0xfe80, 0, 0, 0, 0, 0, 0xabcd, 0xef01)}`],
  ] as const)('%#: %s', (codec, text, address, prefix, bytes) => {
    const v = new Inet(address, prefix);
    expect(codec.decodeText(text)).toEqual(v);
    expect(decodeBin(codec, hex(bytes))).toEqual(v);
    expect(codec.encodeText(v)).toBe(text);
    expect(encodeBin(codec, v)).toEqual(hex(bytes));
  });

  it('Inet: family and inet_out text; encoders also take strings and plain objects, and normalise addresses', () => {
    expect(new Inet('10.0.0.1', 8).family).toBe(4);
    expect(new Inet('::1', 128).toString()).toBe('::1');
    expect(new Inet('::1', 64).toString()).toBe('::1/64');
    expect(encodeBin(inetCodec, '192.168.0.1/24' as unknown as Inet)).toEqual(hex('02 18 00 04 c0 a8 00 01'));
    expect(encodeBin(cidrCodec, { address: '10.0.0.0', prefix: 8 } as Inet)).toEqual(hex('02 08 01 04 0a 00 00 00'));
    expect(inetCodec.encodeText({ address: '2001:0DB8:0:0:0:0:0:1' } as Inet)).toBe('2001:db8::1');
    expect(cidrCodec.encodeText({ address: '10.0.0.0' } as Inet)).toBe('10.0.0.0/32');
  });

  it('round-trips any address and prefix', () => {
    const arb = fc.oneof(
      fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 })),
      fc.tuple(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 }).map((g) => Uint8Array.from(g.flatMap((x) => [x >> 8, x & 0xff]))),
        fc.integer({ min: 0, max: 128 }),
      ),
    );
    fc.assert(
      fc.property(arb, ([addr, prefix]) => {
        const family = addr.length === 4 ? 2 : 3;
        const bytes = Uint8Array.of(family, prefix, 0, addr.length, ...addr);
        const v = decodeBin(inetCodec, bytes);
        expect(v.prefix).toBe(prefix);
        expect(encodeBin(inetCodec, v)).toEqual(bytes);
        expect(inetCodec.decodeText(inetCodec.encodeText(v))).toEqual(v);
        expect(inetCodec.decodeText(v.toString())).toEqual(v);
      }),
    );
  });

  it('refuses malformed text, bad families, prefixes and lengths, and cidr host bits', () => {
    for (const t of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '01.2.3.4', '1.2.3.4/33', '1.2.3.4/', '1.2.3.4/-1', '::1/129', '1:::2', '1::2::3',
      ':1::', '12345::', 'g::', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '::1.2.3', 'localhost', ' 1.2.3.4']) {
      expectCode(() => inetCodec.decodeText(t), INVALID);
    }
    expectCode(() => cidrCodec.decodeText('10.0.0.0'), INVALID);
    for (const b of ['', '02 20 00', '04 20 00 04 01 02 03 04', '02 21 00 04 01 02 03 04', '02 20 00 10 01 02 03 04', '02 20 00 04 01 02 03',
      '02 20 00 04 01 02 03 04 05', '03 81 00 10 ' + v6(0, 0, 0, 0, 0, 0, 0, 1), '03 80 00 04 01 02 03 04']) {
      expectCode(() => decodeBin(inetCodec, hex(b)), INVALID);
    }
    expectCode(() => decodeBin(cidrCodec, hex('02 08 01 04 0a 00 00 01')), INVALID);
    expectCode(() => encodeBin(cidrCodec, new Inet('10.0.0.1', 8)), ARG);
    for (const v of [new Inet('10.0.0.1', 33), new Inet('nope', 1), new Inet('::1', 1.5), 42, null]) expectCode(() => encodeBin(inetCodec, v as Inet), ARG);
  });
});
