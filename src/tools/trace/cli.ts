#!/usr/bin/env node
/**
 * `pg-stream trace`: prints a PostgreSQL session from a capture (pcap, pcapng), a hex dump or raw
 * byte files in libpq's PQtrace format. The Node edge of src/tools/trace: it reads the files,
 * parses the options, writes the lines (with backpressure) and reports errors; all decoding is the
 * browser-safe core (index.ts). Exit status 0 when everything decoded, 1 otherwise (the lines
 * decoded before an error are printed, the error goes to stderr).
 */
import { readFile, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ErrorCode, PgStreamError } from '../../errors.js';
import { servePage } from './page-server.js';
import {
  captureFormat,
  CaptureError,
  decodeHexBytes,
  looksLikeText,
  noSessionError,
  scanCapture,
  traceCaptureSession,
  traceHexDump,
  traceStreams,
  type CaptureSession,
  type Endpoint,
} from './index.js';

const USAGE = `Usage: pg-stream trace [options] <capture.pcap | capture.pcapng | dump.txt>
       pg-stream trace [options] --frontend <file> [--backend <file>]
       pg-stream trace --page

Prints both directions of a PostgreSQL session in libpq's PQtrace format.

Inputs:
  <file>              a pcap or pcapng capture (Ethernet, Linux cooked SLL/SLL2, BSD loopback,
                      raw IPv4/IPv6), or a hex dump whose sections start with a line "F:"
                      (frontend, client to server) or "B:" (backend, server to client)
  --frontend <file>   the client's bytes: raw, or a hex dump (xxd, hexdump -C, od -A x -t x1z,
                      plain hex); sessions from two files are interleaved by protocol turns
  --backend <file>    the server's bytes, likewise
  --raw               read --frontend/--backend files as raw bytes even when they look like text

Options:
  --port <n>          the server's TCP port: every connection to it is a session, also one
                      captured after its startup (by default a session is found on any port by
                      its client's first packet)
  --session <n>       trace only session n (sessions are numbered in capture order; see --list)
  --list              list the sessions of a capture and exit
  --timestamps        prefix each line with the capture time of its message's last byte
                      (the default for captures that have times)
  --no-timestamps     never print timestamps
  --regress           mask values that change between runs (libpq's PQTRACE_REGRESS_MODE)
  --page              serve the trace page on 127.0.0.1 and print its address: drop a capture
                      there to read it as a table, or run SQL against PGlite in the page (live
                      mode, when @electric-sql/pglite is installed); Ctrl-C stops it
  -h, --help          show this help

Exit status: 0 when everything decoded; 1 on any error (the lines decoded before it are
printed, the error is on stderr).
`;

const COMMANDS = `pg-stream: usage: pg-stream <command>

Commands:
  trace   print a captured PostgreSQL session in PQtrace format (pg-stream trace --help)
`;

const PROGRAM = 'pg-stream trace';
/** Inputs above this size get a progress line on a terminal. */
const PROGRESS_THRESHOLD = 8 * 1024 * 1024;
const PROGRESS_INTERVAL_MS = 100;
/** Lines are written in batches of about this many characters. */
const WRITE_BATCH = 64 * 1024;
const MEGABYTE = 1024 * 1024;
const PERCENT = 100;
const MAX_PORT = 65535;
/** Erase to the end of the line (ECMA-48 EL). */
const CLEAR_LINE = '\r\x1b[K';

/** A mistake in the command line: the message is followed by a pointer to --help. */
class UsageError extends Error {}
/** An input file that cannot be read. */
class InputError extends Error {}

/** Writes to stdout in batches, waiting for 'drain' when the pipe is full. */
class Output {
  private pending = '';

  async line(text: string): Promise<void> {
    this.pending += `${text}\n`;
    if (this.pending.length >= WRITE_BATCH) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    if (!process.stdout.write(text)) await once(process.stdout, 'drain');
  }
}

/** A progress reporter for an input of `size` bytes: a line on stderr updated in place, only on a terminal. */
function progress(size: number, label: string): { update: (done: number, total: number) => void; end: () => void } {
  if (process.stderr.isTTY !== true || size <= PROGRESS_THRESHOLD) return { update: () => {}, end: () => {} };
  let last = 0;
  let shown = false;
  return {
    update(done, total) {
      const now = Date.now();
      if (now - last < PROGRESS_INTERVAL_MS && done < total) return;
      last = now;
      shown = true;
      const percent = total === 0 ? PERCENT : Math.floor((done / total) * PERCENT);
      process.stderr.write(`${CLEAR_LINE}${PROGRAM}: ${label} ${(done / MEGABYTE).toFixed(1)}/${(total / MEGABYTE).toFixed(1)} MB (${percent}%)`);
    },
    end() {
      if (shown) process.stderr.write(CLEAR_LINE);
    },
  };
}

function describeError(err: unknown): string {
  if (err instanceof PgStreamError) return `${err.message} (${err.code})`;
  return err instanceof Error ? err.message : String(err);
}

const endpoint = (e: Endpoint): string => (e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`);

function describeSession(s: CaptureSession): string {
  const when = s.firstTime === undefined ? '' : `, starting ${new Date(s.firstTime).toISOString()}`;
  return `session ${s.number}: client ${endpoint(s.client)} -> server ${endpoint(s.server)}, ${s.packets} packets from packet ${s.firstPacket}${when}${s.startup ? '' : ' (captured after its startup)'}`;
}

function positiveInteger(name: string, value: string | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1 || n > max) throw new UsageError(`--${name} needs an integer from 1 to ${max}, got "${value}"`);
  return n;
}

async function readInput(path: string): Promise<Uint8Array> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!info.isFile()) throw new InputError(`${path} is not a file`);
  try {
    return await readFile(path);
  } catch (err) {
    throw new InputError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Prints every line of `lines`; returns the error that stopped it, if any. */
async function print(lines: Iterable<string>, out: Output): Promise<unknown> {
  try {
    for (const line of lines) await out.line(line);
  } catch (err) {
    await out.flush();
    return err;
  }
  await out.flush();
  return null;
}

async function trace(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      frontend: { type: 'string' },
      backend: { type: 'string' },
      raw: { type: 'boolean' },
      port: { type: 'string' },
      session: { type: 'string' },
      list: { type: 'boolean' },
      timestamps: { type: 'boolean' },
      'no-timestamps': { type: 'boolean' },
      regress: { type: 'boolean' },
      page: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.page === true) {
    if (positionals.length > 0 || Object.keys(values).length > 1) throw new UsageError('--page takes no input and no other option');
    return page();
  }
  if (values.timestamps === true && values['no-timestamps'] === true) throw new UsageError('--timestamps and --no-timestamps contradict each other');
  const timestamps = values.timestamps === true ? true : values['no-timestamps'] === true ? false : undefined;
  const regress = values.regress === true;
  const port = positiveInteger('port', values.port, MAX_PORT);
  const sessionNumber = positiveInteger('session', values.session);
  const streams = values.frontend !== undefined || values.backend !== undefined;
  if (streams && positionals.length > 0) throw new UsageError('give either a capture file or --frontend/--backend, not both');
  if (!streams && positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'no input file given' : 'give one capture file');
  const out = new Output();

  if (streams) {
    if (timestamps === true) throw new UsageError('raw and hex inputs carry no times: --timestamps needs a pcap or pcapng capture');
    if (port !== undefined || sessionNumber !== undefined || values.list === true) throw new UsageError('--port, --session and --list apply to captures only');
    const side = async (path: string | undefined): Promise<Uint8Array | null> => {
      if (path === undefined) return null;
      const bytes = await readInput(path);
      return values.raw !== true && looksLikeText(bytes) ? decodeHexBytes(new TextDecoder().decode(bytes)) : bytes;
    };
    const frontend = await side(values.frontend);
    const backend = await side(values.backend);
    const err = await print(traceStreams(frontend, backend, { regress }), out);
    if (err === null) return 0;
    process.stderr.write(`${PROGRAM}: ${describeError(err)}\n`);
    return 1;
  }

  const path = positionals[0]!;
  const file = await readInput(path);
  if (captureFormat(file) === null) {
    if (!looksLikeText(file)) {
      throw new CaptureError(ErrorCode.CAPTURE_INVALID, `${path} is neither a pcap/pcapng capture nor a hex dump (for raw bytes use --frontend/--backend)`);
    }
    if (timestamps === true) throw new UsageError('hex dumps carry no times: --timestamps needs a pcap or pcapng capture');
    if (port !== undefined || sessionNumber !== undefined || values.list === true) throw new UsageError('--port, --session and --list apply to captures only');
    const err = await print(traceHexDump(new TextDecoder().decode(file), { regress }), out);
    if (err === null) return 0;
    process.stderr.write(`${PROGRAM}: ${describeError(err)}\n`);
    return 1;
  }

  const reading = progress(file.length, 'reading');
  const scan = scanCapture(file, { port, onProgress: reading.update });
  reading.end();
  if (values.list === true) {
    for (const s of scan.sessions) await out.line(describeSession(s));
    await out.flush();
  }
  let failed = false;
  if (scan.sessions.length === 0) {
    process.stderr.write(`${PROGRAM}: ${describeError(noSessionError(scan, port))}\n`);
    failed = true;
  } else if (values.list !== true) {
    let chosen = scan.sessions;
    if (sessionNumber !== undefined) {
      const s = scan.sessions[sessionNumber - 1];
      if (s === undefined) throw new UsageError(`there is no session ${sessionNumber}: the capture holds ${scan.sessions.length}`);
      chosen = [s];
    }
    for (const s of chosen) {
      if (chosen.length > 1) await out.line(`# ${describeSession(s)}`);
      const decoding = progress(file.length, `decoding session ${s.number}`);
      const err = await print(traceCaptureSession(s, { timestamps, regress, onProgress: decoding.update }), out);
      decoding.end();
      if (err !== null) {
        process.stderr.write(`${PROGRAM}: ${chosen.length > 1 ? `session ${s.number}: ` : ''}${describeError(err)}\n`);
        failed = true;
      }
    }
  }
  if (scan.error !== null) {
    process.stderr.write(`${PROGRAM}: ${describeError(scan.error)}\n`);
    failed = true;
  }
  return failed ? 1 : 0;
}

/** Serves the trace page until Ctrl-C (SIGINT) or SIGTERM. */
async function page(): Promise<number> {
  const server = await servePage();
  process.stdout.write(`${PROGRAM}: the trace page is at ${server.url} (Ctrl-C stops it)\n`);
  process.stdout.write(
    server.pgliteDir === null
      ? '  live mode: install @electric-sql/pglite to run SQL against PGlite in the page\n'
      : `  live mode: PGlite from ${server.pgliteDir}\n`,
  );
  process.stdout.write(`  without this server, open ${join(server.pageDir, 'index.html')} to decode captures (no live mode)\n`);
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await server.close();
  return 0;
}

/** Runs `pg-stream <command> ...`; returns the exit status. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'trace') return await trace(rest);
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      // Without a command it is a usage error: the text goes to stderr and the status is 1.
      (command === undefined ? process.stderr : process.stdout).write(COMMANDS);
      return command === undefined ? 1 : 0;
    }
    throw new UsageError(`unknown command "${command}" (commands: trace)`);
  } catch (err) {
    const usage = err instanceof UsageError || (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(`${command === 'trace' ? PROGRAM : 'pg-stream'}: ${describeError(err)}${usage ? ' (see --help)' : ''}\n`);
    return 1;
  }
}

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  // A reader that went away (`| head`) is not a failure of the trace.
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
process.exitCode = await main(process.argv.slice(2));
