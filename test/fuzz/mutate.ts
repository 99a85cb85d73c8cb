/**
 * Inputs for fuzz targets, biased towards the malformed cases that matter: valid inputs (samples)
 * changed a little — cut short, a length or count field set off by ±1, to zero, huge or negative,
 * bits flipped, bytes inserted or removed, pieces of another sample spliced in — plus a share of
 * unchanged samples (so the valid paths run too) and of plain random bytes.
 */
import fc from 'fast-check';

/** A valid input and where its length and count fields are. */
export interface Sample {
  readonly bytes: Uint8Array;
  /** Offsets of big-endian int32 length/count fields. */
  readonly int32s?: readonly number[];
  /** Offsets of big-endian int16 count fields. */
  readonly int16s?: readonly number[];
  /** The int fields are little-endian (pcap files written on x86). */
  readonly little?: boolean;
  /** How often it is picked relative to the others (default 4; big, slow samples less). */
  readonly weight?: number;
}

/** One edit of a byte string. */
export type Edit =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; value: number }
  | { op: 'cut'; at: number }
  | { op: 'drop'; at: number; n: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'dup'; at: number; n: number }
  | { op: 'splice'; at: number; from: number; start: number; n: number }
  | { op: 'int32'; field: number; how: number }
  | { op: 'int16'; field: number; how: number };

/** Values a length field is set to: relative (±1, ±2) or absolute (0, 3, 4, huge, negative, -1). */
const HOWS = 12;
function newLength(old: number, how: number, bits: 16 | 32): number {
  const max = bits === 32 ? 0x7fff_ffff : 0x7fff;
  switch (how) {
    case 0: return old + 1;
    case 1: return old - 1;
    case 2: return old + 2;
    case 3: return old - 2;
    case 4: return 0;
    case 5: return -1;
    case 6: return -2;
    case 7: return max;
    case 8: return bits === 32 ? -0x8000_0000 : -0x8000;
    case 9: return 3;
    case 10: return 4;
    default: return old * 2 + 1;
  }
}

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.nat(7) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.constantFrom(0, 0xff, 0x7f, 0x80, 1, 0x2c, 0x3d, 0x0a) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cut' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('drop' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('insert' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('dup' as const), at: fc.nat(), n: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('splice' as const), at: fc.nat(), from: fc.nat(), start: fc.nat(), n: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('int32' as const), field: fc.nat(), how: fc.nat(HOWS - 1) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('int16' as const), field: fc.nat(), how: fc.nat(HOWS - 1) }) },
);

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Applies `edits` to a copy of `sample` (positions are taken modulo the current length). */
export function applyEdits(sample: Sample, edits: readonly Edit[], others: readonly Sample[] = []): Uint8Array {
  let b: Uint8Array = sample.bytes.slice();
  // Field offsets stay meaningful until an edit moves bytes; after that they are taken as they fall.
  for (const e of edits) {
    const pos = (at: number): number => (b.length === 0 ? 0 : at % (b.length + 1));
    switch (e.op) {
      case 'flip':
        if (b.length > 0) b[e.at % b.length]! ^= 1 << e.bit;
        break;
      case 'set':
        if (b.length > 0) b[e.at % b.length] = e.value;
        break;
      case 'cut':
        b = b.slice(0, b.length === 0 ? 0 : e.at % b.length);
        break;
      case 'drop': {
        const at = pos(e.at);
        b = concat(b.subarray(0, at), b.subarray(at + e.n));
        break;
      }
      case 'insert': {
        const at = pos(e.at);
        b = concat(b.subarray(0, at), e.bytes, b.subarray(at));
        break;
      }
      case 'dup': {
        const at = pos(e.at);
        b = concat(b.subarray(0, at + e.n), b.subarray(at));
        break;
      }
      case 'splice': {
        const src = others.length > 0 ? others[e.from % others.length]!.bytes : b;
        const start = src.length === 0 ? 0 : e.start % src.length;
        const at = pos(e.at);
        b = concat(b.subarray(0, at), src.subarray(start, start + e.n), b.subarray(at));
        break;
      }
      case 'int32':
      case 'int16': {
        const bits = e.op === 'int32' ? 32 : 16;
        const width = bits / 8;
        const fields = (bits === 32 ? sample.int32s : sample.int16s) ?? [];
        const at = fields.length > 0 ? fields[e.field % fields.length]! : b.length >= width ? e.field % (b.length - width + 1) : -1;
        if (at < 0 || at + width > b.length) break;
        const view = new DataView(b.buffer, b.byteOffset, b.length);
        const le = sample.little === true;
        const old = bits === 32 ? view.getInt32(at, le) : view.getInt16(at, le);
        const v = newLength(old, e.how, bits);
        if (bits === 32) view.setInt32(at, v | 0, le);
        else view.setInt16(at, (v << 16) >> 16, le);
        break;
      }
    }
  }
  return b;
}

/**
 * Byte strings from `samples`: 1 in 8 unchanged, 1 in 8 random, the rest with 1–4 edits (a length
 * field, a cut, a flip, a splice, ...).
 */
export function mutatedBytes(samples: readonly Sample[], maxRandom = 96): fc.Arbitrary<Uint8Array> {
  const which = fc.constantFrom(...samples.flatMap((s, i) => Array<number>(s.weight ?? 4).fill(i)));
  return fc.oneof(
    { weight: 1, arbitrary: which.map((i) => samples[i]!.bytes.slice()) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: maxRandom }) },
    {
      weight: 6,
      arbitrary: fc.tuple(which, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([i, edits]) => applyEdits(samples[i]!, edits, samples)),
    },
  );
}

/** Offsets at which to cut a stream of `length` bytes into pieces: none, every byte, or random. */
export function chunking(): fc.Arbitrary<(length: number) => number[]> {
  return fc.oneof(
    fc.constant(() => []),
    fc.constant((length: number) => Array.from({ length: Math.max(0, length - 1) }, (_, i) => i + 1)),
    fc.array(fc.nat(), { maxLength: 16 }).map((seeds) => (length: number) =>
      [...new Set(seeds.map((s) => (length === 0 ? 0 : s % length)))].filter((c) => c > 0).sort((a, b) => a - b)),
  );
}

/** `bytes` cut at `cuts`. */
export function pieces(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(bytes.subarray(from, c));
    from = c;
  }
  return out;
}

/** Text samples changed a little: a token inserted, a character replaced or removed, the text cut. */
export function mutatedText(samples: readonly string[], tokens: readonly string[]): fc.Arbitrary<string> {
  const textEdit = fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom(...tokens));
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...samples) },
    { weight: 1, arbitrary: fc.array(fc.constantFrom(...tokens), { maxLength: 24 }).map((t) => t.join('')) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    {
      weight: 5,
      arbitrary: fc.tuple(fc.constantFrom(...samples), fc.array(textEdit, { minLength: 1, maxLength: 3 })).map(([s, edits]) => {
        let t = s;
        for (const [at, drop, insert] of edits) {
          const i = t.length === 0 ? 0 : at % (t.length + 1);
          t = t.slice(0, i) + insert + t.slice(i + drop);
        }
        return t;
      }),
    },
  );
}
