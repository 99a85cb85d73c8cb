/**
 * Property tests (fast-check) of the frontend codec:
 * - every message shape encodes to the same bytes as the independent fixture encoder, and decodes
 *   back to itself (encode then decode is the identity);
 * - FrontendReader yields the same messages however the stream is chunked;
 * - arbitrary bytes fed to the decoders and to FrontendReader only produce messages or
 *   PgStreamErrors;
 * - Bind built from arbitrary JS values matches the fixture with the 0/1/N collapse computed here;
 * - a mix of valid and invalid calls leaves exactly the valid messages in the buffer.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PgStreamError } from '../../src/errors.js';
import { type BindValue, FrontendReader, MessageBuffer, decodeFrontend, decodeStartupPacket, encodeFrontend } from '../../src/protocol/frontend/index.js';
import type { FrontendMessage, PasswordKind } from '../../src/protocol/messages.js';
import { MessageWriter } from '../../src/protocol/writer.js';
import { Bytes, concat, toHex } from '../fixtures/bytes.js';
import * as fx from '../fixtures/frontend-bytes.js';
import { bool, bytea, float8, int2, int4, int8, text } from '../../src/types/bindable.js';

const RUNS = 300;
const STARTUP_TYPES = new Set(['StartupMessage', 'SSLRequest', 'GSSENCRequest', 'CancelRequest']);
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

// ------------------------------------------------------------------ arbitraries

const str = fc.string({ unit: 'binary', maxLength: 40 }).filter((s) => !s.includes('\0'));
const nonEmpty = fc.string({ unit: 'binary', minLength: 1, maxLength: 16 }).filter((s) => !s.includes('\0'));
const name = fc.option(nonEmpty, { nil: null });
const bytes = fc.uint8Array({ maxLength: 48 });
const value = fc.option(bytes, { nil: null });
const format = fc.constantFrom<0 | 1>(0, 1);
const uint32 = fc.tuple(fc.nat(0xffff), fc.nat(0xffff)).map(([hi, lo]) => hi * 0x10000 + lo);
const target = fc.constantFrom<83 | 80>(83, 80);

/** A list of values and a format list of 0, 1 or N entries for it. */
const valuesWithFormats = fc.array(value, { maxLength: 8 }).chain((vals) =>
  fc.oneof(
    fc.constant({ vals, formats: [] as (0 | 1)[] }),
    format.map((f) => ({ vals, formats: [f] })),
    fc.array(format, { minLength: vals.length, maxLength: vals.length }).map((formats) => ({ vals, formats })),
  ),
);

const startupMessage = fc
  .record({
    minor: fc.nat(0xffff),
    user: nonEmpty,
    others: fc.uniqueArray(fc.tuple(nonEmpty.filter((k) => k !== 'user'), str), { maxLength: 5, selector: ([k]) => k }),
    at: fc.nat(5),
  })
  .map(({ minor, user, others, at }) => {
    const pairs = [...others];
    pairs.splice(Math.min(at, pairs.length), 0, ['user', user]);
    return { type: 'StartupMessage' as const, protocol: 0x0003_0000 + minor, parameters: new Map(pairs) };
  });

const startupPhase: fc.Arbitrary<FrontendMessage> = fc.oneof(
  startupMessage,
  fc.constant({ type: 'SSLRequest' as const }),
  fc.constant({ type: 'GSSENCRequest' as const }),
  fc.record({ type: fc.constant('CancelRequest' as const), processId: fc.integer(), secretKey: fc.uint8Array({ minLength: 4, maxLength: 256 }) }),
);

const typed: fc.Arbitrary<FrontendMessage> = fc.oneof(
  fc.record({ type: fc.constant('Query' as const), sql: str }),
  fc.record({ type: fc.constant('Parse' as const), name, sql: str, paramTypes: fc.array(uint32, { maxLength: 6 }) }),
  fc.record({ portal: name, statement: name, vf: valuesWithFormats, resultFormats: fc.array(format, { maxLength: 6 }) }).map(
    ({ portal, statement, vf, resultFormats }) => ({
      type: 'Bind' as const, portal, statement, paramFormats: vf.formats, params: vf.vals, resultFormats,
    }),
  ),
  fc.record({ type: fc.constant('Describe' as const), target, name }),
  fc.record({ type: fc.constant('Execute' as const), portal: name, maxRows: fc.nat() }),
  fc.record({ type: fc.constant('Close' as const), target, name }),
  fc.constant({ type: 'Sync' as const }),
  fc.constant({ type: 'Flush' as const }),
  fc.constant({ type: 'Terminate' as const }),
  fc.record({ oid: uint32, vf: valuesWithFormats, resultFormat: format }).map(({ oid, vf, resultFormat }) => ({
    type: 'FunctionCall' as const, oid, argFormats: vf.formats, args: vf.vals, resultFormat,
  })),
  fc.record({ type: fc.constant('CopyData' as const), data: bytes }),
  fc.constant({ type: 'CopyDone' as const }),
  fc.record({ type: fc.constant('CopyFail' as const), message: str }),
  fc.record({ type: fc.constant('PasswordMessage' as const), password: str }),
  fc.record({ type: fc.constant('SASLInitialResponse' as const), mechanism: str, data: fc.option(bytes, { nil: null }) }),
  fc.record({ type: fc.constant('SASLResponse' as const), data: bytes }),
  fc.record({ type: fc.constant('GSSResponse' as const), data: bytes }),
);

const anyMessage = fc.oneof(startupPhase, typed);

/** The PasswordKind a server would have set before a `p` message (PasswordMessage otherwise). */
function kindOf(m: FrontendMessage): PasswordKind {
  switch (m.type) {
    case 'SASLInitialResponse':
    case 'SASLResponse':
    case 'GSSResponse':
      return m.type;
    default:
      return 'PasswordMessage';
  }
}

function encode(m: FrontendMessage): Uint8Array {
  const w = new MessageWriter(16);
  encodeFrontend(w, m);
  return w.toBytes();
}

function decode(b: Uint8Array, m: FrontendMessage): FrontendMessage {
  return STARTUP_TYPES.has(m.type) ? decodeStartupPacket(b.subarray(4)) : decodeFrontend(b[0]!, b.subarray(5), kindOf(m));
}

// ------------------------------------------------------------------ identity

describe('encode/decode identity', () => {
  it('every message encodes like the fixture encoder and decodes back to itself', () => {
    fc.assert(
      fc.property(anyMessage, (m) => {
        const b = encode(m);
        expect(toHex(b)).toBe(toHex(fx.fxFrontend(m as fx.FxMessage)));
        expect(decode(b, m)).toEqual(m);
        // Decoding then re-encoding reproduces the bytes exactly.
        expect(toHex(encode(decode(b, m)))).toBe(toHex(b));
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

// ------------------------------------------------------------------ FrontendReader

describe('FrontendReader', () => {
  const session = fc.tuple(
    fc.array(fc.constantFrom<FrontendMessage>({ type: 'SSLRequest' }, { type: 'GSSENCRequest' }), { maxLength: 2 }),
    startupMessage,
    fc.array(typed, { maxLength: 12 }),
  ).map(([pre, start, rest]) => [...pre, start, ...rest]);

  it('yields the same messages for any chunking of the stream', () => {
    fc.assert(
      fc.property(session, fc.array(fc.nat(), { maxLength: 12 }), (msgs, cutsRaw) => {
        const stream = concat(...msgs.map(encode));
        const cuts = [...new Set(cutsRaw.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
        const bounds = [0, ...cuts, stream.length];
        const r = new FrontendReader();
        const got: FrontendMessage[] = [];
        for (let i = 0; i + 1 < bounds.length; i++) {
          r.push(stream.subarray(bounds[i], bounds[i + 1]));
          for (;;) {
            const expected = msgs[got.length];
            if (expected !== undefined) r.passwordKind = kindOf(expected);
            const m = r.next();
            if (m === null) break;
            got.push(m);
          }
        }
        expect(got).toEqual(msgs);
        expect(r.buffered).toBe(0);
      }),
      { numRuns: RUNS },
    );
  });
});

// ------------------------------------------------------------------ arbitrary bytes

describe('arbitrary bytes', () => {
  const onlyTyped = (f: () => unknown): void => {
    try {
      f();
    } catch (err) {
      if (!(err instanceof PgStreamError)) throw err;
    }
  };
  const codes = [...'BCdcfDEHFPQSXp', 'Z', '\0'].map((c) => c.charCodeAt(0));
  const kinds: PasswordKind[] = ['PasswordMessage', 'SASLInitialResponse', 'SASLResponse', 'GSSResponse'];

  it('decoders return a message or throw a PgStreamError', () => {
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.constantFrom(...kinds), fc.uint8Array({ maxLength: 64 }), (code, kind, body) => {
        onlyTyped(() => decodeFrontend(code, body, kind));
        onlyTyped(() => decodeStartupPacket(body));
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('decoders also survive near-valid bodies (a valid message with bytes flipped or cut)', () => {
    fc.assert(
      fc.property(anyMessage, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(), (m, at, byte, cut) => {
        const b = encode(m).slice();
        if (b.length > 0) b[at % b.length] = byte;
        const t = b.subarray(0, b.length - (cut % 4));
        onlyTyped(() => (STARTUP_TYPES.has(m.type) ? decodeStartupPacket(t.subarray(4)) : decodeFrontend(t[0] ?? 0, t.subarray(5), kindOf(m))));
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('FrontendReader returns messages or throws a PgStreamError, in either phase', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 6 }), (startup, chunks) => {
        const r = new FrontendReader({ startup });
        onlyTyped(() => {
          for (const c of chunks) {
            r.push(c);
            while (r.next() !== null);
          }
        });
      }),
      { numRuns: RUNS * 3 },
    );
  });
});

// ------------------------------------------------------------------ Bind from JS values

type Param = { value: BindValue; format: 0 | 1 | null; bytes: Uint8Array | null };

const f64 = (n: number): Uint8Array => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, n);
  return new Uint8Array(dv.buffer);
};

const param: fc.Arbitrary<Param> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => ({ value: s, format: 0 as const, bytes: utf8(s) })),
  fc.string({ unit: 'binary', maxLength: 10 }).map((s) => ({ value: text(s), format: 0 as const, bytes: utf8(s) })),
  bytes.map((b) => ({ value: b, format: 1 as const, bytes: b })),
  bytes.map((b) => ({ value: bytea(b), format: 1 as const, bytes: b })),
  fc.tuple(fc.boolean(), fc.boolean()).map(([v, wrap]) => ({ value: wrap ? bool(v) : v, format: 1 as const, bytes: Uint8Array.of(v ? 1 : 0) })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => ({ value: v, format: 1 as const, bytes: new Bytes().i64(v).body() })),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => ({ value: int8(v), format: 1 as const, bytes: new Bytes().i64(v).body() })),
  fc.integer().map((v) => ({ value: int4(v), format: 1 as const, bytes: new Bytes().i32(v).body() })),
  fc.integer({ min: -32768, max: 32767 }).map((v) => ({ value: int2(v), format: 1 as const, bytes: new Bytes().i16(v).body() })),
  fc.double().map((v) => ({ value: float8(v), format: 1 as const, bytes: f64(v) })),
  fc.constantFrom(null, undefined).map((v) => ({ value: v, format: null, bytes: null })),
);

/** The formats that should go on the wire, computed independently of the library. */
function expectedFormats(params: Param[]): number[] {
  const first = params.find((p) => p.format !== null)?.format ?? 0;
  const formats = params.map((p) => p.format ?? first);
  if (formats.every((f) => f === 0)) return [];
  if (formats.every((f) => f === formats[0])) return [formats[0]!];
  return formats;
}

function collapse(formats: (0 | 1)[]): number[] {
  if (formats.every((f) => f === 0)) return [];
  if (formats.every((f) => f === formats[0])) return [formats[0]!];
  return formats;
}

describe('Bind from JS values', () => {
  it('matches the fixture with the 0/1/N collapse of parameter and result formats', () => {
    fc.assert(
      fc.property(
        name,
        name,
        fc.array(param, { maxLength: 20 }),
        fc.oneof(fc.constant(undefined), format, fc.array(format, { maxLength: 20 })),
        (portal, statement, params, results) => {
          const mb = new MessageBuffer(8);
          const b = mb.bind(portal).statement(statement);
          if (results !== undefined) b.resultFormats(results);
          b.finish(params.map((p) => p.value));
          const resultFormats = results === undefined ? [] : typeof results === 'number' ? collapse([results]) : collapse(results);
          const expected = fx.fxBind({
            portal, statement, paramFormats: expectedFormats(params), params: params.map((p) => p.bytes), resultFormats,
          });
          expect(toHex(mb.bytes())).toBe(toHex(expected));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('FunctionCall collapses its argument formats the same way', () => {
    fc.assert(
      fc.property(uint32, fc.array(param, { maxLength: 12 }), format, (oid, params, resultFormat) => {
        const bytes = new MessageBuffer(8).fnCall(oid).resultFormat(resultFormat).finish(params.map((p) => p.value)).bytes();
        const expected = fx.fxFunctionCall({ oid, argFormats: expectedFormats(params), args: params.map((p) => p.bytes), resultFormat });
        expect(toHex(bytes)).toBe(toHex(expected));
      }),
      { numRuns: RUNS },
    );
  });
});

// ------------------------------------------------------------------ atomicity

describe('atomicity', () => {
  type Op = { ok: boolean; run: (mb: MessageBuffer) => unknown; bytes: Uint8Array };
  const op: fc.Arbitrary<Op> = fc.oneof(
    str.map((s) => ({ ok: true, run: (mb: MessageBuffer) => mb.query(s), bytes: fx.fxQuery(s) })),
    str.map((s) => ({ ok: false, run: (mb: MessageBuffer) => mb.query(`${s}\0`), bytes: new Uint8Array(0) })),
    fc.nat().map((n) => ({ ok: true, run: (mb: MessageBuffer) => mb.execute(null, n), bytes: fx.fxExecute(null, n) })),
    fc.integer({ max: -1 }).map((n) => ({ ok: false, run: (mb: MessageBuffer) => mb.execute(null, n), bytes: new Uint8Array(0) })),
    fc.array(param, { maxLength: 5 }).map((ps) => ({
      ok: true,
      run: (mb: MessageBuffer) => mb.bind(null).finish(ps.map((p) => p.value)),
      bytes: fx.fxBind({ portal: null, statement: null, paramFormats: expectedFormats(ps), params: ps.map((p) => p.bytes), resultFormats: [] }),
    })),
    fc.array(param, { maxLength: 5 }).map((ps) => ({
      ok: false,
      run: (mb: MessageBuffer) => mb.bind(null).finish([...ps.map((p) => p.value), 42 as unknown as BindValue]),
      bytes: new Uint8Array(0),
    })),
    fc.constant({ ok: true, run: (mb: MessageBuffer) => mb.sync(), bytes: fx.fxSync() }),
  );

  it('a failed call leaves nothing behind: the buffer holds exactly the successful messages', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 20 }), (ops) => {
        const mb = new MessageBuffer(8);
        for (const o of ops) {
          if (o.ok) o.run(mb);
          else expect(() => o.run(mb)).toThrow(PgStreamError);
        }
        expect(toHex(mb.bytes())).toBe(toHex(concat(...ops.map((o) => o.bytes))));
      }),
      { numRuns: RUNS },
    );
  });
});
