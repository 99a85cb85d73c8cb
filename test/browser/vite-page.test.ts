/**
 * `pg-stream/browser` in an application built by Vite with no configuration (PRODUCT.md, Layer 4),
 * run in a real headless Chromium: the same page as the esbuild-bundled tests
 * (test/browser/pages/e2e-page.ts) — the seed's quick start, parameters, a pipeline, COPY TO and COPY
 * FROM — against PGlite in the page and against PostgreSQL 18 through the WebSocket bridge. Vite's
 * only complaints may come from PGlite's bundle, never from ours.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { assertBrowserEntryBuilt, launchChromium, openPage, servePage } from '../support/browser-page.js';
import { connectAs, pgServer } from '../support/facts.js';
import { viteBuildPage } from '../support/vite-page.js';
import { startBridge } from '../support/ws-bridge.js';
import type { Bridge } from '../support/ws-bridge.js';
import type { PageApi, Target } from './pages/e2e-page.js';

const PAGE = new URL('./pages/e2e-page.ts', import.meta.url).pathname;

describe('pg-stream/browser in a Vite app (no configuration), in Chromium', () => {
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  let bridge: Bridge;
  let page: Page;
  let errors: string[];
  let warnings: string[];

  beforeAll(async () => {
    assertBrowserEntryBuilt();
    const built = await viteBuildPage(PAGE);
    warnings = built.warnings;
    browser = await launchChromium();
    bridge = await startBridge();
    server = await servePage(built.files);
    ({ page, errors } = await openPage(browser, server.url, 'pgs'));
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await bridge?.close();
  });


  it("Vite builds the app; none of its warnings is about pg-stream's files", () => {
    // Vite warns about PGlite's bundle (node: imports, eval) and about the app's size (PGlite is big).
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.filter((w) => w.includes('dist/bundle/') || w.includes('pg-stream/'))).toEqual([]);
  });

  it('over PGliteTransport, PGlite bundled by Vite with its assets', async () => {
    await page.evaluate(() => (globalThis as unknown as { pgs: PageApi }).pgs.startPglite());
    const report = await page.evaluate(() => (globalThis as unknown as { pgs: PageApi }).pgs.scenario({ kind: 'pglite' }));
    expect(report.versionRow).toMatch(/^PostgreSQL \d+/);
    expect(report.params).toEqual([[42, 'héllo', `${2n ** 60n}n`]]);
    expect(report.pipeline).toEqual([[[1]], [['two']], [[1], [2], [3]]]);
    expect(report.copyTo).toEqual({ lines: 5000, first: '1\tv1', last: '5000\tv5000' });
    expect(report.copyFrom).toEqual({ rowCount: 1000, check: [['1000n', '500500n']] });
    expect(errors).toEqual([]);
  }, 120_000);

  it('over WebSocketTransport to PostgreSQL 18 through the bridge', async () => {
    const facts = connectAs(pgServer(18));
    const target: Target = { kind: 'websocket', url: bridge.url, address: `${facts.host}:${facts.port}`, user: facts.user, password: facts.password!, database: facts.database };
    const report = await page.evaluate((t) => (globalThis as unknown as { pgs: PageApi }).pgs.scenario(t), target);
    expect(report.versionRow).toMatch(/^PostgreSQL 18\./);
    expect(report.params).toEqual([[42, 'héllo', `${2n ** 60n}n`]]);
    expect(report.pipeline).toEqual([[[1]], [['two']], [[1], [2], [3]]]);
    expect(report.copyTo).toEqual({ lines: 5000, first: '1\tv1', last: '5000\tv5000' });
    expect(report.copyFrom).toEqual({ rowCount: 1000, check: [['1000n', '500500n']] });
    expect(errors).toEqual([]);
  }, 60_000);
});
