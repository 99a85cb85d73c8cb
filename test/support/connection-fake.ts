/**
 * A scripted fake PostgreSQL server speaking raw bytes, for startup tests a real server cannot
 * stage (hostile answers to SSLRequest, silence, malformed negotiation). Each accepted socket runs
 * `script(peer)`; `peer` lets the script await the client's startup packets and typed messages and
 * write arbitrary bytes. Server messages are built with the independent fixture encoder.
 */
import net from 'node:net';
import { Bytes } from '../fixtures/bytes.js';

/** The client as the script sees it. */
export class Peer {
  readonly socket: net.Socket;
  /** Every byte received so far. */
  received = new Uint8Array(0);
  #offset = 0;
  #closed = false;
  #waiters: (() => void)[] = [];

  constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      const next = new Uint8Array(this.received.length + chunk.length);
      next.set(this.received);
      next.set(chunk, this.received.length);
      this.received = next;
      this.#wake();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  /** Resolves once `n` unread bytes are available (rejects if the client closes first). */
  async need(n: number): Promise<void> {
    while (this.received.length - this.#offset < n) {
      if (this.#closed) throw new Error(`client closed; wanted ${n} more bytes`);
      await new Promise<void>((r) => this.#waiters.push(r));
    }
  }

  /** Takes `n` bytes. */
  async take(n: number): Promise<Uint8Array> {
    await this.need(n);
    const b = this.received.subarray(this.#offset, this.#offset + n);
    this.#offset += n;
    return b;
  }

  /** Reads an untyped startup packet; returns its code word (protocol version or request code) and body. */
  async startupPacket(): Promise<{ code: number; body: Uint8Array }> {
    const len = new DataView((await this.take(4)).slice().buffer).getInt32(0);
    const rest = (await this.take(len - 4)).slice();
    return { code: new DataView(rest.buffer).getInt32(0), body: rest.subarray(4) };
  }

  /** Reads a typed message: its type letter and body. */
  async message(): Promise<{ type: string; body: Uint8Array }> {
    const head = (await this.take(5)).slice();
    const len = new DataView(head.buffer).getInt32(1);
    return { type: String.fromCharCode(head[0]!), body: (await this.take(len - 4)).slice() };
  }

  /** Resolves when the client closed the connection. */
  async closed(): Promise<void> {
    while (!this.#closed) await new Promise<void>((r) => this.#waiters.push(r));
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  /** Unread bytes. */
  get unread(): number {
    return this.received.length - this.#offset;
  }

  write(...chunks: Uint8Array[]): void {
    for (const c of chunks) this.socket.write(c);
  }
}

/** A listening fake server. */
export interface FakeServer {
  port: number;
  /** The peers of every accepted connection, in order. */
  peers: Peer[];
  /** Failures thrown by scripts (a test asserts this is empty). */
  errors: unknown[];
  close(): Promise<void>;
}

/** Starts a fake server on 127.0.0.1 running `script` for every connection. */
export async function fakeServer(script: (peer: Peer, index: number) => Promise<void>): Promise<FakeServer> {
  const peers: Peer[] = [];
  const errors: unknown[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const peer = new Peer(socket);
    const index = peers.length;
    peers.push(peer);
    script(peer, index).catch((err: unknown) => {
      if (!peer.isClosed) errors.push(err);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    peers,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Backend messages for scripts, from the independent fixture encoder. */
export const B = {
  authOk: (): Uint8Array => new Bytes().i32(0).frame('R'),
  authCleartext: (): Uint8Array => new Bytes().i32(3).frame('R'),
  authMd5: (salt: number[]): Uint8Array => new Bytes().i32(5).raw(salt).frame('R'),
  authSasl: (...mechs: string[]): Uint8Array => {
    const b = new Bytes().i32(10);
    for (const m of mechs) b.cstr(m);
    return b.u8(0).frame('R');
  },
  keyData: (pid: number, key: Uint8Array): Uint8Array => new Bytes().i32(pid).raw(key).frame('K'),
  paramStatus: (name: string, value: string): Uint8Array => new Bytes().cstr(name).cstr(value).frame('S'),
  ready: (status = 'I'): Uint8Array => new Bytes().u8(status.charCodeAt(0)).frame('Z'),
  /** PostgreSQL sends the full version number (major << 16 | minor), whatever the docs' wording. */
  negotiate: (minor: number, options: string[] = []): Uint8Array => {
    const b = new Bytes().i32(3 * 65536 + minor).i32(options.length);
    for (const o of options) b.cstr(o);
    return b.frame('v');
  },
  error: (fields: Record<string, string>): Uint8Array => {
    const b = new Bytes();
    for (const [k, v] of Object.entries(fields)) b.u8(k.charCodeAt(0)).cstr(v);
    return b.u8(0).frame('E');
  },
  notice: (message: string): Uint8Array => new Bytes().u8('S'.charCodeAt(0)).cstr('NOTICE').u8('M'.charCodeAt(0)).cstr(message).u8(0).frame('N'),
  commandComplete: (tag: string): Uint8Array => new Bytes().cstr(tag).frame('C'),
  raw: (...bytes: number[]): Uint8Array => Uint8Array.from(bytes),
  char: (c: string): Uint8Array => Uint8Array.of(c.charCodeAt(0)),
};

/** Codes of the untyped startup packets, written out independently of src/. */
export const PACKET = {
  SSL_REQUEST: 80877103,
  CANCEL_REQUEST: 80877102,
  V3_0: 196608,
  V3_2: 196610,
};

/** The trust-auth happy path after the StartupMessage: AuthOk, key, parameters, ReadyForQuery. */
export function happyStartup(peer: Peer, key: Uint8Array = Uint8Array.of(1, 2, 3, 4)): void {
  peer.write(B.authOk(), B.paramStatus('server_version', '18.0'), B.keyData(4242, key), B.ready());
}
