/**
 * `pg-stream/browser` bundles for a browser with esbuild (`--bundle --platform=browser`) with no Node
 * built-in reachable: esbuild refuses to resolve `node:*` modules on that platform, so any import of
 * one anywhere in the graph fails the build. Checked for the published entry (through the package's
 * self-reference, which needs `npm run build`) and for the TypeScript source entry. A deliberate
 * Node import in the same setup must fail, so the check is not vacuous.
 */
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url).pathname;

async function bundle(contents: string): Promise<{ errors: string[]; code: string }> {
  try {
    const result = await build({
      stdin: { contents, resolveDir: root, loader: 'ts', sourcefile: 'entry.ts' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    });
    return { errors: result.errors.map((e) => e.text), code: result.outputFiles[0]!.text };
  } catch (err) {
    const errors = (err as { errors?: { text: string }[] }).errors?.map((e) => e.text) ?? [String(err)];
    return { errors, code: '' };
  }
}

describe('pg-stream/browser bundles for a browser', () => {
  it('the published entry, as a page would import it', async () => {
    const { errors, code } = await bundle("export * from 'pg-stream/browser';");
    expect(errors).toEqual([]);
    expect(code).toContain('connectTransport');
    expect(code).not.toMatch(/from\s*["']node:/);
  });

  it('the TypeScript source entry', async () => {
    const { errors, code } = await bundle("export * from './src/browser.ts';");
    expect(errors).toEqual([]);
    expect(code).toContain('BackendReader');
  });

  it('a Node import fails the same build (the check can fail)', async () => {
    const { errors } = await bundle("export * from './src/browser.ts'; export { connect } from './src/transport/node/connect.ts';");
    expect(errors.join('\n')).toMatch(/node:/);
  });
});
