/**
 * The source tree's one-way dependency rule (README "Layout"), checked on every import of src/:
 * each folder may import only the layers below it; no file imports itself back through a cycle
 * (type-only imports included); and nothing outside the Node transport (and the trace CLI with its
 * page server) imports a Node built-in, so the session, the codec, the types and the query layer
 * bundle for a browser.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../src/', import.meta.url).pathname;

/** What each layer may import (besides itself). Entries (index, browser, codec) may import anything. */
const ALLOWED: Record<string, readonly string[]> = {
  errors: [],
  platform: [],
  wasm: ['errors'],
  protocol: ['errors', 'platform', 'wasm'],
  auth: ['errors'],
  conninfo: ['errors', 'protocol'],
  transport: ['errors'],
  types: ['errors', 'platform', 'wasm', 'protocol'],
  query: ['errors', 'platform', 'wasm', 'protocol', 'types', 'transport'],
  session: ['errors', 'platform', 'wasm', 'protocol', 'types', 'auth', 'conninfo', 'transport', 'query'],
  'transport/node': ['errors', 'platform', 'wasm', 'protocol', 'types', 'auth', 'conninfo', 'transport', 'query', 'session'],
  'transport/websocket': ['errors', 'protocol', 'transport'],
  'transport/pglite': ['errors', 'protocol', 'transport'],
  tools: ['errors', 'platform', 'wasm', 'protocol', 'types', 'codec'],
  // The trace page (src/tools/trace/page/): an application on the trace core and the browser entry.
  'tools/page': ['errors', 'codec', 'browser', 'tools'],
};
const ENTRIES = new Set(['index', 'browser', 'codec']);
/** Where a Node built-in may be imported. */
const NODE_ALLOWED = [/^transport\/node\//, /^tools\/trace\/(cli|page-server)\.ts$/];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return files(p);
    return p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** The layer of a file relative to src/: its top folder (`transport/<kind>` below transport/). */
function layer(rel: string): string {
  const parts = rel.split('/');
  if (parts.length === 1) return parts[0]!.replace(/\.ts$/, '');
  if (parts[0] === 'transport' && parts.length > 2) return `transport/${parts[1]}`;
  if (parts[0] === 'tools' && parts[2] === 'page' && parts.length > 3) return 'tools/page';
  return parts[0]!;
}

/** Every module specifier a file imports or re-exports (static, type-only included). */
function specifiers(source: string): string[] {
  return [...source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s*'([^']+)'/gm), ...source.matchAll(/^\s*import\s*'([^']+)'/gm)].map((m) => m[1]!);
}

const all = files(SRC).map((abs) => {
  const rel = relative(SRC, abs);
  const specs = specifiers(readFileSync(abs, 'utf8'));
  const local = specs.filter((s) => s.startsWith('.')).map((s) => relative(SRC, normalize(join(dirname(abs), s))).replace(/\.js$/, '.ts'));
  return { rel, layer: layer(rel), specs, local };
});
const nodeBuiltins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

describe('source layering', () => {
  it('sees the tree (a check that the walk works)', () => {
    expect(all.length).toBeGreaterThan(100);
    expect(all.some((f) => f.rel === 'session/connection.ts')).toBe(true);
  });

  it('every import goes to an allowed lower layer', () => {
    const bad: string[] = [];
    for (const f of all) {
      if (ENTRIES.has(f.layer)) continue;
      const allowed = ALLOWED[f.layer];
      if (allowed === undefined) {
        bad.push(`${f.rel}: layer "${f.layer}" is not in the rule`);
        continue;
      }
      for (const target of f.local) {
        const t = layer(target);
        if (t !== f.layer && !allowed.includes(t)) bad.push(`${f.rel} imports ${target} (${f.layer} → ${t})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('no Node built-in outside the Node transport and the trace CLI', () => {
    const bad = all.flatMap((f) =>
      NODE_ALLOWED.some((re) => re.test(f.rel)) ? [] : f.specs.filter((s) => nodeBuiltins.has(s)).map((s) => `${f.rel} imports ${s}`),
    );
    expect(bad).toEqual([]);
    // The rule is not vacuous: the Node transport does import them.
    expect(all.some((f) => f.layer === 'transport/node' && f.specs.includes('node:net'))).toBe(true);
  });

  it('has no import cycle', () => {
    const edges = new Map(all.map((f) => [f.rel, f.local]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (node: string, path: string[]): void => {
      if (state.get(node) === 'done') return;
      if (state.get(node) === 'open') {
        cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
        return;
      }
      state.set(node, 'open');
      for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
      state.set(node, 'done');
    };
    for (const f of all) visit(f.rel, []);
    expect(cycles).toEqual([]);
  });
});
