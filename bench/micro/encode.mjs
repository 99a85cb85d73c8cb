// @ts-check
/**
 * Encode micro benchmarks (PERFORMANCE.md, suite 2). One process runs ONE case:
 *
 *   node --expose-gc bench/micro/encode.mjs --case bind:ours [--count N] [--iters K] [--warmup W]
 *
 * Workloads:
 *   bind  — N Bind messages, each with 5 mixed parameters (3 text, 1 NULL, 1 binary bytea), to a
 *           named statement; the same parameters for both sides, so both write the same values.
 *   chain — N Parse+Bind+Describe(portal)+Execute+Sync chains (what a one-shot extended query sends).
 *   copy  — N CopyData messages framing small rows of COPY text.
 * Implementations: ours (MessageBuffer from dist/, one reused buffer drained every 64 KiB, as a
 * connection does on flush), pgprotocol (pg-protocol's `serialize`, what `pg` uses: one Buffer
 * per message), and for bind the bare floor (`bare` below).
 */
import { failed, numberArg, parseArgs, report, timeRuns, unavailable } from '../lib/measure.mjs';
import { ourExports } from '../lib/ours.mjs';

/** @import { Run } from '../lib/types.js' */

const FLUSH_AT = 64 * 1024;

const TEXT_A = '42';
const TEXT_B = 'hello, world: a short text parameter';
const TEXT_C = '2024-05-01 12:34:56.789+00';
const BYTES = Buffer.from(Array.from({ length: 16 }, (_, i) => i * 13));
const PARAMS = [TEXT_A, TEXT_B, null, BYTES, TEXT_C];
const CHAIN_SQL = 'SELECT $1::int4, $2::text';
const CHAIN_PARAMS = ['7', 'abc'];
const COPY_ROWS = Array.from({ length: 1024 }, (_, i) => Buffer.from(`${i}\t${i * 7}\tsome text value ${i}\t\\N\n`));

/**
 * @param {string} work
 * @param {number} count
 * @returns {Promise<Run>}
 */
async function pgProtocol(work, count) {
  const { serialize } = await import('pg-protocol/dist/serializer.js');
  if (work === 'bind') {
    return () => {
      let bytes = 0;
      for (let i = 0; i < count; i++) bytes += serialize.bind({ statement: 's1', values: PARAMS }).length;
      return { check: { bytes } };
    };
  }
  if (work === 'chain') {
    return () => {
      let bytes = 0;
      for (let i = 0; i < count; i++) {
        bytes += serialize.parse({ text: CHAIN_SQL }).length;
        bytes += serialize.bind({ values: CHAIN_PARAMS }).length;
        bytes += serialize.describe({ type: 'P' }).length;
        bytes += serialize.execute().length;
        bytes += serialize.sync().length;
      }
      return { check: { bytes } };
    };
  }
  if (work === 'copy') {
    return () => {
      let bytes = 0;
      for (let i = 0; i < count; i++) bytes += serialize.copyData(COPY_ROWS[i & 1023]).length;
      return { check: { bytes } };
    };
  }
  throw new Error(`unknown workload ${work}`);
}

/**
 * The floor for Bind in JS, as an anchor: a writer with no checks, no atomicity, no builder and no
 * format collapse (it knows the workload's shape), into one reused buffer; ASCII text four
 * characters per DataView store, as ours does. What it costs is what the bytes cost.
 * @param {string} work
 * @param {number} count
 * @returns {Run}
 */
function bare(work, count) {
  if (work !== 'bind') throw new Error('the bare anchor is for bind only');
  const buf = new Uint8Array(FLUSH_AT + 4096);
  const view = new DataView(buf.buffer);
  const B = 'B'.charCodeAt(0);
  return () => {
    let bytes = 0;
    let p = 0;
    for (let i = 0; i < count; i++) {
      const start = p;
      buf[p] = B;
      p += 5;
      buf[p++] = 0; // unnamed portal
      buf[p++] = 0x73; buf[p++] = 0x31; buf[p++] = 0; // "s1"
      const n = PARAMS.length;
      view.setUint16(p, n);
      p += 2;
      for (let k = 0; k < n; k++) { view.setUint16(p, PARAMS[k] instanceof Uint8Array ? 1 : 0); p += 2; }
      view.setUint16(p, n);
      p += 2;
      for (let k = 0; k < n; k++) {
        const v = PARAMS[k];
        if (v === null) { view.setInt32(p, -1); p += 4; continue; }
        if (typeof v === 'string') {
          const len = v.length;
          view.setInt32(p, len);
          p += 4;
          let j = 0;
          for (const end = len - 3; j < end; j += 4) {
            view.setUint32(p, (v.charCodeAt(j) << 24) | (v.charCodeAt(j + 1) << 16) | (v.charCodeAt(j + 2) << 8) | v.charCodeAt(j + 3));
            p += 4;
          }
          for (; j < len; j++) buf[p++] = v.charCodeAt(j);
          continue;
        }
        view.setInt32(p, v.length);
        buf.set(v, p + 4);
        p += 4 + v.length;
      }
      view.setUint16(p, 0);
      p += 2;
      view.setInt32(start + 1, p - start - 1);
      if (p >= FLUSH_AT) { bytes += p; p = 0; }
    }
    return { check: { bytes: bytes + p } };
  };
}

/**
 * Our MessageBuffer as a user imports it (the package entry), else from its module.
 * @param {string} work
 * @param {number} count
 * @returns {Promise<Run>}
 */
async function ours(work, count) {
  const { MessageBuffer } = await ourExports(['MessageBuffer'], ['protocol/frontend/message-buffer.js']);
  const mb = new MessageBuffer();
  // Drain the way a connection does when it flushes: take the bytes, then reuse the buffer.
  const drain = () => { const n = mb.view().length; mb.clear(); return n; };
  if (work === 'bind') {
    return () => {
      let bytes = 0;
      for (let i = 0; i < count; i++) {
        mb.bind(null).statement('s1').finish(PARAMS);
        if (mb.length >= FLUSH_AT) bytes += drain();
      }
      return { check: { bytes: bytes + drain() } };
    };
  }
  if (work === 'chain') {
    return () => {
      let bytes = 0;
      for (let i = 0; i < count; i++) {
        mb.parse(null).query(CHAIN_SQL).finish();
        mb.bind(null).finish(CHAIN_PARAMS);
        mb.describePortal(null).execute(null, 0).sync();
        if (mb.length >= FLUSH_AT) bytes += drain();
      }
      return { check: { bytes: bytes + drain() } };
    };
  }
  if (work === 'copy') {
    return () => {
      let bytes = 0;
      for (let i = 0; i < count; i++) {
        mb.copyData(COPY_ROWS[i & 1023]);
        if (mb.length >= FLUSH_AT) bytes += drain();
      }
      return { check: { bytes: bytes + drain() } };
    };
  }
  throw new Error(`unknown workload ${work}`);
}

const args = parseArgs();
const name = String(args.case ?? '');
const [work = '', impl = ''] = name.split(':');
const count = numberArg(args, 'count', work === 'chain' ? 200_000 : 1_000_000);
const iters = numberArg(args, 'iters', 5);
const warmup = numberArg(args, 'warmup', 2);

try {
  /** @type {Record<string, (work: string, count: number) => Run | Promise<Run>>} */
  const implementations = { ours, pgprotocol: pgProtocol, bare };
  const make = implementations[impl];
  if (!make) throw new Error(`unknown implementation ${impl}`);
  /** @type {Run} */
  let run;
  try {
    run = await make(work, count);
  } catch (e) {
    unavailable(name, e);
    process.exit(0);
  }
  const { ms, check } = await timeRuns(run, { warmup, iters });
  report({ name, ms, count, check });
} catch (e) {
  failed(name, e);
  process.exitCode = 1;
}
