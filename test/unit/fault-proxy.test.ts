/**
 * The fault proxy's actions (test/support/fault-proxy.ts), between a plain client socket and a
 * loopback peer (test/support/loopback-peer.ts): every action does what it says — bytes counted,
 * split sizes observed, a stall really stalls, a reorder really reorders — while nothing it does
 * throws into the test process. Its framing is tested in fault-wire.test.ts.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { Bytes, concat } from '../fixtures/bytes.js';
import { authOk, notice, param, query, ready, sslRequest, startup } from '../fixtures/wire-samples.js';
import { sleep, trackUnhandled, within } from '../support/fake-assert.js';
import { randomSplitter } from '../support/fault-plan.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { decodeAuthenticationSASL, encodeAuthenticationSASL } from '../support/fault-wire.js';
import { End, loopbackRigs } from '../support/loopback-peer.js';

trackUnhandled();
const { rig, track } = loopbackRigs();
const WAIT = 2_000;

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
    // A rule that fires on every message is listed once.
    expect(c.fired).toEqual(['backend always: split']);
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
    track(() => proxy.close());
    const client = new End(proxy.dial());
    await within(client.closed, WAIT, 'the client close');
    expect(proxy.connections[0]!.events).toContain('server error ECONNREFUSED');
    expect(proxy.errors).toEqual([]);
  });

  it('setPlan() applies to the connections accepted after it; recordLimit caps the stored bytes, not the names', async () => {
    const { proxy, client, server } = await rig([]);
    server.write(authOk, ready);
    expect(await client.bytes(authOk.length + ready.length)).toEqual(concat(authOk, ready));
    proxy.setPlan([{ direction: 'frontend', when: { always: true }, action: { do: 'drop' } }]);
    const second = new End(proxy.dial());
    second.write(startup);
    await within(second.closed, WAIT, 'the second client close');
    expect(proxy.connections[1]!.fired).toEqual(['frontend always: drop']);
    expect(proxy.connections[0]!.fired).toEqual([]);

    const capped = await startFaultProxy({ target: { host: '127.0.0.1', port: proxy.port }, recordLimit: startup.length });
    track(() => capped.close());
    const third = new End(capped.dial());
    third.write(startup, query('SELECT 1'));
    await within(third.closed, WAIT, 'the third client close');
    const t = capped.connections[0]!.transcript;
    expect(t.map((m) => m.name)).toEqual(['StartupMessage', 'Query']);
    expect(t.map((m) => m.bytes.length)).toEqual([startup.length, 0]);
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
