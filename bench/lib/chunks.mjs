// @ts-check
/** Splitting bytes into the chunks a socket delivers, shared by the decode streams and COPY in. */

/** The chunk size a socket delivers (Node's default highWaterMark for net.Socket reads is 64 KiB). */
export const CHUNK = 64 * 1024;

/**
 * Splits `bytes` into chunks of `size` (views, not copies).
 * @param {Buffer} bytes
 * @param {number} [size]
 * @returns {Buffer[]}
 */
export function chunks(bytes, size = CHUNK) {
  const list = [];
  for (let i = 0; i < bytes.length; i += size) list.push(bytes.subarray(i, Math.min(i + size, bytes.length)));
  return list;
}
