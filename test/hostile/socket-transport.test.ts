/**
 * NodeSocketTransport with the real BackendReader, over real sockets: both input paths (direct
 * `onread` into WASM memory, and copied `'data'` chunks) deliver the same messages whatever the
 * chunking, large messages (longer than the reader's input region) arrive intact, unread input
 * stays bounded while the consumer lags (the socket is paused, the peer feels backpressure),
 * end of stream and destruction fail pending and later operations with one typed error.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendReader } from '../../src/protocol/backend-reader.js';
import { NodeSocketTransport } from '../../src/transport/node/socket-transport.js';
import { whenConnected } from '../../src/transport/node/socket-guard.js';
import { ConnectionError, ErrorCode } from '../../src/errors.js';
import type { BackendMessage } from '../../src/protocol/messages.js';
import { Bytes, concat } from '../fixtures/bytes.js';

type Feed = (socket: net.Socket) => void | Promise<void>;

const servers: net.Server[] = [];
const serverSockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of serverSockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function serve(feed: Feed): Promise<number> {
  const server = net.createServer((socket) => {
    serverSockets.push(socket);
    socket.on('error', () => undefined);
    void feed(socket);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

type Mode = 'direct' | 'copy';

async function open(mode: Mode, port: number): Promise<{ transport: NodeSocketTransport; reader: BackendReader }> {
  const reader = new BackendReader();
  const transport = mode === 'direct'
    ? NodeSocketTransport.openDirect({ port, host: '127.0.0.1' })
    : new NodeSocketTransport(net.connect(port, '127.0.0.1'), { encrypted: false });
  transport.attach(reader);
  await whenConnected(transport.stream);
  return { transport, reader };
}

async function next(transport: NodeSocketTransport, reader: BackendReader): Promise<BackendMessage> {
  for (;;) {
    const m = reader.next();
    if (m !== null) return m;
    await transport.fill();
  }
}

/** A CopyData frame whose payload is a deterministic pattern seeded by `seed`. */
function copyData(seed: number, size: number): Uint8Array {
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i++) payload[i] = (seed * 31 + i * 7) & 0xff;
  return new Bytes().raw(payload).frame('d');
}

function checkPattern(data: Uint8Array, seed: number): boolean {
  for (let i = 0; i < data.length; i++) if (data[i] !== ((seed * 31 + i * 7) & 0xff)) return false;
  return true;
}

async function writeAll(socket: net.Socket, chunks: Uint8Array[]): Promise<void> {
  for (const c of chunks) {
    if (!socket.write(c)) await new Promise((r) => socket.once('drain', r));
  }
}

function randomChunks(bytes: Uint8Array, seed: number): Uint8Array[] {
  let x = seed;
  const rnd = (): number => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x;
  };
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + (rnd() % 700);
    out.push(bytes.slice(i, i + n));
    i += n;
  }
  return out;
}

for (const mode of ['direct', 'copy'] as const) {
  describe(`${mode} input path`, () => {
    it('delivers every message intact whatever the chunking, including messages larger than the input region', async () => {
      const sizes = [0, 1, 5, 100, 70_000, 3 * 1024 * 1024, 10, 2_000_000, 17];
      const stream = concat(...sizes.map((n, i) => copyData(i, n)), new Bytes().u8(0x49).frame('Z'));
      const port = await serve(async (socket) => {
        for (const chunk of randomChunks(stream, 7)) {
          socket.write(chunk);
          if (chunk.length % 5 === 0) await new Promise((r) => setImmediate(r));
        }
      });
      const { transport, reader } = await open(mode, port);
      for (let i = 0; i < sizes.length; i++) {
        const m = await next(transport, reader);
        expect(m.type).toBe('CopyData');
        if (m.type !== 'CopyData') return;
        expect(m.data.length).toBe(sizes[i]);
        expect(checkPattern(m.data, i)).toBe(true);
      }
      expect((await next(transport, reader)).type).toBe('ReadyForQuery');
      await transport.end();
    });

    it('keeps unread input bounded while the consumer lags, and the peer feels backpressure', async () => {
      const frame = copyData(1, 64 * 1024);
      const count = 400; // ~26 MB
      let serverBlocked = false;
      let written = 0;
      const port = await serve(async (socket) => {
        for (let i = 0; i < count; i++) {
          written++;
          if (!socket.write(frame)) {
            serverBlocked = true;
            await new Promise((r) => socket.once('drain', r));
          }
        }
      });
      const { transport, reader } = await open(mode, port);
      await new Promise((r) => setTimeout(r, 400));
      // The client holds at most the reader's region plus the bounded queue.
      expect(transport.queued).toBeLessThanOrEqual(512 * 1024);
      expect(reader.buffered).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024 + 16);
      expect(serverBlocked).toBe(true);
      expect(written).toBeLessThan(count);
      let n = 0;
      while (n < count) {
        const m = await next(transport, reader);
        expect(m.type).toBe('CopyData');
        n++;
      }
      await transport.end();
    });

    it('keeps reading while a large write is in progress, so a server blocked on its output cannot deadlock it', async () => {
      const frame = copyData(2, 64 * 1024);
      const count = 256; // 16 MiB each way, far beyond the kernel's socket buffers
      let serverGot = 0;
      const port = await serve(async (socket) => {
        socket.pause();
        for (let i = 0; i < count; i++) {
          if (!socket.write(frame)) await new Promise((r) => socket.once('drain', r));
        }
        socket.on('data', (c: Buffer) => {
          serverGot += c.length;
        });
        socket.resume();
      });
      const { transport, reader } = await open(mode, port);
      const payload = new Uint8Array(count * frame.length);
      await transport.write(payload);
      for (let n = 0; n < count; n++) expect((await next(transport, reader)).type).toBe('CopyData');
      await new Promise((r) => setTimeout(r, 50));
      expect(serverGot).toBe(payload.length);
      await transport.end();
    });

    it('end of stream mid-message rejects fill() with PGS_CONNECTION_CLOSED, then again with the same error', async () => {
      const port = await serve((socket) => {
        socket.end(copyData(3, 100).subarray(0, 50));
      });
      const { transport, reader } = await open(mode, port);
      let err: unknown;
      try {
        await next(transport, reader);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConnectionError);
      expect((err as ConnectionError).code).toBe(ErrorCode.CONNECTION_CLOSED);
      await expect(transport.fill()).rejects.toBe(err);
      await expect(transport.write(Uint8Array.of(1))).rejects.toBe(err);
    });

    it('destroy() rejects the pending fill() and later writes with the given error', async () => {
      const port = await serve(() => undefined);
      const { transport } = await open(mode, port);
      const pending = transport.fill();
      const boom = new ConnectionError(ErrorCode.TIMEOUT, 'stop');
      transport.destroy(boom);
      await expect(pending).rejects.toBe(boom);
      await expect(transport.write(Uint8Array.of(1))).rejects.toBe(boom);
      expect(transport.stream.destroyed).toBe(true);
    });

    it('end() resolves once the peer closed, and is idempotent', async () => {
      const port = await serve((socket) => {
        socket.on('end', () => socket.end());
        socket.resume();
      });
      const { transport } = await open(mode, port);
      await transport.write(Uint8Array.of(1, 2, 3));
      const a = transport.end();
      expect(transport.end()).toBe(a);
      await a;
      expect(transport.stream.destroyed).toBe(true);
      await expect(transport.fill()).rejects.toMatchObject({ code: ErrorCode.CONNECTION_CLOSED });
    });
  });
}

it('a direct-path transport reads into the reader memory (no copy) for ordinary reads', async () => {
  const frames = Array.from({ length: 50 }, (_, i) => copyData(i, 1000));
  const port = await serve(async (socket) => {
    await writeAll(socket, frames);
  });
  const { transport, reader } = await open('direct', port);
  expect(transport.direct).toBe(true);
  for (let i = 0; i < frames.length; i++) {
    const m = await next(transport, reader);
    if (m.type !== 'CopyData') throw new Error(m.type);
    expect(checkPattern(m.data, i)).toBe(true);
  }
  const { directBytes, copiedBytes } = transport.stats;
  expect(directBytes + copiedBytes).toBe(frames.reduce((n, f) => n + f.length, 0));
  expect(directBytes).toBeGreaterThan(copiedBytes);
  await transport.end();
});

it('a copy-path transport copies everything', async () => {
  const port = await serve(async (socket) => {
    await writeAll(socket, [copyData(0, 5000)]);
  });
  const { transport, reader } = await open('copy', port);
  expect(transport.direct).toBe(false);
  await next(transport, reader);
  expect(transport.stats).toEqual({ directBytes: 0, copiedBytes: 5005 });
  await transport.end();
});
