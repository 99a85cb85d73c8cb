/**
 * The auth module against real PostgreSQL servers (embedded 18 and 13): SCRAM proofs and server
 * signatures, SASLprep of a non-ASCII password, SCRAM-SHA-256-PLUS channel binding with server
 * certificates of several signature algorithms (the server computes the same RFC 5929 hash or
 * refuses the login), MD5, and the client-side policy refusing before anything is sent.
 * The wire handling here is a minimal one written for this test, independent of src/protocol.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { dirname } from 'node:path';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseSaslMechanism, type ChannelBinding, type ChannelBindingMode } from '../../src/auth/channel-binding.js';
import { md5Password } from '../../src/auth/md5.js';
import {
  DEFAULT_AUTH_POLICY,
  checkAuthRequest,
  checkAuthenticationOk,
  parseRequireAuth,
  type AuthMethod,
  type AuthPolicy,
} from '../../src/auth/policy.js';
import { ScramClient } from '../../src/auth/scram.js';
import { writeServerCertFiles } from '../support/embedded/certs.js';
import { AuthError } from '../../src/errors.js';
import { Bytes } from '../fixtures/bytes.js';
import { startPrivateCluster, TEST_ROLES, type Cluster } from '../support/facts.js';
import { SSL_REQUEST } from '../support/probe.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** A message read from the server. */
interface Msg {
  type: string;
  body: Buffer;
}

/** Minimal framed connection: writes raw bytes, reads typed messages. */
class Wire {
  private buf = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private closed: Error | null = null;
  /** Bytes written after the StartupMessage. */
  sentAfterStartup = 0;

  constructor(readonly socket: Socket | TLSSocket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.wake();
    });
    socket.on('error', (e) => {
      this.closed = e;
      this.wake();
    });
    socket.on('close', () => {
      this.closed ??= new Error('connection closed');
      this.wake();
    });
  }
  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
  write(b: Uint8Array): void {
    this.sentAfterStartup += b.length;
    this.socket.write(b);
  }
  async next(): Promise<Msg> {
    for (;;) {
      if (this.buf.length >= 5) {
        const len = this.buf.readInt32BE(1);
        if (this.buf.length >= 1 + len) {
          const msg = { type: String.fromCharCode(this.buf[0]!), body: this.buf.subarray(5, 1 + len) };
          this.buf = this.buf.subarray(1 + len);
          return msg;
        }
      }
      if (this.closed) throw this.closed;
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
  close(): void {
    this.socket.destroy();
  }
}

/** An ErrorResponse, with its SQLSTATE. */
class ServerRefused extends Error {
  constructor(readonly sqlstate: string, message: string) {
    super(`${sqlstate}: ${message}`);
  }
}

function errorFields(body: Buffer): Map<string, string> {
  const fields = new Map<string, string>();
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const end = body.indexOf(0, i + 1);
    fields.set(String.fromCharCode(body[i]!), body.subarray(i + 1, end).toString('utf8'));
    i = end + 1;
  }
  return fields;
}

async function open(c: Cluster, tls: boolean): Promise<Wire> {
  const raw = netConnect({ host: c.host, port: c.port });
  await new Promise<void>((resolve, reject) => {
    raw.once('connect', resolve);
    raw.once('error', reject);
  });
  if (!tls) return new Wire(raw);
  raw.write(SSL_REQUEST);
  const answer = await new Promise<Buffer>((resolve) => raw.once('data', resolve));
  expect(answer.toString()).toBe('S');
  const s = tlsConnect({ socket: raw, rejectUnauthorized: false });
  await new Promise<void>((resolve, reject) => {
    s.once('secureConnect', resolve);
    s.once('error', reject);
  });
  return new Wire(s);
}

interface LoginOptions {
  user: string;
  password: string;
  tls?: boolean;
  policy?: Partial<AuthPolicy>;
  /** Overrides the binding chooseSaslMechanism picks (for downgrade/tampering tests). */
  forceBinding?: (chosen: ChannelBinding) => ChannelBinding;
}

interface LoginResult {
  method: AuthMethod | 'none';
  mechanism?: string;
  channelBound: boolean;
  wire: Wire;
}

/** The connection of the latest login, to check what a refused login sent. */
let lastWire: Wire | null = null;

/** Logs in, driving src/auth exactly as a connection would. */
async function login(c: Cluster, o: LoginOptions): Promise<LoginResult> {
  const tls = o.tls ?? false;
  const policy: AuthPolicy = { ...DEFAULT_AUTH_POLICY, ...o.policy };
  const wire = await open(c, tls);
  lastWire = wire;
  try {
    wire.socket.write(new Bytes().i32(196608).cstr('user').cstr(o.user).cstr('database').cstr('postgres').u8(0).packet());
    wire.sentAfterStartup = 0;
    let method: AuthMethod | 'none' = 'none';
    let exchange: 'none' | 'incomplete' | 'complete' = 'none';
    let scram: ScramClient | null = null;
    let mechanism: string | undefined;
    for (;;) {
      const m = await wire.next();
      if (m.type === 'E') {
        const f = errorFields(m.body);
        throw new ServerRefused(f.get('C') ?? '?????', f.get('M') ?? '');
      }
      expect(m.type).toBe('R');
      const code = m.body.readInt32BE(0);
      if (code === 0) {
        scram?.checkAuthenticationOk();
        checkAuthenticationOk(policy, { exchange, channelBound: scram?.channelBound ?? false });
        return { method, mechanism, channelBound: scram?.channelBound ?? false, wire };
      }
      if (code === 3 || code === 5) {
        method = code === 3 ? 'password' : 'md5';
        checkAuthRequest(policy, method, tls);
        const pw = code === 3 ? o.password : md5Password(o.user, o.password, m.body.subarray(4, 8));
        wire.write(new Bytes().cstr(pw).frame('p'));
        exchange = 'complete';
      } else if (code === 10) {
        method = 'scram-sha-256';
        checkAuthRequest(policy, method, tls);
        const offered = m.body.subarray(4).toString('utf8').split('\0').filter((s) => s !== '');
        const certificateDer = tls ? new Uint8Array((wire.socket as TLSSocket).getPeerCertificate().raw) : null;
        const choice = await chooseSaslMechanism({
          offered,
          channelBinding: policy.channelBinding,
          tls: tls ? { certificateDer } : null,
        });
        const binding = o.forceBinding ? o.forceBinding(choice.channelBinding) : choice.channelBinding;
        mechanism = binding.kind === 'tls-server-end-point' ? 'SCRAM-SHA-256-PLUS' : 'SCRAM-SHA-256';
        scram = new ScramClient({ password: o.password, mechanism: mechanism as never, channelBinding: binding });
        const first = scram.clientFirstMessage();
        wire.write(new Bytes().cstr(mechanism).i32(first.length).raw(first).frame('p'));
        exchange = 'incomplete';
      } else if (code === 11) {
        wire.write(new Bytes().raw(await scram!.clientFinalMessage(m.body.subarray(4))).frame('p'));
      } else if (code === 12) {
        await scram!.verifyServerFinal(m.body.subarray(4));
        exchange = 'complete';
      } else {
        throw new Error(`unexpected authentication request ${code}`);
      }
    }
  } catch (e) {
    wire.close();
    throw e;
  }
}

/** Waits for the startup ReadyForQuery, runs `sql`, and waits for its ReadyForQuery. */
async function query(wire: Wire, sql: string): Promise<void> {
  for (let m = await wire.next(); m.type !== 'Z'; m = await wire.next()) {
    if (m.type === 'E') throw new Error(errorFields(m.body).get('M'));
  }
  wire.write(new Bytes().cstr(sql).frame('Q'));
  let error: string | undefined;
  for (let m = await wire.next(); m.type !== 'Z'; m = await wire.next()) {
    if (m.type === 'E') error = errorFields(m.body).get('M');
  }
  if (error !== undefined) throw new Error(`${sql}: ${error}`);
}

async function loginOk(c: Cluster, o: LoginOptions): Promise<LoginResult> {
  const r = await login(c, o);
  try {
    // The server really let us in: it answers a query.
    await query(r.wire, 'SELECT 1');
  } finally {
    r.wire.close();
  }
  return r;
}

async function refusal(p: Promise<unknown>): Promise<Error> {
  try {
    const r = (await p) as LoginResult;
    r.wire.close();
  } catch (e) {
    return e as Error;
  }
  throw new Error('login unexpectedly succeeded');
}

const role = (name: keyof typeof TEST_ROLES) => ({ user: name, password: TEST_ROLES[name].password! });

/** Runs one simple-protocol statement as the superuser. */
async function exec(c: Cluster, sql: string): Promise<void> {
  const r = await login(c, role('postgres'));
  try {
    await query(r.wire, sql);
  } finally {
    r.wire.close();
  }
}

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** Generates a self-signed server certificate with the given algorithms, as PEM. */
async function serverPair(keyAlg: Record<string, unknown>, signAlg: Record<string, unknown> = keyAlg) {
  const keys = (await webcrypto.subtle.generateKey(keyAlg as never, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '02',
    name: 'CN=localhost',
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 86_400_000),
    signingAlgorithm: signAlg as never,
    keys,
  });
  const key = x509.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { cert: cert.toString('pem'), key, der: new Uint8Array(cert.rawData) };
}

/** Replaces the server certificate and reloads the server (SIGHUP) until it presents the new one. */
async function presentCertificate(c: Cluster, pair: { cert: string; key: string; der: Uint8Array }): Promise<void> {
  writeServerCertFiles(dirname(c.certs!.files.certFile), pair, c.certs!.ca);
  process.kill(c.pid, 'SIGHUP');
  for (let i = 0; i < 100; i++) {
    const w = await open(c, true);
    const raw = new Uint8Array((w.socket as TLSSocket).getPeerCertificate().raw);
    w.close();
    if (Buffer.from(raw).equals(Buffer.from(pair.der))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the server did not pick up the new certificate');
}

for (const version of [18, 13]) {
  describe(`auth against PostgreSQL ${version}`, () => {
    let c: Cluster;
    beforeAll(async () => {
      c = await startPrivateCluster({ version, auth: true, tls: true });
    });
    afterAll(async () => {
      await c?.stop();
    });

    it('SCRAM-SHA-256 without TLS: the server accepts the proof and we verify its signature', async () => {
      const r = await loginOk(c, role('scram_user'));
      expect(r.mechanism).toBe('SCRAM-SHA-256');
      expect(r.channelBound).toBe(false);
    });

    it('SCRAM with a wrong password: the server refuses with 28P01', async () => {
      const e = await refusal(login(c, { user: 'scram_user', password: 'wrong' }));
      expect(e).toBeInstanceOf(ServerRefused);
      expect((e as ServerRefused).sqlstate).toBe('28P01');
    });

    it('SASLprep matches the server: a non-ASCII password, given as is and in another normal form', async () => {
      const pw = TEST_ROLES.scram_utf8.password;
      await loginOk(c, { user: 'scram_utf8', password: pw });
      // Decomposed umlauts and "IX" for U+2168: SASLprep maps both forms to the same bytes.
      await loginOk(c, { user: 'scram_utf8', password: pw.normalize('NFD').replace('\u2168', 'IX') });
      const e = await refusal(login(c, { user: 'scram_utf8', password: 'passwörd-IX' }));
      expect((e as ServerRefused).sqlstate).toBe('28P01');
    });

    it('SASLprep edge cases match the server byte for byte (PostgreSQL semantics, not plain RFC 4013)', async () => {
      const cases: [string, string | null][] = [
        ['pass\u0007word', null], // pure ASCII: used unchanged, control character and all
        ['I\u00adX', 'IX'], // mapped to nothing
        ['a\u0340', null], // prohibited before normalisation: the raw bytes are used
        ['\ufb4a', '\u05ea\u05bc'], // bidi checked before normalisation: accepted, then NFKC
        ['\u0627\u0031', null], // bidi violation: the raw bytes are used
        ['\u00ad\u034f', null], // maps to nothing at all: the raw bytes are used
      ];
      try {
        for (const [password, equivalent] of cases) {
          await exec(c, `SET password_encryption = 'scram-sha-256'; ALTER ROLE scram_user PASSWORD ${literal(password)}`);
          await loginOk(c, { user: 'scram_user', password }).catch((e: Error) => {
            throw new Error(`${JSON.stringify(password)}: ${e.message}`);
          });
          if (equivalent !== null) {
            await loginOk(c, { user: 'scram_user', password: equivalent }).catch((e: Error) => {
              throw new Error(`${JSON.stringify(equivalent)} (for ${JSON.stringify(password)}): ${e.message}`);
            });
          }
        }
      } finally {
        await exec(c, `SET password_encryption = 'scram-sha-256'; ALTER ROLE scram_user PASSWORD ${literal(TEST_ROLES.scram_user.password)}`);
      }
    });

    it('SCRAM-SHA-256-PLUS over TLS (channel_binding=prefer) binds to the ECDSA P-256/SHA-256 certificate', async () => {
      const r = await loginOk(c, { ...role('scram_user'), tls: true });
      expect(r.mechanism).toBe('SCRAM-SHA-256-PLUS');
      expect(r.channelBound).toBe(true);
    });

    it('channel_binding=require succeeds over TLS and is refused without TLS before anything is sent', async () => {
      const policy = { channelBinding: 'require' as ChannelBindingMode };
      expect((await loginOk(c, { ...role('scram_user'), tls: true, policy })).channelBound).toBe(true);
      const e = await refusal(login(c, { ...role('scram_user'), policy }));
      expect(e).toBeInstanceOf(AuthError);
      expect((e as AuthError).code).toBe('PGS_CHANNEL_BINDING');
      expect(lastWire!.sentAfterStartup).toBe(0);
    });

    it('channel_binding=disable over TLS: plain SCRAM with n,, is accepted', async () => {
      const r = await loginOk(c, { ...role('scram_user'), tls: true, policy: { channelBinding: 'disable' } });
      expect(r.mechanism).toBe('SCRAM-SHA-256');
    });

    it('the server detects a downgrade: y,, while it offered -PLUS is refused', async () => {
      const e = await refusal(login(c, { ...role('scram_user'), tls: true, forceBinding: () => ({ kind: 'client-supports-server-not' }) }));
      expect(e).toBeInstanceOf(ServerRefused);
    });

    it('the server checks the binding data: a wrong certificate hash is refused', async () => {
      const e = await refusal(
        login(c, {
          ...role('scram_user'),
          tls: true,
          forceBinding: (b) => ({ kind: 'tls-server-end-point', data: (b as { data: Uint8Array }).data.map((x) => x ^ 1) }),
        }),
      );
      expect(e).toBeInstanceOf(ServerRefused);
    });

    it('MD5: the server accepts md5Password', async () => {
      const r = await loginOk(c, role('md5_user'));
      expect(r.method).toBe('md5');
    });

    it('cleartext password: sent over TLS, refused without TLS before anything is sent', async () => {
      expect((await loginOk(c, { ...role('pw_user'), tls: true })).method).toBe('password');
      const e = await refusal(login(c, role('pw_user')));
      expect((e as AuthError).code).toBe('PGS_AUTH_CLEARTEXT_INSECURE');
      expect(lastWire!.sentAfterStartup).toBe(0);
      await loginOk(c, { ...role('pw_user'), policy: { allowCleartextOverPlaintext: true } });
    });

    it('require_auth refuses a method the server asks for, before answering it', async () => {
      const policy = { requireAuth: parseRequireAuth('scram-sha-256') };
      const e = await refusal(login(c, { ...role('md5_user'), policy }));
      expect((e as AuthError).code).toBe('PGS_AUTH_METHOD_NOT_ALLOWED');
      expect(lastWire!.sentAfterStartup).toBe(0);
      await loginOk(c, { ...role('scram_user'), policy });
    });

    it('require_auth without none refuses a server that lets us in without authentication', async () => {
      const e = await refusal(login(c, { user: 'trust_user', password: 'x', policy: { requireAuth: parseRequireAuth('scram-sha-256') } }));
      expect((e as AuthError).code).toBe('PGS_AUTH_METHOD_NOT_ALLOWED');
      await loginOk(c, { user: 'trust_user', password: 'x', policy: { requireAuth: parseRequireAuth('scram-sha-256,none') } });
    });

    describe('tls-server-end-point with other certificate signature algorithms', () => {
      const RSA = { publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
      const cases: [string, Record<string, unknown>, Record<string, unknown>?][] = [
        ['ECDSA P-384 / SHA-384', { name: 'ECDSA', namedCurve: 'P-384' }, { name: 'ECDSA', hash: 'SHA-384' }],
        ['RSA PKCS#1 / SHA-512', { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512', ...RSA }],
        ['RSA PKCS#1 / SHA-1 (hashed with SHA-256)', { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1', ...RSA }],
        ['RSA-PSS / SHA-384', { name: 'RSA-PSS', hash: 'SHA-384', ...RSA }, { name: 'RSA-PSS', hash: 'SHA-384', saltLength: 48 }],
      ];
      for (const [name, keyAlg, signAlg] of cases) {
        it(`${name}: the server accepts our binding`, async () => {
          await presentCertificate(c, await serverPair(keyAlg, signAlg));
          const r = await loginOk(c, { ...role('scram_user'), tls: true, policy: { channelBinding: 'require' } });
          expect(r.channelBound).toBe(true);
        });
      }
    });
  });
}
