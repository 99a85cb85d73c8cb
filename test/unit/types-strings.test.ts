/**
 * text, varchar, bpchar, name, "char", bytea, uuid, json and jsonb: golden vectors in both formats
 * (UTF-8 bytes; charout's forms; byteaout's hex and escape formats; uuid's 16 bytes; jsonb's
 * version byte), round trips including non-ASCII text and every byte value, malformed input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/errors.js';
import { byteaCodec } from '../../src/types/codecs/bytea.js';
import { jsonCodec, jsonbCodec } from '../../src/types/codecs/json.js';
import { bpcharCodec, charCodec, nameCodec, textCodec, varcharCodec } from '../../src/types/codecs/text.js';
import { uuidCodec } from '../../src/types/codecs/uuid.js';
import { hex } from '../fixtures/bytes.js';
import { decodeBin, encodeBin, expectCode } from '../support/types-helpers.js';

const INVALID = ErrorCode.INVALID_VALUE;
const ARG = ErrorCode.INVALID_ARGUMENT;

describe('text, varchar, bpchar, name', () => {
  it.each([textCodec, varcharCodec, bpcharCodec, nameCodec])('$name: UTF-8 both ways', (codec) => {
    expect(decodeBin(codec, hex('68 c3 a9 6c 6c 6f 20 f0 9f 90 98'))).toBe('héllo 🐘');
    expect(encodeBin(codec, 'héllo 🐘')).toEqual(hex('68 c3 a9 6c 6c 6f 20 f0 9f 90 98'));
    expect(codec.decodeText('héllo 🐘')).toBe('héllo 🐘');
    expect(codec.encodeText('')).toBe('');
    expect(decodeBin(codec, new Uint8Array(0))).toBe('');
    expectCode(() => codec.encodeText(5 as unknown as string), ARG);
  });

  it('round-trips any string of well-formed Unicode', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (s) => {
        expect(decodeBin(textCodec, encodeBin(textCodec, s))).toBe(s);
      }),
    );
    const long = 'é'.repeat(100_000);
    expect(decodeBin(textCodec, encodeBin(textCodec, long))).toBe(long);
  });
});

describe('"char"', () => {
  it.each([
    ['A', '41'],
    ['', '00'],
    ['\\351', 'e9'],
    ['\\200', '80'],
    ['\\377', 'ff'],
    ['\x7f', '7f'],
  ])('%j ⇄ %s', (text, bytes) => {
    expect(decodeBin(charCodec, hex(bytes))).toBe(text);
    expect(encodeBin(charCodec, text)).toEqual(hex(bytes));
    expect(charCodec.decodeText(text)).toBe(text);
    expect(charCodec.encodeText(text)).toBe(text);
  });

  it('every byte round-trips; other lengths and values are refused', () => {
    for (let b = 0; b < 256; b++) {
      const s = decodeBin(charCodec, Uint8Array.of(b));
      expect(encodeBin(charCodec, s)).toEqual(Uint8Array.of(b));
    }
    for (const b of ['', '41 42']) expectCode(() => decodeBin(charCodec, hex(b)), INVALID);
    for (const v of ['ab', 'é', '\\400', '\\12']) expectCode(() => encodeBin(charCodec, v), ARG);
    for (const t of ['ab', 'é', '\uFFFD', '\\400', '\\12', '\\1234']) expectCode(() => charCodec.decodeText(t), INVALID);
  });
});

describe('bytea', () => {
  it('hex and escape text, raw binary', () => {
    expect(byteaCodec.decodeText('\\x00ff10')).toEqual(Uint8Array.of(0, 255, 16));
    expect(byteaCodec.decodeText('\\x00FF10')).toEqual(Uint8Array.of(0, 255, 16));
    expect(byteaCodec.decodeText('\\x')).toEqual(new Uint8Array(0));
    expect(byteaCodec.decodeText('')).toEqual(new Uint8Array(0));
    expect(byteaCodec.decodeText('a\\\\b\\000\\377 ~')).toEqual(Uint8Array.of(0x61, 0x5c, 0x62, 0, 0xff, 0x20, 0x7e));
    expect(byteaCodec.encodeText(Uint8Array.of(0, 255, 16))).toBe('\\x00ff10');
    expect(decodeBin(byteaCodec, hex('00 ff 10'))).toEqual(Uint8Array.of(0, 255, 16));
    expect(encodeBin(byteaCodec, Uint8Array.of(0, 255, 16))).toEqual(hex('00 ff 10'));
  });

  it('decoding copies: the value survives the row buffer being reused, even from a Node Buffer', () => {
    const row = Buffer.from([1, 2, 3, 4]);
    const v = byteaCodec.decodeBinary!(row, 1, 2);
    row.fill(0);
    expect(v).toEqual(Uint8Array.of(2, 3));
    expect(Object.getPrototypeOf(v)).toBe(Uint8Array.prototype);
  });

  it('round-trips any bytes in both formats, and reads the escape format of any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        expect(decodeBin(byteaCodec, encodeBin(byteaCodec, b))).toEqual(b);
        expect(byteaCodec.decodeText(byteaCodec.encodeText(b))).toEqual(b);
        // byteaout with bytea_output = escape (varlena.c), written here independently.
        const escape = Array.from(b, (x) => (x === 0x5c ? '\\\\' : x < 0x20 || x > 0x7e ? `\\${x.toString(8).padStart(3, '0')}` : String.fromCharCode(x))).join('');
        expect(byteaCodec.decodeText(escape)).toEqual(b);
      }),
    );
  });

  it('refuses malformed text and non-bytes', () => {
    for (const t of ['\\x0', '\\x0g', '\\xzz', '\\', 'a\\', '\\8', '\\400', '\\12', 'é', '\\x 00']) expectCode(() => byteaCodec.decodeText(t), INVALID);
    expectCode(() => byteaCodec.encodeText('00' as unknown as Uint8Array), ARG);
    expectCode(() => encodeBin(byteaCodec, [1, 2] as unknown as Uint8Array), ARG);
  });
});

describe('uuid', () => {
  const u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
  const bytes = hex('a0 ee bc 99 9c 0b 4e f8 bb 6d 6b b9 bd 38 0a 11');

  it('canonical text and 16 bytes; the other input forms encode the same', () => {
    expect(uuidCodec.decodeText(u)).toBe(u);
    expect(decodeBin(uuidCodec, bytes)).toBe(u);
    for (const form of [u, u.toUpperCase(), `{${u}}`, u.replace(/-/g, '')]) {
      expect(encodeBin(uuidCodec, form)).toEqual(bytes);
      expect(uuidCodec.encodeText(form)).toBe(u);
    }
  });

  it('round-trips any 16 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
        const s = decodeBin(uuidCodec, b);
        expect(uuidCodec.decodeText(s)).toBe(s);
        expect(encodeBin(uuidCodec, s)).toEqual(b);
      }),
    );
  });

  it('refuses other text, other lengths and non-UUIDs', () => {
    for (const t of [u.toUpperCase(), u.slice(1), `${u}0`, u.replace(/-/g, ''), ` ${u}`, '']) expectCode(() => uuidCodec.decodeText(t), INVALID);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }).filter((b) => b.length !== 16), (b) => {
        expectCode(() => decodeBin(uuidCodec, b), INVALID);
      }),
    );
    for (const v of ['not-a-uuid', u.slice(0, -1), 42]) expectCode(() => encodeBin(uuidCodec, v as string), ARG);
  });
});

describe('json and jsonb', () => {
  it('json: the text in both formats; jsonb: version byte 1 then the text', () => {
    const doc = { a: 1, b: ['x', null, true], 'é': { n: -1.5 } };
    const text = '{"a":1,"b":["x",null,true],"é":{"n":-1.5}}';
    const utf8 = new TextEncoder().encode(text);
    expect(jsonCodec.decodeText(text)).toEqual(doc);
    expect(decodeBin(jsonCodec, utf8)).toEqual(doc);
    expect(encodeBin(jsonCodec, doc)).toEqual(utf8);
    expect(jsonbCodec.decodeText(text)).toEqual(doc);
    expect(decodeBin(jsonbCodec, Uint8Array.of(1, ...utf8))).toEqual(doc);
    expect(encodeBin(jsonbCodec, doc)).toEqual(Uint8Array.of(1, ...utf8));
    expect(jsonbCodec.decodeText('"just a string"')).toBe('just a string');
    expect(jsonbCodec.decodeText('null')).toBeNull();
  });

  it('__proto__ keys stay own properties', () => {
    const v = jsonbCodec.decodeText('{"__proto__":{"polluted":1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(v)).toEqual(['__proto__']);
  });

  it('round-trips JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const norm = JSON.parse(JSON.stringify(v)) as unknown;
        expect(decodeBin(jsonbCodec, encodeBin(jsonbCodec, v))).toEqual(norm);
        expect(jsonCodec.decodeText(jsonCodec.encodeText(v))).toEqual(norm);
      }),
    );
  });

  it('refuses malformed documents, other jsonb versions, and values with no JSON form', () => {
    for (const t of ['', '{', "{'a':1}", 'undefined', 'NaN']) {
      expectCode(() => jsonCodec.decodeText(t), INVALID);
      expectCode(() => jsonbCodec.decodeText(t), INVALID);
    }
    expectCode(() => decodeBin(jsonbCodec, hex('')), INVALID);
    expectCode(() => decodeBin(jsonbCodec, hex('02 7b 7d')), INVALID);
    expectCode(() => decodeBin(jsonbCodec, hex('7b 7d')), INVALID);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const v of [undefined, () => 1, 1n, cycle]) {
      expectCode(() => encodeBin(jsonbCodec, v), ARG);
      expectCode(() => jsonCodec.encodeText(v), ARG);
    }
  });
});
