/**
 * The trace tool's capture readers: pcap in both byte orders and both timestamp resolutions,
 * pcapng in both byte orders with several interfaces, per-interface `if_tsresol`/`if_tsoffset`,
 * Simple and obsolete Packet Blocks, several sections and skipped block types; truncated and
 * invalid files. Captures come from the test-only writer in test/fixtures/capture-writer.ts.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { CaptureError, collectTrace, noSessionError, scanCapture, traceCaptureSession } from '../../src/tools/trace/index.js';
import {
  frame,
  LINK_ETHERNET,
  LINK_SLL2,
  writePcap,
  writePcapng,
  type PcapngPacket,
} from '../fixtures/capture-writer.js';
import { canonicalConversation, canonicalLines, stampOf, STEP_US, T0_US } from '../fixtures/pg-session.js';

process.env.TZ = 'UTC';

const conv = canonicalConversation();
const frames = conv.segments.map((s) => frame(LINK_ETHERNET, conv.ip(s)));
/** Message k of the canonical session travels in packet k + 3 (after the handshake). */
const timedLines = (extraMicros = 0): string[] => canonicalLines().map((l, k) => stampOf(k + 3, extraMicros) + l);

function traceOf(file: Uint8Array, options: { timestamps?: boolean } = {}): { lines: string[]; error: CaptureError | null; scanError: unknown } {
  const scan = scanCapture(file);
  expect(scan.sessions).toHaveLength(1);
  const r = collectTrace(traceCaptureSession(scan.sessions[0]!, options));
  return { lines: r.lines, error: r.error as CaptureError | null, scanError: scan.error };
}

function thrown(fn: () => unknown): CaptureError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CaptureError);
    return err as CaptureError;
  }
  throw new Error('expected a CaptureError');
}

describe('pcap', () => {
  for (const little of [true, false]) {
    it(`reads a ${little ? 'little' : 'big'}-endian microsecond file, with capture times on the lines`, () => {
      const file = writePcap({ linkType: LINK_ETHERNET, little }, frames.map((data, i) => ({ ts: T0_US + BigInt(i) * STEP_US, data })));
      const r = traceOf(file);
      expect(r.error).toBeNull();
      expect(r.scanError).toBeNull();
      expect(r.lines).toEqual(timedLines());
    });

    it(`reads a ${little ? 'little' : 'big'}-endian nanosecond file (times truncated to microseconds)`, () => {
      // 1999 ns past each millisecond: PQtrace prints the whole microsecond, 1.
      const file = writePcap({ linkType: LINK_ETHERNET, little, nanoseconds: true }, frames.map((data, i) => ({ ts: (T0_US + BigInt(i) * STEP_US) * 1000n + 1999n, data })));
      expect(traceOf(file).lines).toEqual(timedLines(1));
    });
  }

  it('prints no timestamps when asked not to', () => {
    const file = writePcap({ linkType: LINK_ETHERNET }, frames.map((data, i) => ({ ts: T0_US + BigInt(i) * STEP_US, data })));
    expect(traceOf(file, { timestamps: false }).lines).toEqual(canonicalLines());
  });

  it('a partial last record: every line before it, then PGS_CAPTURE_TRUNCATED', () => {
    const whole = writePcap({ linkType: LINK_ETHERNET }, frames.map((data, i) => ({ ts: T0_US + BigInt(i) * STEP_US, data })));
    // Cut inside the record of packet 14 (the Query): messages of packets 4..13 are printed.
    const upTo13 = writePcap({ linkType: LINK_ETHERNET }, frames.slice(0, 13).map((data, i) => ({ ts: T0_US + BigInt(i) * STEP_US, data })));
    for (const cut of [upTo13.length + 3, upTo13.length + 16, upTo13.length + 30]) {
      const scan = scanCapture(whole.subarray(0, cut));
      expect(scan.error?.code).toBe(ErrorCode.CAPTURE_TRUNCATED);
      expect(scan.error?.message).toMatch(/ends inside (the header of )?packet 14/);
      const r = collectTrace(traceCaptureSession(scan.sessions[0]!, { timestamps: false }));
      expect(r.error).toBeNull();
      expect(r.lines).toEqual(canonicalLines().slice(0, 10));
    }
  });

  it('refuses a file shorter than its header, another version, reserved bits and unknown link types', () => {
    const good = writePcap({ linkType: LINK_ETHERNET }, []);
    expect(thrown(() => scanCapture(good.subarray(0, 20))).code).toBe(ErrorCode.CAPTURE_TRUNCATED);
    const v3 = good.slice();
    v3[4] = 3;
    expect(thrown(() => scanCapture(v3)).message).toMatch(/unsupported pcap version 3\.4/);
    expect(thrown(() => scanCapture(writePcap({ linkType: LINK_ETHERNET, linkFieldExtra: 0x0001_0000 }, []))).code).toBe(ErrorCode.CAPTURE_INVALID);
    const wifi = thrown(() => scanCapture(writePcap({ linkType: 105 }, [])));
    expect(wifi.code).toBe(ErrorCode.CAPTURE_UNSUPPORTED);
    expect(wifi.message).toMatch(/LINKTYPE 105/);
    expect(thrown(() => scanCapture(new TextEncoder().encode('GET / HTTP/1.1\r\n'))).code).toBe(ErrorCode.CAPTURE_INVALID);
  });

  it('accepts the FCS bits of the LinkType field (the IP length drops the trailing FCS)', () => {
    const withFcs = frames.map((f) => new Uint8Array([...f, 0xde, 0xad, 0xbe, 0xef]));
    // P bit set, FCS length 2 (16-bit words).
    const file = writePcap({ linkType: LINK_ETHERNET, linkFieldExtra: 0x2400_0000 }, withFcs.map((data, i) => ({ ts: T0_US + BigInt(i) * STEP_US, data })));
    expect(traceOf(file, { timestamps: false }).lines).toEqual(canonicalLines());
  });

  it('a capture without PostgreSQL: PGS_CAPTURE_NO_SESSION says what it held', () => {
    const file = writePcap({ linkType: LINK_ETHERNET }, frames.slice(0, 3).map((data, i) => ({ ts: T0_US + BigInt(i) * STEP_US, data })));
    const scan = scanCapture(file);
    expect(scan.sessions).toEqual([]);
    const err = noSessionError(scan);
    expect(err.code).toBe(ErrorCode.CAPTURE_NO_SESSION);
    expect(err.message).toMatch(/no PostgreSQL session found in 3 packets \(1 TCP connections\)/);
  });
});

describe('pcapng', () => {
  const packets = (units: (i: number) => bigint, iface: (i: number) => number = () => 0): PcapngPacket[] =>
    conv.segments.map((s, i) => ({ iface: iface(i), ts: units(i), data: frame(iface(i) === 1 ? LINK_SLL2 : LINK_ETHERNET, conv.ip(s)) }));

  for (const little of [true, false]) {
    it(`reads a ${little ? 'little' : 'big'}-endian section with the default microsecond resolution`, () => {
      const file = writePcapng({ little, interfaces: [{ linkType: LINK_ETHERNET }], packets: packets((i) => T0_US + BigInt(i) * STEP_US) });
      expect(traceOf(file).lines).toEqual(timedLines());
    });

    it(`takes each interface's if_tsresol (${little ? 'little' : 'big'} endian): client packets in ns on Ethernet, server packets in 2^-20 s on SLL2`, () => {
      const fromClient = (i: number): boolean => conv.segments[i]!.from === 'client';
      const file = writePcapng({
        little,
        interfaces: [{ linkType: LINK_ETHERNET, tsresol: 9 }, { linkType: LINK_SLL2, tsresol: 0x80 | 20 }],
        packets: packets(
          (i) => {
            const us = T0_US + BigInt(i) * STEP_US;
            // Binary units: ceil so that truncating back to microseconds gives `us` exactly.
            return fromClient(i) ? us * 1000n : (us * 1_048_576n + 999_999n) / 1_000_000n;
          },
          (i) => (fromClient(i) ? 0 : 1),
        ),
      });
      expect(traceOf(file).lines).toEqual(timedLines());
    });
  }

  it('adds if_tsoffset (seconds) and reads millisecond units', () => {
    const file = writePcapng({
      interfaces: [{ linkType: LINK_ETHERNET, tsresol: 3, tsoffset: 1_700_000_000n }],
      packets: packets((i) => BigInt(i)),
    });
    expect(traceOf(file).lines).toEqual(timedLines());
  });

  it('a timestamp beyond the range of a Date counts as no time', () => {
    const file = writePcapng({ interfaces: [{ linkType: LINK_ETHERNET, tsresol: 0 }], packets: packets(() => 1n << 62n) });
    const scan = scanCapture(file);
    expect(scan.sessions[0]!.timed).toBe(false);
    expect(collectTrace(traceCaptureSession(scan.sessions[0]!, { timestamps: true })).lines).toEqual(canonicalLines());
  });

  it('Simple Packet Blocks carry no time: no timestamps by default', () => {
    const file = writePcapng({ interfaces: [{ linkType: LINK_ETHERNET }], packets: conv.segments.map((s) => ({ ts: 0n, data: frame(LINK_ETHERNET, conv.ip(s)), simple: true })) });
    const scan = scanCapture(file);
    expect(scan.sessions[0]!.timed).toBe(false);
    expect(collectTrace(traceCaptureSession(scan.sessions[0]!)).lines).toEqual(canonicalLines());
  });

  it('reads the obsolete Packet Block, skips other block types, and follows a second section in the other byte order', () => {
    const all = packets((i) => T0_US + BigInt(i) * STEP_US);
    const first = { little: true, interfaces: [{ linkType: LINK_ETHERNET }], packets: all.slice(0, 12).map((p) => ({ ...p, obsolete: true })), extraBlocks: [[4, new Uint8Array(4)], [5, new Uint8Array(20)], [0x0bad, new Uint8Array(8)]] as [number, Uint8Array][] };
    const second = { little: false, interfaces: [{ linkType: LINK_ETHERNET }], packets: all.slice(12) };
    expect(traceOf(writePcapng(first, second)).lines).toEqual(timedLines());
  });

  it('a partial last block: every line before it, then PGS_CAPTURE_TRUNCATED', () => {
    const file = writePcapng({ interfaces: [{ linkType: LINK_ETHERNET }], packets: packets((i) => T0_US + BigInt(i) * STEP_US) });
    const r = scanCapture(file.subarray(0, file.length - 10));
    expect(r.error?.code).toBe(ErrorCode.CAPTURE_TRUNCATED);
    expect(r.error?.message).toMatch(/ends inside block type 0x6/);
    const lines = collectTrace(traceCaptureSession(r.sessions[0]!, { timestamps: false }));
    // The last packet (FIN/ACK) carried no message: every line is there.
    expect(lines.lines).toEqual(canonicalLines());
  });

  it('refuses broken blocks with a typed error', () => {
    const good = writePcapng({ interfaces: [{ linkType: LINK_ETHERNET }], packets: packets((i) => T0_US + BigInt(i) * STEP_US).slice(0, 4) });
    const shbLength = new DataView(good.buffer).getUint32(4, true);
    const bad = (edit: (b: Uint8Array, v: DataView) => void): CaptureError => {
      const b = good.slice();
      edit(b, new DataView(b.buffer));
      return thrown(() => scanCapture(b));
    };
    expect(bad((b) => b.fill(0, 8, 12)).message).toMatch(/byte-order magic/);
    expect(bad((_, v) => v.setUint32(shbLength + 4, 30, true)).message).toMatch(/invalid total length 30/);
    expect(bad((_, v) => v.setUint32(shbLength + 4, 24, true)).message).toMatch(/trailing total length/);
    expect(bad((_, v) => v.setUint16(12, 2, true)).message).toMatch(/unsupported pcapng version 2/);
    // The first EPB (after SHB and IDB) names interface 7.
    const idbLength = new DataView(good.buffer).getUint32(shbLength + 4, true);
    const noInterface = bad((_, v) => v.setUint32(shbLength + idbLength + 8, 7, true));
    expect(noInterface.code).toBe(ErrorCode.CAPTURE_INVALID);
    expect(noInterface.message).toMatch(/interface 7/);
    // A captured length larger than the block.
    expect(bad((_, v) => v.setUint32(shbLength + idbLength + 20, 5000, true)).message).toMatch(/claims 5000 captured bytes/);
  });

  it('skips the packets of an interface with an unsupported link type, and says so when no session remains', () => {
    const file = writePcapng({ interfaces: [{ linkType: 105 }], packets: packets((i) => T0_US + BigInt(i) * STEP_US) });
    const scan = scanCapture(file);
    expect(scan.sessions).toEqual([]);
    expect(noSessionError(scan).message).toMatch(/unsupported link types were skipped: LINKTYPE 105/);
  });
});
