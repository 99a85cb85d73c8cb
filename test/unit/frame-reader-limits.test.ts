import { describe, expect, it } from 'vitest';
import { ErrorCode, ProtocolError } from '../../src/errors.js';
import { BackendReader } from '../../src/protocol/backend-reader.js';
import type { DataRowView } from '../../src/protocol/messages.js';
import type { WasmCore } from '../../src/wasm/core.js';
import { Layout } from '../../src/wasm/layout.js';
import { Bytes, concat } from '../fixtures/bytes.js';

const { INPUT_SIZE } = Layout;
const rfq = new Bytes().u8('I'.charCodeAt(0)).frame('Z');
const parseComplete = new Bytes().frame('1');

/** The reader's private core (to watch or break it from a test). */
const coreOf = (r: BackendReader): WasmCore => (r as unknown as { core: WasmCore }).core;

function bigRow(sizes: number[]): Uint8Array {
  const b = new Bytes().i16(sizes.length);
  sizes.forEach((n, k) => {
    b.i32(n);
    for (let i = 0; i < n; i++) b.u8(0x61 + ((i + k) % 26));
  });
  return b.frame('D');
}

describe('messages larger than the input region (slow path, case 24)', () => {
  it('reads a 3 MiB DataRow between small messages, in any chunk size', () => {
    const row = bigRow([3 << 20, 5, 1 << 20]);
    const stream = concat(rfq, row, rfq);
    for (const chunk of [65536, 1 << 20, 777_777, stream.length]) {
      const reader = new BackendReader();
      const seen: string[] = [];
      for (let off = 0; off < stream.length; ) {
        off += reader.push(stream.subarray(off, off + chunk));
        for (let m = reader.next(); m !== null; m = reader.next()) {
          if (m.type === 'DataRow') {
            seen.push(`row ${m.fieldCount} ${m.fieldLength(0)} ${m.text(1)} ${m.text(2)!.length}`);
            expect(m.bytes(0)!.subarray(0, 3)).toEqual(new Uint8Array([0x61, 0x62, 0x63]));
            expect(m.text(0)!.slice(-2)).toBe(String.fromCharCode(0x61 + (((3 << 20) - 2) % 26), 0x61 + (((3 << 20) - 1) % 26)));
          } else seen.push(m.type);
        }
      }
      expect(seen).toEqual(['ReadyForQuery', `row 3 ${3 << 20} bcdef ${1 << 20}`, 'ReadyForQuery']);
      expect(reader.buffered).toBe(0);
    }
  });

  it('lets a transport read the big body straight into writable()', () => {
    const row = bigRow([2 << 20]);
    const stream = concat(row, rfq);
    const reader = new BackendReader();
    const types: string[] = [];
    for (let off = 0; off < stream.length; ) {
      const w = reader.writable();
      const n = Math.min(w.length, 100_000, stream.length - off);
      w.set(stream.subarray(off, off + n));
      reader.commit(n, w);
      off += n;
      for (let m = reader.next(); m !== null; m = reader.next()) types.push(m.type);
    }
    expect(types).toEqual(['DataRow', 'ReadyForQuery']);
  });

  it('reads a big CopyData and RowDescription through decodeBackend', () => {
    const copy = new Bytes().raw(new Uint8Array(INPUT_SIZE + 10).fill(0x7a)).frame('d');
    const reader = new BackendReader();
    let off = 0;
    let got: Uint8Array | undefined;
    while (off < copy.length) {
      off += reader.push(copy.subarray(off));
      const m = reader.next();
      if (m?.type === 'CopyData') got = m.data;
    }
    expect(got?.length).toBe(INPUT_SIZE + 10);
    expect(got?.every((b) => b === 0x7a)).toBe(true);
  });

  it('refuses a header above maxMessageLength before allocating anything', () => {
    const sizes: number[] = [];
    const RealUint8Array = globalThis.Uint8Array;
    const Spy = new Proxy(RealUint8Array, {
      construct(target, args: unknown[]) {
        if (typeof args[0] === 'number') sizes.push(args[0]);
        return Reflect.construct(target, args) as object;
      },
    });
    const reader = new BackendReader({ maxMessageLength: 4 << 20 });
    globalThis.Uint8Array = Spy;
    try {
      reader.push(new Bytes().u8(0x44).i32((4 << 20) + 1).body());
      expect(() => reader.next()).toThrow(expect.objectContaining({ code: ErrorCode.FRAME_TOO_LARGE }));
      const huge = new BackendReader({ maxMessageLength: Layout.INPUT_SIZE * 2 });
      huge.push(new Bytes().u8(0x64).i32(0x3fff_ffff).body());
      expect(() => huge.next()).toThrow(expect.objectContaining({ code: ErrorCode.FRAME_TOO_LARGE }));
    } finally {
      globalThis.Uint8Array = RealUint8Array;
    }
    expect(sizes.filter((n) => n > 1 << 20)).toEqual([]);
  });
});

describe('views and memory (case 26)', () => {
  it('moves bytes that landed in a stale writable() view into place', () => {
    const reader = new BackendReader();
    // Leave a partial message near the end so that next() compacts it to the start.
    const filler = new Uint8Array(INPUT_SIZE - 100);
    for (let i = 0; i + 6 <= filler.length; i += 6) filler.set(rfq, i);
    const head = filler.length - (filler.length % 6);
    const row = new Bytes().i16(1).i32(5).str('hello').frame('D');
    reader.push(concat(filler.subarray(0, head), row.subarray(0, 4)));
    const stale = reader.writable(); // handed to a socket now...
    let n = 0;
    while (reader.next() !== null) n++; // ...while next() compacts
    expect(n).toBe(head / 6);
    expect(reader.writable().byteOffset).not.toBe(stale.byteOffset);
    stale.set(concat(row.subarray(4), rfq));
    reader.commit(row.length - 4 + rfq.length, stale);
    const m = reader.next() as DataRowView;
    expect(m.text(0)).toBe('hello');
    expect(reader.next()?.type).toBe('ReadyForQuery');
    expect(reader.next()).toBeNull();
  });

  it('keeps working when the memory buffer is replaced between any two calls', () => {
    const reader = new BackendReader();
    const memory = coreOf(reader).exports.memory;
    const rows = concat(...Array.from({ length: 50 }, (_, i) => new Bytes().i16(2).i32(2).str(`${10 + i}`).i32(-1).frame('D')), rfq);
    const seen: string[] = [];
    for (let off = 0; off < rows.length; off += 7) {
      memory.grow(0); // detaches the old ArrayBuffer, exactly as real growth would
      reader.push(rows.subarray(off, off + 7));
      memory.grow(0);
      for (let m = reader.next(); m !== null; m = reader.next()) {
        memory.grow(0);
        seen.push(m.type === 'DataRow' ? `${m.text(0)}` : m.type);
      }
      expect(reader.writable().buffer).toBe(memory.buffer);
    }
    expect(seen).toEqual([...Array.from({ length: 50 }, (_, i) => `${10 + i}`), 'ReadyForQuery']);
  });

  it('never grows: memory is fixed at its documented size', () => {
    const memory = coreOf(new BackendReader()).exports.memory;
    expect(memory.buffer.byteLength).toBe(Layout.MEMORY_PAGES * Layout.PAGE_SIZE);
    expect(() => memory.grow(1)).toThrow(RangeError);
  });
});

describe('a million tiny messages in one chunk (case 25)', () => {
  it('scans and moves every byte a bounded number of times', () => {
    const count = 1_000_000;
    const stream = new Uint8Array(count * parseComplete.length);
    for (let i = 0; i < count; i++) stream.set(parseComplete, i * parseComplete.length);
    const reader = new BackendReader();
    const core = coreOf(reader);
    let scanned = 0;
    let scans = 0;
    const scan = core.scan.bind(core);
    core.scan = (start, end, budget) => {
      scans++;
      const status = scan(start, end, budget);
      scanned += core.result(Layout.RESULT_STOP) - start;
      return status;
    };
    let moved = 0;
    const memory = core.bytes;
    const copyWithin = memory.copyWithin.bind(memory);
    memory.copyWithin = (target: number, start: number, end?: number) => {
      moved += (end ?? memory.length) - start;
      return copyWithin(target, start, end);
    };
    let n = 0;
    let off = 0;
    while (off < stream.length) {
      off += reader.push(stream.subarray(off));
      while (reader.next() !== null) n++;
    }
    expect(n).toBe(count);
    expect(scanned).toBe(stream.length); // every byte framed exactly once
    expect(scans).toBeLessThan((2 * stream.length) / Layout.MAX_MESSAGES + 200);
    expect(moved).toBeLessThan(stream.length / 100);
  });
});

describe('a trap inside WebAssembly (case 8)', () => {
  it('becomes PGS_WASM_FAULT, resets the core and poisons the reader', () => {
    const reader = new BackendReader();
    const core = coreOf(reader);
    // Instance exports are frozen: stand in a copy whose scan traps the way a WASM bug would.
    const broken = {
      ...core.exports,
      scan: (): number => {
        throw new WebAssembly.RuntimeError('unreachable');
      },
    };
    core.exports = broken;
    reader.push(rfq);
    let caught: unknown;
    try {
      reader.next();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ProtocolError);
    expect((caught as ProtocolError).code).toBe(ErrorCode.WASM_FAULT);
    expect((caught as ProtocolError).cause).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(() => reader.next()).toThrow(caught as Error);
    // The core was replaced by a fresh instance that works.
    expect(core.exports).not.toBe(broken);
    core.bytes.set(rfq, Layout.INPUT);
    expect(core.scan(Layout.INPUT, Layout.INPUT + rfq.length, 100)).toBe(1);
  });
});

describe('maxMessageLength changed at run time (the startup phase keeps it tiny)', () => {
  it('refuses a large type from its header under a small limit, and accepts it again after', () => {
    const header = new Uint8Array([0x44, 0x00, 0x01, 0x00, 0x00]); // DataRow announcing 64 KiB
    const strict = new BackendReader();
    strict.maxMessageLength = 8192;
    expect(strict.maxMessageLength).toBe(8192);
    strict.push(header);
    expect(() => strict.next()).toThrowError(expect.objectContaining({ code: ErrorCode.FRAME_TOO_LARGE }));

    const relaxed = new BackendReader();
    relaxed.maxMessageLength = 8192;
    relaxed.maxMessageLength = 1 << 20;
    relaxed.push(bigRow([60_000]));
    const row = relaxed.next() as DataRowView;
    expect(row.type).toBe('DataRow');
    expect(row.fieldLength(0)).toBe(60_000);
  });

  it('rejects limits outside [4, 1 GiB] and keeps the old one', () => {
    const reader = new BackendReader();
    for (const bad of [3, 2 ** 30, 1.5, Number.NaN]) {
      expect(() => {
        reader.maxMessageLength = bad;
      }).toThrowError(expect.objectContaining({ code: ErrorCode.INVALID_ARGUMENT }));
    }
    expect(reader.maxMessageLength).toBe(256 * 1024 * 1024);
  });
});

describe('slow-path bodies grow as they arrive (a header alone reserves little)', () => {
  it('a 20 MiB DataRow reserves capacity as its body arrives, and decodes whole', () => {
    const declared = 20 << 20;
    const row = bigRow([declared - 4 - 2 - 4]);
    const reader = new BackendReader();
    let fed = 0;
    const feed = (upTo: number): void => {
      while (fed < upTo) {
        const taken = reader.push(row.subarray(fed, Math.min(upTo, fed + 65536)));
        if (taken === 0) expect(reader.next()).toBeNull();
        fed += taken;
      }
    };
    feed(3 << 20);
    expect(reader.next()).toBeNull();
    // Capacity so far: what arrived plus at most as much again (doubling), far below 20 MiB.
    expect(reader.writable().length).toBeLessThanOrEqual(3 << 20);
    feed(row.length);
    const msg = reader.next() as DataRowView;
    expect(msg.type).toBe('DataRow');
    expect(msg.fieldLength(0)).toBe(declared - 10);
    expect(msg.bytes(0)![declared - 11]).toBe(row[row.length - 1]);
  });
});
