/**
 * Copying PostgreSQL data directories (template → cluster, template → cache) with their modes,
 * owned by the server user.
 */
import { chmodSync, copyFileSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { chmod, copyFile, lchown, lstat, mkdir, readdir, readlink, symlink } from 'node:fs/promises';
import { giveToServer, serverUser } from './host.js';

/**
 * Copies a data directory (files, directories, symlinks), keeping modes and giving everything to
 * the server user. The top directory gets 0700 as PostgreSQL requires.
 */
export function copyDataDir(from: string, to: string): void {
  mkdirSync(to, { mode: 0o700 });
  chmodSync(to, 0o700);
  giveToServer(to);
  copyInto(from, to);
}

function copyInto(from: string, to: string): void {
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) {
      mkdirSync(dst, { mode: lstatSync(src).mode & 0o7777 });
      copyInto(src, dst);
    } else if (entry.isSymbolicLink()) {
      symlinkSync(readlinkSync(src), dst);
    } else if (entry.isFile()) {
      copyFileSync(src, dst);
    } else {
      continue;
    }
    giveToServer(dst);
  }
}

/** The same copy without blocking the event loop (for background work such as filling a cache). */
export async function copyDataDirAsync(from: string, to: string): Promise<void> {
  await mkdir(to, { mode: 0o700 });
  await chmod(to, 0o700);
  await giveToServerAsync(to);
  await copyIntoAsync(from, to);
}

async function copyIntoAsync(from: string, to: string): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const src = join(from, entry.name);
    const dst = join(to, entry.name);
    if (entry.isDirectory()) {
      await mkdir(dst, { mode: (await lstat(src)).mode & 0o7777 });
      await copyIntoAsync(src, dst);
    } else if (entry.isSymbolicLink()) {
      await symlink(await readlink(src), dst);
    } else if (entry.isFile()) {
      await copyFile(src, dst);
    } else {
      continue;
    }
    await giveToServerAsync(dst);
  }
}

async function giveToServerAsync(path: string): Promise<void> {
  if (serverUser !== null) await lchown(path, serverUser.uid, serverUser.gid);
}
