import { beforeEach, describe, expect, it } from 'vitest';
import { MessageCode } from '../../src/protocol/codes.js';
import { createCore, type WasmCore } from '../../src/wasm/core.js';
import { Layout, Status } from '../../src/wasm/layout.js';
import { Bytes, concat } from '../fixtures/bytes.js';

const { INPUT, INPUT_SIZE } = Layout;
const R = {
  STOP: Layout.RESULT_STOP,
  MESSAGES: Layout.RESULT_MESSAGES,
  FIELDS: Layout.RESULT_FIELDS,
  LENGTH: Layout.RESULT_LENGTH,
  TYPE: Layout.RESULT_TYPE,
  DETAIL: Layout.RESULT_DETAIL,
  ASCII: Layout.RESULT_ASCII,
};

let core: WasmCore;
beforeEach(() => {
  core = createCore();
});

/** Copies `bytes` to the start of the input region and scans them; `flags`: classify the fields too. */
function scan(bytes: Uint8Array, budget: number = INPUT_SIZE, flags = true): number {
  core.bytes.set(bytes, INPUT);
  const status = core.scan(INPUT, INPUT + bytes.length, budget);
  if (flags) expect(core.classify(0, core.result(R.FIELDS))).toBe(0);
  return status;
}

/** A header alone: type byte + declared length. */
const header = (type: string, length: number): Uint8Array => new Bytes().u8(type.charCodeAt(0)).i32(length).body();

/** A DataRow from field values (null = NULL). */
function dataRow(fields: (Uint8Array | null)[]): Uint8Array {
  const b = new Bytes().i16(fields.length);
  for (const f of fields) {
    if (f === null) b.i32(-1);
    else b.i32(f.length).raw(f);
  }
  return b.frame('D');
}

interface Entry {
  type: number;
  body: number;
  length: number;
  first: number;
}
const entry = (i: number): Entry => {
  const w = (Layout.MESSAGES >> 2) + i * Layout.MESSAGE_WORDS;
  return {
    type: core.words[w + Layout.MESSAGE_TYPE]!,
    body: core.words[w + Layout.MESSAGE_BODY]!,
    length: core.words[w + Layout.MESSAGE_LENGTH]!,
    first: core.words[w + Layout.MESSAGE_FIRST_FIELD]!,
  };
};
const field = (i: number): [number, number, number] => {
  const w = (Layout.FIELDS >> 2) + i * Layout.FIELD_WORDS;
  return [core.words[w]!, core.words[w + 1]!, core.bytes[Layout.ASCII + i]!];
};

// Minimum and maximum lengths (counting the length word) from the PostgreSQL protocol docs, written
// out independently of assembly/message-lengths.ts. null = the configured maximum.
const bounds: Record<string, [number, number | null]> = {
  R: [8, 8192], K: [12, 264], '2': [4, 4], '3': [4, 4], C: [5, 30000], d: [4, null], c: [4, 4],
  G: [7, 131077], H: [7, 131077], W: [7, 131077], D: [6, null], I: [4, 4], E: [5, 524288],
  V: [8, null], v: [12, 30000], n: [4, 4], N: [5, 524288], A: [10, 65536], t: [6, 262146],
  S: [6, 30000], '1': [4, 4], s: [4, 4], Z: [5, 5], T: [6, null],
};

describe('message types and header checks (RELIABILITY case 1, 2)', () => {
  it('accepts exactly the backend message codes of src/protocol/codes.ts', () => {
    const known = new Set<number>(Object.values(MessageCode));
    expect(new Set(Object.keys(bounds).map((k) => k.charCodeAt(0)))).toEqual(known);
    for (let type = 0; type < 256; type++) {
      // One byte is enough to refuse an unknown type.
      const status = scan(Uint8Array.of(type));
      if (known.has(type)) {
        expect([type, status]).toEqual([type, Status.NEED_MORE]);
      } else {
        expect([type, status]).toEqual([type, Status.UNKNOWN_TYPE]);
        expect(core.result(R.TYPE)).toBe(type);
      }
    }
  });

  it('frames a message of every type at its minimum length', () => {
    for (const [t, [min]] of Object.entries(bounds)) {
      const body = new Uint8Array(min - 4); // zero count / zero code: valid framing for every type
      const msg = new Bytes().raw(body).frame(t);
      expect([t, scan(msg)]).toEqual([t, Status.NEED_MORE]);
      expect(core.result(R.MESSAGES)).toBe(1);
      expect(core.result(R.STOP)).toBe(INPUT + msg.length);
      expect(entry(0)).toMatchObject({ type: t.charCodeAt(0), body: INPUT + 5, length: min - 4 });
    }
  });

  it('refuses lengths below 4 and below each type\'s minimum from the header alone', () => {
    for (const [t, [min, max]] of Object.entries(bounds)) {
      for (const length of [0, 3, -1, -0x8000_0000]) {
        expect([t, length, scan(header(t, length))]).toEqual([t, length, Status.LENGTH_TOO_SHORT]);
      }
      if (min > 4) {
        const expected = min === max ? Status.LENGTH_MISMATCH : Status.LENGTH_TOO_SHORT;
        expect([t, scan(header(t, min - 1))]).toEqual([t, expected]);
        expect(core.result(R.LENGTH)).toBe(min - 1);
        expect(core.result(R.DETAIL)).toBe(min);
      }
    }
  });

  it('refuses fixed-size messages of any other length and caps short types, before the body', () => {
    for (const [t, [min, max]] of Object.entries(bounds)) {
      if (max === null) continue;
      expect([t, scan(header(t, max))]).toEqual([t, Status.NEED_MORE]);
      const expected = min === max ? Status.LENGTH_MISMATCH : Status.TOO_LARGE;
      expect([t, scan(header(t, max + 1))]).toEqual([t, expected]);
      expect([t, scan(header(t, 0x7fff_ffff))]).toEqual([t, expected]);
      expect(core.result(R.TYPE)).toBe(t.charCodeAt(0));
    }
  });

  it('applies the configured maximum to the large types', () => {
    for (const t of ['D', 'd', 'V', 'T']) {
      expect(scan(header(t, 0x1000_0000))).toBe(Status.TOO_BIG); // default 256 MiB: slow path
      expect(scan(header(t, 0x1000_0001))).toBe(Status.TOO_LARGE);
      core.configure(1000);
      expect(scan(header(t, 1000))).toBe(Status.NEED_MORE);
      expect(scan(header(t, 1001))).toBe(Status.TOO_LARGE);
      expect(core.result(R.DETAIL)).toBe(1000);
      core.configure(0x1000_0000);
    }
    expect(() => core.configure(3)).toThrow();
    expect(() => core.configure(0x4000_0000)).toThrow();
  });

  it('reports a message that cannot fit the input region as TOO_BIG with its length', () => {
    expect(scan(header('D', INPUT_SIZE - 1))).toBe(Status.NEED_MORE);
    expect(scan(header('D', INPUT_SIZE))).toBe(Status.TOO_BIG);
    expect(core.result(R.LENGTH)).toBe(INPUT_SIZE);
    expect(core.result(R.STOP)).toBe(INPUT);
  });

  it('waits for the whole header and body', () => {
    const msg = new Bytes().cstr('SELECT 1').frame('C');
    for (let n = 0; n < msg.length; n++) {
      expect(scan(msg.subarray(0, n))).toBe(Status.NEED_MORE);
      expect(core.result(R.MESSAGES)).toBe(0);
      expect(core.result(R.STOP)).toBe(INPUT);
    }
    expect(scan(msg)).toBe(Status.NEED_MORE);
    expect(core.result(R.MESSAGES)).toBe(1);
  });
});

describe('DataRow indexing (RELIABILITY case 4, 6)', () => {
  const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

  it('indexes offsets, lengths, NULLs and ASCII flags', () => {
    const values = [enc('42'), null, enc(''), enc('héllo'), enc('x'.repeat(40)), enc(`${'y'.repeat(39)}é`)];
    const msg = dataRow(values);
    expect(scan(msg)).toBe(Status.NEED_MORE);
    expect(core.result(R.FIELDS)).toBe(6);
    expect(entry(0)).toMatchObject({ type: MessageCode.DATA_ROW, first: 0, length: msg.length - 5 });
    let at = INPUT + 5 + 2;
    values.forEach((v, i) => {
      at += 4;
      const [offset, length, ascii] = field(i);
      expect(length).toBe(v === null ? -1 : v.length);
      if (v !== null) {
        expect(offset).toBe(at);
        expect(core.bytes.slice(offset, offset + length)).toEqual(v);
        expect(ascii).toBe(v.every((b) => b < 0x80) ? 1 : 0);
        at += v.length;
      }
    });
  });

  it('flags a non-ASCII byte at every position of fields of every length up to 70', () => {
    for (let n = 1; n <= 70; n++) {
      const rows: Uint8Array[] = [];
      for (let at = 0; at < n; at++) {
        const v = new Uint8Array(n).fill(0x61);
        v[at] = 0xc3;
        rows.push(dataRow([v, new Uint8Array(n).fill(0x62)]));
      }
      // A high byte right after an ASCII field (the next length word of a NULL) must not leak in.
      rows.push(dataRow([new Uint8Array(n).fill(0x63), null]));
      expect(scan(concat(...rows))).toBe(Status.NEED_MORE);
      for (let r = 0; r < n; r++) {
        expect([n, r, field(2 * r)[2], field(2 * r + 1)[2]]).toEqual([n, r, 0, 1]);
      }
      expect(field(2 * n)[2]).toBe(1);
    }
  });

  it('reports whether a whole batch is ASCII', () => {
    const asciiRow = (n: number): Uint8Array => dataRow([new Uint8Array(n).fill(0x61), null, new Uint8Array(0), new Uint8Array(n).fill(0x7f)]);
    for (let n = 1; n <= 70; n++) {
      // NULL length words (0xff bytes) and the bytes just past a short field never count.
      expect(scan(concat(asciiRow(n), asciiRow(n)), INPUT_SIZE, false)).toBe(Status.NEED_MORE);
      expect([n, core.result(R.ASCII)]).toEqual([n, 1]);
      for (const at of [0, n >> 1, n - 1]) {
        const v = new Uint8Array(n).fill(0x62);
        v[at] = 0x80;
        expect(scan(concat(asciiRow(n), dataRow([null, v]), asciiRow(n)), INPUT_SIZE, false)).toBe(Status.NEED_MORE);
        expect([n, at, core.result(R.ASCII)]).toEqual([n, at, 0]);
      }
    }
    // Each scan reports its own batch: a budget stop splits an ASCII batch from a non-ASCII one.
    const first = asciiRow(20);
    const stream = concat(first, dataRow([enc('é')]));
    expect(scan(stream, first.length, false)).toBe(Status.BUDGET);
    expect(core.result(R.ASCII)).toBe(1);
    expect(core.scan(INPUT + first.length, INPUT + stream.length, INPUT_SIZE)).toBe(Status.NEED_MORE);
    expect(core.result(R.ASCII)).toBe(0);
  });

  it('leaves the per-field flags to classify()', () => {
    const rows = [dataRow([enc('abc'), enc('ü'), null, enc('z'.repeat(33))]), dataRow([enc('ÿ'.repeat(20)), enc('')])];
    core.bytes.fill(9, Layout.ASCII, Layout.ASCII + 6);
    scan(concat(...rows), INPUT_SIZE, false);
    expect(core.bytes[Layout.ASCII]).toBe(9); // untouched by the scan
    expect(core.classify(0, core.result(R.FIELDS))).toBe(0);
    expect(Array.from(core.bytes.slice(Layout.ASCII, Layout.ASCII + 6))).toEqual([1, 0, 1, 1, 0, 1]);
    expect(core.classify(-1, 1)).toBe(Status.BAD_ARGUMENT);
    expect(core.classify(Layout.MAX_FIELDS, 1)).toBe(Status.BAD_ARGUMENT);
  });

  const bad = (body: Bytes): Uint8Array => body.frame('D');
  const cases: [string, Uint8Array, number, number][] = [
    ['count promises more length words than the body holds', bad(new Bytes().i16(3).i32(-1).i32(-1)), Status.FIELD_COUNT, 3],
    ['65535 columns in a 10-byte body', bad(new Bytes().i16(-1).i32(0).i32(0)), Status.FIELD_COUNT, 65535],
    ['negative length other than -1 (CVE-2026-32286)', bad(new Bytes().i16(2).i32(1).u8(0x31).i32(-2)), Status.FIELD_LENGTH, 1],
    ['most negative length', bad(new Bytes().i16(1).i32(-0x8000_0000)), Status.FIELD_LENGTH, 0],
    ['field longer than what remains (CVE-2026-6477)', bad(new Bytes().i16(2).i32(-1).i32(5).raw([1, 2, 3, 4])), Status.FIELD_OVERRUN, 1],
    ['huge field length', bad(new Bytes().i16(1).i32(0x7fff_ffff).i32(0)), Status.FIELD_OVERRUN, 0],
    ['length word cut by the end of the message', bad(new Bytes().i16(2).i32(1).u8(0x31).raw([0, 0, 0])), Status.FIELD_OVERRUN, 1],
    ['bytes left over after the last field', bad(new Bytes().i16(1).i32(1).u8(0x31).u8(0)), Status.TRAILING_BYTES, 1],
    ['a body with fields but count 0', bad(new Bytes().i16(0).i32(-1)), Status.TRAILING_BYTES, 4],
  ];
  for (const [name, msg, status, detail] of cases) {
    it(`refuses ${name}, after the messages before it`, () => {
      const ok = new Bytes().u8(0x49).frame('Z');
      for (const flags of [true, false]) {
        expect(scan(concat(ok, msg, ok), INPUT_SIZE, flags)).toBe(status);
        expect(core.result(R.MESSAGES)).toBe(1);
        expect(core.result(R.STOP)).toBe(INPUT + ok.length);
        expect(core.result(R.TYPE)).toBe(MessageCode.DATA_ROW);
        expect(core.result(R.DETAIL)).toBe(detail);
      }
    });
  }
});

describe('stops and arguments', () => {
  const rfq = new Bytes().u8(0x49).frame('Z');

  it('stops after the byte budget, resumably', () => {
    const stream = concat(...Array.from({ length: 10 }, () => rfq));
    core.bytes.set(stream, INPUT);
    const end = INPUT + stream.length;
    expect(core.scan(INPUT, end, 13)).toBe(Status.BUDGET);
    expect(core.result(R.MESSAGES)).toBe(3);
    expect(core.result(R.STOP)).toBe(INPUT + 18);
    expect(core.scan(INPUT + 18, end, 1000)).toBe(Status.NEED_MORE);
    expect(core.result(R.MESSAGES)).toBe(7);
    expect(core.result(R.STOP)).toBe(end);
  });

  it('stops when the message table is full', () => {
    const n = Layout.MAX_MESSAGES + 5;
    const stream = new Uint8Array(n * rfq.length);
    for (let i = 0; i < n; i++) stream.set(rfq, i * rfq.length);
    expect(scan(stream)).toBe(Status.TABLE_FULL);
    expect(core.result(R.MESSAGES)).toBe(Layout.MAX_MESSAGES);
    expect(core.result(R.STOP)).toBe(INPUT + Layout.MAX_MESSAGES * rfq.length);
  });

  it('stops when the field table cannot take the next row', () => {
    // Rows of 65535 NULLs: two fit the table, the third does not.
    const b = new Bytes().i16(65535);
    for (let i = 0; i < 65535; i++) b.i32(-1);
    const row = b.frame('D');
    const stream = concat(row, row, row);
    expect(stream.length).toBeLessThan(INPUT_SIZE);
    expect(scan(stream)).toBe(Status.TABLE_FULL);
    expect(core.result(R.MESSAGES)).toBe(Math.floor(Layout.MAX_FIELDS / 65535));
    expect(core.result(R.FIELDS)).toBe(65535 * Math.floor(Layout.MAX_FIELDS / 65535));
  });

  it('rejects arguments outside the input region by status, without trapping', () => {
    const top = INPUT + INPUT_SIZE;
    const calls: [number, number, number][] = [
      [0, 10, 10], [INPUT - 1, INPUT + 5, 10], [INPUT, top + 1, 10], [INPUT + 10, INPUT, 10],
      [INPUT, INPUT, 0], [INPUT, INPUT, -5], [-1, -1, 1], [0x7fff_ffff, 0x7fff_ffff, 1], [top, top + 100000, 1],
    ];
    for (const [start, end, budget] of calls) {
      expect([start, end, budget, core.scan(start, end, budget)]).toEqual([start, end, budget, Status.BAD_ARGUMENT]);
    }
    expect(core.scan(top, top, 1)).toBe(Status.NEED_MORE);
  });
});
