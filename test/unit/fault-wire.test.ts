/**
 * The fault proxy's framing (test/support/fault-wire.ts), seen through the proxy between a client
 * socket and a loopback peer: it names every message in both directions as PostgreSQL does,
 * follows the encryption answer (opaque bytes after `S`, a StartupMessage after `N`), direct TLS,
 * the `p` messages of each authentication exchange, and passes a length it cannot believe through
 * unframed instead of failing.
 */
import { describe, expect, it } from 'vitest';
import { Bytes, concat } from '../fixtures/bytes.js';
import {
  authMd5,
  authOk,
  authSaslContinue,
  cancelRequest,
  gssRequest,
  param,
  password,
  query,
  ready,
  sslRequest,
  startup,
  TLS_HANDSHAKE_RECORD,
} from '../fixtures/wire-samples.js';
import { sleep, trackUnhandled } from '../support/fake-assert.js';
import { encodeAuthenticationSASL } from '../support/fault-wire.js';
import { loopbackRigs } from '../support/loopback-peer.js';

trackUnhandled();
const { rig } = loopbackRigs();

describe('framing through the proxy', () => {
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
    // A Query whose length word (2) cannot even cover itself.
    const bogus = new Bytes().str('Q').i32(2).u8(1, 2, 3).body();
    client.write(bogus);
    expect((await server.bytes(startup.length + bogus.length)).subarray(startup.length)).toEqual(bogus);
    const c = proxy.connections[0]!;
    expect(c.frontend.messages).toEqual(['StartupMessage', 'Garbage']);
    expect(c.events.some((e) => e.includes('length 2 out of range'))).toBe(true);
  });
});

