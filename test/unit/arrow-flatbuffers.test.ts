/**
 * The hand-written FlatBufferBuilder read back by the reference FlatBuffers runtime (the `flatbuffers`
 * package, which apache-arrow depends on): scalars of every width, strings, vectors of tables and of
 * structs, absent fields, alignment, growth past the initial capacity, and random tables.
 */
import fc from 'fast-check';
import * as flatbuffers from 'flatbuffers';
import { describe, expect, it } from 'vitest';
import { FlatBufferBuilder, writeInt64 } from '../../src/types/arrow/flatbuffer-builder.js';

/** Position of the root table. */
function root(bb: flatbuffers.ByteBuffer): number {
  return bb.readInt32(bb.position()) + bb.position();
}

/** Absolute position of field `slot` of the table at `table`, or 0 when absent. */
function field(bb: flatbuffers.ByteBuffer, table: number, slot: number): number {
  const o = bb.__offset(table, 4 + 2 * slot);
  return o === 0 ? 0 : table + o;
}

describe('FlatBufferBuilder', () => {
  it('writes a table the reference runtime reads: scalars, string, vectors, absent fields', () => {
    const b = new FlatBufferBuilder(16);
    const inner = ['a', 'ünï', ''].map((s) => {
      const str = b.createString(s);
      b.startTable(1);
      b.addOffset(0, str);
      return b.endTable();
    });
    const tables = b.createOffsetVector(inner);
    const structs = b.createStructVector(16, 8, 3, (view, pos, i) => {
      writeInt64(view, pos, i * 1000);
      writeInt64(view, pos + 8, Number.MAX_SAFE_INTEGER - i);
    });
    const name = b.createString('名前 🐘');
    b.startTable(9);
    b.addInt64(0, Number.MAX_SAFE_INTEGER);
    b.addOffset(1, name);
    b.addInt8(2, -5);
    b.addInt16(3, -300);
    b.addInt32(4, -70000);
    b.addOffset(6, tables);
    b.addOffset(7, structs);
    // slots 5 and 8 stay absent.
    const bytes = b.finish(b.endTable()).slice();

    const bb = new flatbuffers.ByteBuffer(bytes);
    const t = root(bb);
    expect(bb.readInt64(field(bb, t, 0))).toBe(BigInt(Number.MAX_SAFE_INTEGER));
    expect(field(bb, t, 0) % 8).toBe(0);
    expect(bb.__string(field(bb, t, 1))).toBe('名前 🐘');
    expect(bb.readInt8(field(bb, t, 2))).toBe(-5);
    expect(bb.readInt16(field(bb, t, 3))).toBe(-300);
    expect(bb.readInt32(field(bb, t, 4))).toBe(-70000);
    expect(field(bb, t, 5)).toBe(0);
    expect(field(bb, t, 8)).toBe(0);
    const vec = field(bb, t, 6);
    expect(bb.__vector_len(vec)).toBe(3);
    const strings = [0, 1, 2].map((i) => {
      const elem = bb.__indirect(bb.__vector(vec) + 4 * i);
      return bb.__string(field(bb, elem, 0));
    });
    expect(strings).toEqual(['a', 'ünï', '']);
    const sv = field(bb, t, 7);
    expect(bb.__vector_len(sv)).toBe(3);
    const start = bb.__vector(sv);
    expect(start % 8).toBe(0);
    expect([0, 1, 2].map((i) => [bb.readInt64(start + 16 * i), bb.readInt64(start + 16 * i + 8)])).toEqual([
      [0n, BigInt(Number.MAX_SAFE_INTEGER)],
      [1000n, BigInt(Number.MAX_SAFE_INTEGER - 1)],
      [2000n, BigInt(Number.MAX_SAFE_INTEGER - 2)],
    ]);
    expect(bytes.length % 8).toBe(0);
  });

  it('grows past its initial capacity without corrupting what was written', () => {
    const b = new FlatBufferBuilder(4);
    const long = 'x'.repeat(10_000) + 'é';
    const s = b.createString(long);
    b.startTable(2);
    b.addOffset(0, s);
    b.addInt32(1, 123456);
    const bb = new flatbuffers.ByteBuffer(b.finish(b.endTable()).slice());
    const t = root(bb);
    expect(bb.__string(field(bb, t, 0))).toBe(long);
    expect(bb.readInt32(field(bb, t, 1))).toBe(123456);
  });

  it('refuses misuse: objects inside an open table, fields outside one, bad 64-bit values', () => {
    const b = new FlatBufferBuilder();
    b.startTable(1);
    expect(() => b.createString('x')).toThrow(RangeError);
    expect(() => b.startTable(1)).toThrow(RangeError);
    expect(() => b.addInt32(1, 0)).toThrow(RangeError);
    b.endTable();
    expect(() => b.endTable()).toThrow(RangeError);
    expect(() => b.addInt32(0, 0)).toThrow(RangeError);
    const view = new DataView(new ArrayBuffer(8));
    expect(() => writeInt64(view, 0, -1)).toThrow(expect.objectContaining({ code: 'PGS_INVALID_ARGUMENT' }));
    expect(() => writeInt64(view, 0, 2 ** 53)).toThrow(expect.objectContaining({ code: 'PGS_INVALID_ARGUMENT' }));
    expect(() => writeInt64(view, 0, 1.5)).toThrow(expect.objectContaining({ code: 'PGS_INVALID_ARGUMENT' }));
  });

  it('random tables of random fields in random slot order read back exactly', () => {
    const scalar = fc.oneof(
      fc.record({ kind: fc.constant('i8' as const), v: fc.integer({ min: -128, max: 127 }) }),
      fc.record({ kind: fc.constant('i16' as const), v: fc.integer({ min: -32768, max: 32767 }) }),
      fc.record({ kind: fc.constant('i32' as const), v: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }) }),
      fc.record({ kind: fc.constant('i64' as const), v: fc.maxSafeNat() }),
      fc.record({ kind: fc.constant('str' as const), v: fc.string({ unit: 'binary', maxLength: 40 }) }),
    );
    const spec = fc.uniqueArray(fc.record({ slot: fc.integer({ min: 0, max: 11 }), value: scalar }), { selector: (f) => f.slot, maxLength: 12 });
    fc.assert(
      fc.property(spec, fc.integer({ min: 1, max: 64 }), (fields, capacity) => {
        const b = new FlatBufferBuilder(capacity);
        const strings = new Map<number, number>();
        for (const f of fields) if (f.value.kind === 'str') strings.set(f.slot, b.createString(f.value.v));
        b.startTable(12);
        for (const f of fields) {
          const { kind, v } = f.value;
          if (kind === 'i8') b.addInt8(f.slot, v);
          else if (kind === 'i16') b.addInt16(f.slot, v);
          else if (kind === 'i32') b.addInt32(f.slot, v);
          else if (kind === 'i64') b.addInt64(f.slot, v);
          else b.addOffset(f.slot, strings.get(f.slot)!);
        }
        const bb = new flatbuffers.ByteBuffer(b.finish(b.endTable()).slice());
        const t = root(bb);
        for (let slot = 0; slot < 12; slot++) {
          const f = fields.find((x) => x.slot === slot);
          const at = field(bb, t, slot);
          if (f === undefined) {
            expect(at).toBe(0);
            continue;
          }
          const { kind, v } = f.value;
          if (kind === 'i8') expect(bb.readInt8(at)).toBe(v);
          else if (kind === 'i16') expect(bb.readInt16(at)).toBe(v);
          else if (kind === 'i32') expect(bb.readInt32(at)).toBe(v);
          else if (kind === 'i64') {
            expect(at % 8).toBe(0);
            expect(bb.readInt64(at)).toBe(BigInt(v));
          } else expect(bb.__string(at)).toBe(v);
        }
      }),
      { numRuns: 300 },
    );
  });
});
