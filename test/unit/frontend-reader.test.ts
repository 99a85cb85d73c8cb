/**
 * FrontendReader: startup-phase packets then typed messages, length limits checked from the
 * header before the body arrives, sticky errors, and views that stay valid.
 */
import { describe, expect, it } from 'vitest';
import { ClientError, ErrorCode, ProtocolError } from '../../src/errors.js';
import { ProtocolVersion } from '../../src/protocol/codes.js';
import { FrontendReader, MessageBuffer } from '../../src/protocol/frontend/index.js';
import type { FrontendMessage } from '../../src/protocol/messages.js';
import { Bytes, concat, hex } from '../fixtures/bytes.js';
import * as fx from '../fixtures/frontend-bytes.js';
import { int4 } from '../../src/types/bindable.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

function drain(r: FrontendReader): FrontendMessage[] {
  const out: FrontendMessage[] = [];
  for (let m = r.next(); m !== null; m = r.next()) out.push(m);
  return out;
}

function failsWith(r: FrontendReader, code: ErrorCode): ProtocolError {
  let err: unknown;
  try {
    drain(r);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(ProtocolError);
  expect((err as ProtocolError).code).toBe(code);
  return err as ProtocolError;
}

const startup = fx.fxStartupMessage(fx.V3_0, [['user', 'u'], ['database', 'd']]);

describe('phases', () => {
  it('SSLRequest, then StartupMessage, then typed messages', () => {
    const r = new FrontendReader();
    expect(r.phase).toBe('startup');
    r.push(fx.fxSSLRequest());
    expect(r.next()).toEqual({ type: 'SSLRequest' });
    expect(r.buffered).toBe(0);
    expect(r.phase).toBe('startup');
    r.push(concat(startup, fx.fxQuery('SELECT 1'), fx.fxTerminate()));
    expect(drain(r)).toEqual([
      { type: 'StartupMessage', protocol: ProtocolVersion.V3_0, parameters: new Map([['user', 'u'], ['database', 'd']]) },
      { type: 'Query', sql: 'SELECT 1' },
      { type: 'Terminate' },
    ]);
    expect(r.phase).toBe('typed');
  });

  it('bytes injected after SSLRequest are visible as buffered (CVE-2021-23214 class)', () => {
    const r = new FrontendReader();
    r.push(concat(fx.fxSSLRequest(), fx.fxQuery('SELECT evil()')));
    expect(r.next()).toEqual({ type: 'SSLRequest' });
    expect(r.buffered).toBeGreaterThan(0);
  });

  it('GSSENCRequest stays in the startup phase; CancelRequest ends the stream', () => {
    const r = new FrontendReader();
    r.push(concat(fx.fxGSSENCRequest(), fx.fxCancelRequest(42, hex('01 02 03 04'))));
    expect(drain(r)).toEqual([{ type: 'GSSENCRequest' }, { type: 'CancelRequest', processId: 42, secretKey: hex('01 02 03 04') }]);
    expect(r.phase).toBe('cancelled');
    r.push(hex('00'));
    failsWith(r, ErrorCode.UNEXPECTED_MESSAGE);
  });

  it('startup: false reads typed messages from the first byte', () => {
    const r = new FrontendReader({ startup: false });
    r.push(new MessageBuffer().bind(null).statement('s').finish([int4(1)]).execute(null, 0).sync().bytes());
    expect(drain(r).map((m) => m.type)).toEqual(['Bind', 'Execute', 'Sync']);
  });

  it('passwordKind tells the p messages apart, and can change between messages', () => {
    const r = new FrontendReader({ passwordKind: 'SASLInitialResponse' });
    r.push(concat(startup, fx.fxSASLInitialResponse('SCRAM-SHA-256', utf8('n,,n=,r=a')), fx.fxSASLResponse(utf8('c=biws'))));
    expect(r.next()?.type).toBe('StartupMessage');
    expect(r.next()).toEqual({ type: 'SASLInitialResponse', mechanism: 'SCRAM-SHA-256', data: utf8('n,,n=,r=a') });
    r.passwordKind = 'SASLResponse';
    expect(r.next()).toEqual({ type: 'SASLResponse', data: utf8('c=biws') });
    expect(r.next()).toBeNull();
  });
});

describe('length limits, checked from the header', () => {
  it('startup packets: shorter than 8 or longer than 10004 bytes', () => {
    const short = new FrontendReader();
    short.push(hex('00 00 00 07'));
    failsWith(short, ErrorCode.FRAME_LENGTH_TOO_SHORT);
    const long = new FrontendReader();
    long.push(new Bytes().i32(10005).i32(fx.V3_0).body()); // the body never arrives: refused anyway
    failsWith(long, ErrorCode.FRAME_TOO_LARGE);
    const max = new FrontendReader();
    const value = 'x'.repeat(10000 - 4 - 7 - 8 - 2);
    max.push(fx.fxStartupMessage(fx.V3_0, [['user', 'u'], ['options', value]]));
    expect(drain(max)).toHaveLength(1);
  });

  it('an unknown type byte is refused before its length arrives', () => {
    const r = new FrontendReader({ startup: false });
    r.push(utf8('Z'));
    failsWith(r, ErrorCode.UNKNOWN_MESSAGE);
  });

  it('small messages are capped at 10000 bytes, p messages at 65535, large ones at maxMessageLength', () => {
    const sync = new FrontendReader({ startup: false });
    sync.push(hex('53 00 00 27 11')); // Sync claiming 10001 bytes
    failsWith(sync, ErrorCode.FRAME_TOO_LARGE);
    const pw = new FrontendReader({ startup: false });
    pw.push(hex('70 00 01 00 00'));
    failsWith(pw, ErrorCode.FRAME_TOO_LARGE);
    const q = new FrontendReader({ startup: false, maxMessageLength: 1000 });
    q.push(hex('51 00 00 03 e9')); // 1001
    failsWith(q, ErrorCode.FRAME_TOO_LARGE);
    const huge = new FrontendReader({ startup: false });
    huge.push(hex('42 7f ff ff ff')); // 2 GiB - 1 Bind: refused, nothing allocated for it
    failsWith(huge, ErrorCode.FRAME_TOO_LARGE);
    const ok = new FrontendReader({ startup: false, maxMessageLength: 1000 });
    ok.push(fx.fxQuery('x'.repeat(1000 - 4 - 1)));
    expect(drain(ok)).toHaveLength(1);
  });

  it('memory follows the bytes received, not the length a client claims', () => {
    const r = new FrontendReader({ startup: false });
    const before = process.memoryUsage().arrayBuffers;
    r.push(hex('51 0f ff ff ff')); // a Query claiming 256 MiB - 1, within the limit
    expect(r.next()).toBeNull();
    for (let i = 0; i < 4; i++) {
      r.push(new Uint8Array(1000).fill(0x41));
      expect(r.next()).toBeNull();
    }
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 * 2 ** 20);
  });

  it('a length word below 4 is too short', () => {
    const r = new FrontendReader({ startup: false });
    r.push(hex('53 00 00 00 03'));
    failsWith(r, ErrorCode.FRAME_LENGTH_TOO_SHORT);
  });

  it('maxMessageLength is validated', () => {
    expect(() => new FrontendReader({ maxMessageLength: 2 ** 30 })).toThrow(ClientError);
    expect(() => new FrontendReader({ maxMessageLength: 3 })).toThrow(ClientError);
  });
});

describe('errors and views', () => {
  it('an error is sticky: every later next() throws it again, and pushes are ignored', () => {
    const r = new FrontendReader({ startup: false });
    r.push(hex('53 00 00 00 05 00')); // Sync with a one-byte body
    const first = failsWith(r, ErrorCode.MALFORMED_MESSAGE);
    r.push(fx.fxSync());
    expect(() => r.next()).toThrow(first);
    expect(() => r.next()).toThrow(first);
  });

  it('a protocol version other than 3.x is PGS_PROTOCOL_VERSION', () => {
    const r = new FrontendReader();
    r.push(new Bytes().i32(0x0002_0000).cstr('user').cstr('u').u8(0).packet());
    failsWith(r, ErrorCode.PROTOCOL_VERSION);
  });

  it('views handed out stay valid while the reader moves on and grows', () => {
    const r = new FrontendReader({ startup: false });
    const payload = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    r.push(fx.fxCopyData(payload));
    const first = r.next() as { data: Uint8Array };
    const copy = first.data.slice();
    for (let i = 0; i < 200; i++) {
      r.push(fx.fxCopyData(new Uint8Array(1000).fill(i)));
      expect((r.next() as { data: Uint8Array }).data[0]).toBe(i);
    }
    r.push(fx.fxCopyData(new Uint8Array(100_000).fill(7)));
    expect(r.next()?.type).toBe('CopyData');
    expect(first.data).toEqual(copy);
  });

  it('a message split into single bytes comes out once, when complete', () => {
    const r = new FrontendReader();
    const bytes = concat(startup, fx.fxParse('s', 'SELECT $1', [23]), fx.fxSync());
    const got: FrontendMessage[] = [];
    for (const b of bytes) {
      r.push(Uint8Array.of(b));
      got.push(...drain(r));
    }
    expect(got.map((m) => m.type)).toEqual(['StartupMessage', 'Parse', 'Sync']);
    expect(r.buffered).toBe(0);
  });
});
