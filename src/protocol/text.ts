/**
 * Text decoding with a platform fast path.
 *
 * Policy for invalid UTF-8 (RELIABILITY.md case 7): decoding never throws; each invalid sequence
 * becomes U+FFFD, exactly as `TextDecoder` does without `fatal`. Callers who must reject invalid
 * text use `decodeUtf8Strict`, which throws `PGS_INVALID_UTF8`.
 * In Node, `Buffer`'s native `utf8Slice`/`latin1Slice` are used when present (platform.ts), so
 * this module still runs in browsers.
 */
import { ErrorCode, ProtocolError } from '../errors.js';
import { nodeLatin1Slice, nodeUtf8Slice } from '../platform.js';

const utf8Slice = nodeUtf8Slice;
const latin1Slice = nodeLatin1Slice;

const utf8Decoder = new TextDecoder('utf-8');
const strictDecoder = new TextDecoder('utf-8', { fatal: true });
const latin1Decoder = new TextDecoder('latin1');

/** Decodes `bytes[start, end)` as UTF-8, replacing invalid sequences with U+FFFD. */
export const decodeUtf8: (bytes: Uint8Array, start: number, end: number) => string = utf8Slice
  ? (bytes, start, end) => utf8Slice.call(bytes, start, end)
  : (bytes, start, end) => utf8Decoder.decode(bytes.subarray(start, end));

/**
 * Decodes `bytes[start, end)` one byte per character. Only used for ranges known to be ASCII,
 * where Latin-1 and UTF-8 agree (browsers map `latin1` to windows-1252, which also agrees on ASCII).
 */
export const decodeLatin1: (bytes: Uint8Array, start: number, end: number) => string = latin1Slice
  ? (bytes, start, end) => latin1Slice.call(bytes, start, end)
  : (bytes, start, end) => latin1Decoder.decode(bytes.subarray(start, end));

/** Decodes `bytes[start, end)` as UTF-8, throwing `PGS_INVALID_UTF8` on any invalid sequence. */
export function decodeUtf8Strict(bytes: Uint8Array, start: number, end: number): string {
  try {
    return strictDecoder.decode(bytes.subarray(start, end));
  } catch (cause) {
    throw new ProtocolError(ErrorCode.INVALID_UTF8, 'invalid UTF-8 in a text value', { cause });
  }
}
