import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClientError, ErrorCode, PgStreamError, ProtocolError } from '../../src/errors.js';
import { decodeDataRow, encodeDataRow } from '../../src/protocol/backend/data-row.js';
import { BackendReader } from '../../src/protocol/backend-reader.js';
import type { DataRowView } from '../../src/protocol/messages.js';
import { MessageWriter } from '../../src/protocol/writer.js';
import { Bytes, concat, hex, toHex } from '../fixtures/bytes.js';
import { dataRowBody as rowBody } from '../fixtures/backend-bytes.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Every accessor of every field, as plain values. */
function dump(row: DataRowView): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < row.fieldCount; i++) {
    const b = row.bytes(i);
    out.push([row.isNull(i), row.fieldLength(i), row.text(i), b === null ? null : toHex(b)]);
  }
  return out;
}

const values = ['42', null, '', 'héllo', 'x'.repeat(40), `${'y'.repeat(39)}é`, new Uint8Array([0, 0xff, 0x80])];
const expected = values.map((v) => {
  if (v === null) return [true, -1, null, null];
  const b = typeof v === 'string' ? enc(v) : v;
  return [false, b.length, typeof v === 'string' ? v : '\u0000\ufffd\ufffd', toHex(b)];
});

/** Reads every DataRow of `stream` through a BackendReader, dumping each before the next. */
function readRows(stream: Uint8Array, chunk = stream.length): unknown[][] {
  const reader = new BackendReader();
  const rows: unknown[][] = [];
  for (let off = 0; off < stream.length; ) {
    off += reader.push(stream.subarray(off, off + chunk));
    for (let m = reader.next(); m !== null; m = reader.next()) if (m.type === 'DataRow') rows.push(dump(m));
  }
  return rows;
}

describe('decodeDataRow (pure JS)', () => {
  it('decodes fields, NULLs, empty and non-ASCII values; bytes are views into the body', () => {
    const body = rowBody(values).body();
    const row = decodeDataRow(body);
    expect(row.type).toBe('DataRow');
    expect(row.fieldCount).toBe(values.length);
    expect(dump(row)).toEqual(expected);
    expect(row.bytes(0)!.buffer).toBe(body.buffer);
  });

  it('refuses malformed bodies as the WASM scanner does (one definition of the checks)', () => {
    // Shorter than the field count: the length is below DataRow's minimum, as the scanner reports it.
    for (const body of [new Uint8Array([]), new Uint8Array([0])]) {
      expect(() => decodeDataRow(body)).toThrow(expect.objectContaining({ code: ErrorCode.FRAME_LENGTH_TOO_SHORT }));
    }
    const bad = [
      new Bytes().i16(1).body(),
      new Bytes().i16(-1).i32(0).i32(0).body(),
      new Bytes().i16(1).i32(-2).body(),
      new Bytes().i16(1).i32(3).raw([1, 2]).body(),
      new Bytes().i16(2).i32(1).u8(1).raw([0, 0]).body(),
      new Bytes().i16(1).i32(0).u8(9).body(),
    ];
    for (const body of bad) {
      expect(() => decodeDataRow(body)).toThrow(expect.objectContaining({ code: ErrorCode.MALFORMED_MESSAGE }));
    }
  });

  it('agrees with the WASM path on arbitrary bodies: same fields, or both refuse', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 2, maxLength: 60 }), // shorter bodies fail the header check first
          fc.array(fc.option(fc.uint8Array({ maxLength: 20 })), { maxLength: 6 }).map((f) => rowBody(f).body()),
        ),
        (body) => {
          let js: unknown;
          try {
            js = dump(decodeDataRow(body));
          } catch (err) {
            expect(err).toBeInstanceOf(ProtocolError);
            js = (err as PgStreamError).code;
          }
          let wasm: unknown;
          try {
            wasm = readRows(new Bytes().raw(body).frame('D'))[0];
          } catch (err) {
            expect(err).toBeInstanceOf(ProtocolError);
            wasm = (err as PgStreamError).code;
          }
          expect(wasm).toEqual(js);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('encodeDataRow', () => {
  it('writes the documented layout', () => {
    const w = new MessageWriter();
    encodeDataRow(w, ['1', null, new Uint8Array([0xff]), 'é', '']);
    expect(toHex(w.written())).toBe(toHex(hex('44 00 00 00 1e 00 05 00000001 31 ffffffff 00000001 ff 00000002 c3a9 00000000')));
  });

  it('is atomic: a bad value or too many fields leaves nothing written', () => {
    const w = new MessageWriter();
    encodeDataRow(w, ['keep']);
    const before = toHex(w.written());
    expect(() => encodeDataRow(w, ['a', 5 as unknown as string])).toThrow(ClientError);
    expect(toHex(w.written())).toBe(before);
    expect(() => encodeDataRow(w, new Array<null>(65536).fill(null))).toThrow(expect.objectContaining({ code: ErrorCode.TOO_MANY_PARAMETERS }));
    expect(toHex(w.written())).toBe(before);
    encodeDataRow(w, new Array<null>(65535).fill(null));
    expect(w.length).toBe(before.split(' ').length + 5 + 2 + 4 * 65535);
  });

  it('round-trips through the reader', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.oneof(fc.string(), fc.uint8Array({ maxLength: 30 }))), { maxLength: 10 }), (vals) => {
        const w = new MessageWriter();
        encodeDataRow(w, vals);
        const [row] = readRows(w.toBytes());
        expect((row as unknown[][]).map((f) => f[3])).toEqual(vals.map((v) => (v === null ? null : toHex(typeof v === 'string' ? enc(v) : v))));
      }),
      { numRuns: 300 },
    );
  });
});

describe('the reader\'s DataRow view', () => {
  it('reads every accessor the same as the pure-JS decoder, in any chunking', () => {
    const stream = concat(...Array.from({ length: 3 }, () => rowBody(values).frame('D')));
    for (const chunk of [1, 7, 64, stream.length]) {
      expect(readRows(stream, chunk)).toEqual([expected, expected, expected]);
    }
  });

  it('is one object re-pointed at each row', () => {
    const reader = new BackendReader();
    reader.push(concat(rowBody(['a']).frame('D'), rowBody(['b', 'c']).frame('D')));
    const first = reader.next() as DataRowView;
    expect(first.text(0)).toBe('a');
    const second = reader.next() as DataRowView;
    expect(second).toBe(first);
    expect([second.fieldCount, second.text(1)]).toEqual([2, 'c']);
  });

  it('copy() stays valid after later rows overwrite the input region', () => {
    const reader = new BackendReader();
    reader.push(rowBody(['kept', null, 'ü']).frame('D'));
    const copy = (reader.next() as DataRowView).copy();
    for (let k = 0; k < 40; k++) {
      reader.push(rowBody(['z'.repeat(30000)]).frame('D'));
      while (reader.next() !== null);
    }
    expect(dump(copy)).toEqual([[false, 4, 'kept', toHex(enc('kept'))], [true, -1, null, null], [false, 2, 'ü', 'c3 bc']]);
    expect(dump(copy.copy())).toEqual(dump(copy));
  });

  it('refuses indices outside the row with PGS_INVALID_ARGUMENT', () => {
    const reader = new BackendReader();
    reader.push(rowBody(['a', 'b']).frame('D'));
    const row = reader.next() as DataRowView;
    const detached = row.copy();
    for (const r of [row, detached]) {
      for (const i of [-1, 2, 1.5, Number.NaN, 2 ** 32]) {
        for (const call of [() => r.text(i), () => r.bytes(i), () => r.isNull(i), () => r.fieldLength(i)]) {
          expect(call).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
        }
      }
    }
  });

  it('gives the same text in all-ASCII batches, mixed batches, and rows straddling the two', () => {
    const ascii = ['ascii', '', null, 'more ascii than a SIMD lane of sixteen bytes'];
    const mixed = ['ascii', 'ünï', null, 'ascii except at the very end of a long field: é'];
    // Runs of each kind, each longer than one 64 KiB scan batch, so batches of both kinds and
    // batches holding both occur.
    const runs = [ascii, mixed, ascii, mixed].map((values) => {
      const one = rowBody(values).frame('D');
      return { values, count: Math.ceil(0x1_8000 / one.length), one };
    });
    const stream = concat(...runs.flatMap((r) => Array.from({ length: r.count }, () => r.one)));
    const expected = runs.flatMap((r) => Array.from({ length: r.count }, () => r.values));
    const reader = new BackendReader();
    const seen: (string | null)[][] = [];
    for (let off = 0; off < stream.length; ) {
      off += reader.push(stream.subarray(off, off + 7000));
      for (let m = reader.next(); m !== null; m = reader.next()) {
        const row = m as DataRowView;
        seen.push([row.text(0), row.text(1), row.text(2), row.text(3)]);
      }
    }
    expect(seen.length).toBe(expected.length);
    expect(seen).toEqual(expected);
  });
});
