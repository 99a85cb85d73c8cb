/**
 * Certificates for the fake server's TLS cases that src/embedded/certs.ts does not cover: a leaf
 * for a host name the client does not dial (`wrong.example`), signed by a CA of our own, so that
 * verify-full must fail on the name alone while verify-ca and require succeed. The standard set
 * (a CA, a valid and an expired `localhost` certificate, an unrelated CA) comes from certs.ts.
 */
import 'reflect-metadata';
import { webcrypto, X509Certificate, createHash } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { testCertificates } from './embedded/certs.js';
import type { CertPair, TestCertificates } from './embedded/certs.js';

const crypto = webcrypto as unknown as Crypto;
x509.cryptoProvider.set(crypto);

const KEY_ALG: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGN_ALG: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY = 24 * 3600 * 1000;

/** Every certificate the hostile tests use. */
export interface FakeCertificates extends TestCertificates {
  /** A CA of our own (not the one in `ca`). */
  otherCa: string;
  /** A server certificate valid only for `wrong.example`, signed by `otherCa`. */
  wrongHost: CertPair;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function generate(): Promise<FakeCertificates> {
  const base = await testCertificates();
  const now = Date.now();
  const caKeys = (await crypto.subtle.generateKey(KEY_ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=pg-stream hostile-test CA',
    keys: caKeys,
    signingAlgorithm: SIGN_ALG,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 365 * DAY),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const leafKeys = (await crypto.subtle.generateKey(KEY_ALG, true, ['sign', 'verify'])) as CryptoKeyPair;
  const leaf = await x509.X509CertificateGenerator.create({
    subject: 'CN=wrong.example',
    issuer: ca.subject,
    publicKey: leafKeys.publicKey,
    signingKey: caKeys.privateKey,
    signingAlgorithm: SIGN_ALG,
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 365 * DAY),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'wrong.example' }]),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  return {
    ...base,
    otherCa: ca.toString('pem'),
    wrongHost: { cert: leaf.toString('pem'), key: await keyPem(leafKeys.privateKey) },
  };
}

let shared: Promise<FakeCertificates> | null = null;

/** One set per test process, generated on first use. */
export function fakeCertificates(): Promise<FakeCertificates> {
  shared ??= generate();
  return shared;
}

/**
 * The tls-server-end-point channel binding data of a certificate (RFC 5929 §4.1), computed here
 * independently of src/auth: the hash of the DER certificate with the hash of its signature
 * algorithm, SHA-256 for MD5/SHA-1. Our test certificates are ECDSA (or RSA) with SHA-256/384/512.
 */
export function endPointHash(certPem: string): Buffer {
  const cert = new X509Certificate(certPem);
  const parsed = new x509.X509Certificate(cert.raw);
  const alg = parsed.signatureAlgorithm as { hash?: { name?: string } };
  const name = (alg.hash?.name ?? 'SHA-256').toUpperCase();
  const hash = name === 'SHA-384' ? 'sha384' : name === 'SHA-512' ? 'sha512' : 'sha256';
  return createHash(hash).update(cert.raw).digest();
}
