/**
 * End to end in a real headless Chromium: `pg-stream/browser` (the published bundle) talks to a
 * PGlite running in the same page through PGliteTransport — the seed's quick start, an
 * extended-protocol query with parameters, a pipelined batch, COPY TO STDOUT and COPY FROM STDIN —
 * and the page reports what it saw (test/browser/pages/e2e-page.ts). PGlite starts once (seconds).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { assertBrowserEntryBuilt, bundlePage, launchChromium, openPage, pgliteRuntime, servePage } from '../support/browser-page.js';
import type { PageApi } from './pages/e2e-page.js';

const PAGE = new URL('./pages/e2e-page.ts', import.meta.url).pathname;

describe('pg-stream/browser in Chromium, PGlite in the page', () => {
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  let page: Page;
  let errors: string[];
  let startMs = 0;

  beforeAll(async () => {
    assertBrowserEntryBuilt();
    browser = await launchChromium();
    const files = await bundlePage(PAGE);
    for (const [path, body] of pgliteRuntime()) files.set(path, body);
    server = await servePage(files);
    ({ page, errors } = await openPage(browser, server.url, 'pgs'));
    startMs = await page.evaluate(() => (globalThis as unknown as { pgs: PageApi }).pgs.startPglite());
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('quick start, parameters, a pipeline, COPY TO and COPY FROM over PGliteTransport', async () => {
    const report = await page.evaluate(() => (globalThis as unknown as { pgs: PageApi }).pgs.scenario({ kind: 'pglite' }));
    console.log(`PGlite in the page: started in ${startMs} ms; scenario ms ${JSON.stringify(report.ms)}; ${browser.version()}`);
    expect(report.serverVersion).toMatch(/^\d+\.\d+/);
    expect(report.versionRow).toMatch(/^PostgreSQL \d+/);
    expect(report.params).toEqual([[42, 'héllo', `${2n ** 60n}n`]]);
    expect(report.pipeline).toEqual([[[1]], [['two']], [[1], [2], [3]]]);
    expect(report.copyTo).toEqual({ lines: 5000, first: '1\tv1', last: '5000\tv5000' });
    expect(report.copyFrom).toEqual({ rowCount: 1000, check: [['1000n', '500500n']] });
    expect(errors).toEqual([]);
  }, 60_000);
});
