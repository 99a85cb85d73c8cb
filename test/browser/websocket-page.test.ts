/**
 * End to end in a real headless Chromium: `pg-stream/browser` (the published bundle) talks to the
 * suite's PostgreSQL 18 through the browser's own WebSocket and a WebSocket-to-TCP bridge
 * (test/support/ws-bridge.ts, `?address=`): SCRAM, the seed's quick start, an extended-protocol
 * query with parameters, a pipelined batch, COPY TO STDOUT and COPY FROM STDIN; and a connect that
 * fails is the typed error. The page reports what it saw (test/browser/pages/e2e-page.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { assertBrowserEntryBuilt, bundlePage, launchChromium, openPage, servePage } from '../support/browser-page.js';
import { connectAs, pgServer } from '../support/facts.js';
import { startBridge } from '../support/ws-bridge.js';
import type { Bridge } from '../support/ws-bridge.js';
import type { PageApi, Target } from './pages/e2e-page.js';

const PAGE = new URL('./pages/e2e-page.ts', import.meta.url).pathname;

describe('pg-stream/browser in Chromium, PostgreSQL 18 through a WebSocket bridge', () => {
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  let bridge: Bridge;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    assertBrowserEntryBuilt();
    browser = await launchChromium();
    bridge = await startBridge();
    server = await servePage(await bundlePage(PAGE));
    ({ page, errors } = await openPage(browser, server.url, 'pgs'));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await bridge?.close();
  });

  it('SCRAM, quick start, parameters, a pipeline, COPY TO and COPY FROM over WebSocketTransport', async () => {
    const facts = connectAs(pgServer(18));
    const target: Target = { kind: 'websocket', url: bridge.url, address: `${facts.host}:${facts.port}`, user: facts.user, password: facts.password!, database: facts.database };
    const before = bridge.connections;
    const report = await page.evaluate((t) => (globalThis as unknown as { pgs: PageApi }).pgs.scenario(t), target);
    console.log(`WebSocket from the page: scenario ms ${JSON.stringify(report.ms)}; ${browser.version()}`);
    expect(bridge.connections).toBe(before + 1);
    expect(report.serverVersion).toMatch(/^18\./);
    expect(report.versionRow).toMatch(/^PostgreSQL 18\./);
    expect(report.params).toEqual([[42, 'héllo', `${2n ** 60n}n`]]);
    expect(report.pipeline).toEqual([[[1]], [['two']], [[1], [2], [3]]]);
    expect(report.copyTo).toEqual({ lines: 5000, first: '1\tv1', last: '5000\tv5000' });
    expect(report.copyFrom).toEqual({ rowCount: 1000, check: [['1000n', '500500n']] });
    expect(errors).toEqual([]);
  }, 60_000);

  it('a bridge that is not there: PGS_SOCKET_ERROR with the close code, in the browser', async () => {
    const dead = await startBridge();
    await dead.close();
    const err = await page.evaluate((url) => (globalThis as unknown as { pgs: PageApi }).pgs.connectError(url), dead.url);
    expect(err.name).toBe('ConnectionError');
    expect(err.code).toBe('PGS_SOCKET_ERROR');
    expect(err.message).toMatch(/close code 1006/);
  });
});
