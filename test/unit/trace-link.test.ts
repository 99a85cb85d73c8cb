/**
 * Every link-layer type the trace tool reads, over IPv4 and IPv6: Ethernet (with and without an
 * 802.1Q tag, with padding), Linux cooked SLL and SLL2, BSD NULL in both byte orders with each
 * system's AF_INET6, OpenBSD LOOP, RAW, IPV4 and IPV6; IPv6 extension headers walked to TCP; frames
 * that are not IP skipped.
 */
import { describe, expect, it } from 'vitest';
import { collectTrace, scanCapture, traceCaptureSession } from '../../src/tools/trace/index.js';
import {
  concatBytes,
  Conversation,
  frame,
  LINK_ETHERNET,
  LINK_IPV4,
  LINK_IPV6,
  LINK_LOOP,
  LINK_NULL,
  LINK_RAW,
  LINK_SLL,
  LINK_SLL2,
  Sink,
  writePcap,
  type Ipv6Extension,
} from '../fixtures/capture-writer.js';
import { canonicalConversation, canonicalLines, canonicalSession, STEP_US, T0_US } from '../fixtures/pg-session.js';

const V4 = { client: { address: '192.0.2.10', port: 51234 }, server: { address: '192.0.2.1', port: 5432 } };
const V6 = { client: { address: '2001:db8::10', port: 51234 }, server: { address: '2001:db8:0:1::1', port: 5432 } };

function capture(linkType: number, conv: Conversation, framing: (ip: Uint8Array) => Uint8Array): Uint8Array {
  return writePcap({ linkType }, conv.segments.map((s, i) => ({ ts: T0_US + BigInt(i) * STEP_US, data: framing(conv.ip(s)) })));
}

function expectCanonical(file: Uint8Array, client: string, server: string): void {
  const scan = scanCapture(file);
  expect(scan.error).toBeNull();
  expect(scan.sessions).toHaveLength(1);
  const s = scan.sessions[0]!;
  expect(`${s.client.address} ${s.client.port} -> ${s.server.address} ${s.server.port}`).toBe(`${client} 51234 -> ${server} 5432`);
  const r = collectTrace(traceCaptureSession(s, { timestamps: false }));
  expect(r.error).toBeNull();
  expect(r.lines).toEqual(canonicalLines());
}

describe('link types', () => {
  const cases: [string, number, { little?: boolean; vlan?: boolean; af6?: number }][] = [
    ['Ethernet', LINK_ETHERNET, {}],
    ['Ethernet with an 802.1Q tag', LINK_ETHERNET, { vlan: true }],
    ['Linux cooked (SLL)', LINK_SLL, {}],
    ['Linux cooked v2 (SLL2)', LINK_SLL2, {}],
    ['BSD NULL, little-endian family', LINK_NULL, { little: true }],
    ['BSD NULL, big-endian family', LINK_NULL, { little: false }],
    ['OpenBSD LOOP', LINK_LOOP, {}],
    ['RAW', LINK_RAW, {}],
  ];
  for (const [name, linkType, options] of cases) {
    for (const [family, peers] of [['IPv4', V4], ['IPv6', V6]] as const) {
      it(`${name} over ${family}`, () => {
        const conv = canonicalConversation(peers.client, peers.server);
        expectCanonical(capture(linkType, conv, (ip) => frame(linkType, ip, options)), peers.client.address, peers.server.address);
      });
    }
  }

  it('IPV4 and IPV6 link types', () => {
    expectCanonical(capture(LINK_IPV4, canonicalConversation(V4.client, V4.server), (ip) => ip), '192.0.2.10', '192.0.2.1');
    expectCanonical(capture(LINK_IPV6, canonicalConversation(V6.client, V6.server), (ip) => ip), '2001:db8::10', '2001:db8:0:1::1');
  });

  for (const af6 of [10, 24, 28, 30]) {
    it(`BSD NULL with AF_INET6 = ${af6}`, () => {
      const conv = canonicalConversation(V6.client, V6.server);
      expectCanonical(capture(LINK_NULL, conv, (ip) => frame(LINK_NULL, ip, { af6, little: af6 % 4 === 0 })), V6.client.address, V6.server.address);
    });
  }

  it('Ethernet padding and trailing bytes after the IP packet are not stream bytes', () => {
    const conv = canonicalConversation();
    expectCanonical(capture(LINK_ETHERNET, conv, (ip) => concatBytes(frame(LINK_ETHERNET, ip), new Uint8Array(18).fill(0xee))), '192.0.2.10', '192.0.2.1');
  });

  it('frames that are not IP (ARP, an unknown loopback family) are skipped', () => {
    const conv = canonicalConversation();
    const arp = concatBytes(new Sink().raw([255, 255, 255, 255, 255, 255, 2, 0, 0, 0, 0, 1]).u16(0x0806).done(), new Uint8Array(28));
    const frames = conv.segments.map((s) => frame(LINK_ETHERNET, conv.ip(s)));
    frames.splice(5, 0, arp, arp);
    const file = writePcap({ linkType: LINK_ETHERNET }, frames.map((data, i) => ({ ts: T0_US + BigInt(i) * STEP_US, data })));
    expectCanonical(file, '192.0.2.10', '192.0.2.1');
    const loop = writePcap({ linkType: LINK_NULL }, [{ ts: T0_US, data: concatBytes(new Sink(true).u32(17).done(), conv.ip(conv.segments[3]!)) }]);
    expect(scanCapture(loop).connections).toBe(0);
  });
});

describe('IPv6 extension headers', () => {
  const hopByHop: Ipv6Extension = { type: 0, body: [1, 4, 0, 0, 0, 0] };
  const routing: Ipv6Extension = { type: 43, body: [4, 0, 0, 0, 0, 0, ...new Array(16).fill(0)] };
  const destination: Ipv6Extension = { type: 60, body: [1, 12, ...new Array(12).fill(0)] };
  /** An atomic fragment (offset 0, M clear: RFC 6946), which carries the whole TCP segment. */
  const atomicFragment: Ipv6Extension = { type: 44, body: [0, 0, 0, 0, 0, 0, 1] };
  const ah: Ipv6Extension = { type: 51, body: [0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] };

  it('walks Hop-by-Hop, Routing, Destination Options, Fragment and AH headers to TCP', () => {
    const conv = canonicalConversation(V6.client, V6.server);
    const chains = [[hopByHop], [hopByHop, routing, destination], [atomicFragment], [ah], [hopByHop, ah, atomicFragment, destination]];
    const file = writePcap({ linkType: LINK_ETHERNET }, conv.segments.map((s, i) => ({
      ts: T0_US + BigInt(i) * STEP_US,
      data: frame(LINK_ETHERNET, conv.ip(s, chains[i % chains.length]!)),
    })));
    expectCanonical(file, V6.client.address, V6.server.address);
  });

  it('a real fragment is skipped and counted, and its bytes show as a gap (the other direction goes on)', () => {
    const conv = canonicalConversation(V6.client, V6.server);
    const firstOfTwo: Ipv6Extension = { type: 44, body: [0, 0, 1, 0, 0, 0, 1] };
    const file = writePcap({ linkType: LINK_ETHERNET }, conv.segments.map((s, i) => ({
      ts: T0_US + BigInt(i) * STEP_US,
      data: frame(LINK_ETHERNET, conv.ip(s, i === 14 ? [firstOfTwo] : [])),
    })));
    const scan = scanCapture(file);
    expect(scan.fragments).toBe(1);
    const r = collectTrace(traceCaptureSession(scan.sessions[0]!, { timestamps: false }));
    // The server's stream stops at the gap; the client's goes on to its end.
    expect(r.lines).toEqual(canonicalSession().filter((step, k) => k < 11 || step.side === 'client').map((step) => step.line));
    expect(r.error?.message).toMatch(/lost 34 bytes of the backend stream at byte offset 126 \(a packet was not captured\)/);
  });
});
