/**
 * A loopback rig for the fault proxy's own tests: a plain TCP peer standing in for the server, the
 * proxy in front of it, and a client socket connected through it; each end records what it
 * receives, so a test writes bytes on one side and asserts what reached the other.
 */
import net from 'node:net';
import { afterEach } from 'vitest';
import { concat } from '../fixtures/bytes.js';
import { sleep, within } from './fake-assert.js';
import { startFaultProxy } from './fault-proxy.js';
import type { FaultProxy, Plan } from './fault-proxy.js';

/** How long a rig waits for bytes or a connection. */
const WAIT = 2_000;

/** One end of the proxied connection, recording what it receives. */
export class End {
  readonly chunks: Uint8Array[] = [];
  readonly events: string[] = [];
  readonly closed: Promise<void>;
  constructor(readonly socket: net.Socket) {
    socket.on('data', (c: Buffer) => this.chunks.push(new Uint8Array(c)));
    socket.on('end', () => this.events.push('end'));
    socket.on('error', (e: NodeJS.ErrnoException) => this.events.push(`error ${e.code ?? e.message}`));
    this.closed = new Promise((r) => socket.once('close', () => r()));
  }
  get received(): Uint8Array {
    return concat(...this.chunks);
  }
  /** Waits until at least `n` bytes arrived. */
  async bytes(n: number): Promise<Uint8Array> {
    await within(
      (async () => {
        while (this.received.length < n) await sleep(2);
      })(),
      WAIT,
      `${n} bytes`,
    );
    return this.received;
  }
  write(...parts: Uint8Array[]): void {
    this.socket.write(concat(...parts));
  }
}

/** The three parts of a rig. */
export interface Rig {
  proxy: FaultProxy;
  client: End;
  server: End;
}

/**
 * Returns a rig factory whose rigs (and anything passed to `track`) are closed after each test of
 * the calling file.
 */
export function loopbackRigs(): { rig: (plan: Plan) => Promise<Rig>; track: (close: () => Promise<void>) => void } {
  let cleanup: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.reverse()) await c();
    cleanup = [];
  });
  const track = (close: () => Promise<void>): void => {
    cleanup.push(close);
  };
  const rig = async (plan: Plan): Promise<Rig> => {
    const accepted: net.Socket[] = [];
    const peer = net.createServer((s) => accepted.push(s));
    await new Promise<void>((r) => peer.listen(0, '127.0.0.1', () => r()));
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: (peer.address() as net.AddressInfo).port }, plan });
    const client = new End(proxy.dial());
    track(async () => {
      await proxy.close();
      for (const s of accepted) s.destroy();
      await new Promise<void>((r) => peer.close(() => r()));
    });
    await within(
      (async () => {
        while (accepted.length === 0) await sleep(2);
      })(),
      WAIT,
      'the proxy connecting upstream',
    );
    return { proxy, client, server: new End(accepted[0]!) };
  };
  return { rig, track };
}
