/**
 * A recording TCP proxy for tests: it forwards each accepted connection to a target server and
 * remembers every chunk in either direction with its arrival time, then writes what it saw as a
 * pcap (Ethernet/IPv4/TCP synthesised by test/fixtures/capture-writer.ts: a three-way handshake,
 * data segments of at most 1448 bytes with consistent sequence and acknowledgement numbers, an ACK
 * for each chunk, FINs as each side closes). The client is 10.0.0.2 (its real source port), the
 * server 10.0.0.1 at the target's port, so a dissector can be pointed at that port.
 */
import net from 'node:net';
import { Conversation, frame, LINK_ETHERNET, writePcap, type Segment } from '../fixtures/capture-writer.js';

/** Largest TCP payload per synthesised segment (a typical Ethernet MSS with timestamps). */
const MSS = 1448;
const CLIENT_ADDRESS = '10.0.0.2';
const SERVER_ADDRESS = '10.0.0.1';

type Side = 'client' | 'server';
type Event = { time: bigint; side: Side; bytes: Uint8Array | null };

interface Recorded {
  readonly clientPort: number;
  readonly opened: bigint;
  readonly events: Event[];
  closed: Promise<void>;
}

/** A running proxy. */
export interface RecordingProxy {
  /** The port the proxy listens on (127.0.0.1). */
  readonly port: number;
  /** The target's port, used as the server port in the capture. */
  readonly serverPort: number;
  /** Waits until every proxied connection has closed on both sides, then stops listening. */
  close(): Promise<void>;
  /** The capture of every connection so far, as a pcap file (microsecond timestamps). */
  pcap(): Uint8Array;
}

/** Epoch microseconds from a monotonic clock anchored at `Date.now()`. */
function clock(): () => bigint {
  const base = BigInt(Date.now()) * 1000n - process.hrtime.bigint() / 1000n;
  return () => base + process.hrtime.bigint() / 1000n;
}

/** Starts a proxy to `target`. */
export async function startRecordingProxy(target: { host: string; port: number }): Promise<RecordingProxy> {
  const now = clock();
  const recorded: Recorded[] = [];
  const server = net.createServer((client) => {
    const events: Event[] = [];
    const upstream = net.connect(target.port, target.host);
    let ends = 0;
    let done: () => void = () => {};
    const rec: Recorded = { clientPort: client.remotePort ?? 0, opened: now(), events, closed: new Promise<void>((resolve) => (done = resolve)) };
    recorded.push(rec);
    const ended = (): void => {
      if (++ends === 2) done();
    };
    const relay = (from: net.Socket, to: net.Socket, side: Side): void => {
      from.on('data', (chunk: Buffer) => {
        events.push({ time: now(), side, bytes: new Uint8Array(chunk) });
        to.write(chunk);
      });
      from.on('end', () => {
        events.push({ time: now(), side, bytes: null });
        to.end();
        ended();
      });
      from.on('error', () => {
        to.destroy();
      });
      from.on('close', () => {
        if (!from.readableEnded) ended();
      });
    };
    relay(client, upstream, 'client');
    relay(upstream, client, 'server');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    serverPort: target.port,
    async close() {
      await Promise.all(recorded.map((r) => r.closed));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    pcap() {
      const timed: { time: bigint; conv: Conversation; seg: Segment }[] = [];
      recorded.forEach((r, i) => {
        // Initial sequence numbers near the top of the space, so that the capture wraps.
        const conv = new Conversation({ address: CLIENT_ADDRESS, port: r.clientPort }, { address: SERVER_ADDRESS, port: target.port }, {
          client: (0xffff_0000 + i * 7919) >>> 0,
          server: (0xfff0_0000 + i * 104729) >>> 0,
        });
        const base = timed.length;
        /** Stamps the segments added since the last call with `time`. */
        const take = (time: bigint): void => {
          while (timed.length - base < conv.segments.length) timed.push({ time, conv, seg: conv.segments[timed.length - base]! });
        };
        conv.handshake();
        take(r.opened);
        for (const e of r.events) {
          if (e.bytes === null) conv.fin(e.side);
          else conv.send(e.side, e.bytes, MSS).ack(e.side === 'client' ? 'server' : 'client');
          take(e.time);
        }
      });
      // Connections interleave in time; a stable sort keeps each one's own order.
      timed.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
      return writePcap({ linkType: LINK_ETHERNET }, timed.map((t) => ({ ts: t.time, data: frame(LINK_ETHERNET, t.conv.ip(t.seg)) })));
    },
  };
}
