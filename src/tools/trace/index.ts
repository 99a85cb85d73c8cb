/**
 * The trace tool's browser-safe core: a capture (pcap, pcapng), a hex dump or raw byte streams in,
 * libpq PQtrace lines out (src/protocol/trace.ts). Every function yields the lines it can decode and
 * then throws a CaptureError (a PgStreamError with a stable `PGS_CAPTURE_*` code, or the codec's
 * own code for a stream that does not decode) — the lines before the failure stay valid.
 *
 *     const scan = scanCapture(bytes);                 // the PostgreSQL sessions of a capture
 *     for (const line of traceCaptureSession(scan.sessions[0])) console.log(line);
 *
 * The command line (cli.ts) adds file reading, options and progress on top of these.
 */
import { ErrorCode } from '../../errors.js';
import type { PgStreamError } from '../../errors.js';
import { CaptureError } from './capture-error.js';
import { traceEvents, traceTurns, type SideChunk } from './conversation.js';
import { decodeHexDump } from './hex-dump.js';
import { linkTypeName } from './packet.js';
import type { StreamGap } from './reassembly.js';
import { classifyStart, START_BYTES } from './session-start.js';
import type { CaptureScan, CaptureSession } from './sessions.js';
import type { Side } from './stream-decoders.js';

export { CaptureError } from './capture-error.js';
export { captureFormat, readCapture } from './capture-file.js';
export type { CaptureFormat } from './capture-file.js';
export { decodeHexBytes, decodeHexDump, looksLikeText, MAX_HEX_DUMP_BYTES } from './hex-dump.js';
export type { HexSection } from './hex-dump.js';
export { LinkType } from './packet.js';
export type { CapturedPacket } from './packet.js';
export { scanCapture } from './sessions.js';
export type { CaptureScan, CaptureSession, Endpoint, ScanOptions } from './sessions.js';
export type { StreamGap } from './reassembly.js';
export type { Side } from './stream-decoders.js';

/** How lines are printed. */
export interface TraceToolOptions {
  /** Timestamps on every line; default: when the input has capture times (pcap, pcapng), never for raw or hex. */
  readonly timestamps?: boolean;
  /** libpq's PQTRACE_REGRESS_MODE: mask OIDs, process IDs, error positions and COPY/auth payloads. */
  readonly regress?: boolean;
  /** Called with the bytes decoded so far and the total, as a session is traced. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** `PGS_CAPTURE_TRUNCATED` for bytes the capture lost (a packet not captured, or cut by the snapshot length). */
function gapError(side: Side, gap: StreamGap): CaptureError {
  const why = gap.snapshotCutPacket !== null
    ? `packet ${gap.snapshotCutPacket} was cut to the capture's snapshot length; capture with -s 0`
    : 'a packet was not captured';
  return new CaptureError(ErrorCode.CAPTURE_TRUNCATED, `the capture lost ${gap.missing} bytes of the ${side} stream at byte offset ${gap.offset} (${why})`);
}

/** Counts bytes as the chunks are consumed. */
function* counted(chunks: readonly SideChunk[], onProgress: (done: number, total: number) => void): Generator<SideChunk, void> {
  let total = 0;
  for (const c of chunks) total += c.bytes.length;
  let done = 0;
  for (const c of chunks) {
    yield c;
    done += c.bytes.length;
    onProgress(done, total);
  }
}

/** The PQtrace lines of one session of a capture; throws after the last line when it cannot go on. */
export function* traceCaptureSession(session: CaptureSession, options: TraceToolOptions = {}): Generator<string, void> {
  const gap = session.gaps.frontend !== null ? ['frontend', session.gaps.frontend] as const : session.gaps.backend !== null ? ['backend', session.gaps.backend] as const : null;
  const chunks = options.onProgress === undefined ? session.chunks : counted(session.chunks, options.onProgress);
  yield* traceEvents(chunks, { timestamps: options.timestamps ?? session.timed, regress: options.regress, startup: session.startup }, gap === null);
  if (gap !== null) throw gapError(gap[0], gap[1]);
}

/** `PGS_CAPTURE_NO_SESSION`, saying what the capture did hold. */
export function noSessionError(scan: CaptureScan, port?: number): CaptureError {
  let message = `no PostgreSQL session found in ${scan.packets} packets (${scan.connections} TCP connections)`;
  message += port !== undefined
    ? `: no TCP connection uses port ${port}`
    : '; a session is recognised by its client\'s first packet (StartupMessage, SSLRequest, GSSENCRequest or CancelRequest) — for a capture begun mid-session, give the server port with --port';
  if (scan.tlsConnections > 0) message += `; ${scan.tlsConnections} connections start with a TLS handshake (direct TLS hides a session)`;
  if (scan.fragments > 0) message += `; ${scan.fragments} IP fragments were skipped`;
  if (scan.skippedLinkTypes.size > 0) message += `; packets of unsupported link types were skipped: ${[...scan.skippedLinkTypes].map(linkTypeName).join(', ')}`;
  return new CaptureError(ErrorCode.CAPTURE_NO_SESSION, message);
}

/** True when a frontend stream starts with a startup-phase packet (false: it starts mid-session, with typed messages). */
function startsWithStartup(frontend: Uint8Array | null): boolean {
  if (frontend === null || frontend.length === 0) return true;
  const start = classifyStart(frontend.subarray(0, START_BYTES), true);
  return start === 'postgres' || start === 'tls';
}

/**
 * The PQtrace lines of a session given as each direction's raw bytes (either may be null). With no
 * order between the sides, they are interleaved by protocol turns (conversation.ts); no timestamps.
 */
export function traceStreams(frontend: Uint8Array | null, backend: Uint8Array | null, options: TraceToolOptions = {}): Generator<string, void> {
  return traceTurns(frontend, backend, { regress: options.regress, startup: startsWithStartup(frontend) });
}

/** The PQtrace lines of a hex dump whose sections are marked `F:`/`B:` (hex-dump.ts), in the order written. */
export function* traceHexDump(text: string, options: TraceToolOptions = {}): Generator<string, void> {
  const sections = decodeHexDump(text);
  if (sections.length === 0) throw new CaptureError(ErrorCode.CAPTURE_INVALID, 'the hex dump holds no bytes');
  if (sections.some((s) => s.side === null)) {
    throw new CaptureError(ErrorCode.CAPTURE_INVALID, 'hex bytes before any F:/B: marker: start each direction\'s bytes with a line "F:" (frontend) or "B:" (backend), or give a one-direction dump with --frontend/--backend');
  }
  const chunks: SideChunk[] = sections.map((s) => ({ side: s.side!, bytes: s.bytes, time: undefined }));
  const head: number[] = [];
  for (const c of chunks) {
    if (c.side === 'frontend' && head.length < START_BYTES) head.push(...c.bytes.subarray(0, START_BYTES - head.length));
  }
  yield* traceEvents(chunks, { regress: options.regress, startup: startsWithStartup(Uint8Array.from(head)) });
}

/** Runs a trace to its end: every line, and the error that stopped it (null when it ran to completion). */
export function collectTrace(lines: Iterable<string>): { lines: string[]; error: PgStreamError | null } {
  const out: string[] = [];
  try {
    for (const line of lines) out.push(line);
  } catch (err) {
    if (!(err instanceof CaptureError)) throw err;
    return { lines: out, error: err };
  }
  return { lines: out, error: null };
}
