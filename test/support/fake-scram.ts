/**
 * The server side of SCRAM-SHA-256(-PLUS) for the fake server, written independently of src/auth
 * with node:crypto (RFC 5802 §3, RFC 7677, PostgreSQL's dialect: empty user name in the bare
 * client-first-message). It checks the client's proof and channel binding exactly as PostgreSQL
 * would (answering 28P01 when they are wrong), and has hooks to tamper with every server message:
 * the nonce, the salt and iteration count, the whole server-first or server-final text, or an
 * AuthenticationOk sent in place of the SASLFinal.
 */
import { createHash, createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { endPointHash } from './fake-certs.js';
import { auth, errorResponse } from './fake-server.js';
import type { FakeSession } from './fake-server.js';

/** How the fake server runs (and bends) the exchange. */
export interface ScramServerOptions {
  /** The password the server knows (ASCII: no SASLprep needed). */
  password: string;
  /** Mechanisms listed in AuthenticationSASL (default ['SCRAM-SHA-256']). */
  mechanisms?: string[];
  /** Iteration count; a string is sent verbatim (for malformed counts). Default 4096. */
  iterations?: number | string;
  /** Salt (default 16 random bytes). */
  salt?: Uint8Array;
  /** The combined nonce from the client's (default: the client's plus 24 random base64 characters). */
  nonce?: (clientNonce: string) => string;
  /** Rewrites the server-first-message before it is sent (bytes: sent verbatim, e.g. invalid UTF-8). */
  serverFirst?: (proper: string) => string | Uint8Array;
  /** Rewrites the server-final-message before it is sent (bad `v=`, `e=`, garbage). */
  serverFinal?: (proper: string) => string;
  /** Sends AuthenticationOk where the AuthenticationSASLFinal belongs. */
  okInsteadOfFinal?: boolean;
  /** Returns after this step, leaving the rest to the script. */
  stopAfter?: 'initial-response' | 'server-first' | 'client-final';
  /** The certificate (PEM) the server presented: the expected tls-server-end-point binding. */
  certPem?: string;
}

/** What happened during the exchange. */
export interface ScramTranscript {
  /** The mechanism the client chose. */
  mechanism?: string;
  /** The GS2 header the client sent: `n,,`, `y,,` or `p=tls-server-end-point,,`. */
  gs2Header?: string;
  clientFirstBare?: string;
  clientNonce?: string;
  /** The server-first-message actually sent. */
  serverFirst?: string;
  clientFinal?: string;
  /** The client's proof matched the password. */
  proofValid?: boolean;
  /** The client's `c=` matched its GS2 header (and the certificate hash for `p=`). */
  bindingValid?: boolean;
  /** Everything secret derived during the exchange, in the forms it could leak (base64, hex). */
  secrets: string[];
}

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const hmac = (key: Uint8Array, data: string | Uint8Array): Buffer => createHmac('sha256', key).update(data).digest();

/** Splits `a=1,b=2` into attributes (values may contain `=`). */
function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

/** Runs the exchange on `s` from AuthenticationSASL to AuthenticationSASLFinal (inclusive). */
export async function serveScram(s: FakeSession, options: ScramServerOptions): Promise<ScramTranscript> {
  const t: ScramTranscript = { secrets: [options.password] };
  s.send(auth.sasl(options.mechanisms ?? ['SCRAM-SHA-256']));
  const init = await s.expect('SASLInitialResponse', 'SASLInitialResponse');
  t.mechanism = init.mechanism;
  const first = new TextDecoder().decode(init.data ?? new Uint8Array(0));
  const headerEnd = first.indexOf(',', first.indexOf(',') + 1) + 1;
  t.gs2Header = first.slice(0, headerEnd);
  t.clientFirstBare = first.slice(headerEnd);
  t.clientNonce = attributes(t.clientFirstBare).get('r') ?? '';
  if (options.stopAfter === 'initial-response') return t;

  const salt = options.salt ?? randomBytes(16);
  const iterations = options.iterations ?? 4096;
  const nonce = options.nonce?.(t.clientNonce) ?? t.clientNonce + randomBytes(18).toString('base64');
  const proper = `r=${nonce},s=${b64(salt)},i=${iterations}`;
  const sent = options.serverFirst?.(proper) ?? proper;
  t.serverFirst = typeof sent === 'string' ? sent : Buffer.from(sent).toString('latin1');
  s.send(auth.saslContinue(sent));
  if (options.stopAfter === 'server-first') return t;

  const resp = await s.expect('SASLResponse', 'SASLResponse');
  t.clientFinal = new TextDecoder().decode(resp.data);
  const proofAt = t.clientFinal.lastIndexOf(',p=');
  const withoutProof = t.clientFinal.slice(0, proofAt);
  const attrs = attributes(t.clientFinal);
  const proof = Buffer.from(attrs.get('p') ?? '', 'base64');

  // Asynchronous, so the fake server (same process as the client) never blocks the event loop.
  const salted = await promisify(pbkdf2)(options.password, salt, Number(iterations), 32, 'sha256');
  const clientKey = hmac(salted, 'Client Key');
  const storedKey = createHash('sha256').update(clientKey).digest();
  const authMessage = `${t.clientFirstBare},${t.serverFirst},${withoutProof}`;
  const clientSignature = hmac(storedKey, authMessage);
  const expectedProof = Buffer.alloc(32);
  for (let i = 0; i < 32; i++) expectedProof[i] = clientKey[i]! ^ clientSignature[i]!;
  t.proofValid = proof.length === 32 && timingSafeEqual(proof, expectedProof);
  const serverKey = hmac(salted, 'Server Key');
  t.secrets.push(b64(proof), hexOf(proof), b64(salted), hexOf(salted), b64(clientKey), hexOf(clientKey), b64(serverKey), hexOf(serverKey));

  const binding =
    t.gs2Header.startsWith('p=') && options.certPem !== undefined
      ? Buffer.concat([Buffer.from(t.gs2Header), endPointHash(options.certPem)])
      : Buffer.from(t.gs2Header);
  // A server that offered -PLUS refuses `y` (the client claims the server cannot bind: a downgrade).
  const offeredPlus = (options.mechanisms ?? []).includes('SCRAM-SHA-256-PLUS');
  const downgraded = t.gs2Header.startsWith('y') && offeredPlus;
  t.bindingValid = attrs.get('c') === b64(binding) && attrs.get('r') === nonce && !downgraded;
  if (!t.proofValid || !t.bindingValid) {
    s.send(errorResponse('28P01', `password authentication failed for user "fake"`));
    return t;
  }
  if (options.stopAfter === 'client-final') return t;

  const proper2 = `v=${b64(hmac(serverKey, authMessage))}`;
  if (options.okInsteadOfFinal) s.send(auth.ok());
  else s.send(auth.saslFinal(options.serverFinal?.(proper2) ?? proper2));
  return t;
}
