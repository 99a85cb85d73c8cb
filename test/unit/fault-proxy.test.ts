/**
 * The fault proxy itself (test/support/fault-proxy.ts), between a plain client socket and a
 * loopback peer written here: it frames both directions as PostgreSQL does, and every action does
 * what it says — bytes counted, split sizes observed, a stall really stalls, a reorder really
 * reorders — while nothing it does throws into the test process.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Bytes, concat } from '../fixtures/bytes.js';
import { sleep, trackUnhandled, within } from '../support/fake-assert.js';
import { randomSplitter } from '../support/fault-plan.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import type { FaultProxy, Plan } from '../support/fault-proxy.js';
import { decodeAuthenticationSASL, encodeAuthenticationSASL, StartupCode } from '../support/fault-wire.js';

trackUnhandled();

const PROTOCOL_3_0 = 196608;
const TLS_HANDSHAKE_RECORD = 0x16;
const WAIT = 2_000;

const startup = new Bytes().i32(PROTOCOL_3_0).cstr('user').cstr('alice').u8(0).packet();
const sslRequest = new Bytes().i32(StartupCode.SSL_REQUEST).packet();
const gssRequest = new Bytes().i32(StartupCode.GSSENC_REQUEST).packet();
const cancelRequest = new Bytes().i32(StartupCode.CANCEL_REQUEST).i32(42).i32(7).packet();
const query = (sql: string): Uint8Array => new Bytes().cstr(sql).frame('Q');
const authOk = new Bytes().i32(0).frame('R');
const authMd5 = new Bytes().i32(5).u8(1, 2, 3, 4).frame('R');
const authSaslContinue = new Bytes().i32(11).str('r=abc,s=c2FsdA==,i=4096').frame('R');
const password = (s: string): Uint8Array => new Bytes().cstr(s).frame('p');
const param = (k: string, v: string): Uint8Array => new Bytes().cstr(k).cstr(v).frame('S');
const ready = new Bytes().str('I').frame('Z');
const notice = new Bytes().str('SNOTICE').u8(0).u8(0).frame('N');

/** One end of the proxied connection, recording what it receives. */
class End {
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

interface Rig {
  proxy: FaultProxy;
  client: End;
  server: End;
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

/** A loopback peer standing in for the server, the proxy in front of it, and a client connected through. */
async function rig(plan: Plan): Promise<Rig> {
  const accepted: net.Socket[] = [];
  const peer = net.createServer((s) => accepted.push(s));
  await new Promise<void>((r) => peer.listen(0, '127.0.0.1', () => r()));
  const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: (peer.address() as net.AddressInfo).port }, plan });
  const client = new End(proxy.dial());
  cleanup.push(async () => {
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
}

describe('framing', () => {
  it('passes bytes through unchanged and names every message in both directions', async () => {
    const { proxy, client, server } = await rig([]);
    client.write(startup);
    await server.bytes(startup.length);
    server.write(authMd5);
    await client.bytes(authMd5.length);
    client.write(password('md5abc'), query('SELECT 1'));
    server.write(authOk, param('server_version', '18'), ready);
    const up = await server.bytes(startup.length + password('md5abc').length + query('SELECT 1').length);
    const down = await client.bytes(authMd5.length + authOk.length + param('server_version', '18').length + ready.length);
    expect(up).toEqual(concat(startup, password('md5abc'), query('SELECT 1')));
    expect(down).toEqual(concat(authMd5, authOk, param('server_version', '18'), ready));
    const c = proxy.connections[0]!;
    expect(c.frontend.messages).toEqual(['StartupMessage', 'PasswordMessage', 'Query']);
    expect(c.backend.messages).toEqual(['AuthenticationMD5Password', 'AuthenticationOk', 'ParameterStatus', 'ReadyForQuery']);
    expect(c.frontend.bytesIn).toBe(up.length);
    expect(c.frontend.bytesOut).toBe(up.length);
    expect(c.backend.bytesIn).toBe(down.length);
    expect(c.backend.bytesOut).toBe(down.length);
    expect(proxy.errors).toEqual([]);
  });

  it('frames a message that arrives one byte at a time', async () => {
    const { proxy, client, server } = await rig([]);
    for (const b of startup) {
      client.write(Uint8Array.of(b));
      await sleep(1);
    }
    await server.bytes(startup.length);
    expect(proxy.connections[0]!.frontend.messages).toEqual(['StartupMessage']);
  });

  it('after SSLRequest and S, everything is opaque in both directions', async () => {
    const { proxy, client, server } = await rig([]);
    client.write(sslRequest);
    await server.bytes(sslRequest.length);
    server.write(new Bytes().str('S').body());
    await client.bytes(1);
    client.write(Uint8Array.of(TLS_HANDSHAKE_RECORD, 3, 1, 0, 1, 0));
    server.write(Uint8Array.of(TLS_HANDSHAKE_RECORD, 3, 3, 0, 2, 9, 9));
    await server.bytes(sslRequest.length + 6);
    await client.bytes(8);
    const c = proxy.connections[0]!;
    expect(c.frontend.messages).toEqual(['SSLRequest', 'Encrypted']);
    expect(c.backend.messages).toEqual(['SSLResponse', 'Encrypted']);
  });

  it('after SSLRequest and N, a StartupMessage follows; GSSENCRequest, CancelRequest and direct TLS are named', async () => {
    const a = await rig([]);
    a.client.write(sslRequest);
    await a.server.bytes(sslRequest.length);
    a.server.write(new Bytes().str('N').body());
    await a.client.bytes(1);
    a.client.write(gssRequest);
    await a.server.bytes(sslRequest.length + gssRequest.length);
    a.server.write(new Bytes().str('N').body());
    await a.client.bytes(2);
    a.client.write(startup);
    await a.server.bytes(sslRequest.length + gssRequest.length + startup.length);
    const sasl = encodeAuthenticationSASL(['SCRAM-SHA-256']);
    const initial = new Bytes().cstr('SCRAM-SHA-256').i32(3).str('n,,').frame('p');
    const final = new Bytes().str('c=biws').frame('p');
    a.server.write(sasl);
    await a.client.bytes(2 + sasl.length);
    a.client.write(initial);
    a.server.write(authSaslContinue);
    await a.client.bytes(2 + sasl.length + authSaslContinue.length);
    a.client.write(final);
    await a.server.bytes(sslRequest.length + gssRequest.length + startup.length + initial.length + final.length);
    expect(a.proxy.connections[0]!.frontend.messages).toEqual([
      'SSLRequest',
      'GSSENCRequest',
      'StartupMessage',
      'SASLInitialResponse',
      'SASLResponse',
    ]);
    expect(a.proxy.connections[0]!.backend.messages).toEqual(['SSLResponse', 'GSSENCResponse', 'AuthenticationSASL', 'AuthenticationSASLContinue']);

    const b = await rig([]);
    b.client.write(cancelRequest);
    await b.server.bytes(cancelRequest.length);
    expect(b.proxy.connections[0]!.frontend.messages).toEqual(['CancelRequest']);

    const c = await rig([]);
    c.client.write(Uint8Array.of(TLS_HANDSHAKE_RECORD, 3, 1, 0, 5));
    await c.server.bytes(5);
    expect(c.proxy.connections[0]!.frontend.messages).toEqual(['Encrypted']);
  });

  it('a length it cannot believe turns the direction into opaque pass-through, with a note', async () => {
    const { proxy, client, server } = await rig([]);
    client.write(startup);
    await server.bytes(startup.length);
    const bogus = Uint8Array.of(0x51, 0, 0, 0, 2, 1, 2, 3);
    client.write(bogus);
    expect((await server.bytes(startup.length + bogus.length)).subarray(startup.length)).toEqual(bogus);
    const c = proxy.connections[0]!;
    expect(c.frontend.messages).toEqual(['StartupMessage', 'Garbage']);
    expect(c.events.some((e) => e.includes('length 2 out of range'))).toBe(true);
  });
});

describe('drop', () => {
  const backend = concat(authOk, param('a', 'b'), param('c', 'd'), ready);

  it.each([
    [0, 'fin'],
    [1, 'fin'],
    [9, 'fin'],
    [20, 'rst'],
    [backend.length - 1, 'rst'],
  ] as const)('backend after %i bytes (%s): the client gets exactly those bytes, then the close', async (n, how) => {
    const { proxy, client, server } = await rig([{ direction: 'backend', when: { afterBytes: n }, action: { do: 'drop', how } }]);
    client.write(startup);
    await server.bytes(startup.length);
    server.write(backend);
    await within(client.closed, WAIT, 'the client close');
    expect(client.received).toEqual(backend.subarray(0, n));
    if (how === 'fin') {
      expect(client.events).toEqual(['end']);
    } else {
      expect(client.events).toEqual(['error ECONNRESET']);
    }
    await within(server.closed, WAIT, 'the server side close');
    const c = proxy.connections[0]!;
    expect(c.backend.bytesOut).toBe(n);
    expect(c.events).toContain(`proxy ${how}`);
  });

  it('frontend after N bytes: the server gets exactly N bytes, the client is reset', async () => {
    const { client, server } = await rig([{ direction: 'frontend', when: { afterBytes: startup.length + 3 }, action: { do: 'drop', how: 'rst' } }]);
    client.write(startup, query('SELECT 1'));
    await within(server.closed, WAIT, 'the server side close');
    expect(server.received).toEqual(concat(startup, query('SELECT 1')).subarray(0, startup.length + 3));
    await within(client.closed, WAIT, 'the client close');
    expect(client.events).toEqual(['error ECONNRESET']);
  });

  it('at a message: not forwarded by default, forwarded with forward: true', async () => {
    const a = await rig([{ direction: 'backend', when: { message: 'ParameterStatus', nth: 2 }, action: { do: 'drop' } }]);
    a.server.write(authOk, param('a', 'b'), param('c', 'd'), ready);
    await within(a.client.closed, WAIT, 'the client close');
    expect(a.client.received).toEqual(concat(authOk, param('a', 'b')));

    const b = await rig([{ direction: 'backend', when: { message: 'ParameterStatus', nth: 2 }, action: { do: 'drop', forward: true } }]);
    b.server.write(authOk, param('a', 'b'), param('c', 'd'), ready);
    await within(b.client.closed, WAIT, 'the client close');
    expect(b.client.received).toEqual(concat(authOk, param('a', 'b'), param('c', 'd')));
  });

  it('truncate forwards the first bytes of the message, then closes', async () => {
    const { client, server } = await rig([{ direction: 'backend', when: { message: 'ReadyForQuery' }, action: { do: 'truncate', keep: 3 } }]);
    server.write(authOk, ready);
    await within(client.closed, WAIT, 'the client close');
    expect(client.received).toEqual(concat(authOk, ready.subarray(0, 3)));
    expect(client.events).toEqual(['end']);
  });
});

describe('shaping', () => {
  it('split into 1-byte writes: every write is one byte, the receiver reads many chunks, the bytes are intact', async () => {
    const { proxy, client, server } = await rig([{ direction: 'backend', when: { always: true }, action: { do: 'split', sizes: [1] } }]);
    const sent = concat(authOk, param('server_version', '18.0'), ready);
    server.write(sent);
    expect(await client.bytes(sent.length)).toEqual(sent);
    const c = proxy.connections[0]!;
    expect(c.backend.writes).toEqual(new Array(sent.length).fill(1));
    expect(client.chunks.length).toBeGreaterThan(1);
  });

  it('split cycles through fixed sizes per message', async () => {
    const { proxy, client, server } = await rig([{ direction: 'backend', when: { message: 'ParameterStatus' }, action: { do: 'split', sizes: [2, 3] } }]);
    const p = param('k', 'v'); // 9 bytes
    server.write(authOk, p);
    expect(await client.bytes(authOk.length + p.length)).toEqual(concat(authOk, p));
    expect(proxy.connections[0]!.backend.writes).toEqual([authOk.length, 2, 3, 2, 2]);
  });

  it('a seeded random split is reproducible from its seed and stays within its bounds', async () => {
    const seed = 1234;
    const { proxy, client, server } = await rig([{ direction: 'backend', when: { always: true }, action: { do: 'split', seed, min: 2, max: 5 } }]);
    const msgs = [authOk, param('server_version', '18.0'), param('TimeZone', 'UTC'), ready];
    server.write(...msgs);
    const all = concat(...msgs);
    expect(await client.bytes(all.length)).toEqual(all);
    const writes = proxy.connections[0]!.backend.writes;
    const replay = randomSplitter(seed, 2, 5);
    expect(writes).toEqual(msgs.flatMap((m) => replay.sizes(m.length)));
    expect(writes.every((w) => w >= 1 && w <= 5)).toBe(true);
    expect(new Set(writes).size).toBeGreaterThan(1);
    expect(randomSplitter(seed + 1, 2, 5).sizes(all.length)).not.toEqual(randomSplitter(seed, 2, 5).sizes(all.length));
  });

  it('delay per message holds each message back', async () => {
    const ms = 40;
    const { client, server } = await rig([{ direction: 'backend', when: { always: true }, action: { do: 'delay', ms } }]);
    const t0 = performance.now();
    server.write(authOk, param('a', 'b'), ready);
    await client.bytes(authOk.length + param('a', 'b').length + ready.length);
    // Three messages, each waiting `ms` after the previous write (timers may fire ≤ 1 ms early).
    expect(performance.now() - t0).toBeGreaterThanOrEqual(3 * ms - 3);
  });

  it('delay per chunk waits before every piece of a split message', async () => {
    const ms = 15;
    const { proxy, client, server } = await rig([
      { direction: 'backend', when: { always: true }, action: { do: 'split', sizes: [3] } },
      { direction: 'backend', when: { always: true }, action: { do: 'delay', ms, per: 'chunk' } },
    ]);
    const t0 = performance.now();
    server.write(param('k', 'v'));
    await client.bytes(9);
    expect(proxy.connections[0]!.backend.writes).toEqual([3, 3, 3]);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(3 * ms - 3);
  });
});

describe('stall', () => {
  it('stops forwarding one direction without closing; the other keeps flowing', async () => {
    const { proxy, client, server } = await rig([{ direction: 'backend', when: { message: 'ParameterStatus' }, action: { do: 'stall' } }]);
    server.write(authOk, param('a', 'b'), ready);
    await client.bytes(authOk.length);
    await sleep(150);
    expect(client.received).toEqual(authOk);
    server.write(notice);
    client.write(query('SELECT 1'));
    expect(await server.bytes(query('SELECT 1').length)).toEqual(query('SELECT 1'));
    await sleep(100);
    expect(client.received).toEqual(authOk);
    expect(client.events).toEqual([]);
    expect(client.socket.destroyed).toBe(false);
    const c = proxy.connections[0]!;
    expect(c.backend.bytesHeld).toBe(param('a', 'b').length + ready.length + notice.length);
    expect(c.backend.messages).toEqual(['AuthenticationOk', 'ParameterStatus', 'ReadyForQuery', 'NoticeResponse']);
  });

  it('both: nothing moves either way, and the stalled side never sees the other close', async () => {
    const { proxy, client, server } = await rig([{ direction: 'frontend', when: { afterBytes: startup.length + 2 }, action: { do: 'stall', both: true } }]);
    client.write(startup, query('SELECT 1'));
    await server.bytes(startup.length + 2);
    server.write(authOk);
    await sleep(150);
    expect(server.received).toEqual(concat(startup, query('SELECT 1')).subarray(0, startup.length + 2));
    expect(client.received.length).toBe(0);
    server.socket.end();
    await sleep(100);
    expect(client.events).toEqual([]);
    expect(proxy.connections[0]!.backend.ended).toBe(true);
  });
});

describe('message faults', () => {
  it('inject after a message in the same write (the CVE-2021-23222 shape)', async () => {
    const junk = new Bytes().str('Zjunk').body();
    const { proxy, client, server } = await rig([{ direction: 'backend', when: { message: 'SSLResponse' }, action: { do: 'inject', bytes: junk } }]);
    client.write(sslRequest);
    await server.bytes(sslRequest.length);
    server.write(new Bytes().str('S').body());
    expect(await client.bytes(1 + junk.length)).toEqual(concat(new Bytes().str('S').body(), junk));
    expect(proxy.connections[0]!.backend.writes).toEqual([1 + junk.length]);
  });

  it('inject before, and later as a write of its own', async () => {
    const junk = Uint8Array.of(1, 2, 3);
    const { proxy, client, server } = await rig([
      { direction: 'backend', when: { message: 'AuthenticationOk' }, action: { do: 'inject', bytes: junk, before: true } },
      { direction: 'backend', when: { message: 'ReadyForQuery' }, action: { do: 'inject', bytes: junk, delayMs: 30 } },
    ]);
    server.write(authOk, ready);
    expect(await client.bytes(authOk.length + ready.length + 6)).toEqual(concat(junk, authOk, ready, junk));
    expect(proxy.connections[0]!.backend.writes).toEqual([junk.length + authOk.length, ready.length, junk.length]);
  });

  it('rewrites the SASL mechanism list', async () => {
    const { client, server } = await rig([{ direction: 'backend', when: { message: 'AuthenticationSASL' }, action: { do: 'rewriteSasl', mechanisms: ['SCRAM-SHA-256-PLUS', 'X-UNKNOWN'] } }]);
    server.write(encodeAuthenticationSASL(['SCRAM-SHA-256']));
    const expected = encodeAuthenticationSASL(['SCRAM-SHA-256-PLUS', 'X-UNKNOWN']);
    const got = await client.bytes(expected.length);
    expect(got).toEqual(expected);
    expect(decodeAuthenticationSASL(got)).toEqual(['SCRAM-SHA-256-PLUS', 'X-UNKNOWN']);
    // The length word counts what follows the type byte.
    expect(new DataView(got.buffer, got.byteOffset).getInt32(1)).toBe(got.length - 1);
  });

  it('duplicates a message', async () => {
    const { client, server } = await rig([{ direction: 'backend', when: { message: 'AuthenticationOk' }, action: { do: 'duplicate' } }]);
    server.write(authOk, ready);
    expect(await client.bytes(2 * authOk.length + ready.length)).toEqual(concat(authOk, authOk, ready));
  });

  it('reorders a message with the next one', async () => {
    const a = param('a', '1');
    const b = param('b', '2');
    const { proxy, client, server } = await rig([{ direction: 'backend', when: { message: 'ParameterStatus' }, action: { do: 'reorder' } }]);
    server.write(authOk, a, b, ready);
    expect(await client.bytes(authOk.length + a.length + b.length + ready.length)).toEqual(concat(authOk, b, a, ready));
    expect(proxy.connections[0]!.backend.messages).toEqual(['AuthenticationOk', 'ParameterStatus', 'ParameterStatus', 'ReadyForQuery']);
  });

  it('a held message is released at EOF when nothing follows it', async () => {
    const { client, server } = await rig([{ direction: 'backend', when: { message: 'ReadyForQuery' }, action: { do: 'reorder' } }]);
    server.write(authOk, ready);
    await client.bytes(authOk.length);
    await sleep(100);
    expect(client.received).toEqual(authOk);
    server.socket.end();
    expect(await client.bytes(authOk.length + ready.length)).toEqual(concat(authOk, ready));
    await within(client.closed, WAIT, 'the client close');
  });

  it('replaces a message, or inserts arbitrary ones around it', async () => {
    const { client, server } = await rig([
      { direction: 'backend', when: { message: 'ParameterStatus' }, action: { do: 'replace', with: (m) => [notice, m.bytes] } },
      { direction: 'backend', when: { message: 'ReadyForQuery' }, action: { do: 'replace', with: () => [] } },
    ]);
    server.write(authOk, param('a', 'b'), ready, authOk);
    expect(await client.bytes(2 * authOk.length + notice.length + param('a', 'b').length)).toEqual(concat(authOk, notice, param('a', 'b'), authOk));
  });

  it('the frontend direction takes the same actions', async () => {
    const { client, server } = await rig([{ direction: 'frontend', when: { message: 'Query' }, action: { do: 'duplicate' } }]);
    client.write(startup, query('SELECT 1'));
    expect(await server.bytes(startup.length + 2 * query('SELECT 1').length)).toEqual(concat(startup, query('SELECT 1'), query('SELECT 1')));
  });
});

describe('never throws into the test process', () => {
  it('a throwing hook or predicate, and an action that does not fit, are recorded; bytes still flow', async () => {
    const { proxy, client, server } = await rig([
      { direction: 'backend', when: { match: () => { throw new Error('predicate boom'); } }, action: { do: 'duplicate' } },
      { direction: 'backend', when: { message: 'AuthenticationOk' }, action: { do: 'replace', with: () => { throw new Error('hook boom'); } } },
      { direction: 'backend', when: { message: 'ReadyForQuery' }, action: { do: 'rewriteSasl', mechanisms: ['X'] } },
    ]);
    server.write(authOk, ready);
    expect(await client.bytes(authOk.length + ready.length)).toEqual(concat(authOk, ready));
    expect(proxy.errors).toHaveLength(4);
    expect(proxy.errors.join('\n')).toMatch(/predicate boom[\s\S]*hook boom[\s\S]*not AuthenticationSASL/);
  });

  it('an unreachable upstream closes the client and is an event, not an error', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: closedPort } });
    cleanup.push(() => proxy.close());
    const client = new End(proxy.dial());
    await within(client.closed, WAIT, 'the client close');
    expect(proxy.connections[0]!.events).toContain('server error ECONNREFUSED');
    expect(proxy.errors).toEqual([]);
  });

  it('close() destroys every socket and resolves once they are closed', async () => {
    const { proxy, client, server } = await rig([{ direction: 'both', when: { always: true }, action: { do: 'stall' } }]);
    client.write(startup);
    await sleep(20);
    await within(proxy.close(), WAIT, 'close()');
    await within(Promise.all([client.closed, server.closed]), WAIT, 'both ends closed');
    expect(server.received.length).toBe(0);
  });
});
