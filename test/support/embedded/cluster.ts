/**
 * Starts a real PostgreSQL server from a copied template data directory: listening on 127.0.0.1 and
 * a private unix socket, optionally with TLS (generated certificates) and every authentication
 * method (see roles.ts). Failed starts reject with the server log's tail; stop() never hangs.
 */
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { findServer } from './binaries.js';
import type { ClientSideFiles, ServerCertFiles, TestCertificates } from './certs.js';
import { giveToServer, sessionDir, spawnServer, track } from './host.js';
import { authHba, DATABASE, SUPERUSER, TEST_ROLES, trustHba } from './roles.js';
import { copyDataDir } from './copy.js';
import { adoptTemplate, templateFor } from './template.js';
import type { Template } from './template.js';

/** Options of startCluster. */
export interface ClusterOptions {
  /** Major version (13, 15, 16, 18 …), the same as text, or an absolute bin directory. Default 18. */
  version?: number | string;
  /** Turn on TLS with the generated certificates (server, CA for client certificates). */
  tls?: boolean;
  /** Which server certificate to present when `tls` is on; `expired` is for verify-full failure tests. */
  serverCert?: 'valid' | 'expired';
  /** Every test role gets its own method (roles.ts); otherwise everyone is trusted. */
  auth?: boolean;
  /** Extra postgresql.conf settings, written after ours (so they win). Values are written verbatim. */
  settings?: Record<string, string>;
  /** Directory for the server log (kept); default: next to the data directory (removed on stop). */
  logDir?: string;
  /** Port to try first; another free one is used if it is taken. */
  port?: number;
  /** A template another process prepared (vitest global setup), used when it matches the version. */
  template?: Template;
  /** Start deadline in milliseconds (default 30000). */
  timeoutMs?: number;
  /** How long stop() waits after SIGINT before SIGKILL (default 5000). */
  stopTimeoutMs?: number;
}

/** Where to connect and as whom: plain data, serializable to test workers. */
export interface ConnectionFacts {
  host: string;
  port: number;
  /** Directory of the unix socket `.s.PGSQL.<port>`. */
  socketDir: string;
  user: string;
  /** Undefined for roles without a password. */
  password?: string;
  database: string;
}

/** TLS material of a cluster: the PEMs of every test certificate and the files the server reads. */
export interface ClusterCerts extends TestCertificates {
  /** What the server reads. */
  files: ServerCertFiles;
  /** Copies for clients that take file paths (sslrootcert, sslcert, sslkey). */
  clientFiles: ClientSideFiles;
  /** The PEM pair the server presents (`server` or `expiredServer`). */
  presented: 'valid' | 'expired';
}

/** A serializable description of a running cluster (what tests receive from the global setup). */
export interface ClusterFacts {
  host: string;
  port: number;
  socketDir: string;
  version: string;
  major: number;
  pid: number;
  database: string;
  tls: boolean;
  auth: boolean;
  logFile: string;
  /** Roles verified to exist when the template was made. */
  roles: string[];
  certs: ClusterCerts | null;
}

/** A running server. */
export interface Cluster extends ClusterFacts {
  dataDir: string;
  /** Connection facts for `user` (default superuser); the password defaults to TEST_ROLES'. */
  connectionInfo(user?: string, password?: string): ConnectionFacts;
  /** Plain-data snapshot for vitest's provide(). */
  facts(): ClusterFacts;
  /** The last `lines` lines of the server log. */
  logTail(lines?: number): string;
  /** Stops the server (SIGINT, SIGKILL after a timeout) and removes its files; idempotent. */
  stop(): Promise<void>;
}

/** A server failed to start; `logTail` holds the end of its log. */
export class EmbeddedPostgresError extends Error {
  readonly logTail: string;
  constructor(message: string, logTail: string) {
    super(logTail ? `${message}\n--- server log (tail) ---\n${logTail}` : message);
    this.name = 'EmbeddedPostgresError';
    this.logTail = logTail;
  }
}

const HOST = '127.0.0.1';
const START_ATTEMPTS = 5;
const STOP_GRACE_MS = 5_000;
const KILL_GRACE_MS = 3_000;
let counter = 0;

/** A free TCP port on 127.0.0.1 (it may be taken again before the server binds it: we retry). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr !== null ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** The text of `file` from byte `from` on, at most the last `maxBytes`. */
function readFrom(file: string, from: number, maxBytes = 64 * 1024): string {
  try {
    const size = statSync(file).size;
    const start = Math.max(from, size - maxBytes);
    if (size <= start) return '';
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(size - start);
      readSync(fd, buf, 0, buf.length, start);
      return buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

function lastLines(text: string, n: number): string {
  const lines = text.trimEnd().split('\n');
  return lines.slice(-n).join('\n');
}

function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** postgresql.conf lines for this cluster (before the caller's own settings). */
function baseSettings(socketDir: string, files: ServerCertFiles | null): Record<string, string> {
  const s: Record<string, string> = {
    listen_addresses: quote(HOST),
    unix_socket_directories: quote(socketDir),
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    max_connections: '150',
    shared_buffers: "'32MB'",
    // Segments in the data directory (pg_dynshmem), not /dev/shm: a killed server leaks nothing.
    dynamic_shared_memory_type: 'mmap',
    logging_collector: 'off',
    log_connections: 'on',
    log_disconnections: 'on',
    log_line_prefix: quote('%m [%p] %q%u@%d '),
    log_timezone: quote('UTC'),
    timezone: quote('UTC'),
  };
  if (files !== null) {
    s.ssl = 'on';
    s.ssl_cert_file = quote(files.certFile);
    s.ssl_key_file = quote(files.keyFile);
    s.ssl_ca_file = quote(files.caFile);
  }
  return s;
}

/** Outcome of one attempt to bring the postmaster up. */
type Attempt = { ok: true; child: ChildProcess; exited: Promise<void> } | { ok: false; portInUse: boolean; log: string };

/** Spawns the postmaster and waits until postmaster.pid says `ready`, the process exits, or the deadline. */
function attemptStart(
  bin: string,
  dataDir: string,
  port: number,
  logFile: string,
  deadline: number,
): Promise<Attempt> {
  const logStart = existsSync(logFile) ? statSync(logFile).size : 0;
  const fd = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawnServer(bin, ['-D', dataDir, '-p', String(port)], { stdio: ['ignore', fd, fd], cwd: dataDir });
  } finally {
    closeSync(fd);
  }
  child.unref();
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return new Promise((resolve) => {
    let done = false;
    const finish = (a: Attempt): void => {
      if (done) return;
      done = true;
      clearInterval(poll);
      resolve(a);
    };
    const failed = (why: string): void => {
      if (done) return;
      const log = readFrom(logFile, logStart);
      finish({ ok: false, portInUse: /Address already in use/i.test(log), log: why + (log ? '' : ' (empty log)') + '\n' + log });
    };
    child.once('error', (err) => failed(`could not spawn ${bin}: ${err.message}`));
    child.once('exit', (code, signal) => failed(`postgres exited during start-up (status ${code}, signal ${signal})`));
    const pidFile = join(dataDir, 'postmaster.pid');
    const poll = setInterval(() => {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        failed('postgres did not become ready before the deadline');
        return;
      }
      let lines: string[];
      try {
        lines = readFileSync(pidFile, 'utf8').split('\n');
      } catch {
        return;
      }
      // Line 8 of postmaster.pid is the postmaster's status (https://www.postgresql.org/docs/current/storage-file-layout.html).
      if (Number(lines[0]) === child.pid && lines[7]?.trim() === 'ready') finish({ ok: true, child, exited });
    }, 5);
  });
}

/**
 * Connection facts for `user` (default: the superuser) on a cluster described by `facts` (works on
 * the plain data tests receive); the password defaults to the one in TEST_ROLES.
 */
export function connectionFacts(facts: ClusterFacts, user: string = SUPERUSER, password?: string): ConnectionFacts {
  const known = (TEST_ROLES as Record<string, { password: string | null }>)[user]?.password ?? undefined;
  const pw = password ?? known;
  const base = { host: facts.host, port: facts.port, socketDir: facts.socketDir, user, database: facts.database };
  return pw === undefined ? base : { ...base, password: pw };
}

/** Lays out a cluster's files: data directory copy, certificates, postgresql.conf, pg_hba.conf, log. */
async function prepare(
  opts: ClusterOptions,
  templateDir: string,
  dataDir: string,
  runDir: string,
  name: string,
): Promise<{ certs: ClusterCerts | null; logFile: string }> {
  mkdirSync(runDir, { mode: 0o700 });
  giveToServer(runDir);
  copyDataDir(templateDir, dataDir);

  let certs: ClusterCerts | null = null;
  if (opts.tls === true) {
    // Loaded on demand: the X.509 library takes a few hundred milliseconds to load.
    const { testCertificates, writeClientCertFiles, writeServerCertFiles } = await import('./certs.js');
    const all = await testCertificates();
    const presented = opts.serverCert ?? 'valid';
    const pair = presented === 'expired' ? all.expiredServer : all.server;
    const files = writeServerCertFiles(join(runDir, 'tls'), pair, all.ca);
    certs = { ...all, presented, files, clientFiles: writeClientCertFiles(join(runDir, 'client-tls'), all) };
  }
  const settings = { ...baseSettings(runDir, certs?.files ?? null), ...opts.settings };
  const conf = Object.entries(settings).map(([k, v]) => `${k} = ${v}`).join('\n');
  appendFileSync(join(dataDir, 'postgresql.conf'), `\n# pg-stream embedded cluster\n${conf}\n`);
  writeFileSync(join(dataDir, 'pg_hba.conf'), opts.auth === true ? authHba(certs !== null) : trustHba());

  let logFile = join(runDir, 'server.log');
  if (opts.logDir !== undefined) {
    mkdirSync(opts.logDir, { recursive: true });
    logFile = join(opts.logDir, `${name}.log`);
  }
  writeFileSync(logFile, '');
  giveToServer(logFile);
  return { certs, logFile };
}

/** Starts a PostgreSQL server; rejects with an EmbeddedPostgresError carrying the log tail. */
export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const bins = await findServer(opts.version ?? 18);
  if (opts.template !== undefined) adoptTemplate(bins, opts.template);
  const template = await templateFor(bins);
  const session = sessionDir();
  const name = `pg${bins.major}-${process.pid}-${++counter}`;
  const dataDir = join(session, name);
  const runDir = join(session, `${name}-run`);
  const removeFiles = (): void => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(runDir, { recursive: true, force: true });
  };
  let prepared: { certs: ClusterCerts | null; logFile: string };
  try {
    prepared = await prepare(opts, template.dir, dataDir, runDir, name);
  } catch (err) {
    removeFiles();
    throw err;
  }
  const { certs, logFile } = prepared;

  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let port = opts.port ?? (await freePort());
  let attempt: Attempt | null = null;
  for (let i = 0; i < START_ATTEMPTS; i++) {
    attempt = await attemptStart(bins.postgres, dataDir, port, logFile, deadline);
    if (attempt.ok || !attempt.portInUse || Date.now() > deadline) break;
    port = await freePort();
  }
  if (attempt === null || !attempt.ok) {
    const log = attempt === null ? '' : lastLines(attempt.log, 40);
    removeFiles();
    throw new EmbeddedPostgresError(`PostgreSQL ${bins.version} failed to start (data ${dataDir})`, log);
  }
  const { child, exited } = attempt;
  const pid = child.pid!;
  const untrack = track(pid);
  void exited.then(untrack);

  const facts: ClusterFacts = {
    host: HOST,
    port,
    socketDir: runDir,
    version: bins.version,
    major: bins.major,
    pid,
    database: DATABASE,
    tls: certs !== null,
    auth: opts.auth === true,
    logFile,
    roles: template.roles,
    certs,
  };
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      child.ref();
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        const timedOut = await Promise.race([exited.then(() => false), sleep(opts.stopTimeoutMs ?? STOP_GRACE_MS).then(() => true)]);
        if (timedOut) {
          child.kill('SIGKILL');
          await Promise.race([exited, sleep(KILL_GRACE_MS)]);
        }
      }
      untrack();
      child.unref();
      removeFiles();
    })();
    return stopping;
  };
  return {
    ...facts,
    dataDir,
    facts: () => structuredClone(facts),
    connectionInfo: (user?: string, password?: string) => connectionFacts(facts, user, password),
    logTail: (lines = 40) => lastLines(readFrom(logFile, 0), lines),
    stop,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(resolve, ms).unref();
  });
}
