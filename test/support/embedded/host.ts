/**
 * What the embedded servers need from the host: the user they run as (PostgreSQL refuses root, so
 * as root they run as `nobody`), a private temporary directory per process, a clean environment,
 * and a registry that kills every server this process started when it exits.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { accessSync, constants, lchownSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Prefix of every directory the harness creates; CI removes leftovers by this name. */
export const DIR_PREFIX = 'pg-stream-test-';

/** The uid/gid servers run as, or null to run them as the current user. */
export interface ServerUser {
  uid: number;
  gid: number;
}

/** uid/gid of `nobody` from /etc/passwd (65534 on Debian when the file says nothing). */
function nobody(): ServerUser {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === 'nobody' && f.length > 3) return { uid: Number(f[2]), gid: Number(f[3]) };
    }
  } catch {
    // Fall through to Debian's numbers.
  }
  return { uid: 65534, gid: 65534 };
}

/** Whom `initdb` and `postgres` must run as: `nobody` when we are root (they refuse root). */
export const serverUser: ServerUser | null = process.getuid?.() === 0 ? nobody() : null;

/** Gives a path we created to the server user (no-op when not root; a symlink itself, not its target). */
export function giveToServer(path: string): void {
  if (serverUser !== null) lchownSync(path, serverUser.uid, serverUser.gid);
}

/** The environment for server processes: ours without any PG* variable, in the C locale. */
export function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  env.LC_ALL = 'C';
  env.LANG = 'C';
  return env;
}

/** Spawns a server binary as the server user, with the clean environment. */
export function spawnServer(bin: string, args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawn(bin, args, {
    env: serverEnv(),
    ...(serverUser === null ? {} : { uid: serverUser.uid, gid: serverUser.gid }),
    ...options,
  });
}

/**
 * True when the server user can reach `path` (search permission on every directory up to `/`). A
 * checkout under a private directory (e.g. one made by `mktemp -d`, mode 0700) is not reachable by
 * `nobody`, and spawning the binaries from it fails with EACCES.
 */
export function reachableByServer(path: string): boolean {
  if (serverUser === null) return true;
  for (let dir = path; ; dir = dirname(dir)) {
    const st = statSync(dir);
    const ok = st.uid === serverUser.uid ? (st.mode & 0o100) !== 0
      : st.gid === serverUser.gid ? (st.mode & 0o010) !== 0
        : (st.mode & 0o001) !== 0;
    if (!ok) return false;
    if (dirname(dir) === dir) return true;
  }
}

/** Base directory for temporary data: /dev/shm (tmpfs: initdb and copies are fast) when writable. */
export function baseDir(): string {
  try {
    accessSync('/dev/shm', constants.W_OK | constants.X_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

let session: string | null = null;

/**
 * This process's private directory `<base>/pg-stream-test-<pid>-XXXXXX`, created on first use,
 * owned by the server user and removed when the process exits. Cluster data directories live
 * directly in it, so a leftover server's pid file is at `<base>/pg-stream-test-*\/<cluster>/postmaster.pid`.
 */
export function sessionDir(): string {
  if (session === null) {
    const base = baseDir();
    sweepStaleSessions(base);
    session = mkdtempSync(join(base, `${DIR_PREFIX}${process.pid}-`));
    giveToServer(session);
    installExitHooks();
  }
  return session;
}

/** True when a process with this PID exists and is not a zombie. */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Removes session directories whose creating process is gone (killed with SIGKILL, so its exit
 * hooks never ran): first an immediate shutdown of any server still running from one of them
 * (checked by its command line naming that data directory), then the files (tmpfs is memory).
 */
function sweepStaleSessions(base: string): void {
  let names: string[];
  try {
    names = readdirSync(base).filter((n) => n.startsWith(DIR_PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const owner = /^(\d+)-/.exec(name.slice(DIR_PREFIX.length));
    if (owner === null || processAlive(Number(owner[1])) || Number(owner[1]) === process.pid) continue;
    const dir = join(base, name);
    try {
      for (const cluster of readdirSync(dir)) {
        killOrphan(join(dir, cluster));
      }
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another process may be sweeping the same directory.
    }
  }
}

/** SIGQUIT to the postmaster of `dataDir` if one still runs (and really is that server). */
function killOrphan(dataDir: string): void {
  let pid: number;
  try {
    pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes(dataDir)) process.kill(pid, 'SIGQUIT');
  } catch {
    // Gone already.
  }
}

/** A running server the exit hooks must kill if nobody stopped it. */
interface Tracked {
  pid: number;
}

const running = new Set<Tracked>();

/** Registers a server process for the exit hooks; call the returned function once it has exited. */
export function track(pid: number): () => void {
  const t: Tracked = { pid };
  running.add(t);
  return () => running.delete(t);
}

/** Synchronous last resort: immediate shutdown (SIGQUIT) of every tracked server, then rm -rf. */
function killAllNow(): void {
  for (const t of running) {
    try {
      process.kill(t.pid, 'SIGQUIT');
    } catch {
      // Already gone.
    }
  }
  running.clear();
  if (session !== null) {
    try {
      rmSync(session, { recursive: true, force: true });
    } catch {
      // Best effort at exit.
    }
    session = null;
  }
}

let hooked = false;

/** On exit, SIGINT, SIGTERM and SIGHUP: stop our servers; re-raise the signal if nobody else handles it. */
function installExitHooks(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', killAllNow);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const handler = (): void => {
      killAllNow();
      process.removeListener(sig, handler);
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, handler);
  }
}

/** Removes this process's session directory now (after every cluster in it has stopped). */
export function removeSessionDir(): void {
  if (session !== null && running.size === 0) {
    rmSync(session, { recursive: true, force: true });
    session = null;
  }
}
