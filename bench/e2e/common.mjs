// @ts-check
/**
 * Shared pieces of the end-to-end benchmarks: the server facts run.mjs passes in BENCH_PG, client
 * factories for the anchors (pg, postgres.js) and for our connection, CPU accounting, running
 * libpq tools (psql, pgbench) with their CPU time read from bash's `times`, and the main of every
 * e2e script.
 */
import { spawn } from 'node:child_process';
import { failed, numberArg, parseArgs, report, unavailable } from '../lib/measure.mjs';

/** @import { Check, E2eRun, E2eSession, ServerFacts } from '../lib/types.js' */
/** @import { ClientConfig } from 'pg' */
/** @import { Options as PostgresOptions, PostgresType } from 'postgres' */

/**
 * Where the server is (host, port, user, password, database, socketDir, copyFile, ca …).
 * @returns {ServerFacts}
 */
export function server() {
  const raw = process.env.BENCH_PG;
  if (!raw) throw new Error('BENCH_PG is not set: run through bench/run.mjs, which starts the server');
  return JSON.parse(raw);
}

/** This process's CPU time (user + system) in ms. */
export function cpuMs() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Runs `fn` and measures it: wall ms and this process's CPU ms around it, with its checksum.
 * @param {() => Promise<Check>} fn
 * @returns {Promise<{ ms: number, cpu: number, check: Check }>}
 */
export async function measure(fn) {
  const c0 = cpuMs();
  const t0 = process.hrtime.bigint();
  const check = await fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, cpu: cpuMs() - c0, check };
}

/** Options that make `pg` return every field as the server's text, like our `text(i)`. */
export const pgTextTypes = {
  /** @returns {(value: string) => string} */
  getTypeParser: () => (value) => value,
};

/**
 * A connected `pg` Client (plain TCP unless `extra.ssl`).
 * @param {ClientConfig} [extra]
 */
export async function pgClient(extra = {}) {
  const pg = (await import('pg')).default;
  const s = server();
  const client = new pg.Client({ host: s.host, port: s.port, user: s.user, password: s.password, database: s.database, ...extra });
  await client.connect();
  return client;
}

/**
 * A postgres.js instance on one connection. Its numeric parsers are replaced by identity so that
 * every field stays the server's text, like ours and like `pg` with pgTextTypes.
 * @param {PostgresOptions<Record<string, PostgresType>>} [extra]
 */
export async function postgresJs(extra = {}) {
  const postgres = (await import('postgres')).default;
  const s = server();
  return postgres({
    host: s.host, port: s.port, user: s.user, pass: s.password, database: s.database, max: 1,
    types: { number: { to: 0, from: [21, 23, 26, 700, 701], serialize: (/** @type {unknown} */ x) => `${x}`, parse: (/** @type {string} */ x) => x } },
    onnotice: () => {},
    ...extra,
  });
}

/**
 * Runs a shell command line under bash and returns its wall time and its children's CPU time
 * (from bash's `times`, whose second line is the children's user and system time).
 * @param {string} commandLine
 * @param {Record<string, string>} [env]
 * @returns {Promise<{ wallMs: number, cpuMs: number, stdout: string, stderr: string }>}
 */
export function runTool(commandLine, env = {}) {
  return new Promise((resolve, reject) => {
    const s = server();
    const t0 = process.hrtime.bigint();
    const child = spawn('bash', ['-c', `${commandLine}\nrc=$?\ntimes\nexit $rc`], {
      env: { ...process.env, PGPASSWORD: s.password, PGHOST: s.host, PGPORT: String(s.port), PGUSER: s.user, PGDATABASE: s.database, PGSSLMODE: 'disable', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) { reject(new Error(`${commandLine.split(' ')[0]} exited ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`)); return; }
      const lines = out.trim().split('\n');
      const childLine = lines[lines.length - 1];
      const secs = [...childLine.matchAll(/(\d+)m([\d.]+)s/g)].map((x) => Number(x[1]) * 60 + Number(x[2]));
      if (secs.length !== 2) { reject(new Error(`cannot read CPU times from: ${childLine}`)); return; }
      resolve({ wallMs, cpuMs: (secs[0] + secs[1]) * 1000, stdout: lines.slice(0, -2).join('\n'), stderr: err });
    });
  });
}

/**
 * True when a command exists on PATH.
 * @param {string} name
 */
export async function haveTool(name) {
  try {
    await runTool(`command -v ${name} >/dev/null`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Our connection (bench/e2e/ours.mjs), imported only by the processes that measure ours.
 * Throws a descriptive Error while a part of our library has not landed yet.
 * @param {{ tls?: boolean }} [options]
 */
export async function oursConnect({ tls = false } = {}) {
  const { connectOurs } = await import('./ours.mjs');
  return connectOurs(server(), { tls });
}

/**
 * Sets up one implementation of an e2e case for this process; throws when it cannot run here
 * (reported as unavailable). `mode` is the case name's first part (e.g. `depth100`, `copyin`).
 * @typedef {(args: Record<string, string | true>, mode: string) => Promise<E2eSession>} E2eImplementation
 */

/**
 * The main of an e2e script: `impls[impl]` sets up the case (or throws while unavailable); runs
 * warmup + iters (each after a GC) and reports every measured value as an array (run.mjs takes
 * the medians), with the last run's checksum.
 * @param {Record<string, E2eImplementation>} impls
 */
export async function e2eMain(impls) {
  const args = parseArgs();
  const name = String(args.case ?? '');
  const [mode = '', variant = ''] = name.split(':');
  // `rss:ours+semi4` runs `ours` (the part after `+` names a variant run.mjs set up, e.g. node flags).
  const impl = variant.split('+')[0];
  const iters = numberArg(args, 'iters', 1);
  const warmup = numberArg(args, 'warmup', 1);
  try {
    const make = impls[impl];
    if (!make) throw new Error(`unknown implementation ${impl}`);
    /** @type {E2eSession} */
    let session;
    try {
      session = await make(args, mode);
    } catch (e) {
      unavailable(name, e);
      process.exit(0);
    }
    // Some measurements exist once per process (first connection, peak RSS): the session says so.
    const plan = session.once ? { warmup: 0, iters: 1 } : { warmup, iters };
    // A session may warm up with a shorter workload (`warm`), e.g. a few thousand point queries.
    for (let i = 0; i < plan.warmup; i++) await (session.warm ?? session.run)();
    /** @type {E2eRun[]} */
    const runs = [];
    for (let i = 0; i < plan.iters; i++) {
      globalThis.gc?.();
      runs.push(await session.run());
    }
    /** @type {Record<string, number[]>} */
    const metrics = {};
    for (const key of Object.keys(runs[0] ?? {})) {
      const vals = runs.map((r) => r[key]);
      if (vals.every((v) => typeof v === 'number')) metrics[key] = vals;
    }
    await session.close?.();
    report({ name, ...metrics, check: runs[runs.length - 1]?.check ?? null, ...(session.info ? { info: session.info } : {}) });
    process.exit(0);
  } catch (e) {
    failed(name, e);
    process.exit(1);
  }
}
