/**
 * The SCRAM parsers and the authentication state machine (src/session/authenticator.ts over
 * src/auth/scram.ts) under random message orders: sequences of Authentication requests — SASL with
 * mechanism lists, a server-first-message and a server-final-message computed correctly for this
 * exchange then edited (nonce, salt, iteration count, signature, extensions), cleartext, MD5, GSS,
 * SSPI, AuthenticationOk at any point — under several policies, over TLS or not. The property:
 * every step answers or throws a typed error; no error shows the password; AuthenticationOk is
 * accepted after SCRAM only when the server signature was the right one.
 */
import { createHmac, pbkdf2Sync } from 'node:crypto';
import fc from 'fast-check';
import { AuthenticationMode } from '../../../src/auth/authentication-mode.js';
import { decodeBackend } from '../../../src/protocol/backend/index.js';
import type { Authentication } from '../../../src/protocol/messages.js';
import { MessageWriter } from '../../../src/protocol/writer.js';
import { Authenticator } from '../../../src/session/authenticator.js';
import { ConnectionBuilder } from '../../../src/transport/node/builder.js';
import { Bytes } from '../../fixtures/bytes.js';
import * as fx from '../../fixtures/backend-bytes.js';
import { check, Finding, target, typedCode } from '../target.js';

const PASSWORD = 'pw-SENTINEL-4711';
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const SALT = Buffer.from('fuzz-salt-0123').toString('base64');

/** Policies: default, SCRAM only, channel binding required, cleartext allowed over plaintext, md5 or password. */
const POLICIES = [
  (b: ConnectionBuilder) => b,
  (b: ConnectionBuilder) => b.requireAuth('scram-sha-256'),
  (b: ConnectionBuilder) => b.channelBinding('require'),
  (b: ConnectionBuilder) => b.allowCleartextOverPlaintext(),
  (b: ConnectionBuilder) => b.requireAuth(['md5', 'password']),
  (b: ConnectionBuilder) => b.requireAuth('!none'),
];

/** Text edits: a token inserted, characters dropped. */
const TOKENS = ['', ',', '=', 'r=', 's=', 'i=', 'v=', 'e=', 'm=', 'x=', '0', '1', '-1', '99999999', '4097', 'A', '/', '+', '==', '\0', 'é', '\uFFFF', 'invalid-proof'];
const textEdit = fc.tuple(fc.nat(), fc.nat(3), fc.constantFrom(...TOKENS));
type TextEdit = [number, number, string];
function applyText(s: string, edits: readonly TextEdit[]): string {
  let t = s;
  for (const [at, drop, insert] of edits) {
    const i = t.length === 0 ? 0 : at % (t.length + 1);
    t = t.slice(0, i) + insert + t.slice(i + drop);
  }
  return t;
}

type Step =
  | { kind: 'ok' | 'cleartext' | 'gss' | 'sspi' | 'krb' | 'gssContinue' }
  | { kind: 'md5'; salt: number[] }
  | { kind: 'sasl'; mechanisms: string[] }
  | { kind: 'first' | 'final'; edits: TextEdit[]; iterations: number; extra: string; raw: Uint8Array | null; variant?: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 2, arbitrary: fc.constantFrom<Step>({ kind: 'ok' }, { kind: 'cleartext' }, { kind: 'gss' }, { kind: 'sspi' }, { kind: 'krb' }, { kind: 'gssContinue' }) },
  { weight: 1, arbitrary: fc.array(fc.nat(255), { minLength: 4, maxLength: 4 }).map((salt): Step => ({ kind: 'md5', salt })) },
  { weight: 3, arbitrary: fc.subarray(['SCRAM-SHA-256', 'SCRAM-SHA-256-PLUS', 'BOGUS', 'SCRAM-SHA-1']).map((mechanisms): Step => ({ kind: 'sasl', mechanisms })) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constantFrom('first' as const, 'final' as const),
      edits: fc.oneof({ weight: 2, arbitrary: fc.constant<TextEdit[]>([]) }, { weight: 3, arbitrary: fc.array(textEdit, { minLength: 1, maxLength: 3 }) }),
      iterations: fc.constantFrom(1, 2, 16),
      extra: fc.constantFrom('', ',x=ext', ',m=must'),
      raw: fc.option(fc.uint8Array({ maxLength: 40 }), { freq: 8 }),
    }),
  },
);

const scramStep = (kind: 'first' | 'final') => fc.record({
  kind: fc.constant(kind),
  edits: fc.oneof({ weight: 3, arbitrary: fc.constant<TextEdit[]>([]) }, { weight: 2, arbitrary: fc.array(textEdit, { minLength: 1, maxLength: 3 }) }),
  iterations: fc.constantFrom(1, 2, 16),
  extra: fc.constantFrom('', '', ',x=ext', ',m=must'),
  raw: fc.constant(null),
  // server-first: a valid count, one over the cap, or 0; server-final: the right signature, a wrong one of the right size, or e=invalid-proof.
  variant: fc.constantFrom(0, 0, 0, 1, 2),
});

/** A SCRAM exchange as a server runs it, each message edited or not, then one step dropped, repeated, swapped or added. */
const scramFlow: fc.Arbitrary<Step[]> = fc.tuple(
  fc.constantFrom<Step>({ kind: 'sasl', mechanisms: ['SCRAM-SHA-256'] }, { kind: 'sasl', mechanisms: ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'] }),
  scramStep('first'),
  scramStep('final'),
  fc.constantFrom<Step>({ kind: 'ok' }),
  fc.nat(5), fc.nat(3), fc.nat(3), step, fc.constantFrom(0, 0, 0, 1, 2),
).map(([sasl, first, final, ok, how, i, j, extra, base]) => {
  const flow: Step[] = base === 0 ? [sasl, first, final, ok] : [base === 1 ? { kind: 'md5', salt: [1, 2, 3, 4] } : { kind: 'cleartext' }, ok];
  i %= flow.length;
  j %= flow.length;
  if (how === 1) flow.splice(i, 1);
  else if (how === 2) flow.splice(i, 0, flow[i]!);
  else if (how === 3) [flow[i], flow[j]] = [flow[j]!, flow[i]!];
  else if (how === 4) flow.splice(i, 0, extra);
  return flow;
});

/** A Backend Authentication message from the fixture encoder. */
function auth(frame: Uint8Array): Authentication {
  const { code, body } = fx.splitFrame(frame);
  return decodeBackend(code, body) as Authentication;
}

/** The payload of the last SASLInitialResponse or SASLResponse written. */
function saslPayload(out: Uint8Array, initial: boolean): string | null {
  if (out.length < 5 || out[0] !== 0x70) return null;
  let at = 5;
  if (initial) {
    while (at < out.length && out[at] !== 0) at++;
    at += 5;
  }
  return text(out.subarray(at));
}

function noSecret(err: unknown): void {
  const e = err as Error;
  const all = `${e.message}\n${e.stack ?? ''}\n${String((e.cause as Error | undefined)?.message ?? '')}`;
  if (all.includes(PASSWORD) || all.includes('SENTINEL')) throw new Finding(`the password appears in an error: ${e.message}`);
}

interface AuthInput {
  policy: number;
  encrypted: boolean;
  steps: Step[];
}

export const authExchange = target<AuthInput>({
  name: 'auth-exchange',
  about: 'Authenticator + ScramClient under random orders of Authentication requests, edited server-first/server-final messages, six policies, with and without TLS',
  arbitrary: fc.record({ policy: fc.nat(POLICIES.length - 1), encrypted: fc.boolean(), steps: fc.oneof(fc.array(step, { minLength: 1, maxLength: 6 }), scramFlow, scramFlow) }),
  run: async ({ policy, encrypted, steps }) => {
    const settings = POLICIES[policy]!(new ConnectionBuilder('alice').auth(AuthenticationMode.password(PASSWORD)).maxScramIterations(4096)).sessionSettings();
    const a = new Authenticator(settings, { encrypted, certificateDer: null });
    let clientFirstBare: string | null = null;
    let serverFirst: string | null = null;
    let salted: Buffer | null = null;
    let signature: string | null = null;
    let verified = false;
    for (const s of steps) {
      const out = new MessageWriter(8);
      let msg: Authentication;
      switch (s.kind) {
        case 'ok': msg = auth(fx.authenticationOk()); break;
        case 'cleartext': msg = auth(fx.authenticationCleartextPassword()); break;
        case 'gss': msg = auth(fx.authenticationGSS()); break;
        case 'sspi': msg = auth(fx.authenticationSSPI()); break;
        case 'krb': msg = auth(fx.authenticationKerberosV5()); break;
        case 'gssContinue': msg = auth(new Bytes().i32(8).raw([1, 2]).frame('R')); break;
        case 'md5': msg = auth(fx.authenticationMD5Password(s.salt)); break;
        case 'sasl': msg = auth(fx.authenticationSASL(s.mechanisms)); break;
        case 'first': {
          const nonce = clientFirstBare?.split(',r=')[1] ?? 'nonce';
          const iterations = s.variant === 1 ? '99999999' : s.variant === 2 ? '0' : String(s.iterations);
          serverFirst = s.raw !== null ? text(s.raw) : applyText(`r=${nonce}srv,s=${SALT},i=${iterations}${s.extra}`, s.edits);
          salted = pbkdf2Sync(PASSWORD, Buffer.from(SALT, 'base64'), s.iterations, 32, 'sha256');
          msg = auth(fx.authenticationSASLContinue(s.raw ?? utf8(serverFirst)));
          break;
        }
        case 'final': {
          const good = s.variant === 2 ? 'e=invalid-proof' : signature === null ? 'v=AAAA' : s.variant === 1 ? `v=${Buffer.alloc(32, 7).toString('base64')}` : `v=${signature}`;
          const final = s.raw !== null ? s.raw : utf8(applyText(good + s.extra, s.edits));
          msg = auth(fx.authenticationSASLFinal(final));
          const parsed = /^v=([^,]*)/.exec(text(final));
          verified = signature !== null && parsed !== null && Buffer.from(parsed[1]!, 'base64').equals(Buffer.from(signature, 'base64'));
          break;
        }
      }
      let done: boolean;
      try {
        done = await a.respond(msg, out);
      } catch (err) {
        noSecret(err);
        return typedCode(err);
      }
      const written = out.toBytes();
      check(!text(written).includes(PASSWORD) || s.kind === 'cleartext', 'the password was sent for a request other than cleartext');
      if (s.kind === 'sasl') clientFirstBare = saslPayload(written, true)?.replace(/^[^,]*,[^,]*,/, '') ?? null;
      if (s.kind === 'first' && serverFirst !== null && salted !== null && clientFirstBare !== null) {
        const clientFinal = saslPayload(written, false)!;
        const withoutProof = clientFinal.replace(/,p=[^,]*$/, '');
        const serverKey = createHmac('sha256', salted).update('Server Key').digest();
        signature = createHmac('sha256', serverKey).update(`${clientFirstBare},${serverFirst},${withoutProof}`).digest('base64');
      }
      if (done) {
        check(!(a.method.startsWith('SCRAM') && !verified), `AuthenticationOk accepted after ${a.method} without the right server signature`);
        return `authenticated:${a.method}`;
      }
    }
    return 'pending';
  },
  testRuns: 1_500,
  reaches: ['authenticated:SCRAM-SHA-256', 'authenticated:md5', 'authenticated:password', 'authenticated:trust', 'pending',
    'PGS_SCRAM_PROTOCOL', 'PGS_SCRAM_SERVER_SIGNATURE', 'PGS_SCRAM_SERVER_ERROR', 'PGS_SCRAM_ITERATIONS', 'PGS_AUTH_METHOD_NOT_ALLOWED', 'PGS_AUTH_UNSUPPORTED'],
  minCodes: 6,
});
