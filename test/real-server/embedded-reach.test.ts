/**
 * The server user (`nobody` when running as root) must be able to reach the binaries: a checkout
 * under a private directory is detected, so the harness runs a world-readable copy instead.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reachableByServer, serverUser } from '../support/embedded/host.js';

const root = mkdtempSync(join(tmpdir(), 'pg-stream-reach-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('reachableByServer', () => {
  it('is false below a 0700 directory and true below a 0755 one (as root)', () => {
    const closed = join(root, 'closed');
    const open = join(root, 'open');
    mkdirSync(join(closed, 'bin'), { recursive: true });
    mkdirSync(join(open, 'bin'), { recursive: true });
    chmodSync(root, 0o755);
    chmodSync(closed, 0o700);
    chmodSync(open, 0o755);
    expect(reachableByServer(join(open, 'bin'))).toBe(true);
    // Without root, servers run as the current user, who owns both.
    expect(reachableByServer(join(closed, 'bin'))).toBe(serverUser === null);
  });
});
