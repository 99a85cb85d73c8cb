/**
 * A WebSocket-to-TCP bridge on the `ws` package, for the WebSocket transport's tests: each WebSocket
 * gets its own TCP connection to the target, binary frames go both ways, and TCP reads are relayed as
 * they come (so frames are not aligned to messages, as with websockify or Neon's wsproxy). The target
 * comes from `?address=host:port` (Neon's convention) or is fixed (websockify's); `protocol` makes
 * the bridge demand and select a subprotocol (websockify's `binary`). Test knobs: `frameSize` splits
 * every server chunk into frames that small (1: a frame per byte), `armDrop(n)` destroys the TCP side
 * of every open connection after `n` more server bytes.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';

/** How the bridge behaves. */
export interface BridgeOptions {
  /** A fixed target (websockify style); without it the target comes from `?address=host:port`. */
  target?: { host: string; port: number };
  /** A subprotocol the client must offer, selected in the handshake (websockify: `binary`). */
  protocol?: string;
  /** Relay server bytes in frames of at most this many bytes. */
  frameSize?: number;
}

/** A running bridge. */
export interface Bridge {
  /** `ws://127.0.0.1:<port>/` */
  readonly url: string;
  /** WebSocket connections accepted so far. */
  readonly connections: number;
  /** Binary frames sent to clients so far, and the bytes in them. */
  readonly relayed: { frames: number; bytes: number };
  /** Binary frames received from clients so far. */
  readonly received: { frames: number };
  /** Destroys the TCP side of every open connection after `bytes` more server bytes are relayed. */
  armDrop(bytes: number): void;
  close(): Promise<void>;
}

/** Starts a bridge on a free loopback port. */
export async function startBridge(options: BridgeOptions = {}): Promise<Bridge> {
  const stats = { connections: 0, frames: 0, bytes: 0 };
  const received = { frames: 0 };
  let dropAt = Infinity;
  const open = new Set<{ ws: WebSocket; tcp: net.Socket }>();
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (offered) => (options.protocol !== undefined && offered.has(options.protocol) ? options.protocol : false),
    verifyClient: (info, done) => {
      const offered = String(info.req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
      if (options.protocol !== undefined && !offered.includes(options.protocol)) done(false, 400, `the ${options.protocol} subprotocol is required`);
      else done(true);
    },
  });
  wss.on('connection', (ws, req) => {
    stats.connections++;
    const address = new URL(req.url ?? '/', 'ws://bridge').searchParams.get('address');
    const [host, port] = options.target !== undefined ? [options.target.host, options.target.port] : [address?.replace(/:\d+$/, ''), Number(address?.split(':').pop())];
    if (host === undefined || !Number.isInteger(port)) return ws.close(1008, 'no target: give ?address=host:port');
    const tcp = net.connect(port, host);
    const pair = { ws, tcp };
    open.add(pair);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      received.frames++;
      if (isBinary) tcp.write(data);
      else ws.close(1003, 'binary frames only');
    });
    ws.on('close', () => {
      open.delete(pair);
      tcp.end();
    });
    tcp.on('data', (chunk: Buffer) => {
      let data = chunk;
      if (stats.bytes + data.length >= dropAt) data = data.subarray(0, Math.max(0, dropAt - stats.bytes));
      const size = options.frameSize ?? data.length;
      for (let at = 0; at < data.length; at += size) {
        ws.send(data.subarray(at, at + size), { binary: true });
        stats.frames++;
      }
      stats.bytes += data.length;
      if (stats.bytes >= dropAt) tcp.destroy();
    });
    tcp.on('error', (err) => ws.close(1011, `target error: ${err.message}`.slice(0, 120)));
    tcp.on('close', () => {
      if (ws.readyState === ws.OPEN) ws.close(1000, 'target closed');
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const { port } = wss.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}/`,
    get connections() {
      return stats.connections;
    },
    relayed: stats,
    received,
    armDrop(bytes) {
      dropAt = stats.bytes + bytes;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const { ws, tcp } of open) {
          ws.terminate();
          tcp.destroy();
        }
        wss.close(() => resolve());
      }),
  };
}
