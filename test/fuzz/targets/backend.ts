/**
 * The framer and the backend decoders: BackendReader (WASM framing, the DataRow fast path, the
 * slow path for messages over the input region, row blocks) fed mutated server transcripts in
 * random chunkings, and decodeBackend fed mutated message bodies.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { decodeBackend } from '../../../src/protocol/backend/index.js';
import { BackendReader } from '../../../src/protocol/backend-reader.js';
import type { BackendMessage, DataRowView } from '../../../src/protocol/messages.js';
import { toHex } from '../../fixtures/bytes.js';
import { chunking, mutatedBytes, pieces } from '../mutate.js';
import { check, Finding, outcomeOf, target, typedCode } from '../target.js';
import { bodySamples, framerSamples } from '../wire.js';

/** Bytes as text: hex, or a digest when long. */
const bytesText = (b: Uint8Array): string => (b.length <= 256 ? toHex(b) : `${b.length}:${createHash('sha1').update(b).digest('hex')}`);

/** A message as a string: what must be identical however the stream was chunked. */
function summary(m: BackendMessage): string {
  if (m.type !== 'DataRow') {
    return JSON.stringify(m, (_k, v: unknown) => (v instanceof Uint8Array ? bytesText(v) : v instanceof Map ? [...v] : v));
  }
  const row = m as DataRowView;
  const fields: string[] = [];
  for (let i = 0; i < row.fieldCount; i++) {
    const b = row.bytes(i);
    fields.push(b === null ? 'NULL' : `${bytesText(b)}:${outcomeOf(() => row.text(i))}`);
  }
  return `D[${fields.join(',')}]`;
}

/** Everything `stream` decodes to when pushed in `parts`: message summaries, then 'end' or the error code. */
function decodeAll(parts: readonly Uint8Array[], maxMessageLength: number | undefined, blocks: boolean): string[] {
  const reader = new BackendReader(maxMessageLength === undefined ? {} : { maxMessageLength });
  const out: string[] = [];
  try {
    for (const part of parts) {
      for (let off = 0; off < part.length;) {
        const took = reader.push(part.subarray(off));
        off += took;
        let progressed = took > 0;
        for (;;) {
          if (blocks) {
            const block = reader.nextRows();
            if (block !== null) {
              out.push(`rows:${block.rowCount}`);
              progressed = true;
              continue;
            }
          }
          const m = reader.next();
          if (m === null) break;
          progressed = true;
          out.push(m.type === 'DataRow' && blocks ? 'rows:1' : summary(m));
        }
        check(progressed, `the reader took no bytes and gave no message with ${part.length - off} bytes left: stuck`);
      }
    }
    out.push('end');
  } catch (err) {
    out.push(typedCode(err));
  }
  return out;
}

/** Merges runs of row counts (a block boundary depends on the chunking). */
function mergeRows(lines: string[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    const prev = out.at(-1);
    if (l.startsWith('rows:') && prev?.startsWith('rows:')) out[out.length - 1] = `rows:${Number(prev.slice(5)) + Number(l.slice(5))}`;
    else out.push(l);
  }
  return out;
}

export const framer = target({
  name: 'framer',
  about: 'BackendReader: mutated transcripts (frame lengths, field counts and lengths off by ±1/huge/negative, cuts, flips, splices) in one chunk, byte by byte and random chunkings give identical messages and the same typed error',
  arbitrary: fc.record({
    stream: mutatedBytes(framerSamples, 200),
    cuts: chunking(),
    maxMessageLength: fc.oneof({ weight: 5, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(4, 5, 64, 1024, 0x10_0000) }),
    blocks: fc.boolean(),
  }),
  run: ({ stream, cuts, maxMessageLength, blocks }) => {
    const max = maxMessageLength ?? undefined;
    let at = cuts(stream.length);
    // Byte by byte over kilobytes is slow without telling more: at most ~1000 pieces.
    if (at.length > 1_000) {
      const step = Math.ceil(at.length / 1_000);
      at = at.filter((c, i) => i % step === 0 || c < 64 || c > stream.length - 64);
    }
    const whole = decodeAll([stream], max, blocks);
    const chunked = decodeAll(pieces(stream, at), max, blocks);
    const a = blocks ? mergeRows(whole) : whole;
    const b = blocks ? mergeRows(chunked) : chunked;
    if (a.length !== b.length || a.some((x, i) => x !== b[i])) {
      const i = a.findIndex((x, k) => x !== b[k]);
      throw new Finding(`chunking changed the result at message ${i}: ${a[i]?.slice(0, 200)} vs ${b[i]?.slice(0, 200)}`);
    }
    return a.at(-1) === 'end' ? 'ok' : a.at(-1)!;
  },
  testRuns: 800,
  reaches: ['ok', 'PGS_FRAME_LENGTH_TOO_SHORT', 'PGS_FRAME_TOO_LARGE', 'PGS_UNKNOWN_MESSAGE', 'PGS_MALFORMED_MESSAGE', 'PGS_FRAME_LENGTH_MISMATCH'],
  minCodes: 5,
});

export const backendDecoders = target({
  name: 'backend-decoders',
  about: 'decodeBackend on mutated bodies of every message shape (DataRow and every Authentication sub-code included) and random type bytes',
  arbitrary: mutatedBytes(bodySamples, 96),
  run: (b) => {
    if (b.length === 0) return 'empty';
    return outcomeOf(() => {
      const m = decodeBackend(b[0]!, b.subarray(1));
      if (m.type === 'DataRow') summary(m);
    });
  },
  testRuns: 20_000,
  reaches: ['ok', 'PGS_MALFORMED_MESSAGE', 'PGS_UNKNOWN_MESSAGE'],
  minCodes: 3,
});
