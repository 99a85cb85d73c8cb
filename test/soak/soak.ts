/**
 * `npm run soak -- [--minutes N] [--seed S] [--direct D] [--proxied P] [--out FILE]`: the soak of
 * test/support/soak-run.ts against an embedded PostgreSQL 18 started here (as `nobody` when run
 * as root, by the test/support/embedded harness) for N minutes (default 5). Prints its figures,
 * writes them as JSON (default bench/.runs/soak.json), and exits non-zero when a check failed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { startEmbeddedPostgres } from '../support/embedded/index.js';
import { runSoak } from '../support/soak-run.js';
import type { SoakFigures } from '../support/soak-run.js';
import { mb } from '../support/soak-memory.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = process.argv[i + 1];
  if (v === undefined) throw new Error(`--${name} needs a value`);
  return v;
}

function number(name: string, fallback: number): number {
  const v = Number(arg(name, String(fallback)));
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`);
  return v;
}

/** The figures as the text RESULTS.md records. */
export function report(f: SoakFigures, command: string, date: string): string {
  const lines: string[] = [];
  const table = (title: string, rec: Record<string, number>): void => {
    lines.push(`${title}:`);
    for (const [k, v] of Object.entries(rec).sort((a, b) => b[1] - a[1])) lines.push(`  ${k.padEnd(34)} ${v}`);
    if (Object.keys(rec).length === 0) lines.push('  (none)');
  };
  const r = f.rows;
  lines.push(`command: ${command}`, `date: ${date}`, `seed: ${f.seed}`, `duration: ${(f.durationMs / 1000).toFixed(1)} s`);
  lines.push(`connections: ${f.connections.direct} direct + ${f.connections.proxied} through the fault proxy; ${f.connections.opened} opened, ${f.connections.connectFailures} connects failed (faults)`);
  table('operations by kind', f.operations);
  table('proxied connections by drawn fault', f.faultsDrawn);
  table('faults injected (the rule fired)', f.faultsInjected);
  table('errors by code', f.errorsByCode);
  lines.push('rows:');
  lines.push(`  writes asked                       ${r.asked}`);
  lines.push(`  told committed                     ${r.committed}`);
  lines.push(`  told not done                      ${r.failed}`);
  lines.push(`  outcome unknown                    ${r.unknown} (found in the table: ${r.unknownFound}, not found: ${r.unknownMissing})`);
  lines.push(`  rows expected (committed + unknown found) ${r.rowsExpected}`);
  lines.push(`  rows found                         ${r.rowsFound}`);
  lines.push(`  checksum expected / found          ${r.checksumExpected} / ${r.checksumFound}`);
  lines.push(`notifications: ${f.notifications.sentOk} told sent, ${f.notifications.received} received, ${f.notifications.missing} missing, ${f.notifications.unexpected} unexpected`);
  const m = f.memory;
  lines.push(`memory (after full GC): heap start ${mb(m.start.heap)} MB, warm ${mb(m.warm.heap)} MB, end ${mb(m.end.heap)} MB, peak ${mb(m.peakHeap)} MB`);
  lines.push(`                        RSS  start ${mb(m.start.rss)} MB, warm ${mb(m.warm.rss)} MB, end ${mb(m.end.rss)} MB, peak ${mb(m.peakRss)} MB (${m.samples} samples)`);
  lines.push(`hangs: ${f.hangs}; unhandled rejections: ${f.unhandled.length}`);
  lines.push(f.violations.length === 0 ? 'checks: all passed' : `checks: ${f.violations.length} FAILED`);
  for (const v of f.violations) lines.push(`  - ${v}`);
  return lines.join('\n');
}

async function main(): Promise<number> {
  const minutes = number('minutes', 5);
  const seed = number('seed', 1);
  const direct = number('direct', 3);
  const proxied = number('proxied', 3);
  const out = arg('out', 'bench/.runs/soak.json');
  const command = `npm run soak -- ${process.argv.slice(2).join(' ')}`.trim();
  const date = new Date().toISOString();
  const server = await startEmbeddedPostgres({ version: 18, settings: { max_connections: '100' } });
  try {
    const figures = await runSoak({
      server,
      durationMs: minutes * 60_000,
      seed,
      direct,
      proxied,
      log: (line) => console.log(line),
    });
    const text = report(figures, command, date);
    console.log(`\n${text}`);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, JSON.stringify({ command, date, server: server.version, ...figures }, null, 2));
    console.log(`\nfigures written to ${out}`);
    return figures.violations.length === 0 ? 0 : 1;
  } finally {
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error('soak: failed to run', err);
    process.exit(2);
  },
);
