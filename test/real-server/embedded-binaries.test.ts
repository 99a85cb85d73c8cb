import { copyFileSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { availableServers, findServer, inspectBinDir, repairSymlinks } from '../support/embedded/binaries.js';

const require = createRequire(import.meta.url);

/** Mirrors a directory tree with hard links (a copy where linking is impossible). */
function mirror(from: string, to: string): void {
  mkdirSync(to);
  for (const e of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, e.name);
    const dst = join(to, e.name);
    if (e.isDirectory()) mirror(src, dst);
    else if (e.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else {
      try {
        linkSync(src, dst);
      } catch {
        copyFileSync(src, dst);
      }
    }
  }
}

describe('server binaries', () => {
  test('each available server reports a version that matches its major and runs', async () => {
    const all = await availableServers();
    expect(all.length).toBeGreaterThanOrEqual(3);
    for (const b of all) {
      expect(b.version).toMatch(/^\d+\.\d+$/);
      expect(Number.parseInt(b.version, 10)).toBe(b.major);
      expect(existsSync(b.initdb) && existsSync(b.postgres)).toBe(true);
    }
    expect((await findServer('16')).major).toBe(16);
    expect((await findServer((await findServer(13)).binDir)).major).toBe(13);
  });

  test('missing library symlinks (install scripts not run) are recreated and the server runs again', async () => {
    const pkg = resolve(dirname(require.resolve('pg13')), '..');
    // Next to the package (same filesystem), so the mirror is made of hard links.
    mkdirSync(join(dirname(pkg), '.cache'), { recursive: true });
    const copy = mkdtempSync(join(dirname(pkg), '.cache', 'pg-stream-binaries-test-'));
    try {
      mirror(join(pkg, 'native'), join(copy, 'native'));
      const links = (JSON.parse(readFileSync(join(copy, 'native', 'pg-symlinks.json'), 'utf8')) as { target: string }[]).map(
        (l) => join(copy, l.target),
      );
      for (const l of links) unlinkSync(l);
      expect(await inspectBinDir(join(copy, 'native', 'bin'), 'copy')).toBeNull();
      expect(repairSymlinks(copy)).toBe(links.length);
      for (const l of links) expect(lstatSync(l).isSymbolicLink()).toBe(true);
      expect((await inspectBinDir(join(copy, 'native', 'bin'), 'copy'))?.major).toBe(13);
      expect(repairSymlinks(copy)).toBe(0);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
