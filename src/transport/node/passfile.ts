/**
 * Reading the password file for `connect()`: the file named by `passfile`/PGPASSFILE, else
 * `~/.pgpass` (libpq's defaults; https://www.postgresql.org/docs/current/libpq-pgpass.html). As in
 * libpq, a missing file means no password, and a file that is not a regular file or that its group or
 * others may read is not used ("permissions should be u=rw (0600) or less"): for a file the caller
 * named explicitly this is a ConfigError rather than libpq's warning, so that a misconfiguration is
 * not silently turned into a missing password. Entries are matched by ../../conninfo/passfile.ts.
 */
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, ErrorCode } from '../../errors.js';

/** File mode bits that give the group or others any access. */
const GROUP_OR_OTHER = 0o077;
/** The default password file, in the home directory. */
const DEFAULT_PASSFILE = '.pgpass';

/**
 * The contents of the password file, or undefined when there is none to use. `explicit` is the
 * file the caller named (option or PGPASSFILE); without it, `~/.pgpass`.
 */
export async function readPassfile(explicit: string | undefined): Promise<string | undefined> {
  let path: string;
  try {
    path = explicit ?? join(homedir(), DEFAULT_PASSFILE);
  } catch {
    return undefined;
  }
  let mode: number;
  let regular: boolean;
  try {
    const st = await stat(path);
    mode = st.mode;
    regular = st.isFile();
  } catch {
    return undefined;
  }
  const refuse = (why: string): undefined => {
    if (explicit !== undefined) throw new ConfigError(ErrorCode.INVALID_CONNECTION_STRING, `password file "${path}" ${why}`);
    return undefined;
  };
  if (!regular) return refuse('is not a plain file');
  if (process.platform !== 'win32' && (mode & GROUP_OR_OTHER) !== 0) {
    return refuse('has group or world access; permissions should be u=rw (0600) or less');
  }
  try {
    return await readFile(path, 'utf8');
  } catch {
    return refuse('cannot be read');
  }
}
