/**
 * Module hooks for ts-loader.mjs: `./x.js` imported from a .ts file resolves to `./x.ts` when only
 * that exists, and .ts files are transpiled: with oxc (rolldown, installed with vitest: ~1 ms) when
 * it can be loaded, else with TypeScript's transpileModule (~1 s to load the compiler).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** (fileName, source) → JavaScript. */
const transpile = await import('rolldown/utils').then(
  (oxc) => (fileName, source) => {
    const r = oxc.transformSync(fileName, source, {});
    if (r.errors.length > 0) throw new Error(`${fileName}: ${r.errors.map((e) => e.message).join('; ')}`);
    return r.code;
  },
  async () => {
    const ts = (await import('typescript')).default;
    return (fileName, source) =>
      ts.transpileModule(source, {
        fileName,
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      }).outputText;
  },
);

/** Maps `.js` specifiers of TypeScript sources to their `.ts` files. */
export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  if (parent?.endsWith('.ts') && specifier.endsWith('.js') && (specifier.startsWith('.') || specifier.startsWith('/'))) {
    const js = new URL(specifier, parent);
    const tsUrl = new URL(js.href.slice(0, -3) + '.ts');
    if (!existsSync(fileURLToPath(js)) && existsSync(fileURLToPath(tsUrl))) return { url: tsUrl.href, shortCircuit: true };
  }
  return next(specifier, context);
}

/** Transpiles TypeScript to an ES module. */
export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const fileName = fileURLToPath(url);
  return { format: 'module', source: transpile(fileName, await readFile(fileName, 'utf8')), shortCircuit: true };
}
