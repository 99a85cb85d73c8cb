import 'reflect-metadata';
import { createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  certificateSignatureHash,
  chooseSaslMechanism,
  gs2Header,
  tlsServerEndPoint,
  type SaslChoiceOptions,
} from '../../src/auth/channel-binding.js';
import { decodeOid, readElement } from '../../src/auth/der.js';
import { sha224 } from '../../src/auth/sha224.js';
import { AuthError, ClientError } from '../../src/errors.js';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const RSA = { publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };

async function selfSigned(keyAlg: Algorithm & Record<string, unknown>, signingAlgorithm: Algorithm & Record<string, unknown> = keyAlg) {
  const keys = (await webcrypto.subtle.generateKey(keyAlg as never, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=pg-stream test',
    notBefore: new Date('2024-01-01'),
    notAfter: new Date('2034-01-01'),
    signingAlgorithm,
    keys,
  });
  return { der: new Uint8Array(cert.rawData), cert };
}

const nodeHash = (alg: string, der: Uint8Array) => new Uint8Array(createHash(alg).update(der).digest());

/** Replaces the last occurrence of `from` (the outer signatureAlgorithm OID) by `to`, same length. */
function patchLast(der: Uint8Array, from: number[], to: number[]): Uint8Array {
  const out = der.slice();
  for (let i = out.length - from.length; i >= 0; i--) {
    if (from.every((b, j) => out[i + j] === b)) {
      out.set(to, i);
      return out;
    }
  }
  throw new Error('pattern not found');
}

const OID_SHA256_RSA = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const withLast = (b: number) => [...OID_SHA256_RSA.slice(0, -1), b];

describe('tls-server-end-point with real certificates (RFC 5929 §4.1)', () => {
  const certs: Record<string, Uint8Array> = {};
  beforeAll(async () => {
    const rsa = (hash: string) => ({ name: 'RSASSA-PKCS1-v1_5', hash, ...RSA });
    certs.rsaSha256 = (await selfSigned(rsa('SHA-256'))).der;
    certs.rsaSha1 = (await selfSigned(rsa('SHA-1'))).der;
    certs.rsaSha384 = (await selfSigned(rsa('SHA-384'))).der;
    certs.rsaSha512 = (await selfSigned(rsa('SHA-512'))).der;
    certs.ecdsaP384Sha384 = (await selfSigned({ name: 'ECDSA', namedCurve: 'P-384' }, { name: 'ECDSA', hash: 'SHA-384' })).der;
    certs.ecdsaP256Sha1 = (await selfSigned({ name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-1' })).der;
    certs.ecdsaP256Sha512 = (await selfSigned({ name: 'ECDSA', namedCurve: 'P-256' }, { name: 'ECDSA', hash: 'SHA-512' })).der;
    const pss = await selfSigned({ name: 'RSA-PSS', hash: 'SHA-512', ...RSA }, { name: 'RSA-PSS', hash: 'SHA-512', saltLength: 64 });
    expect(pss.cert.signatureAlgorithm.name).toBe('RSA-PSS');
    certs.pssSha512 = pss.der;
    certs.pssSha256 = (await selfSigned({ name: 'RSA-PSS', hash: 'SHA-256', ...RSA }, { name: 'RSA-PSS', hash: 'SHA-256', saltLength: 32 })).der;
    certs.ed25519 = (await selfSigned({ name: 'Ed25519' })).der;
  });

  const cases: [string, string][] = [
    ['rsaSha256', 'sha256'],
    ['rsaSha1', 'sha256'],
    ['rsaSha384', 'sha384'],
    ['rsaSha512', 'sha512'],
    ['ecdsaP384Sha384', 'sha384'],
    ['ecdsaP256Sha1', 'sha256'],
    ['ecdsaP256Sha512', 'sha512'],
    ['pssSha512', 'sha512'],
    ['pssSha256', 'sha256'],
  ];
  for (const [name, hash] of cases) {
    it(`${name} → ${hash}, equal to node:crypto's hash of the DER`, async () => {
      const der = certs[name]!;
      expect(certificateSignatureHash(der)).toBe(hash.toUpperCase().replace('SHA', 'SHA-'));
      expect(await tlsServerEndPoint(der)).toEqual(nodeHash(hash, der));
    });
  }

  it('refuses Ed25519 certificates (no hash; libpq refuses too)', async () => {
    await expect(tlsServerEndPoint(certs.ed25519!)).rejects.toMatchObject({ code: 'PGS_CHANNEL_BINDING' });
    expect(() => certificateSignatureHash(certs.ed25519!)).toThrow(/Ed25519/);
  });

  it('uses SHA-224 for sha224WithRSAEncryption, MD5 → SHA-256, dsa-with-sha256 → SHA-256 (patched OIDs)', async () => {
    const base = certs.rsaSha256!;
    const sha224Cert = patchLast(base, OID_SHA256_RSA, withLast(0x0e));
    expect(certificateSignatureHash(sha224Cert)).toBe('SHA-224');
    expect(await tlsServerEndPoint(sha224Cert)).toEqual(nodeHash('sha224', sha224Cert));
    const md5Cert = patchLast(base, OID_SHA256_RSA, withLast(0x04));
    expect(await tlsServerEndPoint(md5Cert)).toEqual(nodeHash('sha256', md5Cert));
    const md2Cert = patchLast(base, OID_SHA256_RSA, withLast(0x02));
    await expect(tlsServerEndPoint(md2Cert)).rejects.toMatchObject({ code: 'PGS_CHANNEL_BINDING' });
  });

  it('uses the outer signatureAlgorithm, not the one inside tbsCertificate', () => {
    const der = certs.rsaSha256!;
    const first = der.findIndex((_, i) => OID_SHA256_RSA.every((b, j) => der[i + j] === b));
    const patched = der.slice();
    patched.set(withLast(0x0d), first); // tbsCertificate.signature now claims SHA-512
    expect(certificateSignatureHash(patched)).toBe('SHA-256');
  });

  it('rejects malformed certificates with AuthError PGS_CHANNEL_BINDING', () => {
    const der = certs.rsaSha256!;
    const bad: Uint8Array[] = [
      new Uint8Array(0),
      new Uint8Array([0x30]),
      new Uint8Array([0x30, 0x80, 0x00, 0x00]),
      new Uint8Array([0x30, 0x85, 1, 1, 1, 1, 1]),
      new Uint8Array([0x31, 0x00]),
      new Uint8Array([0x30, 0x00]),
      der.subarray(0, der.length - 1),
      new Uint8Array([...der, 0x00]),
      new Uint8Array([0x30, 0x04, 0x30, 0x00, 0x30, 0x00]),
    ];
    for (const b of bad) {
      expect(() => certificateSignatureHash(b)).toThrow(AuthError);
    }
  });

  it('arbitrary bytes and mutated certificates only ever give AuthError (property)', () => {
    const der = certs.pssSha512!;
    const mutated = fc
      .tuple(fc.nat(der.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(der.length))
      .map(([i, v, cut]) => {
        const m = der.slice(0, Math.max(cut, i + 1));
        m[i] = v;
        return m;
      });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), mutated), (b) => {
        try {
          certificateSignatureHash(b);
        } catch (e) {
          expect(e).toBeInstanceOf(AuthError);
          expect((e as AuthError).code).toBe('PGS_CHANNEL_BINDING');
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('RSASSA-PSS parameters (RFC 4055 §3.1)', () => {
  // Certificate ::= SEQUENCE { tbs SEQUENCE {}, AlgorithmIdentifier { rsassaPss, params }, BIT STRING }
  const PSS_OID = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
  const seq = (...body: number[]) => [0x30, body.length, ...body];
  const cert = (algorithm: number[]) => new Uint8Array(seq(...seq(), ...algorithm, 0x03, 0x01, 0x00));
  const hashAlg = (oid: number[]) => [0xa0, oid.length + 2, ...seq(...oid)];
  const SHA384 = [0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02];
  const SHA1 = [0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a];
  const UNKNOWN = [0x06, 0x03, 0x2a, 0x03, 0x04];

  it('takes the hash from hashAlgorithm [0]', () => {
    expect(certificateSignatureHash(cert(seq(...PSS_OID, ...seq(...hashAlg(SHA384)))))).toBe('SHA-384');
  });
  it('defaults to SHA-1, hence SHA-256, when hashAlgorithm is absent', () => {
    expect(certificateSignatureHash(cert(seq(...PSS_OID, ...seq())))).toBe('SHA-256');
  });
  it('maps an explicit SHA-1 to SHA-256', () => {
    expect(certificateSignatureHash(cert(seq(...PSS_OID, ...seq(...hashAlg(SHA1)))))).toBe('SHA-256');
  });
  it('refuses missing parameters and unknown hashes', () => {
    expect(() => certificateSignatureHash(cert(seq(...PSS_OID)))).toThrow(AuthError);
    expect(() => certificateSignatureHash(cert(seq(...PSS_OID, 0x05, 0x00)))).toThrow(AuthError);
    expect(() => certificateSignatureHash(cert(seq(...PSS_OID, ...seq(...hashAlg(UNKNOWN)))))).toThrow(/1\.2\.3\.4/);
  });
});

describe('DER reader', () => {
  it('decodes object identifiers', () => {
    const oid = (bytes: number[]) => {
      const b = new Uint8Array([0x06, bytes.length, ...bytes]);
      return decodeOid(b, readElement(b, 0, b.length));
    };
    expect(oid([0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b])).toBe('1.2.840.113549.1.1.11');
    expect(oid([0x2b, 0x65, 0x70])).toBe('1.3.101.112');
    expect(oid([0x88, 0x37, 0x03])).toBe('2.999.3');
    expect(() => oid([0x2a, 0x86])).toThrow(AuthError);
    expect(() => oid([0x2a, 0x80, 0x01])).toThrow(AuthError);
    expect(() => oid([])).toThrow(AuthError);
  });
  it('reads long-form lengths and refuses lengths beyond the buffer', () => {
    const b = new Uint8Array([0x04, 0x81, 0x02, 0xaa, 0xbb]);
    expect(readElement(b, 0, b.length)).toEqual({ tag: 0x04, start: 3, end: 5 });
    expect(() => readElement(b, 0, 4)).toThrow(AuthError);
    expect(() => readElement(new Uint8Array([0x1f, 0x01, 0x00]), 0, 3)).toThrow(AuthError);
  });
});

describe('sha224', () => {
  it('matches FIPS 180-4 examples and node:crypto', () => {
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
    expect(hex(sha224(new TextEncoder().encode('abc')))).toBe('23097d223405d8228642a477bda255b32aadbce4bda0b3f7e36c9da7');
    expect(hex(sha224(new Uint8Array(0)))).toBe('d14a028c2a3a2bc9476102bb288234c415a2b01f828ea62ac5b3e42f');
    for (let n = 0; n < 300; n += 7) {
      const b = new Uint8Array(n).map((_, i) => (i * 131 + n) & 0xff);
      expect(sha224(b)).toEqual(nodeHash('sha224', b));
    }
  });
});

describe('gs2Header', () => {
  it('spells the three GS2 headers', () => {
    expect(gs2Header({ kind: 'none' })).toBe('n,,');
    expect(gs2Header({ kind: 'client-supports-server-not' })).toBe('y,,');
    expect(gs2Header({ kind: 'tls-server-end-point', data: new Uint8Array(32) })).toBe('p=tls-server-end-point,,');
  });
});

describe('chooseSaslMechanism (libpq pg_SASL_init rules)', () => {
  let der: Uint8Array;
  let ed25519: Uint8Array;
  beforeAll(async () => {
    der = (await selfSigned({ name: 'ECDSA', namedCurve: 'P-384' }, { name: 'ECDSA', hash: 'SHA-384' })).der;
    ed25519 = (await selfSigned({ name: 'Ed25519' })).der;
  });
  const BOTH = ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'];
  const choose = (o: Partial<SaslChoiceOptions>) => chooseSaslMechanism({ offered: BOTH, channelBinding: 'prefer', tls: null, ...o });
  const code = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      expect(e).toBeInstanceOf(AuthError);
      return (e as AuthError).code;
    }
    return 'resolved';
  };

  it('plaintext, SCRAM only → SCRAM-SHA-256 with n,,', async () => {
    expect(await choose({ offered: ['SCRAM-SHA-256'] })).toEqual({ mechanism: 'SCRAM-SHA-256', channelBinding: { kind: 'none' } });
  });
  it('-PLUS offered over plaintext is an error, whatever channel_binding says', async () => {
    for (const channelBinding of ['disable', 'prefer', 'require'] as const) {
      expect(await code(choose({ channelBinding }))).toBe('PGS_CHANNEL_BINDING');
    }
  });
  it('TLS and -PLUS offered, prefer → SCRAM-SHA-256-PLUS bound to the certificate hash', async () => {
    const r = await choose({ tls: { certificateDer: der } });
    expect(r.mechanism).toBe('SCRAM-SHA-256-PLUS');
    expect(r.channelBinding).toEqual({ kind: 'tls-server-end-point', data: nodeHash('sha384', der) });
  });
  it('TLS and -PLUS offered, require → -PLUS', async () => {
    expect((await choose({ channelBinding: 'require', tls: { certificateDer: der } })).mechanism).toBe('SCRAM-SHA-256-PLUS');
  });
  it('TLS, server without -PLUS, prefer → SCRAM-SHA-256 with y,,', async () => {
    expect(await choose({ offered: ['SCRAM-SHA-256'], tls: { certificateDer: der } })).toEqual({
      mechanism: 'SCRAM-SHA-256',
      channelBinding: { kind: 'client-supports-server-not' },
    });
  });
  it('TLS, disable → SCRAM-SHA-256 with n,, even when -PLUS is offered', async () => {
    expect(await choose({ channelBinding: 'disable', tls: { certificateDer: der } })).toEqual({
      mechanism: 'SCRAM-SHA-256',
      channelBinding: { kind: 'none' },
    });
  });
  it('TLS, disable, only -PLUS offered → unsupported', async () => {
    expect(await code(choose({ offered: ['SCRAM-SHA-256-PLUS'], channelBinding: 'disable', tls: { certificateDer: der } }))).toBe(
      'PGS_AUTH_UNSUPPORTED',
    );
  });
  it('require without TLS → error before anything else', async () => {
    expect(await code(choose({ offered: ['SCRAM-SHA-256'], channelBinding: 'require' }))).toBe('PGS_CHANNEL_BINDING');
  });
  it('require, TLS, server without -PLUS → error', async () => {
    expect(await code(choose({ offered: ['SCRAM-SHA-256'], channelBinding: 'require', tls: { certificateDer: der } }))).toBe(
      'PGS_CHANNEL_BINDING',
    );
  });
  it('TLS whose certificate is unknown: prefer → n,, (cannot bind); require → error', async () => {
    expect(await choose({ tls: { certificateDer: null } })).toEqual({ mechanism: 'SCRAM-SHA-256', channelBinding: { kind: 'none' } });
    expect(await code(choose({ channelBinding: 'require', tls: { certificateDer: null } }))).toBe('PGS_CHANNEL_BINDING');
  });
  it('an Ed25519 server certificate with -PLUS offered → error (as libpq)', async () => {
    expect(await code(choose({ tls: { certificateDer: ed25519 } }))).toBe('PGS_CHANNEL_BINDING');
  });
  it('no SCRAM mechanism offered → PGS_AUTH_UNSUPPORTED, with the offered names rendered safely', async () => {
    expect(await code(choose({ offered: [] }))).toBe('PGS_AUTH_UNSUPPORTED');
    const e = await choose({ offered: ['OAUTHBEARER', '\u001b[2Jevil'] }).catch((x: unknown) => x as AuthError);
    expect(e).toBeInstanceOf(AuthError);
    expect((e as AuthError).code).toBe('PGS_AUTH_UNSUPPORTED');
    expect((e as AuthError).message).toContain('OAUTHBEARER');
    expect((e as AuthError).message).not.toContain('\u001b');
  });
  it('an invalid channel_binding value is a ClientError', async () => {
    await expect(choose({ channelBinding: 'maybe' as never })).rejects.toBeInstanceOf(ClientError);
  });
});
