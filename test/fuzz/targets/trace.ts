/**
 * The trace tool's readers (src/tools/trace): pcap and pcapng captures (several link types, both
 * byte orders) mutated in their record and block lengths or followed by random bytes; raw client
 * and server streams; hex dump text. Every reader gives PQtrace lines and at most one CaptureError,
 * never another exception. (Moved here from unit/trace-property.test.ts, with its reach checks.)
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { ErrorCode } from '../../../src/errors.js';
import { CaptureError, collectTrace, scanCapture, traceCaptureSession, traceHexDump, traceStreams } from '../../../src/tools/trace/index.js';
import { concat } from '../../fixtures/bytes.js';
import { frame, LINK_ETHERNET, LINK_NULL, LINK_SLL2, writePcap, writePcapng } from '../../fixtures/capture-writer.js';
import { canonicalConversation, canonicalSession, STEP_US, T0_US } from '../../fixtures/pg-session.js';
import { mutatedBytes, mutatedText, type Sample } from '../mutate.js';
import { check, target, typedCode } from '../target.js';
import { frameFields } from '../wire.js';

/** A PQtrace line; message names may hold digits (AuthenticationKerberosV5: the first long run's finding). */
const LINE = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\t)?[FB]\t(\d+|NN)\t[A-Za-z][A-Za-z0-9]*(\t.*)?$/s;

/** Lines of a trace, checked; the outcome is the error's code or 'ok'. */
function trace(lines: Iterable<string>): { outcome: string; lines: number } {
  let r;
  try {
    r = collectTrace(lines);
  } catch (err) {
    return { outcome: typedCode(err), lines: 0 };
  }
  for (const line of r.lines) check(LINE.test(line), `not a PQtrace line: ${JSON.stringify(line.slice(0, 200))}`);
  if (r.error !== null) {
    check(r.error instanceof CaptureError, `a trace error that is not a CaptureError: ${String(r.error)}`);
    return { outcome: typedCode(r.error), lines: r.lines.length };
  }
  return { outcome: r.lines.length > 0 ? 'ok' : 'empty', lines: r.lines.length };
}

/** The record length fields of a pcap file. */
function pcapFields(file: Uint8Array, little: boolean): Sample {
  const v = new DataView(file.buffer, file.byteOffset, file.length);
  const int32s = [16, 20];
  for (let at = 24; at + 16 <= file.length; at += 16 + v.getUint32(at + 8, little)) int32s.push(at + 8, at + 12);
  return { bytes: file, int32s, little };
}

/** The block length fields of a pcapng file (both copies) and the captured/original lengths of packets. */
function pcapngFields(file: Uint8Array, little: boolean): Sample {
  const v = new DataView(file.buffer, file.byteOffset, file.length);
  const int32s: number[] = [];
  for (let at = 0; at + 12 <= file.length;) {
    const type = v.getUint32(at, little);
    const length = v.getUint32(at + 4, little);
    if (length < 12) break;
    int32s.push(at + 4, at + length - 4);
    if (type === 6) int32s.push(at + 20, at + 24);
    if (type === 1) int32s.push(at + 12);
    at += length;
  }
  return { bytes: file, int32s, little };
}

const conv = canonicalConversation();
const CAPTURES: Sample[] = [
  pcapFields(writePcap({ linkType: LINK_ETHERNET }, conv.segments.map((s, i) => ({ ts: T0_US + BigInt(i) * STEP_US, data: frame(LINK_ETHERNET, conv.ip(s)) }))), true),
  pcapFields(writePcap({ linkType: LINK_NULL, little: false, nanoseconds: true }, conv.segments.map((s, i) => ({ ts: (T0_US + BigInt(i) * STEP_US) * 1000n, data: frame(LINK_NULL, conv.ip(s)) }))), false),
  pcapngFields(writePcapng({ little: false, interfaces: [{ linkType: LINK_SLL2, tsresol: 9 }], packets: conv.segments.map((s, i) => ({ ts: (T0_US + BigInt(i) * STEP_US) * 1000n, data: frame(LINK_SLL2, conv.ip(s)) })) }), false),
];
const HEADERS = [CAPTURES[0]!.bytes.subarray(0, 24), CAPTURES[1]!.bytes.subarray(0, 24), CAPTURES[2]!.bytes.subarray(0, 48), new Uint8Array(0)];

export const traceCapture = target({
  name: 'trace-capture',
  about: 'scanCapture + traceCaptureSession: pcap (both byte orders, Ethernet, NULL) and pcapng (SLL2) captures with mutated record/block lengths, cuts, flips, splices; capture headers followed by random bytes',
  arbitrary: fc.oneof(
    { weight: 3, arbitrary: mutatedBytes(CAPTURES, 200) },
    { weight: 1, arbitrary: fc.tuple(fc.nat(HEADERS.length - 1), fc.uint8Array({ maxLength: 600 })).map(([h, tail]) => concat(HEADERS[h]!, tail)) },
  ),
  run: (file) => {
    let scan;
    try {
      scan = scanCapture(file, { port: 5432 });
    } catch (err) {
      check(err instanceof CaptureError, `scanCapture threw ${String(err)}`);
      return typedCode(err);
    }
    let outcome = scan.error === null ? 'ok' : typedCode(scan.error);
    for (const s of scan.sessions) {
      const t = trace(traceCaptureSession(s));
      if (t.outcome !== 'ok' && t.outcome !== 'empty') outcome = t.outcome;
    }
    return outcome;
  },
  testRuns: 500,
  reaches: ['ok', ErrorCode.CAPTURE_TRUNCATED, ErrorCode.CAPTURE_INVALID],
  minCodes: 4,
});

const session = canonicalSession();
const CLIENT = concat(...session.filter((s) => s.side === 'client').map((s) => s.bytes));
const SERVER = concat(...session.filter((s) => s.side === 'server').map((s) => s.bytes));

export const traceRaw = target({
  name: 'trace-raw',
  about: 'traceStreams: mutated client and server byte streams of a whole session (message lengths off by ±1/huge/negative, cuts, splices), and random bytes',
  arbitrary: fc.tuple(mutatedBytes([{ bytes: CLIENT }], 64), mutatedBytes([frameFields(SERVER)], 64), fc.boolean()),
  run: ([client, server, oneSided]) => {
    const t = trace(traceStreams(oneSided ? null : client, server));
    return t.outcome;
  },
  testRuns: 350,
  reaches: ['ok', ErrorCode.CAPTURE_TRUNCATED],
  minCodes: 5,
});

const MARKED = readFileSync(new URL('../../fixtures/hex/session-marked.txt', import.meta.url), 'utf8');
const HEX_TOKENS = ['F:', 'B:', '*', '|', '>', '<', ':', ' ', '  ', '\n', '\r\n', '#', '00000010', '0000', '51', '00', '04', '5a', '49', 'zz', 'f', 'ffffffff'];

export const traceHex = target({
  name: 'trace-hex',
  about: 'traceHexDump: a marked session dump with edits (offsets, directions, hex digits), token soup, random text',
  arbitrary: mutatedText([MARKED], HEX_TOKENS),
  run: (text) => trace(traceHexDump(text)).outcome,
  testRuns: 350,
  reaches: ['ok', ErrorCode.CAPTURE_INVALID],
  minCodes: 3,
});
