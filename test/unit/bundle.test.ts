/**
 * The published entry points (package.json `exports`): `pg-stream` and `pg-stream/codec` are
 * bundled together with shared chunks, so they load fast (a few files instead of ~100 ES modules)
 * and share one copy of every class (`instanceof PgStreamError` holds across them). The codec's
 * whole import graph is free of Node built-ins, so it loads in browsers. Needs `npm run build`
 * (which `npm test` runs first).
 */
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, { import: string; types: string } | string>;
};
const entry = (name: string): string => {
  const e = pkg.exports[name];
  if (typeof e !== 'object') throw new Error(`no export ${name}`);
  const file = join(root, e.import);
  if (!existsSync(file)) throw new Error(`${e.import} is not built: run npm run build`);
  return file;
};

/** Every bare or relative specifier a file imports statically, following relative ones. */
function importGraph(file: string, seen = new Map<string, string[]>()): Map<string, string[]> {
  if (seen.has(file)) return seen;
  const source = readFileSync(file, 'utf8');
  const specifiers = [...source.matchAll(/(?:^|[;\n}])\s*(?:import|export)\s*(?:[^'";]*?\sfrom\s*)?["']([^"']+)["']/g)].map((m) => m[1]!);
  seen.set(file, specifiers);
  for (const s of specifiers) if (s.startsWith('.')) importGraph(join(dirname(file), s), seen);
  return seen;
}

describe('published bundles', () => {
  it('pg-stream and pg-stream/codec share one copy of the codec', async () => {
    const main = (await import(entry('.'))) as Record<string, unknown>;
    const codec = (await import(entry('./codec'))) as Record<string, unknown>;
    for (const name of ['PgStreamError', 'ProtocolError', 'MessageBuffer', 'BackendReader', 'MessageCode', 'AuthenticationMode']) {
      expect(codec[name], name).toBeDefined();
      expect(main[name], name).toBe(codec[name]);
    }
    expect(typeof main.ConnectionBuilder).toBe('function');
    expect(codec.ConnectionBuilder).toBeUndefined();
  });

  it('the codec imports no Node built-in anywhere in its graph', () => {
    const graph = importGraph(entry('./codec'));
    expect(graph.size).toBeGreaterThan(1);
    const nodeOnly = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    for (const [file, specifiers] of graph) {
      for (const s of specifiers) {
        expect(s.startsWith('.') || !nodeOnly.has(s), `${file} imports ${s}`).toBe(true);
        expect(s.startsWith('.'), `${file} imports the package ${s}: the bundle should be self-contained`).toBe(true);
      }
    }
  });

  it('the main entry does use Node built-ins (a check that the graph walk sees imports at all)', () => {
    const all = [...importGraph(entry('.')).values()].flat();
    expect(all).toContain('node:net');
  });
});
