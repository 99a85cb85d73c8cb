/**
 * tls-server-end-point channel binding data (RFC 5929 §4.1): the hash of the server's certificate,
 * computed with the hash function of the certificate's own signature algorithm, except that MD5 and
 * SHA-1 are replaced by SHA-256. Certificates without a single hash function (Ed25519, Ed448) have
 * no tls-server-end-point binding; libpq refuses them and so do we.
 */
import { AuthError, ErrorCode } from '../errors.js';
import { bufferSource } from './bytes.js';
import { DerTag, children, decodeOid, expectElement, type DerElement } from './der.js';
import { sha224 } from './sha224.js';

/** The hash functions a tls-server-end-point binding can use here. */
export type EndPointHash = 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** Signature algorithm OIDs with a single hash (RFC 3279, RFC 4055, RFC 5758), after the MD5/SHA-1 rule. */
const SIGNATURE_HASH: ReadonlyMap<string, EndPointHash> = new Map([
  ['1.2.840.113549.1.1.4', 'SHA-256'], // md5WithRSAEncryption (MD5 → SHA-256)
  ['1.2.840.113549.1.1.5', 'SHA-256'], // sha1WithRSAEncryption (SHA-1 → SHA-256)
  ['1.3.14.3.2.29', 'SHA-256'], // sha1WithRSASignature (OIW)
  ['1.2.840.113549.1.1.14', 'SHA-224'], // sha224WithRSAEncryption
  ['1.2.840.113549.1.1.11', 'SHA-256'], // sha256WithRSAEncryption
  ['1.2.840.113549.1.1.12', 'SHA-384'], // sha384WithRSAEncryption
  ['1.2.840.113549.1.1.13', 'SHA-512'], // sha512WithRSAEncryption
  ['1.2.840.10045.4.1', 'SHA-256'], // ecdsa-with-SHA1
  ['1.2.840.10045.4.3.1', 'SHA-224'], // ecdsa-with-SHA224
  ['1.2.840.10045.4.3.2', 'SHA-256'], // ecdsa-with-SHA256
  ['1.2.840.10045.4.3.3', 'SHA-384'], // ecdsa-with-SHA384
  ['1.2.840.10045.4.3.4', 'SHA-512'], // ecdsa-with-SHA512
  ['1.2.840.10040.4.3', 'SHA-256'], // dsa-with-sha1
  ['2.16.840.1.101.3.4.3.1', 'SHA-224'], // dsa-with-sha224
  ['2.16.840.1.101.3.4.3.2', 'SHA-256'], // dsa-with-sha256
]);

/** Hash algorithm OIDs that may appear in RSASSA-PSS parameters (RFC 4055 §2.1). */
const HASH: ReadonlyMap<string, EndPointHash> = new Map([
  ['1.2.840.113549.2.5', 'SHA-256'], // md5 → SHA-256
  ['1.3.14.3.2.26', 'SHA-256'], // sha1 → SHA-256
  ['2.16.840.1.101.3.4.2.4', 'SHA-224'],
  ['2.16.840.1.101.3.4.2.1', 'SHA-256'],
  ['2.16.840.1.101.3.4.2.2', 'SHA-384'],
  ['2.16.840.1.101.3.4.2.3', 'SHA-512'],
]);

const RSASSA_PSS = '1.2.840.113549.1.1.10';
/** RFC 4055 §3.1: hashAlgorithm defaults to SHA-1, which RFC 5929 replaces by SHA-256. */
const PSS_DEFAULT_HASH: EndPointHash = 'SHA-256';

/** Algorithms without a hash function, named for the error message. */
const HASHLESS: ReadonlyMap<string, string> = new Map([
  ['1.3.101.112', 'Ed25519'],
  ['1.3.101.113', 'Ed448'],
]);

function refuse(reason: string): AuthError {
  return new AuthError(ErrorCode.CHANNEL_BINDING, `cannot compute tls-server-end-point channel binding: ${reason}`);
}

/** The hash named by RSASSA-PSS-params' `hashAlgorithm [0]` (RFC 4055 §3.1). */
function pssHash(der: Uint8Array, params: DerElement | undefined): EndPointHash {
  if (params === undefined || params.tag !== DerTag.SEQUENCE) throw refuse('RSASSA-PSS certificate without parameters');
  const explicit = children(der, params).find((el) => el.tag === DerTag.CONTEXT_0);
  if (explicit === undefined) return PSS_DEFAULT_HASH;
  const algorithm = expectElement(der, explicit.start, explicit.end, DerTag.SEQUENCE, 'RSASSA-PSS hashAlgorithm');
  const [oidEl] = children(der, algorithm);
  if (oidEl === undefined) throw refuse('empty RSASSA-PSS hashAlgorithm');
  const oid = decodeOid(der, oidEl);
  const hash = HASH.get(oid);
  if (hash === undefined) throw refuse(`unsupported RSASSA-PSS hash algorithm ${oid}`);
  return hash;
}

/**
 * The hash RFC 5929 §4.1 prescribes for this DER certificate, read from its outer
 * `signatureAlgorithm` (Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }),
 * which is what OpenSSL's X509_get_signature_info looks at. Throws AuthError PGS_CHANNEL_BINDING.
 */
export function certificateSignatureHash(certDer: Uint8Array): EndPointHash {
  const cert = expectElement(certDer, 0, certDer.length, DerTag.SEQUENCE, 'Certificate');
  if (cert.end !== certDer.length) throw refuse('bytes after the certificate');
  const parts = children(certDer, cert);
  if (parts.length !== 3) throw refuse('a Certificate has exactly three parts');
  const [tbs, algorithm, signature] = parts as [DerElement, DerElement, DerElement];
  if (tbs.tag !== DerTag.SEQUENCE || algorithm.tag !== DerTag.SEQUENCE || signature.tag !== DerTag.BIT_STRING) {
    throw refuse('malformed Certificate');
  }
  const [oidEl, params, ...extra] = children(certDer, algorithm);
  if (oidEl === undefined || extra.length > 0) throw refuse('malformed signatureAlgorithm');
  const oid = decodeOid(certDer, oidEl);
  if (oid === RSASSA_PSS) return pssHash(certDer, params);
  const hash = SIGNATURE_HASH.get(oid);
  if (hash !== undefined) return hash;
  const hashless = HASHLESS.get(oid);
  if (hashless !== undefined) throw refuse(`${hashless} certificates have no signature hash (RFC 5929 §4.1)`);
  throw refuse(`unsupported certificate signature algorithm ${oid}`);
}

/**
 * The tls-server-end-point channel binding data for the server certificate `certDer` (DER bytes, as
 * Node's `getPeerCertificate().raw`): the certificate hashed with `certificateSignatureHash`.
 */
export async function tlsServerEndPoint(
  certDer: Uint8Array,
  subtle: SubtleCrypto = globalThis.crypto.subtle,
): Promise<Uint8Array> {
  const hash = certificateSignatureHash(certDer);
  if (hash === 'SHA-224') return sha224(certDer);
  return new Uint8Array(await subtle.digest(hash, bufferSource(certDer)));
}
