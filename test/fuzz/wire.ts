/**
 * Backend byte streams to mutate: framed messages from the independent fixture encoder, with the
 * offsets of every length and count field (frame lengths, DataRow field counts and lengths,
 * RowDescription/ParameterDescription/CopyResponse counts), so that mutations hit them.
 */
import { Bytes, concat } from '../fixtures/bytes.js';
import * as fx from '../fixtures/backend-bytes.js';
import type { Sample } from './mutate.js';

/** The length and count fields of the frames in `stream` (walked from the start while it frames). */
export function frameFields(stream: Uint8Array): Sample {
  const v = new DataView(stream.buffer, stream.byteOffset, stream.length);
  const int32s: number[] = [];
  const int16s: number[] = [];
  for (let at = 0; at + 5 <= stream.length;) {
    const type = String.fromCharCode(stream[at]!);
    const length = v.getInt32(at + 1);
    const body = at + 5;
    int32s.push(at + 1);
    if (type === 'D' || type === 'T' || type === 't') int16s.push(body);
    if (type === 'G' || type === 'H' || type === 'W') int16s.push(body + 1);
    if (type === 'v') int32s.push(body, body + 4);
    if (type === 'R' || type === 'K') int32s.push(body);
    if (type === 'V') int32s.push(body);
    if (type === 'D') {
      const n = v.getInt16(body);
      for (let i = 0, f = body + 2; i < n && f + 4 <= stream.length; i++) {
        int32s.push(f);
        f += 4 + Math.max(0, v.getInt32(f));
      }
    }
    at += 1 + length;
  }
  return { bytes: stream, int32s, int16s };
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A query result: RowDescription, `rows` DataRows, CommandComplete, ReadyForQuery. */
export function resultStream(rows: readonly (readonly (string | Uint8Array | null)[])[]): Uint8Array {
  const width = rows[0]?.length ?? 1;
  const fields = Array.from({ length: width }, (_, i) => ({ name: `c${i}`, tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 }));
  return concat(fx.rowDescription(fields), ...rows.map((r) => fx.dataRow(r)), fx.commandComplete(`SELECT ${rows.length}`), fx.readyForQuery('I'));
}

/** Streams the framer is fuzzed with. */
export const framerSamples: Sample[] = [
  // Every message shape PostgreSQL sends, one after the other.
  frameFields(concat(...fx.goldenCases.map((c) => c.frame), fx.dataRow([utf8('1'), null, new Uint8Array(0), 'é🐘']), fx.readyForQuery('I'))),
  // A result with many small rows (the DataRow fast path, row blocks).
  frameFields(resultStream(Array.from({ length: 40 }, (_, i) => [String(i), i % 3 === 0 ? null : `row ${i}`, 'x'.repeat(i)]))),
  // Rows with multi-byte UTF-8 and invalid UTF-8.
  frameFields(resultStream([['héllo', '🐘🐘'], [Uint8Array.of(0xc3), Uint8Array.of(0xe2, 0x82)], [Uint8Array.of(0xff, 0xfe), 'ok']])),
  // A row past the 64 KiB scan budget.
  { ...frameFields(resultStream([['a', 'b'.repeat(70_000)], ['c', 'd']])), weight: 1 },
  // A message larger than the 1 MiB input region (the slow path).
  { ...frameFields(concat(fx.copyOutResponse(0, [0]), fx.copyData(new Uint8Array(0x10_0100).fill(0x61)), fx.copyDone(), fx.commandComplete('COPY 1'), fx.readyForQuery('I'))), weight: 1 },
  // A notice and parameter status between rows, an error in the middle of a result.
  frameFields(concat(fx.rowDescription([{ name: 'a', tableOid: 0, columnAttr: 0, typeOid: 25, typeSize: -1, typeModifier: -1, format: 0 }]), fx.dataRow(['1']),
    fx.noticeResponse([['S', 'NOTICE'], ['M', 'hi']]), fx.parameterStatus('TimeZone', 'UTC'), fx.dataRow(['2']),
    fx.errorResponse([['S', 'ERROR'], ['C', '22012'], ['M', 'division by zero']]), fx.readyForQuery('E'))),
];

/** [type byte, ...body] of every message shape, for the decoders (the frame's length word is the reader's business). */
export const bodySamples: Sample[] = [
  ...fx.goldenCases.map((c) => c.frame),
  fx.dataRow([utf8('1'), null, new Uint8Array(0), 'é']),
  fx.dataRow([]),
  // Every Authentication sub-code, with a short tail.
  ...Array.from({ length: 16 }, (_, i) => new Bytes().i32(i - 1).raw([0x61, 0x62, 0, 0x63, 0]).frame('R')),
].map((frame) => {
  const f = frameFields(frame);
  const shift = (offsets: readonly number[] | undefined): number[] => (offsets ?? []).filter((o) => o >= 5).map((o) => o - 4);
  return { bytes: concat(frame.subarray(0, 1), frame.subarray(5)), int32s: shift(f.int32s), int16s: shift(f.int16s) };
});
