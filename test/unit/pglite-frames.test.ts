/**
 * The PGlite transport's frontend framer (src/transport/pglite/frames.ts): PGlite must get whole
 * messages per call, so however the session's writes cut the byte stream, the framer hands back the
 * same messages, the startup-phase packet untyped and the rest typed; an impossible length is a
 * typed protocol error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, FrontendCode, MessageWriter, ProtocolError, ProtocolVersion, encodeCopyData, encodeQuery, encodeStartupMessage, encodeSync } from '../../src/index.js';
import { FrontendFramer } from '../../src/transport/pglite/frames.js';

/** A StartupMessage followed by typed messages, each encoded on its own. */
function session(sqls: readonly string[], copy: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const w = new MessageWriter(256);
  encodeStartupMessage(w, { protocol: ProtocolVersion.V3_0, parameters: { user: 'u' } });
  out.push(w.toBytes());
  for (const sql of sqls) {
    w.clear();
    encodeQuery(w, sql);
    out.push(w.toBytes());
  }
  w.clear();
  encodeCopyData(w, copy);
  out.push(w.toBytes());
  w.clear();
  encodeSync(w);
  out.push(w.toBytes());
  return out;
}

describe('FrontendFramer', () => {
  it('returns the same messages however the bytes are cut', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }).map((s) => s.replace(/\0/g, '')), { maxLength: 6 }), fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(400), { maxLength: 12 }), (sqls, copy, cuts) => {
        const messages = session(sqls, copy);
        const whole = new Uint8Array(messages.reduce((n, m) => n + m.length, 0));
        let at = 0;
        for (const m of messages) {
          whole.set(m, at);
          at += m.length;
        }
        const points = [...new Set(cuts.map((c) => c % (whole.length + 1)))].sort((a, b) => a - b);
        const framer = new FrontendFramer();
        const got: Uint8Array[] = [];
        let from = 0;
        for (const to of [...points, whole.length]) {
          framer.push(whole.subarray(from, to));
          from = to;
          for (let f = framer.next(); f !== null; f = framer.next()) {
            got.push(f.bytes);
            if (framer.untyped) {
              expect(f.type).toBe(0);
              expect(f.code).toBe(ProtocolVersion.V3_0);
              framer.untyped = false;
            }
          }
        }
        expect(got).toEqual(messages);
        expect(framer.pending).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('an impossible length is PGS_MALFORMED_MESSAGE', () => {
    const typed = new FrontendFramer();
    typed.untyped = false;
    typed.push(Uint8Array.of(FrontendCode.QUERY, 0, 0, 0, 3));
    expect(() => typed.next()).toThrow(ProtocolError);
    const untyped = new FrontendFramer();
    untyped.push(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 3, 0, 0));
    try {
      untyped.next();
      expect.unreachable();
    } catch (err) {
      expect((err as ProtocolError).code).toBe(ErrorCode.MALFORMED_MESSAGE);
    }
  });
});
