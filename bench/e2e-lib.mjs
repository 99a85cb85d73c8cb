/**
 * Shared pieces of the end-to-end benchmarks: the server facts run.mjs passes in BENCH_PG, client
 * factories for the anchors (pg, postgres.js) and for our connection, CPU accounting, and running
 * libpq tools (psql, pgbench) with their CPU time read from bash's `times`.
 */
import { spawn } from 'node:child_process';
import { parseArgs, report, timeRuns, unavailable } from './lib.mjs';

/** Where the server is (host, port, user, password, database, socketDir, copyFile, ca …). */
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

/** Options that make `pg` return every field as the server's text, like our `text(i)`. */
export const pgTextTypes = { getTypeParser: () => (value) => value };

/** A connected `pg` Client (plain TCP unless `extra.ssl`). */
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
 */
export async function postgresJs(extra = {}) {
  const postgres = (await import('postgres')).default;
  const s = server();
  return postgres({
    host: s.host, port: s.port, user: s.user, pass: s.password, database: s.database, max: 1,
    types: { number: { to: 0, from: [21, 23, 26, 700, 701], serialize: (x) => `${x}`, parse: (x) => x } },
    onnotice: () => {},
    ...extra,
  });
}

/**
 * Runs a shell command line under bash and returns its wall time and its children's CPU time
 * (from bash's `times`, whose second line is the children's user and system time).
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

/** True when a command exists on PATH. */
export async function haveTool(name) {
  try {
    await runTool(`command -v ${name} >/dev/null`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Our connection, opened the way the README shows (ConnectionBuilder over a net.Socket).
 * Throws a descriptive Error while the connection layer has not landed yet.
 */
export async function oursConnect({ tls = false } = {}) {
  const { connectOurs } = await import('./e2e-ours.mjs');
  return connectOurs(server(), { tls });
}

/**
 * The standard main of an e2e script: `impls[impl]` returns an async function measuring one run
 * (resolving to { ms, cpu, ...more }) or throws while unavailable. Runs warmup + iters and reports
 * every measured value as an array (run.mjs takes the medians).
 */
export async function e2eMain(impls) {
  const args = parseArgs();
  const name = String(args.case ?? '');
  // `rss:ours+semi4` runs `ours` (the part after `+` names a variant run.mjs set up, e.g. node flags).
  const impl = name.split(':')[1]?.split('+')[0];
  const iters = Number(args.iters ?? 1);
  const warmup = Number(args.warmup ?? 1);
  try {
    const make = impls[impl];
    if (!make) throw new Error(`unknown implementation ${impl}`);
    let session;
    try {
      session = await make(args, name.split(':')[0]);
    } catch (e) {
      unavailable(name, e);
      process.exit(0);
    }
    // Some measurements exist once per process (first connection, peak RSS): the session says so.
    const plan = session.once ? { warmup: 0, iters: 1 } : { warmup, iters };
    // A session may warm up with a shorter workload (`warm`), e.g. a few thousand point queries.
    for (let i = 0; i < plan.warmup; i++) await (session.warm ?? session.run)();
    const runs = [];
    await timeRuns(async () => { const r = await session.run(); runs.push(r); return r; }, { warmup: 0, iters: plan.iters });
    const measured = runs;
    const result = { name };
    for (const key of Object.keys(measured[0])) {
      const vals = measured.map((r) => r[key]);
      if (vals.every((v) => typeof v === 'number')) result[key] = vals;
    }
    result.check = measured[measured.length - 1].check;
    if (session.info) result.info = session.info;
    await session.close?.();
    report(result);
    process.exit(0);
  } catch (e) {
    report({ name, error: String(e?.stack ?? e) });
    process.exit(1);
  }
}
