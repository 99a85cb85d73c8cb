/**
 * Resource abuse by an unauthenticated server during startup (RELIABILITY.md threat model: a
 * hostile server must not grow the client's memory without bound): a 7-byte header must not make
 * the client reserve hundreds of MiB for a message that cannot be valid before ReadyForQuery, and
 * a stream of notices or parameters before ReadyForQuery must not be retained without bound.
 * Each case is a row of the shared table (support/hostile-cases.ts).
 */
import { describe, expect } from 'vitest';
import { ConnectionBuilder } from '../../src/transport/node/builder.js';
import type { Connected } from '../../src/session/connection.js';
import { ErrorCode, ProtocolError } from '../../src/errors.js';
import { Bytes } from '../fixtures/bytes.js';
import { sleep, trackUnhandled } from '../support/fake-assert.js';
import { auth, readyForQuery } from '../support/fake-server.js';
import { hostileCases, row } from '../support/hostile-cases.js';

trackUnhandled();

const MiB = 1024 * 1024;

/** A header of type `type` announcing `length` bytes, plus one byte of body. */
function header(type: string, length: number): Uint8Array {
  return new Uint8Array([type.charCodeAt(0), (length >>> 24) & 0xff, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff, 0]);
}

describe('pre-authentication allocation', () => {
  const types: [string, string][] = [
    ['DataRow', 'D'],
    ['RowDescription', 'T'],
    ['CopyData', 'd'],
    ['FunctionCallResponse', 'V'],
  ];
  let ms = 0;
  let grew = 0;
  hostileCases(types.map(([name, type]) => row({
    name: `a ${name} header announcing 255 MiB as the first startup reply: refused at once, nothing reserved`,
    server: async (s) => {
      await s.expect('StartupMessage');
      s.sendRaw(header(type, 255 * MiB));
      await s.silence();
    },
    call: async (socket) => {
      const before = process.memoryUsage().arrayBuffers;
      let peak = before;
      const probe = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 5);
      const t0 = performance.now();
      try {
        return await new ConnectionBuilder('frank').connectTimeout(3_000).connect(socket);
      } finally {
        ms = performance.now() - t0;
        await sleep(20);
        clearInterval(probe);
        grew = (peak - before) / MiB;
      }
    },
    // Nothing but Authentication, ErrorResponse or NegotiateProtocolVersion can come first: the
    // type byte alone condemns it, as libpq does (fe-connect.c: "expected authentication request").
    expect: { type: ProtocolError, code: ErrorCode.UNEXPECTED_MESSAGE, orCode: [ErrorCode.FRAME_TOO_LARGE] },
    withinMs: 5_000,
    check: () => {
      expect(ms, 'the client waited for the body of a message it must refuse').toBeLessThan(1_000);
      expect(grew, `${grew.toFixed(0)} MiB reserved for a 6-byte message`).toBeLessThan(16);
    },
  })));
});

describe('startup messages retained', () => {
  const N = 100_000;
  const notice = new Bytes().str('SWARNING').u8(0).str('C01000').u8(0).str('Mspam').u8(0).u8(0).frame('N');
  const notices = Buffer.concat(Array.from({ length: N }, () => notice));
  const parts: Buffer[] = [];
  const enc = new TextEncoder();
  for (let i = 0; i < N; i++) {
    const name = enc.encode(`x${i}`);
    const len = 4 + name.length + 1 + 2;
    const b = Buffer.alloc(1 + len);
    b[0] = 0x53;
    b.writeInt32BE(len, 1);
    b.set(name, 5);
    b[5 + name.length] = 0;
    b[6 + name.length] = 0x76;
    b[7 + name.length] = 0;
    parts.push(b);
  }
  const parameters = Buffer.concat(parts);

  hostileCases([
    row<Connected>({
      name: `${N} NoticeResponses before ReadyForQuery are not all retained`,
      server: async (s) => {
        await s.expect('StartupMessage');
        s.send(auth.ok());
        s.sendRaw(notices);
        s.sendReady({ authOk: false });
        await s.serveQueries();
      },
      // A legal (if abusive) startup must succeed.
      call: (socket) => new ConnectionBuilder('frank').connectTimeout(10_000).connect(socket),
      expect: 'ok',
      withinMs: 12_000,
      then: async ({ conn, startup }) => {
        await conn.close();
        expect(startup.notices.length, 'every startup notice was kept: a server streaming them grows memory without bound').toBeLessThanOrEqual(10_000);
      },
    }),
    row<Connected>({
      name: `${N} distinct ParameterStatus names before ReadyForQuery are not all retained`,
      server: async (s) => {
        await s.expect('StartupMessage');
        s.send(auth.ok());
        s.sendRaw(parameters);
        s.send(readyForQuery());
        await s.serveQueries();
      },
      call: (socket) => new ConnectionBuilder('frank').connectTimeout(10_000).connect(socket),
      expect: 'ok',
      withinMs: 12_000,
      then: async ({ conn, startup }) => {
        await conn.close();
        expect(startup.parameters.size, 'every distinct ParameterStatus was kept').toBeLessThanOrEqual(10_000);
      },
    }),
  ]);
});
