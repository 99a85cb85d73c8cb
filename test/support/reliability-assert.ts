/**
 * RELIABILITY.md's rule for every failure, as one assertion for tests that run the library through
 * the fault proxy (./fault-proxy.ts): the call settles within its deadline; the error is the typed
 * error with the stable code; the socket is destroyed (seen from the caller's socket when the test
 * has it, and from the proxy's side of the connection); and no secret — the password, the SCRAM
 * proof, salted password and keys, the cancel key — appears in the error's message, stack, cause
 * chain, `String(err)`, `util.inspect(err, { depth: 10 })`, or in the tracer's output.
 * Builds on ./fake-assert.ts (expectFailure, errorStrings, trackUnhandled), which stays the one
 * place for the error-chain and unhandled-rejection checks.
 */
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { inspect } from 'node:util';
import { expect } from 'vitest';
import type { PgStreamError } from '../../src/errors.js';
import { errorStrings, expectFailure, within } from './fake-assert.js';
import type { Failure } from './fake-assert.js';
import type { FaultProxy, ProxiedConnection, WireMessage } from './fault-proxy.js';
import { bodyOf, saslDataOf } from './fault-wire.js';

export { trackUnhandled, within } from './fake-assert.js';

/** A secret: a string, or bytes (searched for in every form they could be printed in). */
export type Secret = string | Uint8Array;

/** How long the library may take to close its socket after the call rejected. */
const SOCKET_CLOSE_MS = 1_000;
/** Forms shorter than this match by chance (a 1-byte key's decimal form); they are not searched. */
const MIN_FORM_LENGTH = 4;
/** RFC 5802 §3: the keys derived from SaltedPassword. */
const CLIENT_KEY = 'Client Key';
const SERVER_KEY = 'Server Key';
/** The header of a typed message (BackendKeyData): type byte and length; then its Int32 process ID. */
const KEY_DATA_HEADER = 1 + 4;
const PROCESS_ID_SIZE = 4;
const INT32_SIZE = 4;
const PRINTABLE_FIRST = 0x20;
const PRINTABLE_LAST = 0x7e;

/** The printed forms a byte secret could take: hex (with and without spaces), base64(url), number lists, trace escapes, Int32. */
export function secretForms(s: Secret): string[] {
  if (typeof s === 'string') return [s];
  const b = Buffer.from(s);
  const escaped = Array.from(s, (x) => (x >= PRINTABLE_FIRST && x <= PRINTABLE_LAST ? String.fromCharCode(x) : `\\x${x.toString(16).padStart(2, '0')}`)).join('');
  const forms = [
    b.toString('hex'),
    b.toString('hex').toUpperCase(),
    Array.from(s, (x) => x.toString(16).padStart(2, '0')).join(' '),
    b.toString('base64'),
    b.toString('base64url'),
    Array.from(s).join(','),
    Array.from(s).join(', '),
    Array.from(s).join(' '),
    escaped,
  ];
  if (s.length === INT32_SIZE) forms.push(String(b.readInt32BE(0)), String(b.readUInt32BE(0)));
  return forms.filter((f) => f.length >= MIN_FORM_LENGTH);
}

/** Every text an error could leak through: fake-assert's error chain plus `util.inspect` at depth 10. */
export function errorHaystack(err: unknown): string {
  return [...errorStrings(err), inspect(err, { depth: 10, showHidden: true, getters: true })].join('\n');
}

/** Fails when any form of any secret appears in any of the named texts. */
export function expectNoSecretsIn(where: Readonly<Record<string, string | readonly string[]>>, secrets: readonly Secret[]): void {
  for (const [name, text] of Object.entries(where)) {
    const hay = typeof text === 'string' ? text : text.join('\n');
    for (const s of secrets) {
      for (const f of secretForms(s)) {
        expect(hay.includes(f), `a secret (${JSON.stringify(f.slice(0, 6))}…) appears in the ${name}`).toBe(false);
      }
    }
  }
}

function hmac(key: Uint8Array, data: string | Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(data).digest());
}

/** `key=value` attributes of a SCRAM message. */
function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) out.set(part[0]!, part.slice(2));
  }
  return out;
}

/** What a plaintext SCRAM exchange carried, and what the password makes of it (RFC 5802 §3). */
export interface ScramExchange {
  readonly saltedPassword: Uint8Array;
  readonly clientKey: Uint8Array;
  readonly storedKey: Uint8Array;
  readonly serverKey: Uint8Array;
  /** The ClientProof as sent (`p=`, base64), or null before the client-final-message. */
  readonly proof: string | null;
  /** The ClientProof the password gives for this exchange, or null before the client-final-message. */
  readonly expectedProof: Uint8Array | null;
  /** The ServerSignature as sent (`v=`, base64), or null before the server-final-message. */
  readonly serverSignature: string | null;
  /** The ServerSignature the password gives, or null before the client-final-message. */
  readonly expectedServerSignature: Uint8Array | null;
}

function textOf(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** The client-first-message of a SASLInitialResponse: mechanism, Int32 length, the message. */
function clientFirstOf(m: WireMessage): string {
  const body = bodyOf(m.bytes);
  const end = body.indexOf(0);
  return textOf(body.subarray(end + 1 + INT32_SIZE));
}

/**
 * The SCRAM exchange the proxy saw in plaintext, recomputed from `password` independently of src/:
 * SaltedPassword = PBKDF2(password, salt, i), the keys derived from it, and the proof and server
 * signature over AuthMessage. Null when the exchange was encrypted or did not reach the
 * server-first-message. The password must be ASCII (SASLprep is then the identity).
 */
export function scramExchange(transcript: readonly WireMessage[], password: string): ScramExchange | null {
  const first = transcript.find((m) => m.name === 'SASLInitialResponse');
  const serverFirstMsg = transcript.find((m) => m.name === 'AuthenticationSASLContinue');
  if (first === undefined || serverFirstMsg === undefined) return null;
  const serverFirst = textOf(saslDataOf(serverFirstMsg.bytes));
  const attrs = attributes(serverFirst);
  const salt = attrs.get('s');
  const iterations = Number(attrs.get('i'));
  if (salt === undefined || !Number.isSafeInteger(iterations) || iterations <= 0) return null;
  const saltedPassword = new Uint8Array(pbkdf2Sync(password, Buffer.from(salt, 'base64'), iterations, 32, 'sha256'));
  const clientKey = hmac(saltedPassword, CLIENT_KEY);
  const storedKey = new Uint8Array(createHash('sha256').update(clientKey).digest());
  const serverKey = hmac(saltedPassword, SERVER_KEY);
  const keys = { saltedPassword, clientKey, storedKey, serverKey };
  const finalMsg = transcript.find((m) => m.name === 'SASLResponse');
  const final = finalMsg === undefined ? null : textOf(bodyOf(finalMsg.bytes));
  const proofAt = final?.lastIndexOf(',p=') ?? -1;
  const serverFinal = transcript.find((m) => m.name === 'AuthenticationSASLFinal');
  const serverSignature = serverFinal === undefined ? null : (attributes(textOf(saslDataOf(serverFinal.bytes))).get('v') ?? null);
  if (final === null || proofAt < 0) {
    return { ...keys, proof: null, expectedProof: null, serverSignature, expectedServerSignature: null };
  }
  // client-first-message-bare is what follows the GS2 header (`n,,`, `y,,` or `p=…,,`).
  const clientFirst = clientFirstOf(first);
  const bare = clientFirst.slice(clientFirst.indexOf(',', clientFirst.indexOf(',') + 1) + 1);
  const authMessage = `${bare},${serverFirst},${final.slice(0, proofAt)}`;
  const signature = hmac(storedKey, authMessage);
  return {
    ...keys,
    proof: final.slice(proofAt + 3),
    expectedProof: clientKey.map((b, i) => b ^ signature[i]!),
    serverSignature,
    expectedServerSignature: hmac(serverKey, authMessage),
  };
}

/** The SCRAM secrets of a plaintext exchange: SaltedPassword, ClientKey, StoredKey, ServerKey and the ClientProof as sent. */
export function scramSecrets(transcript: readonly WireMessage[], password: string): Secret[] {
  const x = scramExchange(transcript, password);
  if (x === null) return [];
  const out: Secret[] = [x.saltedPassword, x.clientKey, x.storedKey, x.serverKey];
  if (x.proof !== null) out.push(x.proof, new Uint8Array(Buffer.from(x.proof, 'base64')));
  return out;
}

/** The cancel keys of every plaintext BackendKeyData the proxy saw. */
export function cancelKeys(transcript: readonly WireMessage[]): Uint8Array[] {
  return transcript
    .filter((m) => m.name === 'BackendKeyData' && m.bytes.length > KEY_DATA_HEADER + PROCESS_ID_SIZE)
    .map((m) => m.bytes.slice(KEY_DATA_HEADER + PROCESS_ID_SIZE));
}

/** What every plaintext PasswordMessage carried: the cleartext password, or its MD5 hash. */
export function passwordMessages(transcript: readonly WireMessage[]): string[] {
  const text = new TextDecoder();
  return transcript.filter((m) => m.name === 'PasswordMessage').map((m) => text.decode(bodyOf(m.bytes)).replace(/\0$/, ''));
}

/** Every secret a test knows for the connections a proxy saw: the password, its MD5 hash or SCRAM values, the cancel keys. */
export function knownSecrets(password: string, connections: readonly ProxiedConnection[]): Secret[] {
  return [
    password,
    ...connections.flatMap((c) => [...passwordMessages(c.transcript), ...scramSecrets(c.transcript, password), ...cancelKeys(c.transcript)]),
  ];
}

/** A failure as RELIABILITY.md requires it, seen through the fault proxy. */
export interface ReliableFailure extends Failure {
  /** The tracer's lines: they must hold no secret either. */
  traces?: readonly string[];
  /** The password used: it and the SCRAM values and cancel keys derived from the proxy's transcripts are searched for. */
  password?: string;
  /** The proxy the call went through: every connection it accepted must be closed by the library. */
  proxy?: FaultProxy;
  /** Whether the error must say the connection is unusable (default true: startup errors are all fatal). */
  fatal?: boolean;
}

/**
 * Asserts that `p` rejects as `f` describes (./fake-assert.ts expectFailure: typed error, code,
 * SQLSTATE, deadline, the caller's socket destroyed, no secret in the error chain), that the error
 * is fatal, that the library closed every socket it opened through the proxy, and that no secret
 * (`f.secrets`, the password, and what the proxy saw of SCRAM and BackendKeyData) is in the error
 * at inspect depth 10 or in the trace. Returns the error.
 */
export async function expectReliableFailure(p: Promise<unknown>, f: ReliableFailure): Promise<PgStreamError> {
  const err = await expectFailure(p, f);
  expect(err.fatal, 'the error must say whether the connection is still usable').toBe(f.fatal ?? true);
  const connections = f.proxy?.connections ?? [];
  for (const c of connections) await within(c.clientClosed, SOCKET_CLOSE_MS, `the library closing its socket (connection ${c.index})`);
  const secrets = [...(f.secrets ?? []), ...(f.password === undefined ? [] : knownSecrets(f.password, connections))];
  expectNoSecretsIn({ error: errorHaystack(err), trace: f.traces ?? [] }, secrets);
  return err;
}
