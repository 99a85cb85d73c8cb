// @ts-check
/**
 * In-memory decode micro benchmarks (PERFORMANCE.md, suite 1). One process runs ONE case:
 *
 *   node --expose-gc bench/micro/decode.mjs --case rows5:ours:strings [--rows N] [--iters K] [--warmup W]
 *
 * A case is stream:implementation:level.
 *   streams: rows5, rows5_utf8, text1k, cols40, binary7 (streams.mjs)
 *   implementations: ours (dist/: BackendReader + DataRow views), js (js-anchor.mjs, the
 *     "equally optimised JS" design), pgprotocol (pg-protocol's Parser, what `pg` uses)
 *   levels: scan (ours only: the WASM core framing + field index of bytes already in its memory,
 *     as our sockets deliver them, no JS objects), scancopy (the same, timing the copy of each
 *     chunk into its memory too, as push() does with a caller's buffer), index (frame +
 *     field index through the public API, no strings), strings (a string for every field);
 *     ours: index and strings take bytes as our sockets deliver them (see `feed`), index-push and
 *     strings-push through push() from the caller's buffers,
 *     columnar (integer columns into typed arrays, text columns as strings), typed (a typed JS
 *     value for every field of a binary-format stream), arrow (ours only: Arrow batches built in
 *     WASM, as conn.batches() builds them, no JS value per field)
 * The implementations are in decode-ours.mjs and decode-anchors.mjs.
 * It prints one JSON line (see ../lib/measure.mjs) with the timed runs and a checksum that run.mjs
 * compares across implementations of the same stream and level, so a fast wrong decoder cannot win.
 */
import { failed, numberArg, parseArgs, report, timeRuns, unavailable } from '../lib/measure.mjs';
import { jsAnchor, pgProtocol } from './decode-anchors.mjs';
import { ours } from './decode-ours.mjs';
import { makeStream } from './streams.mjs';

/** @import { Run } from '../lib/types.js' */
/** @import { Stream } from './streams.mjs' */

const args = parseArgs();
const name = String(args.case ?? '');
const [streamName = '', impl = '', level = ''] = name.split(':');
const iters = numberArg(args, 'iters', 5);
const warmup = numberArg(args, 'warmup', 2);
const rows = args.rows === undefined ? undefined : numberArg(args, 'rows', 0);

try {
  const stream = makeStream(streamName, rows);
  /** @type {Record<string, (stream: Stream, level: string) => Run | Promise<Run>>} */
  const implementations = { ours, js: jsAnchor, pgprotocol: pgProtocol };
  const make = implementations[impl];
  if (!make) throw new Error(`unknown implementation ${impl}`);
  /** @type {Run} */
  let run;
  try {
    run = await make(stream, level);
  } catch (e) {
    unavailable(name, e);
    process.exit(0);
  }
  const { ms, check } = await timeRuns(run, { warmup, iters });
  report({ name, ms, bytes: stream.bytes.length, rows: stream.rows, check });
} catch (e) {
  failed(name, e);
  process.exitCode = 1;
}
