/**
 * Hostile input never crashes, hangs or escapes as anything but a typed error: arbitrary bytes,
 * mutated captures (pcap and pcapng, several link types), arbitrary dump text and mutated raw
 * streams give PQtrace lines and at most one CaptureError. fast-check with fixed seeds; each
 * property also checks that its inputs reached both outcomes and a spread of error codes, so a
 * generator that never produced a malformed case would fail.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { CaptureError, collectTrace, scanCapture, traceCaptureSession, traceHexDump, traceStreams } from '../../src/tools/trace/index.js';
import { concat } from '../fixtures/bytes.js';
import { frame, LINK_ETHERNET, LINK_NULL, LINK_SLL2, writePcap, writePcapng } from '../fixtures/capture-writer.js';
import { canonicalConversation, canonicalSession, STEP_US, T0_US } from '../fixtures/pg-session.js';

const LINE = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\t)?[FB]\t(\d+|NN)\t[A-Za-z]+(\t.*)?$/s;

/** Outcomes seen across a property's runs. */
class Outcomes {
  lines = 0;
  codes = new Set<string>();

  /** Runs a whole capture trace; only CaptureErrors may come out, and every line must be a PQtrace line. */
  capture(file: Uint8Array): void {
    let scan;
    try {
      scan = scanCapture(file, { port: 5432 });
    } catch (err) {
      this.error(err);
      return;
    }
    if (scan.error !== null) this.error(scan.error);
    for (const s of scan.sessions) this.trace(traceCaptureSession(s));
  }

  trace(lines: Iterable<string>): void {
    let r;
    try {
      r = collectTrace(lines);
    } catch (err) {
      this.error(err);
      return;
    }
    for (const line of r.lines) expect(line).toMatch(LINE);
    this.lines += r.lines.length;
    if (r.error !== null) this.error(r.error);
  }

  private error(err: unknown): void {
    expect(err).toBeInstanceOf(CaptureError);
    this.codes.add((err as CaptureError).code);
  }
}

const conv = canonicalConversation();
const valid: Uint8Array[] = [
  writePcap({ linkType: LINK_ETHERNET }, conv.segments.map((s, i) => ({ ts: T0_US + BigInt(i) * STEP_US, data: frame(LINK_ETHERNET, conv.ip(s)) }))),
  writePcap({ linkType: LINK_NULL, little: false, nanoseconds: true }, conv.segments.map((s, i) => ({ ts: (T0_US + BigInt(i) * STEP_US) * 1000n, data: frame(LINK_NULL, conv.ip(s)) }))),
  writePcapng({ little: false, interfaces: [{ linkType: LINK_SLL2, tsresol: 9 }], packets: conv.segments.map((s, i) => ({ ts: (T0_US + BigInt(i) * STEP_US) * 1000n, data: frame(LINK_SLL2, conv.ip(s)) })) }),
];

/** A mutation of a byte array: overwrite, truncate, insert or delete bytes. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), value: fc.constant(0) }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), value: fc.constant(0) }),
);

function mutate(bytes: Uint8Array, edits: { kind: 'set' | 'cut' | 'insert' | 'delete'; at: number; value: number }[]): Uint8Array {
  let b: Uint8Array = bytes.slice();
  for (const e of edits) {
    if (b.length === 0) break;
    const at = e.at % b.length;
    if (e.kind === 'set') b[at] = e.value;
    else if (e.kind === 'cut') b = b.slice(0, at);
    else if (e.kind === 'insert') b = concat(b.subarray(0, at), Uint8Array.of(e.value), b.subarray(at));
    else b = concat(b.subarray(0, at), b.subarray(at + 1));
  }
  return b;
}

describe('hostile input', () => {
  it('mutated captures give lines or a typed error (seed 7)', () => {
    const seen = new Outcomes();
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.array(mutation, { minLength: 1, maxLength: 8 }), (which, edits) => {
        seen.capture(mutate(valid[which]!, edits));
      }),
      { seed: 7, numRuns: 400 },
    );
    expect(seen.lines).toBeGreaterThan(1000);
    expect(seen.codes).toContain(ErrorCode.CAPTURE_TRUNCATED);
    expect(seen.codes).toContain(ErrorCode.CAPTURE_INVALID);
    expect(seen.codes.size).toBeGreaterThanOrEqual(4);
  });

  it('arbitrary bytes behind a capture header give a typed error, never a crash (seed 11)', () => {
    const seen = new Outcomes();
    const headers = [valid[0]!.subarray(0, 24), valid[1]!.subarray(0, 24), valid[2]!.subarray(0, 48), new Uint8Array(0)];
    fc.assert(
      fc.property(fc.nat(headers.length - 1), fc.uint8Array({ maxLength: 600 }), (h, tail) => {
        seen.capture(concat(headers[h]!, tail));
      }),
      { seed: 11, numRuns: 400 },
    );
    expect(seen.codes).toContain(ErrorCode.CAPTURE_INVALID);
    expect(seen.codes).toContain(ErrorCode.CAPTURE_TRUNCATED);
  });

  it('mutated and arbitrary raw streams give lines or a typed error (seed 13)', () => {
    const seen = new Outcomes();
    const client = concat(...canonicalSession().filter((s) => s.side === 'client').map((s) => s.bytes));
    const server = concat(...canonicalSession().filter((s) => s.side === 'server').map((s) => s.bytes));
    fc.assert(
      fc.property(fc.array(mutation, { maxLength: 4 }), fc.array(mutation, { maxLength: 4 }), fc.uint8Array({ maxLength: 64 }), (fe, be, noise) => {
        seen.trace(traceStreams(mutate(client, fe), concat(mutate(server, be), noise)));
        seen.trace(traceStreams(noise, null));
      }),
      { seed: 13, numRuns: 300 },
    );
    expect(seen.lines).toBeGreaterThan(1000);
    expect(seen.codes.size).toBeGreaterThanOrEqual(5);
    expect(seen.codes).toContain(ErrorCode.CAPTURE_TRUNCATED);
  });

  it('arbitrary and mutated dump text gives lines or a typed error (seed 17)', () => {
    const seen = new Outcomes();
    const marked = readFileSync(new URL('../fixtures/hex/session-marked.txt', import.meta.url), 'utf8');
    const token = fc.constantFrom('F:', 'B:', '*', '|', '>', '<', ':', ' ', '  ', '\n', '\r\n', '#', '00000010', '0000', '51', '00', '04', '5a', '49', 'zz', 'f');
    const edit = fc.tuple(fc.nat(), fc.nat(3), token);
    fc.assert(
      fc.property(fc.array(token, { maxLength: 60 }), fc.array(edit, { maxLength: 3 }), (tokens, edits) => {
        seen.trace(traceHexDump(tokens.join('')));
        let text = marked;
        for (const [at, drop, insert] of edits) {
          const i = at % text.length;
          text = text.slice(0, i) + insert + text.slice(i + drop);
        }
        seen.trace(traceHexDump(text));
      }),
      { seed: 17, numRuns: 300 },
    );
    expect(seen.lines).toBeGreaterThan(1000);
    expect(seen.codes).toContain(ErrorCode.CAPTURE_INVALID);
    expect(seen.codes.size).toBeGreaterThanOrEqual(3);
  });
});
