/**
 * Standard base64 (RFC 4648 §4, with padding) without `Buffer` or `atob`: SCRAM carries nonces,
 * salts, proofs and signatures in it. Decoding is strict so a malformed server message is detected
 * rather than silently repaired: no whitespace, no URL-safe alphabet, correct padding, and the
 * unused bits of the last character must be zero (only one encoding per byte string).
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const PAD = '=';
const INVALID = -1;

const DECODE = new Int8Array(128).fill(INVALID);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** Encodes bytes as padded standard base64. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + PAD + PAD;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >>> 18]! + ALPHABET[(n >>> 12) & 63]! + ALPHABET[(n >>> 6) & 63]! + PAD;
  }
  return out;
}

function sextet(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < DECODE.length ? DECODE[c]! : INVALID;
}

/** Decodes strict padded base64; returns null for anything that is not the canonical encoding. */
export function decodeBase64(s: string): Uint8Array | null {
  if (s.length % 4 !== 0) return null;
  let padding = 0;
  if (s.endsWith(PAD + PAD)) padding = 2;
  else if (s.endsWith(PAD)) padding = 1;
  const out = new Uint8Array((s.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const last = i + 4 === s.length;
    const a = sextet(s, i);
    const b = sextet(s, i + 1);
    const c = last && padding === 2 ? 0 : sextet(s, i + 2);
    const d = last && padding >= 1 ? 0 : sextet(s, i + 3);
    if ((a | b | c | d) < 0) return null;
    const n = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = n >>> 16;
    if (last && padding === 2) {
      if ((n & 0xffff) !== 0) return null;
      break;
    }
    out[o++] = (n >>> 8) & 0xff;
    if (last && padding === 1) {
      if ((n & 0xff) !== 0) return null;
      break;
    }
    out[o++] = n & 0xff;
  }
  return out;
}
