import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pgSaslprep, saslprep, scramPassword } from '../../src/auth/saslprep.js';
import { PgStreamError } from '../../src/errors.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('saslprep (RFC 4013)', () => {
  // RFC 4013 §3, "Examples".
  it('maps SOFT HYPHEN to nothing: I<U+00AD>X → IX', () => expect(saslprep('I\u00adX')).toBe('IX'));
  it('leaves "user" alone', () => expect(saslprep('user')).toBe('user'));
  it('preserves case: USER → USER', () => expect(saslprep('USER')).toBe('USER'));
  it('NFKC: <U+00AA> → a', () => expect(saslprep('\u00aa')).toBe('a'));
  it('NFKC: <U+2168> → IX', () => expect(saslprep('\u2168')).toBe('IX'));
  it('rejects a prohibited character: <U+0007>', () => {
    expect(() => saslprep('\u0007')).toThrow(PgStreamError);
  });
  it('rejects a bidi violation: <U+0627><U+0031>', () => {
    expect(() => saslprep('\u0627\u0031')).toThrow(PgStreamError);
  });

  it('maps non-ASCII spaces to U+0020', () => {
    expect(saslprep('a\u00a0b\u3000c\u2003d')).toBe('a b c d');
  });
  it('accepts a right-to-left string that starts and ends with RandALCat', () => {
    expect(saslprep('\u0627\u0031\u0628')).toBe('\u0627\u0031\u0628');
  });
  it('rejects mixing RandALCat and LCat', () => {
    expect(() => saslprep('\u0627a\u0628')).toThrow(PgStreamError);
  });
  it('rejects code points unassigned in Unicode 3.2 (U+0221 was assigned in 4.0)', () => {
    expect(() => saslprep('a\u0221')).toThrow(PgStreamError);
  });
  it('rejects private use, non-characters, lone surrogates and tagging characters', () => {
    for (const s of ['\ue000', '\ufdd0', '\ud800', '\u{e0001}', '\u{10fffe}', '\ufffd', '\u200e']) {
      expect(() => saslprep(`a${s}`), JSON.stringify(s)).toThrow(PgStreamError);
    }
  });
  it('never echoes its input in the error', () => {
    try {
      saslprep('s3cr3t\u0007');
      expect.unreachable();
    } catch (e) {
      expect((e as PgStreamError).code).toBe('PGS_INVALID_ARGUMENT');
      expect((e as Error).message).not.toContain('s3cr3t');
    }
  });
  it('returns the empty string for empty input', () => expect(saslprep('')).toBe(''));
});

describe('pgSaslprep (PostgreSQL src/common/saslprep.c semantics)', () => {
  it('passes pure ASCII through unchanged, even control characters (libpq quirk)', () => {
    const r = pgSaslprep(enc('pass\u0007word'));
    expect(r.status).toBe('success');
    if (r.status === 'success') expect(dec(r.bytes)).toBe('pass\u0007word');
  });
  it('prepares non-ASCII input like RFC 4013', () => {
    const r = pgSaslprep(enc('I\u00adX\u2168\u00aa'));
    expect(r).toEqual({ status: 'success', bytes: enc('IXIXa') });
  });
  it('reports invalid UTF-8 (overlong, surrogate, truncated, > U+10FFFF)', () => {
    for (const bad of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0xff, 0x41]]) {
      expect(pgSaslprep(new Uint8Array(bad)).status, bad.join(' ')).toBe('invalid-utf8');
    }
  });
  it('refuses a password that maps to nothing', () => {
    expect(pgSaslprep(enc('\u00ad\u034f\ufeff')).status).toBe('prohibited');
    // U+200B is in both C.1.2 and B.1: like PostgreSQL, the space mapping wins.
    expect(pgSaslprep(enc('\u200b'))).toEqual({ status: 'success', bytes: enc(' ') });
  });
  it('maps a leading byte-order mark to nothing (the UTF-8 decoder does not strip it first)', () => {
    expect(pgSaslprep(enc('\ufeffé'))).toEqual({ status: 'success', bytes: enc('é') });
  });
  it('checks prohibited characters before normalisation, as PostgreSQL does', () => {
    // U+0340 (C.8) normalises to U+0300: RFC 4013 accepts "a\u0340" (as "à"), PostgreSQL refuses it.
    expect(saslprep('a\u0340')).toBe('\u00e0');
    expect(pgSaslprep(enc('a\u0340')).status).toBe('prohibited');
  });
  it('refuses bidi violations and unassigned code points', () => {
    expect(pgSaslprep(enc('\u0627\u0031')).status).toBe('prohibited');
    expect(pgSaslprep(enc('\u0221')).status).toBe('prohibited');
  });
  it('never throws, whatever the bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const r = pgSaslprep(b);
        return ['success', 'prohibited', 'invalid-utf8'].includes(r.status);
      }),
      { numRuns: 2000 },
    );
  });
  it('checks bidi before normalisation too: U+FB4A passes in PostgreSQL, fails RFC 4013 on its NFKC form', () => {
    // U+FB4A (RandALCat) normalises to U+05EA U+05BC, which ends with a non-RandALCat mark.
    expect(() => saslprep('\ufb4a')).toThrow(PgStreamError);
    expect(pgSaslprep(enc('\ufb4a'))).toEqual({ status: 'success', bytes: enc('\u05ea\u05bc') });
  });
  it('whenever both accept, PostgreSQL and RFC 4013 give the same output (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 12 }), (s) => {
        const bytes = enc(s);
        if (bytes.every((b) => b < 0x80)) return true;
        let rfc: string | null;
        try {
          rfc = saslprep(s);
        } catch {
          rfc = null;
        }
        const pg = pgSaslprep(bytes);
        if (pg.status === 'success' && rfc !== null) return dec(pg.bytes) === rfc;
        return true;
      }),
      { numRuns: 2000 },
    );
  });
});

describe('scramPassword (libpq fe-auth-scram.c)', () => {
  it('uses the SASLprep output when preparation succeeds', () => {
    expect(dec(scramPassword('I\u00adX'))).toBe('IX');
    expect(dec(scramPassword('pencil'))).toBe('pencil');
  });
  it('falls back to the raw bytes when preparation fails', () => {
    expect(scramPassword('\u0627\u0031')).toEqual(enc('\u0627\u0031'));
    expect(scramPassword(new Uint8Array([0xff, 0xfe, 0x41]))).toEqual(new Uint8Array([0xff, 0xfe, 0x41]));
  });
  it('encodes a lone surrogate as U+FFFD, which is prohibited, so the raw UTF-8 is used', () => {
    expect(scramPassword('a\ud800')).toEqual(new Uint8Array([0x61, 0xef, 0xbf, 0xbd]));
  });
  it('returns a fresh array and never modifies the caller\'s', () => {
    const pw = enc('I\u00adX');
    const out = scramPassword(pw);
    expect(out).not.toBe(pw);
    out.fill(0);
    expect(dec(pw)).toBe('I\u00adX');
  });
});
