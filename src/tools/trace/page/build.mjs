// @ts-check
// Builds the trace page into dist/trace-page/ (run by `npm run build`, after `tsc`): index.html from
// the template beside this script with trace-page.css inlined, and trace-page.js, the page's one
// script: dist/tools/trace/page/main.js bundled for browsers (no Node built-in can be reached: esbuild
// refuses them on this platform) as a classic script, so the page also works opened from a file.
// PG_STREAM_PGLITE_URL, when set, is written into the page as where its live mode imports PGlite
// from (`<meta name="pg-stream-pglite">`; default ./pglite/index.js, see page/live.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const here = new URL('./', import.meta.url);
const root = new URL('../../../../', import.meta.url);
const out = new URL('dist/trace-page/', root);

const STYLESHEET = '<link rel="stylesheet" href="./trace-page.css">';
const PGLITE_META = /<meta name="pg-stream-pglite" content="[^"]*">/;

/** @param {string} text */
const attribute = (text) => text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');

let html = readFileSync(new URL('index.html', here), 'utf8');
const css = readFileSync(new URL('trace-page.css', here), 'utf8');
if (!html.includes(STYLESHEET) || !PGLITE_META.test(html)) throw new Error('trace page: index.html lacks its stylesheet link or its pg-stream-pglite meta');
html = html.replace(STYLESHEET, () => `<style>\n${css}</style>`);
const pglite = process.env.PG_STREAM_PGLITE_URL;
if (pglite !== undefined && pglite !== '') html = html.replace(PGLITE_META, () => `<meta name="pg-stream-pglite" content="${attribute(pglite)}">`);

mkdirSync(out, { recursive: true });
writeFileSync(new URL('index.html', out), html);
await build({
  entryPoints: [new URL('dist/tools/trace/page/main.js', root).pathname],
  outfile: new URL('trace-page.js', out).pathname,
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
console.log(`trace page built into ${out.pathname}${pglite ? ` (PGlite from ${pglite})` : ''}`);
