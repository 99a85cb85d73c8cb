/**
 * `pg-stream trace` as a process (src/tools/trace/cli.ts through test/support/ts-loader.mjs): each
 * kind of input, the options, several sessions, exit codes and messages, and the progress line that
 * appears only on a terminal (a pseudo-terminal from util-linux's `script`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { concat, toHex } from '../fixtures/bytes.js';
import { Conversation, frame, LINK_ETHERNET, LINK_SLL, writePcap, writePcapng } from '../fixtures/capture-writer.js';
import { fxCopyData, fxCopyDone, fxQuery, fxSSLRequest, fxStartupMessage, fxTerminate, V3_0 } from '../fixtures/frontend-bytes.js';
import { authenticationOk, commandComplete, copyInResponse, readyForQuery } from '../fixtures/backend-bytes.js';
import { canonicalConversation, canonicalLines, canonicalSession, stampOf, STEP_US, T0_US } from '../fixtures/pg-session.js';

const root = new URL('../..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'pg-stream-trace-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

function run(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', './test/support/ts-loader.mjs', 'src/tools/trace/cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, TZ: 'UTC' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l !== '');
const pcapOf = (...convs: Conversation[]): Uint8Array => {
  const segs = convs.flatMap((c) => c.segments.map((seg) => ({ c, seg })));
  return writePcap({ linkType: LINK_ETHERNET }, segs.map(({ c, seg }, i) => ({ ts: T0_US + BigInt(i) * STEP_US, data: frame(LINK_ETHERNET, c.ip(seg)) })));
};
const timed = (): string[] => canonicalLines().map((l, k) => stampOf(k + 3) + l);

const canonicalPcap = file('canonical.pcap', pcapOf(canonicalConversation()));

describe('pg-stream trace', () => {
  it('traces a pcap with capture times, and without them on request', () => {
    const r = run('trace', canonicalPcap);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(lines(r.stdout)).toEqual(timed());
    expect(lines(run('trace', '--no-timestamps', canonicalPcap).stdout)).toEqual(canonicalLines());
  });

  it('traces a pcapng, with --regress', () => {
    const conv = canonicalConversation();
    const path = file('canonical.pcapng', writePcapng({ interfaces: [{ linkType: LINK_SLL }], packets: conv.segments.map((s, i) => ({ ts: T0_US + BigInt(i) * STEP_US, data: frame(LINK_SLL, conv.ip(s)) })) }));
    const r = run('trace', '--regress', '--no-timestamps', path);
    expect(r.status).toBe(0);
    expect(lines(r.stdout)).toContain('B\t12\tBackendKeyData\t NNNN NNNN');
    expect(lines(r.stdout)).toContain('B\tNN\tErrorResponse\t S "ERROR" C "22012" M "division by zero" \\x00');
  });

  it('several sessions: each under a header; --session picks one; --list lists them', () => {
    const a = canonicalConversation({ address: '192.0.2.10', port: 40001 }, { address: '192.0.2.1', port: 5432 });
    const b = canonicalConversation({ address: '2001:db8::10', port: 40002 }, { address: '2001:db8::1', port: 6432 });
    const path = file('two.pcap', pcapOf(a, b));
    const all = run('trace', '--no-timestamps', path);
    expect(all.status).toBe(0);
    const out = lines(all.stdout);
    expect(out[0]).toBe(`# session 1: client 192.0.2.10:40001 -> server 192.0.2.1:5432, ${a.segments.length} packets from packet 1, starting 2023-11-14T22:13:20.000Z`);
    expect(out.slice(1, 1 + canonicalLines().length)).toEqual(canonicalLines());
    expect(out[1 + canonicalLines().length]).toMatch(/^# session 2: client \[2001:db8::10\]:40002 -> server \[2001:db8::1\]:6432, /);
    expect(lines(run('trace', '--no-timestamps', '--session', '2', path).stdout)).toEqual(canonicalLines());
    expect(lines(run('trace', '--list', path).stdout)).toHaveLength(2);
    const missing = run('trace', '--session', '3', path);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe('pg-stream trace: there is no session 3: the capture holds 2 (see --help)\n');
  });

  it('a truncated capture: the lines decoded, then the error on stderr and exit status 1', () => {
    const whole = pcapOf(canonicalConversation());
    const r = run('trace', '--no-timestamps', file('cut.pcap', whole.subarray(0, whole.length - 30)));
    expect(r.status).toBe(1);
    expect(lines(r.stdout)).toEqual(canonicalLines());
    expect(r.stderr).toMatch(/^pg-stream trace: the pcap file ends inside packet 37 \(\d+ of \d+ captured bytes\) \(PGS_CAPTURE_TRUNCATED\)\n$/);
  });

  it('an encrypted session and a capture without PostgreSQL are errors', () => {
    const tls = new Conversation({ address: '192.0.2.10', port: 40001 }, { address: '192.0.2.1', port: 5432 }).handshake()
      .send('client', fxSSLRequest()).send('server', Uint8Array.of(0x53)).send('client', Uint8Array.of(0x16, 3, 1, 0, 1, 1)).close();
    const r = run('trace', '--no-timestamps', file('tls.pcap', pcapOf(tls)));
    expect(r.status).toBe(1);
    expect(lines(r.stdout)).toEqual(['F\t8\tSSLRequest\t 1234 5679', 'B\t1\tSSLResponse\t S']);
    expect(r.stderr).toBe('pg-stream trace: the session is TLS-encrypted; capture before TLS or use sslmode=disable (PGS_CAPTURE_ENCRYPTED)\n');
    const none = run('trace', file('none.pcap', writePcap({ linkType: LINK_ETHERNET }, [])));
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/^pg-stream trace: no PostgreSQL session found in 0 packets .*\(PGS_CAPTURE_NO_SESSION\)\n$/);
  });

  it('reads a marked hex dump, and raw or hex files of each direction', () => {
    const marked = run('trace', new URL('../fixtures/hex/session-marked.txt', import.meta.url).pathname);
    expect(marked.status).toBe(0);
    expect(lines(marked.stdout)).toEqual(canonicalLines());
    const client = concat(...canonicalSession().filter((s) => s.side === 'client').map((s) => s.bytes));
    const server = concat(...canonicalSession().filter((s) => s.side === 'server').map((s) => s.bytes));
    const raw = run('trace', '--frontend', file('f.bin', client), '--backend', file('b.bin', server));
    expect(raw.status).toBe(0);
    expect(lines(raw.stdout)).toHaveLength(canonicalLines().length);
    const hex = run('trace', '--frontend', file('f.hex', toHex(client)), '--backend', new URL('../fixtures/hex/backend.od', import.meta.url).pathname);
    expect(hex.stdout).toBe(raw.stdout);
    // --raw: the hex text itself is the frontend's bytes, which do not decode.
    const forced = run('trace', '--raw', '--frontend', file('f2.hex', toHex(client)));
    expect(forced.status).toBe(1);
    expect(forced.stderr).toMatch(/frontend stream/);
  });

  it('refuses contradictory or missing arguments with exit status 1', () => {
    for (const args of [[], ['trace'], ['trace', '--timestamps', '--frontend', canonicalPcap], ['trace', '--port', '70000', canonicalPcap], ['trace', canonicalPcap, '--frontend', canonicalPcap], ['nope']]) {
      const r = run(...args);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(/^pg-stream( trace)?: .+/);
    }
    const help = run('trace', '--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: pg-stream trace \[options\]/);
    const notCapture = run('trace', file('junk.bin', Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7, 8)));
    expect(notCapture.stderr).toMatch(/neither a pcap\/pcapng capture nor a hex dump .*\(PGS_CAPTURE_INVALID\)/);
  });

  it('shows progress for a large capture only when stderr is a terminal', () => {
    // A COPY of 9 MB: the capture is over the 8 MB threshold.
    const conv = new Conversation({ address: '192.0.2.10', port: 40001 }, { address: '192.0.2.1', port: 5432 }).handshake()
      .send('client', fxStartupMessage(V3_0, [['user', 'u']]))
      .send('server', concat(authenticationOk(), readyForQuery('I')))
      .send('client', fxQuery('COPY t FROM STDIN'))
      .send('server', copyInResponse(0, [0]));
    const row = new TextEncoder().encode(`${'x'.repeat(8999)}\n`);
    conv.send('client', concat(...Array.from({ length: 1000 }, () => fxCopyData(row)), fxCopyDone()), 64000);
    conv.send('server', concat(commandComplete('COPY 1000'), readyForQuery('I'))).send('client', fxTerminate()).close();
    const path = file('big.pcap', pcapOf(conv));
    const piped = run('trace', '--no-timestamps', path);
    expect(piped.status).toBe(0);
    expect(piped.stderr).toBe('');
    // Startup, AuthenticationOk, ReadyForQuery, Query, CopyInResponse, 1000 CopyData, CopyDone, CommandComplete, ReadyForQuery, Terminate.
    expect(lines(piped.stdout)).toHaveLength(1009);
    const command = `${process.execPath} --import ./test/support/ts-loader.mjs src/tools/trace/cli.ts trace --no-timestamps ${path} > /dev/null`;
    const tty = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: root, encoding: 'utf8', env: { ...process.env, TZ: 'UTC' } });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/pg-stream trace: (reading|decoding session 1) \d+\.\d\/\d+\.\d MB \(\d+%\)/);
  });
});
