/**
 * TCP reassembly and session finding: retransmitted, reordered and overlapping segments (examples
 * and a fast-check property with a fixed seed), messages split across packets (the time of their
 * last byte) and packed together, sequence numbers wrapping past 2^32, several connections in one
 * capture, a reused 4-tuple, a capture begun mid-session (`port`), lost and snapshot-cut packets,
 * and RST.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { collectTrace, noSessionError, scanCapture, traceCaptureSession, type CaptureScan } from '../../src/tools/trace/index.js';
import { authenticationOk, dataRow, readyForQuery } from '../fixtures/backend-bytes.js';
import { concat } from '../fixtures/bytes.js';
import {
  Conversation,
  frame,
  LINK_ETHERNET,
  TCP_ACK,
  TCP_PSH,
  TCP_RST,
  writePcap,
  type Segment,
} from '../fixtures/capture-writer.js';
import { fxQuery, fxStartupMessage, fxTerminate, V3_0 } from '../fixtures/frontend-bytes.js';
import { canonicalConversation, canonicalLines, canonicalSession, stampOf, STEP_US, T0_US } from '../fixtures/pg-session.js';

process.env.TZ = 'UTC';

const CLIENT = { address: '192.0.2.10', port: 51234 };
const SERVER = { address: '192.0.2.1', port: 5432 };

/** A pcap of segments (of one or more conversations), 1 ms apart. */
function pcapOf(items: { conv: Conversation; seg: Segment; origLen?: number; cut?: number }[]): Uint8Array {
  return writePcap(
    { linkType: LINK_ETHERNET },
    items.map(({ conv, seg, cut }, i) => {
      const data = frame(LINK_ETHERNET, conv.ip(seg));
      return cut === undefined ? { ts: T0_US + BigInt(i) * STEP_US, data } : { ts: T0_US + BigInt(i) * STEP_US, data: data.subarray(0, data.length - cut), origLen: data.length };
    }),
  );
}

const segmentsOf = (conv: Conversation): { conv: Conversation; seg: Segment }[] => conv.segments.map((seg) => ({ conv, seg }));

function traceAll(scan: CaptureScan, n = 0, timestamps = false): ReturnType<typeof collectTrace> {
  return collectTrace(traceCaptureSession(scan.sessions[n]!, { timestamps }));
}

/** The canonical conversation's data segments grouped in flights: runs of segments from one side. */
function flights(conv: Conversation): { from: 'client' | 'server'; index: number; count: number; seq: number; ack: number; bytes: Uint8Array }[] {
  const out: ReturnType<typeof flights> = [];
  conv.segments.forEach((s, index) => {
    if (s.payload.length === 0) return;
    const last = out[out.length - 1];
    if (last !== undefined && last.from === s.from && last.index + last.count === index) {
      last.count++;
      last.bytes = concat(last.bytes, s.payload);
    } else {
      out.push({ from: s.from, index, count: 1, seq: s.seq, ack: s.ack, bytes: s.payload });
    }
  });
  return out;
}

describe('reassembly', () => {
  it('drops retransmitted segments', () => {
    const conv = canonicalConversation();
    const items = segmentsOf(conv).flatMap((x) => (x.seg.payload.length > 0 ? [x, x] : [x]));
    expect(traceAll(scanCapture(pcapOf(items))).lines).toEqual(canonicalLines());
  });

  it('puts reordered segments back in order; a message gets the time of the packet that completed it', () => {
    const conv = new Conversation(CLIENT, SERVER).handshake();
    conv.send('client', fxStartupMessage(V3_0, [['user', 'u']]));
    conv.send('server', concat(authenticationOk(), readyForQuery('I')));
    conv.send('client', fxQuery('SELECT repeat'));
    conv.send('server', concat(dataRow(['x'.repeat(2500)]), readyForQuery('I')), 1000);
    conv.send('client', fxTerminate()).close();
    const items = segmentsOf(conv);
    // Packets 7, 8, 9 (indexes 6..8) carry the DataRow in three parts, the last one with ReadyForQuery;
    // capture them as 8, 9, 7.
    const reordered = [...items.slice(0, 6), items[7]!, items[8]!, items[6]!, ...items.slice(9)];
    const r = traceAll(scanCapture(pcapOf(reordered)), 0, true);
    expect(r.error).toBeNull();
    expect(r.lines).toEqual([
      `${stampOf(3)}F\t16\tStartupMessage\t 3 0 "user" "u"`,
      `${stampOf(4)}B\t8\tAuthenticationOk`,
      `${stampOf(4)}B\t5\tReadyForQuery\t I`,
      `${stampOf(5)}F\t18\tQuery\t "SELECT repeat"`,
      // Complete once packet 7 (captured third, index 8) filled the hole.
      `${stampOf(8)}B\t2510\tDataRow\t 1 2500 '${'x'.repeat(2500)}'`,
      `${stampOf(8)}B\t5\tReadyForQuery\t I`,
      `${stampOf(9)}F\t4\tTerminate`,
    ]);
  });

  it('takes overlapping segments once, the first copy winning', () => {
    const conv = canonicalConversation();
    const [flight] = flights(conv).filter((f) => f.from === 'server' && f.count >= 4);
    const f = flight!;
    const seg = (a: number, b: number, fill?: number): Segment => ({
      from: 'server', seq: (f.seq + a) >>> 0, ack: f.ack, flags: TCP_ACK | TCP_PSH,
      payload: fill === undefined ? f.bytes.subarray(a, b) : new Uint8Array(b - a).fill(fill),
    });
    const n = f.bytes.length;
    const third = Math.floor(n / 3);
    // [0, 2/3) then [1/3, n) overlapping; then a late, conflicting copy of the middle that must lose.
    const replacement = [seg(0, 2 * third), seg(third, n), seg(third, 2 * third, 0x41)].map((s) => ({ conv, seg: s }));
    const items = [...segmentsOf(conv).slice(0, f.index), ...replacement, ...segmentsOf(conv).slice(f.index + f.count)];
    expect(traceAll(scanCapture(pcapOf(items))).lines).toEqual(canonicalLines());
  });

  it('property: any segmentation, order, duplication and overlap within each flight gives the same trace (seed 20240611)', () => {
    const conv = canonicalConversation();
    const all = flights(conv);
    const plan = fc.tuple(...all.map((f) =>
      fc.record({
        cuts: fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, f.bytes.length - 1) }), { maxLength: 6 }),
        extras: fc.array(fc.tuple(fc.nat(f.bytes.length - 1), fc.nat(f.bytes.length)), { maxLength: 4 }),
        order: fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
      }),
    ));
    fc.assert(
      fc.property(plan, (plans) => {
        const items: { conv: Conversation; seg: Segment }[] = [];
        let next = 0;
        all.forEach((f, i) => {
          items.push(...segmentsOf(conv).slice(next, f.index));
          next = f.index + f.count;
          const p = plans[i]!;
          const points = [0, ...[...p.cuts].filter((c) => c < f.bytes.length).sort((a, b) => a - b), f.bytes.length];
          const ranges: [number, number][] = [];
          for (let k = 1; k < points.length; k++) if (points[k]! > points[k - 1]!) ranges.push([points[k - 1]!, points[k]!]);
          for (const [a, b] of p.extras) if (a < Math.min(b, f.bytes.length)) ranges.push([a, Math.min(b, f.bytes.length)]);
          // A deterministic shuffle driven by the generated keys.
          const keyed = ranges.map((r, k) => ({ r, key: p.order[k % p.order.length]! + k / 100 }));
          keyed.sort((x, y) => x.key - y.key);
          for (const { r: [a, b] } of keyed) {
            items.push({ conv, seg: { from: f.from, seq: (f.seq + a) >>> 0, ack: f.ack, flags: TCP_ACK | TCP_PSH, payload: f.bytes.subarray(a, b) } });
          }
        });
        items.push(...segmentsOf(conv).slice(next));
        const r = traceAll(scanCapture(pcapOf(items)));
        expect(r.error).toBeNull();
        expect(r.lines).toEqual(canonicalLines());
      }),
      { seed: 20240611, numRuns: 60 },
    );
  });

  it('packs several messages into one segment and splits one across many', () => {
    const conv = new Conversation(CLIENT, SERVER).handshake();
    const all = canonicalSession();
    // Each flight in one segment; then the same bytes in 7-byte segments.
    for (const f of flights(canonicalConversation())) conv.send(f.from, f.bytes, 100_000);
    expect(traceAll(scanCapture(pcapOf(segmentsOf(conv.close())))).lines).toEqual(all.map((s) => s.line));
    const tiny = new Conversation(CLIENT, SERVER).handshake();
    for (const f of flights(canonicalConversation())) tiny.send(f.from, f.bytes, 7);
    expect(traceAll(scanCapture(pcapOf(segmentsOf(tiny.close())))).lines).toEqual(all.map((s) => s.line));
  });

  for (const isn of [{ client: 0xffff_fff0, server: 0xffff_ff00 }, { client: 0xffff_ffff, server: 0 }]) {
    it(`follows sequence numbers across the 2^32 wrap (ISNs 0x${isn.client.toString(16)}, 0x${isn.server.toString(16)})`, () => {
      const conv = canonicalConversation(CLIENT, SERVER, isn);
      expect(conv.segments.some((s) => s.seq < 0x1000)).toBe(true);
      expect(traceAll(scanCapture(pcapOf(segmentsOf(conv)))).lines).toEqual(canonicalLines());
    });
  }
});

describe('sessions in a capture', () => {
  it('finds every PostgreSQL session on any port, in order of their first packet, and ignores other TCP', () => {
    const a = canonicalConversation({ address: '192.0.2.10', port: 40001 }, { address: '192.0.2.1', port: 6543 });
    const b = canonicalConversation({ address: '2001:db8::10', port: 40002 }, { address: '2001:db8::1', port: 5432 });
    const http = new Conversation({ address: '192.0.2.10', port: 40003 }, { address: '198.51.100.7', port: 80 }).handshake()
      .send('client', new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))
      .send('server', new TextEncoder().encode('HTTP/1.1 200 OK\r\n\r\n'))
      .close();
    const sa = segmentsOf(a);
    const sb = segmentsOf(b);
    const sh = segmentsOf(http);
    const items: typeof sa = [];
    for (let i = 0; i < Math.max(sa.length, sb.length, sh.length); i++) {
      for (const list of [sh, sb, sa]) if (i < list.length) items.push(list[i]!);
    }
    const scan = scanCapture(pcapOf(items));
    expect(scan.connections).toBe(3);
    expect(scan.sessions.map((s) => `${s.number} ${s.client.address}:${s.client.port} ${s.server.address}:${s.server.port} ${s.packets}`)).toEqual([
      `1 2001:db8::10:40002 2001:db8::1:5432 ${sb.length}`,
      `2 192.0.2.10:40001 192.0.2.1:6543 ${sa.length}`,
    ]);
    expect(traceAll(scan, 0).lines).toEqual(canonicalLines());
    expect(traceAll(scan, 1).lines).toEqual(canonicalLines());
  });

  it('tells two connections on one reused 4-tuple apart by their SYNs', () => {
    const first = canonicalConversation(CLIENT, SERVER, { client: 1000, server: 5000 });
    const second = canonicalConversation(CLIENT, SERVER, { client: 900_000, server: 77 });
    const scan = scanCapture(pcapOf([...segmentsOf(first), ...segmentsOf(second)]));
    expect(scan.sessions).toHaveLength(2);
    expect(scan.sessions[1]!.firstPacket).toBe(first.segments.length + 1);
    expect(traceAll(scan, 0).lines).toEqual(canonicalLines());
    expect(traceAll(scan, 1).lines).toEqual(canonicalLines());
  });

  it('a session captured without its SYN is still found by its startup packet', () => {
    const conv = canonicalConversation();
    const scan = scanCapture(pcapOf(segmentsOf(conv).slice(3)));
    expect(traceAll(scan).lines).toEqual(canonicalLines());
  });

  it('a capture begun mid-session is found only with the server port, and decodes from its first whole message', () => {
    const conv = canonicalConversation();
    // From the Query (message 10, packet 13) on: no SYN, no startup packet.
    const items = segmentsOf(conv).slice(13);
    const without = scanCapture(pcapOf(items));
    expect(without.sessions).toEqual([]);
    expect(noSessionError(without).message).toMatch(/give the server port with --port/);
    const scan = scanCapture(pcapOf(items), { port: 5432 });
    expect(scan.sessions).toHaveLength(1);
    expect(scan.sessions[0]!.startup).toBe(false);
    expect(scan.sessions[0]!.server).toEqual(SERVER);
    expect(traceAll(scan).lines).toEqual(canonicalLines().slice(10));
    expect(noSessionError(scanCapture(pcapOf(items), { port: 6000 }), 6000).message).toMatch(/no TCP connection uses port 6000/);
  });

  it('a lost client packet: the lines before it, then PGS_CAPTURE_TRUNCATED naming the gap', () => {
    const conv = canonicalConversation();
    // Drop the Parse (message 15, packet 18).
    const items = segmentsOf(conv).filter((_, i) => i !== 18);
    const r = traceAll(scanCapture(pcapOf(items)));
    expect(r.lines).toEqual(canonicalSession().filter((s, k) => k < 15 || s.side === 'server').map((s) => s.line));
    expect(r.error?.code).toBe(ErrorCode.CAPTURE_TRUNCATED);
    expect(r.error?.message).toBe('the capture lost 26 bytes of the frontend stream at byte offset 106 (a packet was not captured)');
  });

  it('a packet cut by the snapshot length: the error says so', () => {
    const conv = canonicalConversation();
    const items = segmentsOf(conv).map((x, i) => (i === 15 ? { ...x, cut: 5 } : x));
    const r = traceAll(scanCapture(pcapOf(items)));
    expect(r.error?.code).toBe(ErrorCode.CAPTURE_TRUNCATED);
    expect(r.error?.message).toMatch(/lost 5 bytes of the backend stream at byte offset \d+ \(packet 16 was cut to the capture's snapshot length; capture with -s 0\)/);
    expect(r.lines).toEqual(canonicalSession().filter((s, k) => k < 12 || s.side === 'client').map((s) => s.line));
  });

  it('a stream that ends inside a message: PGS_CAPTURE_TRUNCATED with its type and declared length', () => {
    const conv = new Conversation(CLIENT, SERVER).handshake();
    conv.send('client', fxStartupMessage(V3_0, [['user', 'u']]));
    conv.send('server', concat(authenticationOk(), readyForQuery('I')));
    conv.send('client', fxQuery('SELECT 1'));
    conv.send('server', dataRow(['12345']).subarray(0, 9));
    const r = traceAll(scanCapture(pcapOf(segmentsOf(conv.close()))));
    expect(r.lines).toHaveLength(4);
    expect(r.error?.code).toBe(ErrorCode.CAPTURE_TRUNCATED);
    expect(r.error?.message).toBe("the backend stream ends inside a 'D' message of declared length 15 at byte offset 15 (9 bytes present)");
  });

  it('a RST ends the connection: nothing after it is traced', () => {
    const conv = canonicalConversation();
    const items = segmentsOf(conv);
    const rfq = conv.segments[12]!;
    const rst: Segment = { from: 'server', seq: (rfq.seq + rfq.payload.length) >>> 0, ack: rfq.ack, flags: TCP_RST | TCP_ACK, payload: new Uint8Array(0) };
    const r = traceAll(scanCapture(pcapOf([...items.slice(0, 13), { conv, seg: rst }, ...items.slice(13)])));
    expect(r.error).toBeNull();
    expect(r.lines).toEqual(canonicalLines().slice(0, 10));
  });
});
