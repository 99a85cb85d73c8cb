/**
 * Small independent probes for the embedded-server tests: an SSLRequest written by hand, process
 * liveness, and a postmaster's child processes (from /proc).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { NetConnectOpts } from 'node:net';
import { Bytes } from '../fixtures/bytes.js';

/** SSLRequest: Int32 length 8, Int32 code 1234 << 16 | 5679 (protocol docs, "SSLRequest"). */
export const SSL_REQUEST = new Bytes().i32(80877103).packet();

/** Sends an SSLRequest and resolves with the server's one-byte answer as a character. */
export function sslAnswer(target: NetConnectOpts, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(target);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('no answer to SSLRequest'));
    }, timeoutMs);
    sock.once('connect', () => sock.write(SSL_REQUEST));
    sock.once('data', (d: Buffer) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(String.fromCharCode(d[0]!));
    });
    sock.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** True while a process with this PID exists (a zombie counts as gone). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** PIDs whose parent is `pid` (a postmaster's backends and auxiliary processes). */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) out.push(Number(name));
    } catch {
      // Exited while we looked.
    }
  }
  return out;
}

/** Resolves once `check()` is true, or rejects after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
