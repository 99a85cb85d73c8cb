import { createHash, createHmac, pbkdf2Sync, randomBytes, webcrypto } from 'node:crypto';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChannelBinding } from '../../src/auth/channel-binding.js';
import { DEFAULT_SCRAM_MAX_ITERATIONS, ScramClient, type ScramClientOptions } from '../../src/auth/scram.js';
import { AuthError, ClientError, PgStreamError } from '../../src/errors.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const b64 = (b: Uint8Array | Buffer) => Buffer.from(b).toString('base64');

const NONE: ChannelBinding = { kind: 'none' };

/**
 * An independent SCRAM-SHA-256 server written with node:crypto (RFC 5802 §3), used to check the
 * client's proof and to produce the server signature the client must accept.
 */
function referenceServer(password: string, salt: Buffer, iterations: number) {
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return {
    salted,
    clientKey,
    /** Checks client-final against the auth message; returns the server-final-message. */
    finish(clientFirstBare: string, serverFirst: string, clientFinal: string): { ok: boolean; serverFinal: string; proof: string } {
      const m = /^(.*),p=([^,]+)$/.exec(clientFinal);
      if (!m) throw new Error('bad client-final');
      const authMessage = `${clientFirstBare},${serverFirst},${m[1]}`;
      const clientSignature = createHmac('sha256', storedKey).update(authMessage).digest();
      const proof = Buffer.from(m[2]!, 'base64');
      const recoveredKey = Buffer.from(proof.map((x, i) => x ^ clientSignature[i]!));
      const ok = createHash('sha256').update(recoveredKey).digest().equals(storedKey);
      const serverSignature = createHmac('sha256', serverKey).update(authMessage).digest();
      return { ok, serverFinal: `v=${b64(serverSignature)}`, proof: m[2]! };
    },
  };
}

function client(over: Partial<ScramClientOptions> = {}): ScramClient {
  return new ScramClient({ password: 'pencil', mechanism: 'SCRAM-SHA-256', channelBinding: NONE, nonce: 'clientnonce', ...over });
}

async function expectAuthError(p: Promise<unknown> | (() => unknown), code: string): Promise<AuthError> {
  let error: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    error = e;
  }
  expect(error, `expected ${code}`).toBeInstanceOf(AuthError);
  expect((error as AuthError).code).toBe(code);
  expect((error as AuthError).fatal).toBe(true);
  return error as AuthError;
}

const validFirst = (nonce = 'clientnonceSERVER', salt = 'QSXCR+Q6sek8bf92', i = '4096') => enc(`r=${nonce},s=${salt},i=${i}`);

describe('ScramClient against RFC 7677 §3 (SCRAM-SHA-256 example)', () => {
  it('reproduces client-first, client-final and accepts the server signature', async () => {
    const c = new ScramClient({
      password: 'pencil',
      username: 'user',
      nonce: 'rOprNGfwEbeRWgbNEkqO',
      mechanism: 'SCRAM-SHA-256',
      channelBinding: NONE,
    });
    expect(dec(c.clientFirstMessage())).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const final = await c.clientFinalMessage(
      enc('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'),
    );
    expect(dec(final)).toBe(
      'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
    );
    expect(c.verified).toBe(false);
    await c.verifyServerFinal(enc('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='));
    expect(c.verified).toBe(true);
    expect(c.channelBound).toBe(false);
    expect(c.state).toBe('verified');
    expect(() => c.checkAuthenticationOk()).not.toThrow();
  });
});

describe('ScramClient, PostgreSQL dialect, against an independent node:crypto server', () => {
  it('sends n=, and its proof verifies; the server signature verifies', async () => {
    const salt = randomBytes(16);
    const server = referenceServer('correct horse', salt, 4096);
    const c = client({ password: 'correct horse', nonce: undefined });
    const first = dec(c.clientFirstMessage());
    const m = /^n,,(n=,r=([A-Za-z0-9+/]{24}))$/.exec(first);
    expect(m, first).not.toBeNull();
    const serverFirst = `r=${m![2]}${b64(randomBytes(18))},s=${b64(salt)},i=4096`;
    const clientFinal = dec(await c.clientFinalMessage(enc(serverFirst)));
    expect(clientFinal.startsWith('c=biws,r=')).toBe(true);
    const { ok, serverFinal } = server.finish(m![1]!, serverFirst, clientFinal);
    expect(ok).toBe(true);
    await c.verifyServerFinal(enc(serverFinal));
    expect(c.verified).toBe(true);
  });

  it('random nonces are fresh 24-character base64 strings', () => {
    const a = dec(client({ nonce: undefined }).clientFirstMessage());
    const b = dec(client({ nonce: undefined }).clientFirstMessage());
    expect(a).toMatch(/^n,,n=,r=[A-Za-z0-9+/]{24}$/);
    expect(a).not.toBe(b);
  });

  it('SASLpreps a non-ASCII password like PostgreSQL (I<U+00AD>X hashes as IX)', async () => {
    const salt = randomBytes(16);
    const server = referenceServer('IX', salt, 4096);
    const c = client({ password: 'I\u00adX' });
    c.clientFirstMessage();
    const serverFirst = `r=clientnonceS,s=${b64(salt)},i=4096`;
    const final = dec(await c.clientFinalMessage(enc(serverFirst)));
    expect(server.finish('n=,r=clientnonce', serverFirst, final).ok).toBe(true);
  });

  it('escapes = and , in a user name (RFC 5802 saslname)', () => {
    expect(dec(client({ username: 'a=b,c' }).clientFirstMessage())).toBe('n,,n=a=3Db=2Cc,r=clientnonce');
  });

  it('ignores well-formed optional extensions after i= (RFC 5802 §7)', async () => {
    const c = client();
    c.clientFirstMessage();
    await expect(c.clientFinalMessage(enc('r=clientnonceX,s=QSXCR+Q6sek8bf92,i=4096,x=some=value'))).resolves.toBeInstanceOf(Uint8Array);
  });
});

describe('ScramClient channel binding (c= attribute)', () => {
  const serverFirst = 'r=clientnonceSERVER,s=QSXCR+Q6sek8bf92,i=4096';
  async function finalFor(channelBinding: ChannelBinding, mechanism: ScramClientOptions['mechanism']) {
    const c = client({ channelBinding, mechanism });
    const first = dec(c.clientFirstMessage());
    const final = dec(await c.clientFinalMessage(enc(serverFirst)));
    return { c, first, final };
  }
  it('n,, → c=biws', async () => {
    const { first, final } = await finalFor({ kind: 'none' }, 'SCRAM-SHA-256');
    expect(first.startsWith('n,,n=,r=')).toBe(true);
    expect(final.startsWith('c=biws,')).toBe(true);
  });
  it('y,, → c=eSws', async () => {
    const { first, final } = await finalFor({ kind: 'client-supports-server-not' }, 'SCRAM-SHA-256');
    expect(first.startsWith('y,,n=,r=')).toBe(true);
    expect(final.startsWith('c=eSws,')).toBe(true);
  });
  it('p=tls-server-end-point,, → c=base64(header + certificate hash), and the proof covers it', async () => {
    const data = createHash('sha256').update('certificate').digest();
    const { c, first, final } = await finalFor({ kind: 'tls-server-end-point', data }, 'SCRAM-SHA-256-PLUS');
    expect(first.startsWith('p=tls-server-end-point,,n=,r=')).toBe(true);
    const expected = b64(Buffer.concat([Buffer.from('p=tls-server-end-point,,'), data]));
    expect(final.startsWith(`c=${expected},`)).toBe(true);
    const server = referenceServer('pencil', Buffer.from('QSXCR+Q6sek8bf92', 'base64'), 4096);
    const r = server.finish('n=,r=clientnonce', serverFirst, final);
    expect(r.ok).toBe(true);
    await c.verifyServerFinal(enc(r.serverFinal));
    expect(c.channelBound).toBe(true);
  });
  it('refuses a mechanism/binding mismatch with ClientError', () => {
    expect(() => client({ mechanism: 'SCRAM-SHA-256-PLUS', channelBinding: NONE })).toThrow(ClientError);
    expect(() => client({ mechanism: 'SCRAM-SHA-256', channelBinding: { kind: 'tls-server-end-point', data: new Uint8Array(32) } })).toThrow(ClientError);
  });
});

describe('ScramClient rejects hostile or broken server-first-messages', () => {
  async function first(msg: string | Uint8Array, code: string, over: Partial<ScramClientOptions> = {}) {
    const c = client(over);
    c.clientFirstMessage();
    const e = await expectAuthError(c.clientFinalMessage(typeof msg === 'string' ? enc(msg) : msg), code);
    expect(c.state).toBe('failed');
    return e;
  }
  it('server nonce that does not start with the client nonce', () => first('r=otherSERVER,s=QSXCR+Q6sek8bf92,i=4096', 'PGS_SCRAM_PROTOCOL'));
  it('server nonce equal to the client nonce (no server contribution)', () => first('r=clientnonce,s=QSXCR+Q6sek8bf92,i=4096', 'PGS_SCRAM_PROTOCOL'));
  it('server nonce that is a prefix of the client nonce', () => first('r=client,s=QSXCR+Q6sek8bf92,i=4096', 'PGS_SCRAM_PROTOCOL'));
  it('server nonce with non-printable characters', () => first('r=clientnonce\u0001x,s=QSXCR+Q6sek8bf92,i=4096', 'PGS_SCRAM_PROTOCOL'));
  it('empty server nonce', () => first('r=,s=QSXCR+Q6sek8bf92,i=4096', 'PGS_SCRAM_PROTOCOL'));
  for (const salt of ['***', 'abc', 'QSXCR+Q6sek8bf9=', 'QQ=', 'QR==', 'QSXCR-Q6sek8bf92', 'QSXC R+Q6sek8bf9', '']) {
    it(`bad or empty salt "${salt}"`, () => first(`r=clientnonceS,s=${salt},i=4096`, 'PGS_SCRAM_PROTOCOL'));
  }
  for (const i of ['0', '00', '-1', 'abc', '', '4096.5', '1e3', ' 4096', '+4096', '0x10', '99999999999999999999999']) {
    it(`iteration count "${i}"`, () => first(`r=clientnonceS,s=QSXCR+Q6sek8bf92,i=${i}`, 'PGS_SCRAM_ITERATIONS'));
  }
  it('iteration count above the default cap', () =>
    first(`r=clientnonceS,s=QSXCR+Q6sek8bf92,i=${DEFAULT_SCRAM_MAX_ITERATIONS + 1}`, 'PGS_SCRAM_ITERATIONS'));
  it('iteration count above a configured cap', () =>
    first('r=clientnonceS,s=QSXCR+Q6sek8bf92,i=4097', 'PGS_SCRAM_ITERATIONS', { maxIterations: 4096 }));
  it('missing i=', () => first('r=clientnonceS,s=QSXCR+Q6sek8bf92', 'PGS_SCRAM_PROTOCOL'));
  it('missing s=', () => first('r=clientnonceS,i=4096', 'PGS_SCRAM_PROTOCOL'));
  it('missing r=', () => first('s=QSXCR+Q6sek8bf92,i=4096', 'PGS_SCRAM_PROTOCOL'));
  it('attributes out of order', () => first('s=QSXCR+Q6sek8bf92,r=clientnonceS,i=4096', 'PGS_SCRAM_PROTOCOL'));
  it('mandatory extension m=', () => first('m=foo,r=clientnonceS,s=QSXCR+Q6sek8bf92,i=4096', 'PGS_SCRAM_PROTOCOL'));
  it('garbage after i=', () => first('r=clientnonceS,s=QSXCR+Q6sek8bf92,i=4096,garbage', 'PGS_SCRAM_PROTOCOL'));
  it('trailing comma', () => first('r=clientnonceS,s=QSXCR+Q6sek8bf92,i=4096,', 'PGS_SCRAM_PROTOCOL'));
  it('repeated attribute as an extension', () => first('r=clientnonceS,s=QSXCR+Q6sek8bf92,i=4096,r=x', 'PGS_SCRAM_PROTOCOL'));
  it('an e= where server-first belongs', () => first('e=other-error', 'PGS_SCRAM_PROTOCOL'));
  it('empty message', () => first('', 'PGS_SCRAM_PROTOCOL'));
  it('invalid UTF-8', () => first(new Uint8Array([0x72, 0x3d, 0xff, 0xfe]), 'PGS_SCRAM_PROTOCOL'));
  it('NUL byte', () => first('r=clientnonceS,s=QSXCR+Q6sek8bf92,i=4096\0', 'PGS_SCRAM_PROTOCOL'));
});

describe('ScramClient rejects hostile or broken server-final-messages', () => {
  async function ready(): Promise<ScramClient> {
    const c = client();
    c.clientFirstMessage();
    await c.clientFinalMessage(validFirst());
    return c;
  }
  it('e= is PGS_SCRAM_SERVER_ERROR and carries the server error value', async () => {
    const c = await ready();
    const e = await expectAuthError(c.verifyServerFinal(enc('e=invalid-proof')), 'PGS_SCRAM_SERVER_ERROR');
    expect(e.message).toContain('invalid-proof');
    expect(c.verified).toBe(false);
  });
  it('e= with control characters is rendered harmlessly', async () => {
    const c = await ready();
    const e = await expectAuthError(c.verifyServerFinal(enc('e=\u001b[31mred')), 'PGS_SCRAM_SERVER_ERROR');
    expect(e.message).not.toContain('\u001b');
  });
  it('a wrong v= is PGS_SCRAM_SERVER_SIGNATURE', async () => {
    const c = await ready();
    await expectAuthError(c.verifyServerFinal(enc(`v=${b64(randomBytes(32))}`)), 'PGS_SCRAM_SERVER_SIGNATURE');
    expect(c.verified).toBe(false);
    await expectAuthError(() => c.checkAuthenticationOk(), 'PGS_SCRAM_PROTOCOL');
  });
  it('a v= of the wrong length is PGS_SCRAM_SERVER_SIGNATURE', async () => {
    const c = await ready();
    await expectAuthError(c.verifyServerFinal(enc(`v=${b64(randomBytes(31))}`)), 'PGS_SCRAM_SERVER_SIGNATURE');
  });
  it('a v= that differs in the last byte only is rejected', async () => {
    const salt = Buffer.from('QSXCR+Q6sek8bf92', 'base64');
    const server = referenceServer('pencil', salt, 4096);
    const c = client();
    c.clientFirstMessage();
    const serverFirst = 'r=clientnonceSERVER,s=QSXCR+Q6sek8bf92,i=4096';
    const final = dec(await c.clientFinalMessage(enc(serverFirst)));
    const good = Buffer.from(server.finish('n=,r=clientnonce', serverFirst, final).serverFinal.slice(2), 'base64');
    good[31] ^= 1;
    await expectAuthError(c.verifyServerFinal(enc(`v=${b64(good)}`)), 'PGS_SCRAM_SERVER_SIGNATURE');
  });
  for (const msg of ['v=not base64!', 'v=', 'x=abc', '', 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=,garbage']) {
    it(`malformed "${msg}" is PGS_SCRAM_PROTOCOL`, async () => {
      const c = await ready();
      await expectAuthError(c.verifyServerFinal(enc(msg)), 'PGS_SCRAM_PROTOCOL');
    });
  }
});

describe('ScramClient state machine', () => {
  it('server-final before client-final is PGS_SCRAM_PROTOCOL', async () => {
    const c = client();
    c.clientFirstMessage();
    await expectAuthError(c.verifyServerFinal(enc('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')), 'PGS_SCRAM_PROTOCOL');
    expect(c.state).toBe('failed');
  });
  it('server-first before client-first is PGS_SCRAM_PROTOCOL', async () => {
    await expectAuthError(client().clientFinalMessage(validFirst()), 'PGS_SCRAM_PROTOCOL');
  });
  it('server-final while the proof is still being computed is PGS_SCRAM_PROTOCOL', async () => {
    const c = client();
    c.clientFirstMessage();
    const pending = c.clientFinalMessage(validFirst());
    await expectAuthError(c.verifyServerFinal(enc('v=AAAA')), 'PGS_SCRAM_PROTOCOL');
    await expect(pending).rejects.toBeInstanceOf(PgStreamError);
  });
  it('a second server-first is PGS_SCRAM_PROTOCOL', async () => {
    const c = client();
    c.clientFirstMessage();
    await c.clientFinalMessage(validFirst());
    await expectAuthError(c.clientFinalMessage(validFirst()), 'PGS_SCRAM_PROTOCOL');
  });
  it('client-first twice is PGS_SCRAM_PROTOCOL', async () => {
    const c = client();
    c.clientFirstMessage();
    await expectAuthError(() => c.clientFirstMessage(), 'PGS_SCRAM_PROTOCOL');
  });
  it('after a failure every call fails', async () => {
    const c = client();
    c.clientFirstMessage();
    await expectAuthError(c.clientFinalMessage(enc('garbage')), 'PGS_SCRAM_PROTOCOL');
    const e = await expectAuthError(c.verifyServerFinal(enc('v=AAAA')), 'PGS_SCRAM_PROTOCOL');
    expect(e.message).toContain('already failed');
  });
  it('AuthenticationOk before the server signature is verified is fatal', async () => {
    const c = client();
    await expectAuthError(() => c.checkAuthenticationOk(), 'PGS_SCRAM_PROTOCOL');
    c.clientFirstMessage();
    await c.clientFinalMessage(validFirst());
    await expectAuthError(() => c.checkAuthenticationOk(), 'PGS_SCRAM_PROTOCOL');
  });
  it('copies the server-first bytes before awaiting (a reused receive buffer cannot change the proof)', async () => {
    const salt = Buffer.from('QSXCR+Q6sek8bf92', 'base64');
    const server = referenceServer('pencil', salt, 4096);
    const serverFirst = 'r=clientnonceSERVER,s=QSXCR+Q6sek8bf92,i=4096';
    const buf = enc(serverFirst);
    const c = client();
    c.clientFirstMessage();
    const pending = c.clientFinalMessage(buf);
    buf.fill(0x41);
    const final = dec(await pending);
    expect(server.finish('n=,r=clientnonce', serverFirst, final).ok).toBe(true);
  });
});

describe('ScramClient options', () => {
  it('requires a password', async () => {
    await expectAuthError(() => client({ password: '' }), 'PGS_AUTH_PASSWORD_REQUIRED');
    await expectAuthError(() => client({ password: new Uint8Array(0) }), 'PGS_AUTH_PASSWORD_REQUIRED');
  });
  it('validates an injected nonce and maxIterations', () => {
    for (const nonce of ['', 'a,b', 'sp ace', 'é']) expect(() => client({ nonce }), nonce).toThrow(ClientError);
    for (const maxIterations of [0, -1, 1.5, Number.NaN]) expect(() => client({ maxIterations })).toThrow(ClientError);
  });
  it('uses an injected WebCrypto implementation, with the server\'s iteration count', async () => {
    const seen: number[] = [];
    const subtle = new Proxy(webcrypto.subtle, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (prop === 'deriveBits') {
          return (alg: Pbkdf2Params, key: CryptoKey, length: number) => {
            seen.push(alg.iterations);
            return target.deriveBits(alg, key, length);
          };
        }
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as SubtleCrypto;
    const c = client({ subtle });
    c.clientFirstMessage();
    await c.clientFinalMessage(validFirst(undefined, undefined, '777'));
    expect(seen).toEqual([777]);
  });
  it('turns a WebCrypto failure into a typed error', async () => {
    const subtle = { importKey: () => Promise.reject(new DOMException('boom', 'NotSupportedError')) } as unknown as SubtleCrypto;
    const c = client({ subtle });
    c.clientFirstMessage();
    await expectAuthError(c.clientFinalMessage(validFirst()), 'PGS_AUTH_UNSUPPORTED');
  });
});

describe('ScramClient keeps secrets out of errors and inspection', () => {
  it('no password, salted password, client key or proof in any error, stack, cause or inspect()', async () => {
    const password = 'Sup3r-S3cret-Pa55';
    const salt = Buffer.from('QSXCR+Q6sek8bf92', 'base64');
    const server = referenceServer(password, salt, 4096);
    const secrets = [password, server.salted.toString('hex'), b64(server.salted), server.clientKey.toString('hex'), b64(server.clientKey)];
    const c = client({ password });
    c.clientFirstMessage();
    const serverFirst = 'r=clientnonceSERVER,s=QSXCR+Q6sek8bf92,i=4096';
    const final = dec(await c.clientFinalMessage(enc(serverFirst)));
    secrets.push(server.finish('n=,r=clientnonce', serverFirst, final).proof);
    const texts = [inspect(c, { showHidden: true, depth: 10 }), JSON.stringify(c)];
    const errors: unknown[] = [];
    for (const bad of ['v=AAAA', 'e=x', 'junk']) {
      try {
        await c.verifyServerFinal(enc(bad));
      } catch (e) {
        errors.push(e);
      }
    }
    expect(errors.length).toBe(3);
    for (const e of errors) {
      texts.push(String((e as Error).message), String((e as Error).stack), inspect(e, { showHidden: true, depth: 10 }));
      texts.push(String((e as Error).cause));
    }
    for (const t of texts) for (const s of secrets) expect(t).not.toContain(s);
  });
});

describe('ScramClient does not block the event loop', () => {
  it('timers and immediates keep running while a high-iteration PBKDF2 is in flight', async () => {
    const c = client({ maxIterations: 10_000_000 });
    c.clientFirstMessage();
    let immediates = 0;
    let timers = 0;
    let done = false;
    const spin = () => {
      if (done) return;
      immediates++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const interval = setInterval(() => timers++, 5);
    const started = performance.now();
    await c.clientFinalMessage(validFirst(undefined, undefined, '2000000'));
    const elapsed = performance.now() - started;
    done = true;
    clearInterval(interval);
    expect(elapsed).toBeGreaterThan(50);
    expect(immediates).toBeGreaterThan(20);
    expect(timers).toBeGreaterThan(2);
  });
});

describe('ScramClient property tests: hostile bytes only ever give AuthError', () => {
  const fragment = fc.oneof(
    fc.constantFrom('r=clientnonce', 'r=clientnonceXYZ', 'r=other', 's=QSXCR+Q6sek8bf92', 's=', 's=@@', 'i=1', 'i=2', 'i=0', 'i=-5',
      'i=99999999999', 'm=x', 'e=oops', 'v=AAAA', 'x=y', '', '=', ',', 'r=', 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='),
    fc.string({ maxLength: 12 }),
  );
  const structured = fc.array(fragment, { maxLength: 6 }).map((parts) => enc(parts.join(',')));
  const message = fc.oneof(fc.uint8Array({ maxLength: 80 }), structured);

  it('server-first-message', async () => {
    await fc.assert(
      fc.asyncProperty(message, async (bytes) => {
        const c = client({ maxIterations: 4 });
        c.clientFirstMessage();
        try {
          await c.clientFinalMessage(bytes);
          expect(c.state).toBe('awaiting-server-final');
        } catch (e) {
          expect(e).toBeInstanceOf(AuthError);
          expect(c.state).toBe('failed');
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('server-final-message', async () => {
    await fc.assert(
      fc.asyncProperty(message, async (bytes) => {
        const c = client({ maxIterations: 4 });
        c.clientFirstMessage();
        await c.clientFinalMessage(enc('r=clientnonceS,s=QSXCR+Q6sek8bf92,i=2'));
        try {
          await c.verifyServerFinal(bytes);
          throw new Error('a random server-final-message was accepted');
        } catch (e) {
          expect(e).toBeInstanceOf(AuthError);
          expect(c.verified).toBe(false);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('random message orders never verify and only throw AuthError', async () => {
    const step = fc.oneof(
      fc.constant({ op: 'first' as const }),
      message.map((b) => ({ op: 'final' as const, b })),
      message.map((b) => ({ op: 'verify' as const, b })),
      fc.constant({ op: 'ok' as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 6 }), async (steps) => {
        const c = client({ maxIterations: 4 });
        for (const s of steps) {
          try {
            if (s.op === 'first') c.clientFirstMessage();
            else if (s.op === 'final') await c.clientFinalMessage(s.b);
            else if (s.op === 'verify') await c.verifyServerFinal(s.b);
            else c.checkAuthenticationOk();
          } catch (e) {
            expect(e).toBeInstanceOf(AuthError);
          }
        }
        expect(c.verified).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});
