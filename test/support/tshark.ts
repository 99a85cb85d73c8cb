/**
 * Wireshark's tshark as an independent PostgreSQL decoder for tests: makes sure it is installed
 * (installing Debian's package when it is missing and we are root), and reads the messages of a
 * capture from its PDML output: direction and type byte of each `pgsql` message, and its length.
 * The type byte is read from the raw `value` of the `pgsql.type` field (not from the label, whose
 * names vary between Wireshark versions); untyped startup packets have no type byte.
 */
import { spawnSync } from 'node:child_process';

/** One message as tshark dissected it. */
export interface TsharkMessage {
  readonly frontend: boolean;
  /** The type byte as a character, or null for an untyped startup packet. */
  readonly type: string | null;
  readonly length: number;
}

function tsharkVersion(): string | null {
  const r = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n')[0]! : null;
}

/**
 * tshark's version line; installs Debian's `tshark` package first when it is missing. Throws with
 * what to do when it cannot be installed (the test must fail, never skip).
 */
export function ensureTshark(): string {
  const present = tsharkVersion();
  if (present !== null) return present;
  if (process.getuid?.() !== 0) {
    throw new Error('tshark is not installed and this test is not running as root to install it: run `apt-get install -y tshark` (Debian/Ubuntu) first');
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update'], { encoding: 'utf8', env });
  const install = spawnSync('apt-get', ['install', '-y', 'tshark'], { encoding: 'utf8', env });
  const installed = tsharkVersion();
  if (installed === null) {
    throw new Error(`tshark is required (the independent decoder of this test) and could not be installed:\n${update.stderr ?? ''}\n${install.stdout ?? ''}\n${install.stderr ?? String(install.error)}`);
  }
  return installed;
}

/** Attribute `name` of an XML start tag. */
function attribute(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

/** The PostgreSQL messages of a capture, in tshark's order, decoding TCP port `port` as pgsql. */
export function tsharkMessages(file: string, port: number): TsharkMessage[] {
  const r = spawnSync('tshark', ['-r', file, '-d', `tcp.port==${port},pgsql`, '-T', 'pdml'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`tshark failed (${r.status}): ${r.stderr}`);
  const out: TsharkMessage[] = [];
  for (const block of r.stdout.split('<proto name="pgsql"').slice(1)) {
    const body = block.slice(0, block.indexOf('</proto>'));
    const fields = new Map<string, string>();
    for (const m of body.matchAll(/<field [^>]*>/g)) {
      const name = attribute(m[0], 'name');
      if (name !== undefined && !fields.has(name)) fields.set(name, m[0]);
    }
    const typeTag = fields.get('pgsql.type');
    const lengthTag = fields.get('pgsql.length');
    const frontendTag = fields.get('pgsql.frontend');
    if (typeTag === undefined || lengthTag === undefined || frontendTag === undefined) throw new Error(`unexpected pgsql PDML: ${body.slice(0, 300)}`);
    const value = attribute(typeTag, 'value');
    out.push({
      frontend: attribute(frontendTag, 'show') === '1',
      type: value === undefined ? null : String.fromCharCode(parseInt(value, 16)),
      length: Number(attribute(lengthTag, 'show')),
    });
  }
  return out;
}
