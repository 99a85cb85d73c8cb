import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { md5, md5Hex, md5Password } from '../../src/auth/md5.js';
import { PgStreamError } from '../../src/errors.js';

const ascii = (s: string) => new TextEncoder().encode(s);
const nodeMd5 = (b: Uint8Array | string) => createHash('md5').update(b).digest('hex');

describe('md5 (RFC 1321)', () => {
  // RFC 1321 appendix A.5, "test suite".
  const suite: [string, string][] = [
    ['', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['a', '0cc175b9c0f1b6a831c399e269772661'],
    ['abc', '900150983cd24fb0d6963f7d28e17f72'],
    ['message digest', 'f96b697d7cb7938d525a2f31aaf161d0'],
    ['abcdefghijklmnopqrstuvwxyz', 'c3fcd3d76192e4007dfb496cca67e13b'],
    ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', 'd174ab98d277d9f5a5611c2c9f419d9f'],
    ['12345678901234567890123456789012345678901234567890123456789012345678901234567890', '57edf4a22be3c955ac49da2e2107b67a'],
  ];
  for (const [input, digest] of suite) {
    it(`MD5("${input}")`, () => {
      expect(md5Hex(ascii(input))).toBe(digest);
    });
  }

  it('returns 16 raw bytes', () => {
    const d = md5(ascii('abc'));
    expect(d).toBeInstanceOf(Uint8Array);
    expect(d.length).toBe(16);
    expect(d[0]).toBe(0x90);
  });

  it('handles every length around the padding boundaries (0..200 bytes), like node:crypto', () => {
    for (let n = 0; n <= 200; n++) {
      const b = new Uint8Array(n).map((_, i) => (i * 37 + n) & 0xff);
      expect(md5Hex(b)).toBe(nodeMd5(b));
    }
  });

  it('agrees with node:crypto on arbitrary bytes (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1000 }), (b) => md5Hex(b) === nodeMd5(b)), { numRuns: 300 });
  });

  it('hashes a 1 MiB input', () => {
    const b = new Uint8Array(1 << 20).map((_, i) => i & 0xff);
    expect(md5Hex(b)).toBe(nodeMd5(b));
  });
});

describe('md5Password (PostgreSQL)', () => {
  const salt = new Uint8Array([0x01, 0x02, 0x03, 0x04]);

  it('is md5 + hex(md5(hex(md5(password + user)) + salt)), checked with node:crypto', () => {
    const inner = nodeMd5('secretpostgres');
    const expected = 'md5' + createHash('md5').update(Buffer.concat([Buffer.from(inner), Buffer.from(salt)])).digest('hex');
    expect(md5Password('postgres', 'secret', salt)).toBe(expected);
  });

  it('matches known values (computed independently with Python hashlib)', () => {
    // pg_authid holds 'md5' + md5('secret' || 'postgres') for role postgres with password secret.
    expect(md5Hex(ascii('secretpostgres'))).toBe('53f48b7c4b76a86ce72276c5755f217d');
    expect(md5Password('postgres', 'secret', salt)).toBe('md5bb41a296aab6baccb36ff243a562abff');
    expect(md5Password('user', 'foo', new Uint8Array([0xde, 0xad, 0xbe, 0xef]))).toBe('md5c88aab8900d3e71d1f4c2093c7e81e06');
  });

  it('encodes non-ASCII user and password as UTF-8', () => {
    const inner = createHash('md5').update(Buffer.from('pässwörd' + 'usér', 'utf8')).digest('hex');
    const expected = 'md5' + createHash('md5').update(Buffer.concat([Buffer.from(inner), Buffer.from(salt)])).digest('hex');
    expect(md5Password('usér', 'pässwörd', salt)).toBe(expected);
    expect(md5Password('usér', new TextEncoder().encode('pässwörd'), salt)).toBe(expected);
  });

  it('does not modify a caller-supplied password buffer', () => {
    const pw = new TextEncoder().encode('secret');
    md5Password('postgres', pw, salt);
    expect(new TextDecoder().decode(pw)).toBe('secret');
  });

  it('rejects a salt that is not 4 bytes with a typed error', () => {
    expect(() => md5Password('u', 'p', new Uint8Array(3))).toThrow(PgStreamError);
    try {
      md5Password('u', 'hunter2', new Uint8Array(5));
    } catch (e) {
      expect((e as PgStreamError).code).toBe('PGS_INVALID_ARGUMENT');
      expect(String((e as Error).message)).not.toContain('hunter2');
    }
  });
});
