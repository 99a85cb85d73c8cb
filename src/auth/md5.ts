/**
 * MD5 (RFC 1321) in plain TypeScript, because WebCrypto has no MD5 and PostgreSQL's `md5`
 * password method needs it. Only ever used for that legacy method; never for anything new.
 */
import { ClientError, ErrorCode } from '../errors.js';
import { concatBytes, toHex, utf8, wipe } from './bytes.js';

/** Per-step left-rotation amounts (RFC 1321 §3.4). */
const SHIFTS = new Uint8Array([
  7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
  5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
  4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
  6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
]);

/** T[i] = floor(2^32 * |sin(i + 1)|), written out so no platform `Math.sin` rounding can matter. */
const T = new Int32Array([
  0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
  0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
  0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
  0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
  0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
  0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
  0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
  0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
]);

const BLOCK = 64;

/** The 16-byte MD5 digest of `message`. */
export function md5(message: Uint8Array): Uint8Array {
  // Padding (RFC 1321 §3.1-3.2): a 1 bit, zeros to 56 mod 64, then the bit length, little-endian.
  const padded = new Uint8Array((((message.length + 8) >>> 6) + 1) * BLOCK);
  padded.set(message);
  padded[message.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, (message.length * 8) >>> 0, true);
  view.setUint32(padded.length - 4, Math.floor(message.length / 0x20000000), true);

  let a0 = 0x67452301;
  let b0 = 0xefcdab89 | 0;
  let c0 = 0x98badcfe | 0;
  let d0 = 0x10325476;
  const words = new Int32Array(16);
  for (let block = 0; block < padded.length; block += BLOCK) {
    for (let j = 0; j < 16; j++) words[j] = view.getInt32(block + 4 * j, true);
    let a = a0;
    let b = b0;
    let c = c0;
    let d = d0;
    for (let i = 0; i < 64; i++) {
      let f: number;
      let g: number;
      if (i < 16) {
        f = (b & c) | (~b & d);
        g = i;
      } else if (i < 32) {
        f = (d & b) | (~d & c);
        g = (5 * i + 1) & 15;
      } else if (i < 48) {
        f = b ^ c ^ d;
        g = (3 * i + 5) & 15;
      } else {
        f = c ^ (b | ~d);
        g = (7 * i) & 15;
      }
      const sum = (a + f + T[i]! + words[g]!) | 0;
      const s = SHIFTS[i]!;
      a = d;
      d = c;
      c = b;
      b = (b + ((sum << s) | (sum >>> (32 - s)))) | 0;
    }
    a0 = (a0 + a) | 0;
    b0 = (b0 + b) | 0;
    c0 = (c0 + c) | 0;
    d0 = (d0 + d) | 0;
  }

  const digest = new Uint8Array(16);
  const out = new DataView(digest.buffer);
  out.setInt32(0, a0, true);
  out.setInt32(4, b0, true);
  out.setInt32(8, c0, true);
  out.setInt32(12, d0, true);
  return digest;
}

/** The MD5 digest of `message` as 32 lower-case hex digits. */
export function md5Hex(message: Uint8Array): string {
  return toHex(md5(message));
}

/** Length of the salt in AuthenticationMD5Password (PostgreSQL protocol docs). */
export const MD5_SALT_LENGTH = 4;

/**
 * The PasswordMessage payload answering AuthenticationMD5Password, as libpq computes it
 * (fe-auth.c, pg_password_sendauth): `'md5' + hex(md5(hex(md5(password + user)) + salt))`.
 * Strings are encoded as UTF-8; the password is used as given (no SASLprep for MD5).
 */
export function md5Password(user: string, password: string | Uint8Array, salt: Uint8Array): string {
  if (salt.length !== MD5_SALT_LENGTH) {
    throw new ClientError(ErrorCode.INVALID_ARGUMENT, `MD5 salt must be ${MD5_SALT_LENGTH} bytes, got ${salt.length}`);
  }
  const pw = typeof password === 'string' ? utf8(password) : password;
  const secret = concatBytes(pw, utf8(user));
  const inner = utf8(md5Hex(secret));
  const result = 'md5' + md5Hex(concatBytes(inner, salt));
  wipe(secret, inner, typeof password === 'string' ? pw : null);
  return result;
}
