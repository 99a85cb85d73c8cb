import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, test } from 'vitest';
import { findServer } from '../support/embedded/binaries.js';
import { adoptTemplate, templateFor } from '../support/embedded/template.js';
import type { Template } from '../support/embedded/template.js';
import { alive, waitFor } from '../support/probe.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

interface ChildFacts {
  pid: number;
  dataDir: string;
}

let template: Template;
beforeAll(async () => {
  const bins = await findServer(18);
  for (const t of inject('pgTemplates') ?? []) adoptTemplate(bins, t);
  template = await templateFor(bins);
});

/** Runs test/support/exit-child.ts in a plain node process; resolves once its cluster is up. */
function runChild(how: string): Promise<{ facts: ChildFacts; child: ReturnType<typeof spawn>; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', './test/support/ts-loader.mjs', 'test/support/exit-child.ts', how, JSON.stringify(template)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ facts: JSON.parse(out.slice(0, nl)) as ChildFacts, child, exited });
    });
    void exited.then((code) => reject(new Error(`child exited (${code}) before its cluster was up: ${err}`)));
  });
}

describe.concurrent('servers stop when the process that started them ends', () => {
  test.each(['exit', 'natural', 'throw'])('process ends by %s', async (how) => {
    const { facts, exited } = await runChild(how);
    expect(alive(facts.pid)).toBe(true);
    await exited;
    await waitFor(() => !alive(facts.pid), 5000, 'postmaster to exit');
    expect(existsSync(dirname(facts.dataDir))).toBe(false);
  });

  test.each(['SIGTERM', 'SIGINT'] as const)('process is killed by %s', async (signal) => {
    const { facts, child, exited } = await runChild('signal');
    child.kill(signal);
    await exited;
    await waitFor(() => !alive(facts.pid), 5000, 'postmaster to exit');
    expect(existsSync(dirname(facts.dataDir))).toBe(false);
  });
});

describe('leftovers of a process killed with SIGKILL', () => {
  test('the next process shuts the orphaned server down and removes its files', async () => {
    const first = await runChild('signal');
    first.child.kill('SIGKILL');
    await first.exited;
    // Nobody ran the exit hooks: the server is still up.
    expect(alive(first.facts.pid)).toBe(true);
    const second = await runChild('exit');
    await second.exited;
    await waitFor(() => !alive(first.facts.pid), 5000, 'orphaned postmaster to exit');
    expect(existsSync(dirname(first.facts.dataDir))).toBe(false);
  });
});
