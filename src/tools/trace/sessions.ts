/**
 * Finding the PostgreSQL sessions of a capture: every packet is taken down to TCP (link layer, IP,
 * TCP), each TCP connection's two directions are reassembled, and a connection is a session when
 * its client's first bytes are a startup-phase packet (session-start.ts) — on any port — or, with
 * `port`, when one side uses that port (that side is the server; the capture may then start
 * mid-session). The client is the side that sent the SYN when the capture has it, else the side
 * whose first bytes are a startup packet. A new SYN on a finished 4-tuple starts a new connection.
 *
 * Connections found not to be PostgreSQL are dropped at once, so the bytes kept are those of the
 * sessions (views into the capture). A capture that cannot be read to its end still gives the
 * sessions read so far, with the error beside them.
 */
import { PgStreamError } from '../../errors.js';
import { readCapture } from './capture-file.js';
import type { SideChunk } from './conversation.js';
import { decodeIp, IpProtocol } from './ip.js';
import { decapsulate } from './link-layer.js';
import { isSupportedLinkType, type CapturedPacket } from './packet.js';
import { TcpReassembler, type StreamChunk, type StreamGap } from './reassembly.js';
import { classifyStart, START_BYTES, type StreamStart } from './session-start.js';
import type { Side } from './stream-decoders.js';
import { decodeTcp, type TcpSegment } from './tcp.js';

/** An address and port. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/** One PostgreSQL session of a capture. */
export interface CaptureSession {
  /** 1-based, in the order the sessions' first packets appear. */
  readonly number: number;
  readonly client: Endpoint;
  readonly server: Endpoint;
  /** Both directions' bytes in capture order. */
  readonly chunks: readonly SideChunk[];
  /** Where the capture lost bytes of a direction, if it did. */
  readonly gaps: Readonly<Record<Side, StreamGap | null>>;
  /** Number of the connection's first packet in the capture. */
  readonly firstPacket: number;
  /** Time of that packet (epoch ms), when known. */
  readonly firstTime: number | undefined;
  /** Packets of the connection. */
  readonly packets: number;
  /** True when the client's stream starts with a startup-phase packet (false: captured mid-session). */
  readonly startup: boolean;
  /** True when every packet of the session has a capture time. */
  readonly timed: boolean;
}

/** What a scan found. */
export interface CaptureScan {
  readonly sessions: readonly CaptureSession[];
  /** Why the capture could not be read to its end (after `packets` packets), or null. */
  readonly error: PgStreamError | null;
  readonly packets: number;
  /** TCP connections seen. */
  readonly connections: number;
  /** Connections not recognised as PostgreSQL whose client starts with a TLS handshake. */
  readonly tlsConnections: number;
  /** Link types of packets that were skipped because they are not decoded here. */
  readonly skippedLinkTypes: ReadonlySet<number>;
  /** IP fragments skipped (not reassembled). */
  readonly fragments: number;
}

/** Options of `scanCapture`. */
export interface ScanOptions {
  /** The server's TCP port: every connection using it is a session, however it starts. */
  readonly port?: number;
  /** Called now and then with the bytes of the file read so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

type Status = 'undecided' | 'session' | 'other';
const PROGRESS_EVERY = 4096;

/** One TCP connection; side 0 is the source of its first packet. */
class Connection {
  readonly endpoints: [Endpoint, Endpoint];
  readonly streams: [TcpReassembler, TcpReassembler] = [new TcpReassembler(), new TcpReassembler()];
  readonly synSequence: [number | null, number | null] = [null, null];
  chunks: { side: 0 | 1; chunk: StreamChunk }[] = [];
  client: 0 | 1 | null = null;
  status: Status = 'undecided';
  starts: [StreamStart, StreamStart] = ['undecided', 'undecided'];
  packets = 0;
  timed = true;

  constructor(
    source: Endpoint,
    destination: Endpoint,
    readonly firstPacket: number,
    readonly firstTime: number | undefined,
  ) {
    this.endpoints = [source, destination];
  }

  sideOf(source: Endpoint): 0 | 1 {
    const a = this.endpoints[0];
    return a.address === source.address && a.port === source.port ? 0 : 1;
  }

  /** The first bytes of each side (up to START_BYTES), collected as they are delivered. */
  readonly heads: [number[], number[]] = [[], []];

  deliver(side: 0 | 1, chunk: StreamChunk): void {
    this.chunks.push({ side, chunk });
    const head = this.heads[side];
    for (let i = 0; i < chunk.bytes.length && head.length < START_BYTES; i++) head.push(chunk.bytes[i]!);
  }

  /** What `side`'s first bytes are. */
  start(side: 0 | 1, final: boolean): StreamStart {
    return classifyStart(Uint8Array.from(this.heads[side]), final || this.streams[side].finished);
  }
}

function key(a: Endpoint, b: Endpoint): string {
  const x = `${a.address}|${a.port}`;
  const y = `${b.address}|${b.port}`;
  return x < y ? `${x}|${y}` : `${y}|${x}`;
}

/** Decides whether a connection is a session once enough of it has been seen; returns the status. */
function decide(c: Connection, port: number | undefined, final: boolean): Status {
  for (const side of [0, 1] as const) {
    if (c.starts[side] === 'undecided') c.starts[side] = c.start(side, final);
  }
  if (port !== undefined) {
    const [a, b] = c.endpoints;
    if (a.port !== port && b.port !== port) c.status = 'other';
    else {
      c.status = 'session';
      if (a.port !== b.port) c.client = a.port === port ? 1 : 0;
      else if (c.client === null) c.client = c.starts[1] === 'postgres' ? 1 : 0;
    }
    return c.status;
  }
  const candidates: (0 | 1)[] = c.client !== null ? [c.client] : [0, 1];
  const hit = candidates.find((side) => c.starts[side] === 'postgres');
  if (hit !== undefined) {
    c.client = hit;
    c.status = 'session';
  } else if (final || candidates.every((side) => c.starts[side] !== 'undecided')) {
    c.status = 'other';
  }
  return c.status;
}

/** Reads a capture and returns its PostgreSQL sessions. Throws only when not one packet could be read. */
export function scanCapture(file: Uint8Array, options: ScanOptions = {}): CaptureScan {
  const { port, onProgress } = options;
  const open = new Map<string, Connection>();
  const all: Connection[] = [];
  const skippedLinkTypes = new Set<number>();
  let fragments = 0;
  let packets = 0;
  let error: PgStreamError | null = null;

  const take = (packet: CapturedPacket): void => {
    if (!isSupportedLinkType(packet.linkType)) {
      skippedLinkTypes.add(packet.linkType);
      return;
    }
    const network = decapsulate(packet.linkType, packet.data);
    const ip = network === null ? null : decodeIp(network);
    if (ip === null || ip.protocol !== IpProtocol.TCP) return;
    if (ip.fragment) {
      fragments++;
      return;
    }
    const tcp = decodeTcp(ip.payload);
    if (tcp === null) return;
    const source = { address: ip.source, port: tcp.sourcePort };
    const destination = { address: ip.destination, port: tcp.destinationPort };
    const k = key(source, destination);
    let c = open.get(k);
    if (c === undefined || isNewConnection(c, tcp, c.sideOf(source))) {
      c = new Connection(source, destination, packet.number, packet.time);
      open.set(k, c);
      all.push(c);
    }
    c.packets++;
    if (packet.time === undefined) c.timed = false;
    if (c.status === 'other') return;
    const side = c.sideOf(source);
    if (tcp.syn) {
      c.synSequence[side] ??= tcp.sequence;
      if (c.client === null) c.client = tcp.ack ? ((1 - side) as 0 | 1) : side;
    }
    c.streams[side].segment({ ...tcp, missing: ip.missing }, packet.time, packet.number, (chunk) => c.deliver(side, chunk));
    // A reset ends both directions: nothing either side sends afterwards belongs to the session.
    if (tcp.rst) c.streams[1 - side]!.abort();
    if (c.status === 'undecided' && decide(c, port, false) === 'other') c.chunks = [];
  };

  try {
    for (const packet of readCapture(file)) {
      packets++;
      take(packet);
      if (onProgress !== undefined && packets % PROGRESS_EVERY === 0) {
        onProgress(packet.data.byteOffset - file.byteOffset + packet.data.length, file.length);
      }
    }
  } catch (err) {
    if (!(err instanceof PgStreamError) || packets === 0) throw err;
    error = err;
  }
  onProgress?.(file.length, file.length);

  let tlsConnections = 0;
  const sessions: CaptureSession[] = [];
  for (const c of all) {
    if (c.status === 'undecided') decide(c, port, true);
    if (c.status !== 'session' || c.client === null) {
      if (c.starts.includes('tls')) tlsConnections++;
      continue;
    }
    const client = c.client;
    const server = (1 - client) as 0 | 1;
    const start = c.start(client, true);
    sessions.push({
      number: sessions.length + 1,
      client: c.endpoints[client],
      server: c.endpoints[server],
      chunks: c.chunks.map(({ side, chunk }) => ({ side: side === client ? 'frontend' : 'backend', bytes: chunk.bytes, time: chunk.time })),
      gaps: { frontend: c.streams[client].gap(), backend: c.streams[server].gap() },
      firstPacket: c.firstPacket,
      firstTime: c.firstTime,
      packets: c.packets,
      startup: start === 'postgres' || start === 'tls',
      timed: c.timed,
    });
  }
  return { sessions, error, packets, connections: all.length, tlsConnections, skippedLinkTypes, fragments };
}

/** A SYN opening a new connection on a 4-tuple already seen: the old one ended, or this SYN is another. */
function isNewConnection(c: Connection, tcp: TcpSegment, side: 0 | 1): boolean {
  if (!tcp.syn || tcp.ack) return false;
  const previous = c.synSequence[side];
  if (previous !== null) return previous !== tcp.sequence;
  return c.streams[0].finished || c.streams[1].finished;
}
