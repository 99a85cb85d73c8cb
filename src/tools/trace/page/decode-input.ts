/**
 * What the trace page does with an input, with the trace tool's own core (../index.ts) — the same
 * decisions as the command line (../cli.ts) minus the options: a pcap or pcapng capture is scanned
 * for sessions and one of them traced; text is a hex dump (marked `F:`/`B:`, or one direction's
 * bytes); anything else is one direction's raw bytes. Every failure is kept as a shown error with
 * its stable code, beside the lines decoded before it.
 */
import { PgStreamError } from '../../../errors.js';
import {
  captureFormat,
  collectTrace,
  decodeHexBytes,
  decodeHexDump,
  looksLikeText,
  noSessionError,
  scanCapture,
  traceCaptureSession,
  traceHexDump,
  traceStreams,
  type CaptureScan,
  type CaptureSession,
  type Endpoint,
  type Side,
} from '../index.js';

/** An error as the page shows it. */
export interface ShownError {
  /** The stable code (`PGS_CAPTURE_TRUNCATED`, …), or `internal` for a failure that is a bug. */
  readonly code: string;
  readonly message: string;
}

/** A decoded input: its lines and why decoding stopped, if it did. */
export interface DecodedTrace {
  /** What the input was read as (`pcap`, `pcapng`, `hex dump`, `raw frontend bytes`, …). */
  readonly format: string;
  readonly lines: readonly string[];
  readonly errors: readonly ShownError[];
  /** The capture's scan when the input is a capture (its sessions), else null. */
  readonly scan: CaptureScan | null;
  /** The traced session of a capture (1-based), or 0. */
  readonly session: number;
}

/** The page's view of any thrown value: typed errors keep their code. */
export function shownError(err: unknown): ShownError {
  if (err instanceof PgStreamError) return { code: err.code, message: err.message };
  return { code: 'internal', message: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
}

/** Runs a trace to its end, keeping what it decoded and why it stopped (any error, typed or not). */
function run(lines: () => Iterable<string>): { lines: string[]; errors: ShownError[] } {
  try {
    const r = collectTrace(lines());
    return { lines: r.lines, errors: r.error === null ? [] : [shownError(r.error)] };
  } catch (err) {
    return { lines: [], errors: [shownError(err)] };
  }
}

const endpoint = (e: Endpoint): string => (e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`);

/** One line describing a session of a capture, for the session picker. */
export function describeSession(s: CaptureSession): string {
  const mid = s.startup ? '' : ', captured after its startup';
  return `session ${s.number}: client ${endpoint(s.client)} → server ${endpoint(s.server)}, ${s.packets} packets${mid}`;
}

/** Traces session `number` (1-based) of a scanned capture. */
export function traceScannedSession(scan: CaptureScan, format: string, number: number): DecodedTrace {
  const session = scan.sessions[number - 1];
  if (session === undefined) {
    const errors = [shownError(noSessionError(scan))];
    if (scan.error !== null) errors.unshift(shownError(scan.error));
    return { format, lines: [], errors, scan, session: 0 };
  }
  const r = run(() => traceCaptureSession(session));
  // The capture itself may stop early (a truncated file): said after the session's own error.
  if (scan.error !== null) r.errors.push(shownError(scan.error));
  return { format, lines: r.lines, errors: r.errors, scan, session: number };
}

/** Traces one direction's bytes. */
function traceOneSide(bytes: Uint8Array, side: Side, format: string): DecodedTrace {
  const r = run(() => (side === 'frontend' ? traceStreams(bytes, null) : traceStreams(null, bytes)));
  return { format: `${format} (${side})`, lines: r.lines, errors: r.errors, scan: null, session: 0 };
}

/** Decodes pasted or loaded text: a marked dump of both directions, or one direction (`side`) in hex. */
export function decodeText(text: string, side: Side): DecodedTrace {
  try {
    const sections = decodeHexDump(text);
    // No sections at all: traceHexDump says the dump holds no bytes.
    if (sections.length > 0 && sections.every((s) => s.side === null)) return traceOneSide(decodeHexBytes(text), side, 'hex dump');
  } catch (err) {
    return { format: 'hex dump', lines: [], errors: [shownError(err)], scan: null, session: 0 };
  }
  const r = run(() => traceHexDump(text));
  return { format: 'hex dump', lines: r.lines, errors: r.errors, scan: null, session: 0 };
}

/** Decodes a loaded file; `side` is the direction of a dump or raw bytes without F:/B: markers. */
export function decodeFile(bytes: Uint8Array, side: Side): DecodedTrace {
  const format = captureFormat(bytes);
  if (format !== null) {
    let scan: CaptureScan;
    try {
      scan = scanCapture(bytes);
    } catch (err) {
      return { format, lines: [], errors: [shownError(err)], scan: null, session: 0 };
    }
    return traceScannedSession(scan, format, 1);
  }
  if (looksLikeText(bytes)) return decodeText(new TextDecoder().decode(bytes), side);
  return traceOneSide(bytes, side, 'raw bytes');
}
