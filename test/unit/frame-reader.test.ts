import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientError, ErrorCode, PgStreamError, ProtocolError } from '../../src/errors.js';
import { BackendReader } from '../../src/protocol/backend-reader.js';
import type { BackendMessage } from '../../src/protocol/messages.js';
import { Layout } from '../../src/wasm/layout.js';
import { Bytes, concat, toHex } from '../fixtures/bytes.js';
import { dataRow } from '../fixtures/backend-bytes.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function rowDescription(names: string[]): Uint8Array {
  const b = new Bytes().i16(names.length);
  for (const n of names) b.cstr(n).i32(0).i16(0).i32(25).i16(-1).i32(-1).i16(0);
  return b.frame('T');
}

const rfq = new Bytes().u8('I'.charCodeAt(0)).frame('Z');
const commandComplete = (tag: string): Uint8Array => new Bytes().cstr(tag).frame('C');

/** A transcript touching most message types, with Unicode, NULLs, empty fields and a notice. */
const transcript = concat(
  new Bytes().i32(0).frame('R'),
  new Bytes().cstr('server_version').cstr('18.4').frame('S'),
  new Bytes().i32(1234).i32(0x01020304).frame('K'),
  rfq,
  new Bytes().frame('1'),
  new Bytes().frame('2'),
  rowDescription(['id', 'name', 'nothing']),
  dataRow(['1', 'plain ascii', null]),
  dataRow(['2', 'héllo wörld — ✓ 𝄞', '']),
  new Bytes().u8(0x53).cstr('NOTICE').u8(0x4d).cstr('hi').u8(0).frame('N'),
  dataRow(['3', new Uint8Array([0x61, 0xff, 0x62, 0xc3]), 'x'.repeat(100)]),
  new Bytes().i32(99).cstr('chan').cstr('payload').frame('A'),
  commandComplete('SELECT 3'),
  new Bytes().raw(enc('copy,data\n')).frame('d'),
  new Bytes().frame('c'),
  new Bytes().frame('n'),
  new Bytes().frame('I'),
  new Bytes().frame('3'),
  new Bytes().frame('s'),
  rfq,
);

/** A plain, comparable form of a message, taken before the next `next()` invalidates it. */
function plain(m: BackendMessage): unknown {
  if (m.type === 'DataRow') {
    const fields = [];
    for (let i = 0; i < m.fieldCount; i++) {
      const b = m.bytes(i);
      fields.push([m.isNull(i), m.fieldLength(i), m.text(i), b === null ? null : toHex(b)]);
    }
    return { type: m.type, fields };
  }
  return JSON.parse(JSON.stringify(m, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v instanceof Map ? [...v] : v)));
}

interface Outcome {
  messages: unknown[];
  error: string | null;
}

/** Feeds `chunks` with push() (or writable()/commit()), draining after each; returns messages and error. */
function feed(chunks: Uint8Array[], how: 'push' | 'commit' = 'push', reader = new BackendReader()): Outcome {
  const messages: unknown[] = [];
  const drain = (): void => {
    for (let m = reader.next(); m !== null; m = reader.next()) messages.push(plain(m));
  };
  try {
    for (const chunk of chunks) {
      let off = 0;
      let stuck = 0;
      while (off < chunk.length) {
        let n: number;
        if (how === 'push') {
          n = reader.push(chunk.subarray(off));
        } else {
          const w = reader.writable();
          n = Math.min(w.length, chunk.length - off);
          w.set(chunk.subarray(off, off + n));
          reader.commit(n);
        }
        off += n;
        drain();
        if (n === 0 && ++stuck > 2) throw new Error('reader took no bytes and framed nothing');
      }
    }
    drain();
    return { messages, error: null };
  } catch (err) {
    if (!(err instanceof PgStreamError)) throw err;
    return { messages, error: `${err.code}: ${err.message}` };
  }
}

const split = (bytes: Uint8Array, cuts: number[]): Uint8Array[] => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let at = 0;
  for (const p of points) {
    out.push(bytes.subarray(at, p));
    at = p;
  }
  out.push(bytes.subarray(at));
  return out;
};

describe('BackendReader framing (RELIABILITY case 3)', () => {
  const whole = feed([transcript]);

  it('decodes a transcript delivered in one chunk', () => {
    expect(whole.error).toBeNull();
    expect(whole.messages).toHaveLength(20);
    expect(whole.messages[0]).toEqual({ type: 'AuthenticationOk', code: 0x52, auth: 0 });
    expect(whole.messages[8]).toEqual({
      type: 'DataRow',
      fields: [
        [false, 1, '2', '32'],
        [false, enc('héllo wörld — ✓ 𝄞').length, 'héllo wörld — ✓ 𝄞', toHex(enc('héllo wörld — ✓ 𝄞'))],
        [false, 0, '', ''],
      ],
    });
  });

  it('gives identical messages for a cut at every byte position, both ways of feeding', () => {
    for (let cut = 0; cut <= transcript.length; cut++) {
      expect(feed([transcript.subarray(0, cut), transcript.subarray(cut)])).toEqual(whole);
    }
    expect(feed(split(transcript, [...Array(transcript.length).keys()]))).toEqual(whole);
    expect(feed(split(transcript, [...Array(transcript.length).keys()]), 'commit')).toEqual(whole);
  });

  it('gives identical messages for random chunkings', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), fc.boolean(), (cuts, commit) => {
        expect(feed(split(transcript, cuts), commit ? 'commit' : 'push')).toEqual(whole);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes a multi-byte character split across chunks (case 7)', () => {
    const row = dataRow(['€𝄞']);
    for (let cut = 0; cut <= row.length; cut++) {
      const out = feed([row.subarray(0, cut), row.subarray(cut)]);
      expect((out.messages[0] as { fields: unknown[][] }).fields[0]![2]).toBe('€𝄞');
    }
  });

  it('replaces invalid UTF-8 with U+FFFD and never throws (case 7)', () => {
    const out = feed([dataRow([new Uint8Array([0x61, 0xff, 0xc3, 0x28, 0xe2, 0x82]), 'ok'])]);
    expect((out.messages[0] as { fields: unknown[][] }).fields.map((f) => f[2])).toEqual(['a\ufffd\ufffd(\ufffd', 'ok']);
  });
});

describe('BackendReader errors (cases 1, 2, 4, 6)', () => {
  const cases: [string, Uint8Array, string][] = [
    ['unknown type', new Bytes().u8(0x21).body(), ErrorCode.UNKNOWN_MESSAGE],
    ['length below 4', new Bytes().u8(0x44).i32(3).body(), ErrorCode.FRAME_LENGTH_TOO_SHORT],
    ['ReadyForQuery of the wrong length', new Bytes().u8(0x5a).i32(6).body(), ErrorCode.FRAME_LENGTH_MISMATCH],
    ['ParseComplete with a body', new Bytes().u8(0x31).i32(5).body(), ErrorCode.FRAME_LENGTH_MISMATCH],
    ['ParameterStatus over its cap', new Bytes().u8(0x53).i32(1_000_000).body(), ErrorCode.FRAME_TOO_LARGE],
    ['DataRow over the maximum', new Bytes().u8(0x44).i32(0x1000_0001).body(), ErrorCode.FRAME_TOO_LARGE],
    ['DataRow count past the body', new Bytes().i16(65535).i32(0).frame('D'), ErrorCode.MALFORMED_MESSAGE],
    ['DataRow negative length', new Bytes().i16(1).i32(-7).frame('D'), ErrorCode.MALFORMED_MESSAGE],
    ['DataRow field past the end', new Bytes().i16(1).i32(10).raw([1, 2]).frame('D'), ErrorCode.MALFORMED_MESSAGE],
    ['DataRow trailing bytes', new Bytes().i16(1).i32(-1).u8(0).frame('D'), ErrorCode.MALFORMED_MESSAGE],
    ['CommandComplete without NUL', new Bytes().str('SELECT').frame('C'), ErrorCode.MALFORMED_MESSAGE],
    ['ReadyForQuery with a bad status', new Bytes().u8(0x51).frame('Z'), ErrorCode.MALFORMED_MESSAGE],
  ];
  for (const [name, bad, code] of cases) {
    it(`${name}: messages before it, then ${code}, then poisoned`, () => {
      const reader = new BackendReader();
      reader.push(concat(rfq, dataRow(['a']), bad, rfq));
      expect(reader.next()?.type).toBe('ReadyForQuery');
      expect(reader.next()?.type).toBe('DataRow');
      let first: unknown;
      try {
        reader.next();
      } catch (err) {
        first = err;
      }
      expect(first).toBeInstanceOf(ProtocolError);
      expect((first as ProtocolError).code).toBe(code);
      expect(() => reader.next()).toThrow(first as Error);
      expect(() => reader.push(rfq)).toThrow(first as Error);
    });
  }

  it('refuses a bad header as soon as it arrives, without waiting for the body', () => {
    const reader = new BackendReader();
    reader.push(new Bytes().u8(0x5a).i32(6).body());
    expect(() => reader.next()).toThrow(expect.objectContaining({ code: ErrorCode.FRAME_LENGTH_MISMATCH }));
  });

  it('only ever yields messages or typed errors on arbitrary bytes, and always ends', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
        const out = feed(split(bytes, cuts)); // throws (fails) on anything but a PgStreamError
        expect(out.messages.length).toBeLessThanOrEqual(bytes.length / 5);
      }),
      { numRuns: 3000 },
    );
  });

  it('only ever yields messages or typed errors on mutated valid transcripts', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 6 }), (flips, cuts) => {
        const bytes = transcript.slice();
        for (const [at, v] of flips) bytes[at % bytes.length] = v;
        const one = feed([bytes]);
        expect(feed(split(bytes, cuts))).toEqual(one);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('BackendReader options and arguments', () => {
  it('validates maxMessageLength', () => {
    for (const bad of [3, 0x4000_0000, 1.5, Number.NaN]) {
      expect(() => new BackendReader({ maxMessageLength: bad })).toThrow(ClientError);
    }
    const reader = new BackendReader({ maxMessageLength: 100 });
    reader.push(new Bytes().u8(0x44).i32(101).body());
    expect(() => reader.next()).toThrow(expect.objectContaining({ code: ErrorCode.FRAME_TOO_LARGE }));
  });

  it('refuses commits larger than the writable space', () => {
    const reader = new BackendReader();
    const w = reader.writable();
    expect(w.length).toBe(Layout.INPUT_SIZE);
    expect(() => reader.commit(w.length + 1)).toThrow(ClientError);
    expect(() => reader.commit(-1)).toThrow(ClientError);
    expect(() => reader.commit(5, new Uint8Array(4))).toThrow(ClientError);
  });

  it('reports buffered and free bytes', () => {
    const reader = new BackendReader();
    expect(reader.buffered).toBe(0);
    expect(reader.free).toBe(Layout.INPUT_SIZE);
    reader.push(concat(rfq, rfq, rfq.subarray(0, 3)));
    expect(reader.buffered).toBe(15);
    expect(reader.free).toBe(Layout.INPUT_SIZE - 15);
    reader.next();
    expect(reader.buffered).toBe(9);
    reader.next();
    expect(reader.buffered).toBe(3);
    expect(reader.next()).toBeNull();
    expect(reader.buffered).toBe(3);
    expect(reader.free).toBe(Layout.INPUT_SIZE - 3); // the partial message was moved to the start
  });

  it('returns 0 from push when full, and takes more once messages are consumed', () => {
    const reader = new BackendReader();
    const many = new Uint8Array(Layout.INPUT_SIZE + 100);
    for (let i = 0; i + 6 <= many.length; i += 6) many.set(rfq, i);
    const taken = reader.push(many);
    expect(taken).toBe(Layout.INPUT_SIZE);
    expect(reader.push(many.subarray(taken))).toBe(0);
    let n = 0;
    while (reader.next() !== null) n++;
    expect(n).toBe(Math.floor(Layout.INPUT_SIZE / 6));
    expect(reader.push(many.subarray(taken))).toBe(100);
  });
});
