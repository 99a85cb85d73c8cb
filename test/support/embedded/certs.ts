/**
 * Test certificates generated in process (no openssl CLI needed): a CA, a server certificate for
 * `localhost`/127.0.0.1, an expired one, a second unrelated CA, and client certificates whose CN is
 * the role they authenticate as (PostgreSQL's `cert` method compares the CN with the user name:
 * https://www.postgresql.org/docs/current/auth-cert.html). ECDSA P-256 keys signed with SHA-256.
 */
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { giveToServer } from './host.js';

/** A certificate with its private key, both PEM. */
export interface CertPair {
  cert: string;
  key: string;
}

/** Everything a TLS test needs, as PEM strings (serializable: can cross to test workers). */
export interface TestCertificates {
  /** The CA that signed the server and client certificates: trust this to verify the server. */
  ca: string;
  /** An unrelated CA: trusting only this must make verification fail. */
  wrongCa: string;
  /** Server certificate for CN `localhost`, SAN DNS:localhost and IP:127.0.0.1, signed by `ca`. */
  server: CertPair;
  /** Same names, signed by `ca`, but valid only in the past. */
  expiredServer: CertPair;
  /** Client certificates by role name (CN = role), signed by `ca`. */
  clients: Record<string, CertPair>;
  /** A client certificate for `certuser` signed by `wrongCa`: the server must refuse it. */
  untrustedClient: CertPair;
}

/** Names the server certificate is valid for. */
export const SERVER_NAMES = { dns: 'localhost', ip: '127.0.0.1' } as const;

/** Roles that get a client certificate. */
export const CLIENT_CERT_ROLES = ['certuser', 'certscram'] as const;

const crypto = webcrypto as unknown as Crypto;
x509.cryptoProvider.set(crypto);

const KEY_ALG: EcKeyGenParams = { name: 'ECDSA', namedCurve: 'P-256' };
const SIGN_ALG: EcdsaParams = { name: 'ECDSA', hash: 'SHA-256' };
const DAY = 24 * 3600 * 1000;

function newKeys(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(KEY_ALG, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

/** A self-signed CA certificate. */
interface Authority {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

async function makeCa(name: string): Promise<Authority> {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}`,
    keys,
    signingAlgorithm: SIGN_ALG,
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 3650 * DAY),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys };
}

/** A leaf certificate signed by `ca`. */
async function makeLeaf(
  ca: Authority,
  cn: string,
  usage: 'server' | 'client',
  validity: { notBefore: Date; notAfter: Date },
): Promise<CertPair> {
  const keys = await newKeys();
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement, true),
    new x509.ExtendedKeyUsageExtension([
      usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth,
    ]),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
  ];
  if (usage === 'server') {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        { type: 'dns', value: SERVER_NAMES.dns },
        { type: 'ip', value: SERVER_NAMES.ip },
      ]),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    subject: `CN=${cn}`,
    issuer: ca.cert.subject,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: SIGN_ALG,
    ...validity,
    extensions,
  });
  return { cert: cert.toString('pem'), key: await keyPem(keys.privateKey) };
}

/** Generates a fresh set of test certificates (≈ 20 ms; keys never leave this process unless written). */
export async function generateTestCertificates(): Promise<TestCertificates> {
  const now = Date.now();
  const current = { notBefore: new Date(now - DAY), notAfter: new Date(now + 365 * DAY) };
  const past = { notBefore: new Date(now - 30 * DAY), notAfter: new Date(now - 2 * DAY) };
  const [ca, wrong] = await Promise.all([makeCa('pg-stream test CA'), makeCa('pg-stream wrong CA')]);
  const [server, expiredServer, untrustedClient, ...clientPairs] = await Promise.all([
    makeLeaf(ca, SERVER_NAMES.dns, 'server', current),
    makeLeaf(ca, SERVER_NAMES.dns, 'server', past),
    makeLeaf(wrong, 'certuser', 'client', current),
    ...CLIENT_CERT_ROLES.map((role) => makeLeaf(ca, role, 'client', current)),
  ]);
  const clients: Record<string, CertPair> = {};
  CLIENT_CERT_ROLES.forEach((role, i) => (clients[role] = clientPairs[i]!));
  return {
    ca: ca.cert.toString('pem'),
    wrongCa: wrong.cert.toString('pem'),
    server: server!,
    expiredServer: expiredServer!,
    clients,
    untrustedClient: untrustedClient!,
  };
}

let shared: Promise<TestCertificates> | null = null;

/** One set of certificates per process, generated on first use. */
export function testCertificates(): Promise<TestCertificates> {
  shared ??= generateTestCertificates();
  return shared;
}

/** Paths of the files a server reads (`ssl_cert_file`, `ssl_key_file`, `ssl_ca_file`). */
export interface ServerCertFiles {
  certFile: string;
  keyFile: string;
  caFile: string;
}

/** A client certificate and key on disk (for libpq-style `sslcert`/`sslkey` options). */
export interface ClientCertFiles {
  certFile: string;
  keyFile: string;
}

/** The files a client may point at (`sslrootcert`, `sslcert`, `sslkey`). */
export interface ClientSideFiles {
  /** The CA (same content as the server's ssl_ca_file). */
  caFile: string;
  wrongCaFile: string;
  /** By role name. */
  clients: Record<string, ClientCertFiles>;
  untrustedClient: ClientCertFiles;
}

/**
 * Writes a server's certificate files into `dir`: the key with mode 0600 owned by the server user
 * (PostgreSQL refuses group- or world-readable keys), the rest world-readable.
 */
export function writeServerCertFiles(dir: string, pair: CertPair, ca: string): ServerCertFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  giveToServer(dir);
  const files = { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key'), caFile: join(dir, 'root.crt') };
  writeFileSync(files.certFile, pair.cert, { mode: 0o644 });
  writeFileSync(files.keyFile, pair.key, { mode: 0o600 });
  writeFileSync(files.caFile, ca, { mode: 0o644 });
  chmodSync(files.keyFile, 0o600);
  for (const f of Object.values(files)) giveToServer(f);
  return files;
}

/** Writes the client-side files into `dir` (keys 0600, owned by this process's user). */
export function writeClientCertFiles(dir: string, certs: TestCertificates): ClientSideFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pem = (name: string, text: string, mode: number): string => {
    const path = join(dir, name);
    writeFileSync(path, text, { mode });
    chmodSync(path, mode);
    return path;
  };
  const pair = (name: string, p: CertPair): ClientCertFiles => ({
    certFile: pem(`${name}.crt`, p.cert, 0o644),
    keyFile: pem(`${name}.key`, p.key, 0o600),
  });
  const clients: Record<string, ClientCertFiles> = {};
  for (const [role, p] of Object.entries(certs.clients)) clients[role] = pair(role, p);
  return {
    caFile: pem('root.crt', certs.ca, 0o644),
    wrongCaFile: pem('wrong-root.crt', certs.wrongCa, 0o644),
    clients,
    untrustedClient: pair('untrusted', certs.untrustedClient),
  };
}
