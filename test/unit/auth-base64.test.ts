import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, encodeBase64 } from '../../src/auth/base64.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('base64 (RFC 4648 §4)', () => {
  // RFC 4648 §10 test vectors.
  const vectors: [string, string][] = [
    ['', ''],
    ['f', 'Zg=='],
    ['fo', 'Zm8='],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg=='],
    ['fooba', 'Zm9vYmE='],
    ['foobar', 'Zm9vYmFy'],
  ];
  for (const [plain, coded] of vectors) {
    it(`"${plain}" ↔ "${coded}"`, () => {
      expect(encodeBase64(enc(plain))).toBe(coded);
      expect(decodeBase64(coded)).toEqual(enc(plain));
    });
  }

  it('round-trips and agrees with Buffer on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        const s = encodeBase64(b);
        expect(s).toBe(Buffer.from(b).toString('base64'));
        expect(decodeBase64(s)).toEqual(b);
      }),
      { numRuns: 1000 },
    );
  });

  it('rejects non-canonical or malformed input', () => {
    for (const bad of ['Zg', 'Zg=', 'Z===', '====', 'Zh==', 'Zm9=', 'Zm9vY', 'Zm 9v', 'Zm9v\n', 'Zm-v', 'Zm_v', 'Zg==Zg==', 'Z=g=', 'é===']) {
      expect(decodeBase64(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it('accepts only canonical encodings and never throws (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 24 }), (s) => {
        const r = decodeBase64(s);
        if (r !== null) expect(encodeBase64(r)).toBe(s);
      }),
      { numRuns: 3000 },
    );
  });
});
