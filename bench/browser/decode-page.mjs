// @ts-check
/**
 * The page side of the browser decode benchmark (decode.mjs): fetches the rows5 stream, cuts it
 * into the 64 KiB chunks a socket delivers, and decodes it to a string per field with ours
 * (`pg-stream/browser`: `BackendReader.push()`, `next()`, `text(i)`, the WASM framing) and with
 * pg-protocol's `Parser` (bundled with a Buffer shim, buffer-shim.mjs), in interleaved timed runs.
 * Both report a checksum (rows, characters, NULLs) that must agree.
 */
import { BackendReader, MessageCode } from 'pg-stream/browser';
import { Parser } from 'pg-protocol/dist/parser.js';
import { Buffer as BrowserBuffer } from './buffer-shim.mjs';

/** @import { BackendMessage, DataRowMessage } from 'pg-protocol/dist/messages.js' */

const CHUNK = 64 * 1024;
const { DATA_ROW } = MessageCode;

/** @typedef {{ rows: number, chars: number, nulls: number }} Check */

/**
 * Ours: push() each chunk, then take every message with next(), a string per field.
 * @param {readonly Uint8Array[]} chunks
 * @returns {Check}
 */
function decodeOurs(chunks) {
  const reader = new BackendReader();
  let rows = 0;
  let chars = 0;
  let nulls = 0;
  for (const c of chunks) {
    for (let off = 0; off < c.length; ) {
      const taken = reader.push(off === 0 ? c : c.subarray(off));
      off += taken;
      let took = false;
      for (let msg = reader.next(); msg !== null; msg = reader.next()) {
        took = true;
        if (msg.code !== DATA_ROW) continue;
        rows++;
        const n = msg.fieldCount;
        for (let i = 0; i < n; i++) {
          const s = msg.text(i);
          if (s === null) nulls++;
          else chars += s.length;
        }
      }
      if (taken === 0 && !took) throw new Error('BackendReader took no bytes and returned no message');
    }
  }
  return { rows, chars, nulls };
}

/**
 * pg-protocol: Parser.parse() each chunk; its dataRow messages carry a string per field.
 * @param {readonly Uint8Array[]} chunks
 * @returns {Check}
 */
function decodePgProtocol(chunks) {
  const parser = new Parser();
  let rows = 0;
  let chars = 0;
  let nulls = 0;
  /** @param {BackendMessage} msg */
  const onMessage = (msg) => {
    if (msg.name !== 'dataRow') return;
    rows++;
    /** @type {(string | null)[]} */
    const fields = /** @type {DataRowMessage} */ (msg).fields;
    for (let i = 0; i < fields.length; i++) {
      const s = fields[i];
      if (s === null) nulls++;
      else chars += s.length;
    }
  };
  for (const c of chunks) parser.parse(/** @type {Buffer} */ (/** @type {unknown} */ (c)), onMessage);
  return { rows, chars, nulls };
}

/**
 * Runs both decoders `rounds` times after `warmup` untimed rounds, alternating which goes first.
 * @param {number} rounds
 * @param {number} warmup
 */
async function run(rounds, warmup) {
  const bytes = new Uint8Array(await (await fetch('/rows5.bin')).arrayBuffer());
  /** @type {Uint8Array[]} */
  const ours = [];
  for (let at = 0; at < bytes.length; at += CHUNK) ours.push(bytes.subarray(at, at + CHUNK));
  // pg-protocol gets Buffers over the same memory, made once outside the timed part.
  const theirs = ours.map((c) => BrowserBuffer.fromMemory(/** @type {ArrayBuffer} */ (c.buffer), c.byteOffset, c.byteLength));
  /** @type {{ ours: number[], pgProtocol: number[], checks: { ours: Check | null, pgProtocol: Check | null } }} */
  const out = { ours: [], pgProtocol: [], checks: { ours: null, pgProtocol: null } };
  for (let i = 0; i < warmup + rounds; i++) {
    const order = i % 2 === 0 ? ['ours', 'pgProtocol'] : ['pgProtocol', 'ours'];
    for (const which of order) {
      const t0 = performance.now();
      const check = which === 'ours' ? decodeOurs(ours) : decodePgProtocol(theirs);
      const ms = performance.now() - t0;
      if (which === 'ours') out.checks.ours = check;
      else out.checks.pgProtocol = check;
      if (i >= warmup) (which === 'ours' ? out.ours : out.pgProtocol).push(ms);
    }
  }
  return { ...out, bytes: bytes.length, userAgent: navigator.userAgent };
}

/** @type {{ bench?: { run: typeof run } }} */ (globalThis).bench = { run };
