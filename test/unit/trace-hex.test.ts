/**
 * Hex dumps as the trace tool reads them: the real output of xxd, hexdump -C, od -A x -t x1z and
 * xxd -p (committed fixtures made by test/fixtures/hex/generate.ts), squeezed `*` lines, F:/B:
 * direction markers, and the typed errors for text that is not a dump.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { CaptureError, collectTrace, decodeHexBytes, decodeHexDump, looksLikeText, traceHexDump, traceStreams } from '../../src/tools/trace/index.js';
import { concat, toHex } from '../fixtures/bytes.js';
import { fxCopyData } from '../fixtures/frontend-bytes.js';
import { canonicalLines, canonicalSession } from '../fixtures/pg-session.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/hex/${name}`, import.meta.url), 'utf8');
const side = (which: 'client' | 'server'): Uint8Array => concat(...canonicalSession().filter((s) => s.side === which).map((s) => s.bytes));

function thrown(fn: () => unknown): CaptureError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CaptureError);
    return err as CaptureError;
  }
  throw new Error('expected a CaptureError');
}

describe('hex dump formats', () => {
  it('reads xxd, hexdump -C, od -A x -t x1z and plain hex (xxd -p) output', () => {
    expect(toHex(decodeHexBytes(fixture('frontend.xxd')))).toBe(toHex(side('client')));
    expect(toHex(decodeHexBytes(fixture('frontend.plain')))).toBe(toHex(side('client')));
    expect(toHex(decodeHexBytes(fixture('backend.hexdump')))).toBe(toHex(side('server')));
    expect(toHex(decodeHexBytes(fixture('backend.od')))).toBe(toHex(side('server')));
  });

  it('restores lines squeezed into `*` by hexdump and od', () => {
    const copy = fxCopyData(new Uint8Array(200).fill(0x41));
    expect(fixture('copy-squeezed.hexdump')).toContain('\n*\n');
    expect(toHex(decodeHexBytes(fixture('copy-squeezed.hexdump')))).toBe(toHex(copy));
    expect(toHex(decodeHexBytes(fixture('copy-squeezed.od')))).toBe(toHex(copy));
  });

  it('two one-direction dumps trace like the raw bytes', () => {
    const r = collectTrace(traceStreams(decodeHexBytes(fixture('frontend.xxd')), decodeHexBytes(fixture('backend.hexdump'))));
    expect(r.error).toBeNull();
    expect(r.lines).toEqual(collectTrace(traceStreams(side('client'), side('server'))).lines);
  });

  it('a marked dump (one message per section, the formats taking turns) traces in the order written', () => {
    const r = collectTrace(traceHexDump(fixture('session-marked.txt')));
    expect(r.error).toBeNull();
    expect(r.lines).toEqual(canonicalLines());
  });

  it('markers may carry bytes on their own line; CRLF, comments and blank lines are ignored', () => {
    const text = [
      '# a pasted exchange',
      'F: 00 00 00 08 04 d2 16 2f',
      '',
      'B: 4e',
      'F:',
      '00000000  00 00 00 10 00 03 00 00  75 73 65 72 00 75 00 00  |........user.u..|',
      '00000010',
      'B: 52 00 00 00 08 00 00 00 00',
    ].join('\r\n');
    const r = collectTrace(traceHexDump(text));
    expect(r.error).toBeNull();
    expect(r.lines).toEqual([
      'F\t8\tSSLRequest\t 1234 5679',
      'B\t1\tSSLResponse\t N',
      'F\t16\tStartupMessage\t 3 0 "user" "u"',
      'B\t8\tAuthenticationOk',
    ]);
  });

  it('plain hex in groups of four bytes is not taken for offsets', () => {
    expect(toHex(decodeHexBytes('00000020 00030000\n75736572 00616c69'))).toBe('00 00 00 20 00 03 00 00 75 73 65 72 00 61 6c 69');
  });

  it('tells text from raw bytes', () => {
    expect(looksLikeText(new TextEncoder().encode(fixture('backend.hexdump')))).toBe(true);
    expect(looksLikeText(side('client'))).toBe(false);
    expect(looksLikeText(new Uint8Array(0))).toBe(false);
  });
});

describe('hex dump errors', () => {
  it('text that is not hex, odd digits, a broken offset line: PGS_CAPTURE_INVALID with the line number', () => {
    const notHex = thrown(() => decodeHexBytes('51 00 00\nhello world\n'));
    expect(notHex.code).toBe(ErrorCode.CAPTURE_INVALID);
    expect(notHex.message).toMatch(/^line 2: /);
    expect(thrown(() => decodeHexBytes('510')).message).toMatch(/^line 1: "510" is not whole hex bytes/);
    expect(thrown(() => decodeHexBytes('00000000: 5100 00\n00000003: zz\n')).message).toMatch(/^line 2: /);
  });

  it('a squeeze whose next offset does not follow, or that would expand past the cap', () => {
    const lines = fixture('copy-squeezed.hexdump').split('\n');
    const wrongOffset = lines.map((l) => l.replace(/^000000c0/, '000000c3')).join('\n');
    expect(thrown(() => decodeHexBytes(wrongOffset)).message).toMatch(/does not follow the squeezed lines/);
    const huge = lines.map((l) => l.replace(/^000000c0/, 'f00000c0')).join('\n');
    const err = thrown(() => decodeHexBytes(huge));
    expect(err.message).toMatch(/expands past 268435456 bytes/);
  });

  it('markers belong in one marked dump, and a marked dump needs them throughout', () => {
    expect(thrown(() => decodeHexBytes('F: 51 00')).message).toMatch(/has F:\/B: direction markers/);
    expect(thrown(() => [...traceHexDump('51 00 00 00 04\nB: 5a')]).message).toMatch(/hex bytes before any F:\/B: marker/);
    expect(thrown(() => [...traceHexDump('# nothing\n')]).message).toMatch(/holds no bytes/);
  });

  it('sections split anywhere, even inside a message, still decode', () => {
    const client = side('client');
    const server = side('server');
    const r = collectTrace(traceHexDump(`F: ${toHex(client.subarray(0, 5))}\nF: ${toHex(client.subarray(5, 32))}\nB: ${toHex(server.subarray(0, 24))}`));
    expect(r.lines).toEqual(canonicalLines().slice(0, 2));
    expect(decodeHexDump('F: 01\nB: 02\nF: 03').map((s) => `${s.side}:${toHex(s.bytes)}`)).toEqual(['frontend:01', 'backend:02', 'frontend:03']);
  });
});
