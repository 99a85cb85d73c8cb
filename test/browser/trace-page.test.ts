/**
 * The trace page (dist/trace-page, built by `npm run build`) in a real headless Chromium, served by
 * the built command line itself (`pg-stream trace --page`, which also serves PGlite's files).
 * Captures are recorded from real sessions against the suite's PostgreSQL through the recording
 * proxy (test/support/recording-proxy.ts): two plaintext sessions (SCRAM, a simple query, an
 * extended query, an error) and one that switches to TLS. The page must show every message the
 * trace core decodes (the same lines, split into columns), filter them, pick a session, show the
 * typed errors of a truncated capture, a TLS session, a capture without a session and text that
 * is not hex, decode a pasted dump, and run SQL against PGlite in the page with each message of
 * the session appearing as it happens. A screenshot of a decoded session is written to
 * bench/trace-page.png on every run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { collectTrace, scanCapture, traceCaptureSession } from '../../src/tools/trace/index.js';
import { canonicalLines } from '../fixtures/pg-session.js';
import { launchChromium } from '../support/browser-page.js';
import { httpCapture, manyRowsCapture, record, scramSession, tlsSession, trustSession } from '../support/trace-page-captures.js';
import {
  chooseFile,
  dropFile,
  openTracePage,
  pasteDump,
  shownErrors,
  shownRows,
  startPageServer,
  text,
  VIEWPORT,
  type ShownRow,
} from '../support/trace-page.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/bundle/cli.js');
const PAGE_HTML = join(ROOT, 'dist/trace-page/index.html');
const SCREENSHOT = join(ROOT, 'bench/trace-page.png');
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}\t/;

/** What the trace core decodes of session `n` of a capture (the lines the page must show) and its error code. */
function expected(pcap: Uint8Array, n = 1): { lines: string[]; code: string | null } {
  const scan = scanCapture(pcap);
  const r = collectTrace(traceCaptureSession(scan.sessions[n - 1]!));
  return { lines: r.lines, code: r.error?.code ?? scan.error?.code ?? null };
}

const untimed = (line: string): string => line.replace(TIMESTAMP, '');

/** The expected columns of a line: fields without the leading space; the time of day. */
function columns(line: string): Omit<ShownRow, 'line'> {
  const stamp = TIMESTAMP.exec(line)?.[0].trim() ?? '';
  const [direction, length, name, ...rest] = untimed(line).split('\t');
  return { time: stamp.slice(stamp.indexOf(' ') + 1), direction: direction!, length: length!, name: name!, fields: rest.join('\t').replace(/^ /, '') };
}

describe('the trace page in Chromium', () => {
  let browser: Browser;
  let server: Awaited<ReturnType<typeof startPageServer>>;
  let page: Page;
  let errors: string[];
  /** A second page whose live mode starts in beforeAll: PGlite's initdb takes seconds, run beside the capture tests. */
  let livePage: Page;
  let liveErrors: string[];
  const dump = readFileSync(join(ROOT, 'test/fixtures/hex/session-marked.txt'), 'utf8');
  let sessions: Uint8Array;
  let tls: Uint8Array;

  beforeAll(async () => {
    for (const file of [CLI, PAGE_HTML]) {
      if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first (npm test does)`);
    }
    sessions = await record([scramSession, trustSession]);
    tls = await record([tlsSession]);
    server = await startPageServer(CLI, ROOT);
    browser = await launchChromium();
    ({ page, errors } = await openTracePage(browser, server.url));
    ({ page: livePage, errors: liveErrors } = await openTracePage(browser, server.url));
    await pasteDump(livePage, dump);
    await livePage.click('#tab-live');
    expect(await livePage.isVisible('#panel-capture')).toBe(false);
    await livePage.click('#live-start');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  });

  it('shows a recorded session message by message: time, direction, length, name, fields', async () => {
    const want = expected(sessions);
    expect(want.code).toBeNull();
    expect(want.lines.length).toBeGreaterThan(20);
    await chooseFile(page, 'session.pcap', sessions);
    const rows = await shownRows(page);
    expect(rows.map((r) => r.line)).toEqual(want.lines);
    expect(rows.map(({ line, ...cols }) => cols)).toEqual(want.lines.map(columns));
    expect(rows.slice(0, 7).map((r) => `${r.direction} ${r.name}`)).toEqual([
      'F StartupMessage', 'B AuthenticationSASL', 'F SASLInitialResponse', 'B AuthenticationSASLContinue', 'F SASLResponse',
      'B AuthenticationSASLFinal', 'B AuthenticationOk',
    ]);
    expect(rows[0]!.fields).toMatch(/"user" "scram_user"/);
    expect(rows[0]!.time).toMatch(/^\d\d:\d\d:\d\d\.\d{6}$/);
    expect(rows.find((r) => r.name === 'ErrorResponse')!.fields).toMatch(/C "22012" M "division by zero"/);
    expect(await text(page, '#source')).toBe('session.pcap — pcap, session 1 of 2');
    expect(await text(page, '#count')).toBe(`${want.lines.length} messages`);
    expect(await page.isVisible('#show-more')).toBe(false);
    expect(await shownErrors(page)).toEqual([]);
  });

  it('picks another session of the capture', async () => {
    const options = await page.$$eval('#session-picker option', (os) => os.map((o) => o.textContent ?? ''));
    expect(options).toHaveLength(2);
    expect(options[1]).toMatch(/^session 2: client 10\.0\.0\.2:\d+ → server 10\.0\.0\.1:\d+, \d+ packets$/);
    expect(await page.isVisible('#session-picker')).toBe(true);
    await page.selectOption('#session-picker', '2');
    await page.waitForFunction(() => document.getElementById('source')?.textContent === 'session.pcap — pcap, session 2 of 2');
    const rows = await shownRows(page);
    expect(rows.map((r) => r.line)).toEqual(expected(sessions, 2).lines);
    expect(rows[0]!.fields).toMatch(/"user" "trust_user"/);
    await page.selectOption('#session-picker', '1');
    await page.waitForFunction(() => document.getElementById('source')?.textContent === 'session.pcap — pcap, session 1 of 2');
  });

  it('filters by message type, direction and text; writes the screenshot', async () => {
    const all = expected(sessions).lines.map(untimed);
    const chips = await page.$$eval('#type-filter .chip', (cs) => cs.map((c) => (c as HTMLElement).dataset['name']));
    expect(chips.slice(0, 3)).toEqual(['StartupMessage', 'AuthenticationSASL', 'SASLInitialResponse']);
    expect(new Set(chips)).toEqual(new Set(all.map((l) => l.split('\t')[2])));

    await page.uncheck('#type-filter .chip[data-name="ParameterStatus"] input');
    let rows = await shownRows(page);
    const withoutStatus = all.filter((l) => !l.includes('\tParameterStatus\t'));
    expect(withoutStatus.length).toBeLessThan(all.length - 5);
    expect(rows.map((r) => untimed(r.line))).toEqual(withoutStatus);
    expect(await text(page, '#count')).toBe(`${withoutStatus.length} of ${all.length} messages`);

    await page.fill('#text-filter', 'division');
    rows = await shownRows(page);
    expect(rows.map((r) => r.name)).toEqual(['ErrorResponse']);
    await page.fill('#text-filter', '');

    await page.uncheck('#show-backend');
    rows = await shownRows(page);
    expect(rows.length).toBe(withoutStatus.filter((l) => l.startsWith('F\t')).length);
    expect(rows.every((r) => r.direction === 'F')).toBe(true);
    await page.check('#show-backend');

    await page.click('#types-none');
    expect(await shownRows(page)).toEqual([]);
    expect(await text(page, '#empty')).toBe('No message matches the filters.');
    await page.click('#types-all');
    expect((await shownRows(page)).length).toBe(all.length);

    // The screenshot: the decoded session with ParameterStatus filtered out.
    await page.uncheck('#type-filter .chip[data-name="ParameterStatus"] input');
    const png = await page.screenshot({ path: SCREENSHOT });
    const written = readFileSync(SCREENSHOT);
    expect(written.equals(png)).toBe(true);
    expect([...written.subarray(0, PNG_SIGNATURE.length)]).toEqual(PNG_SIGNATURE);
    // IHDR: width and height, big-endian, right after the signature and the chunk's length and type.
    expect([written.readUInt32BE(16), written.readUInt32BE(20)]).toEqual([VIEWPORT.width, VIEWPORT.height]);
    expect(written.length).toBeGreaterThan(40_000);
    expect(written.length).toBeLessThan(3_000_000);
    await page.click('#types-all');
  });

  it('a large session: the first 1000 matching rows, then "show more"', async () => {
    const capture = manyRowsCapture(1100);
    const want = expected(capture);
    expect(want.code).toBeNull();
    expect(want.lines).toHaveLength(1107);
    await chooseFile(page, 'many.pcap', capture);
    expect((await shownRows(page)).map((r) => r.line)).toEqual(want.lines.slice(0, 1000));
    expect(await text(page, '#count')).toBe('1107 messages (first 1000 shown)');
    await page.click('#show-more');
    expect((await shownRows(page)).map((r) => r.line)).toEqual(want.lines);
    expect(await text(page, '#count')).toBe('1107 messages');
    expect(await page.isVisible('#show-more')).toBe(false);
    // Filtering counts only the matching rows: 1100 DataRows, all in the document after "show more".
    await page.fill('#text-filter', 'DataRow');
    expect(await page.$$eval('#trace-body tr', (trs) => trs.length)).toBe(1100);
    expect(await text(page, '#count')).toBe('1100 of 1107 messages');
    await page.fill('#text-filter', '');
  });

  it('a truncated capture: the messages before the cut, then PGS_CAPTURE_TRUNCATED', async () => {
    const cut = sessions.subarray(0, sessions.length - 30);
    const want = expected(cut);
    expect(want.code).toBe('PGS_CAPTURE_TRUNCATED');
    await chooseFile(page, 'cut.pcap', cut);
    expect((await shownRows(page)).map((r) => r.line)).toEqual(want.lines);
    const shown = await shownErrors(page);
    expect(shown.map((e) => e.code)).toEqual(['PGS_CAPTURE_TRUNCATED']);
    expect(shown[0]!.text).toMatch(/^PGS_CAPTURE_TRUNCATED.*ends inside/);
    expect(await page.isVisible('#errors')).toBe(true);
  });

  it('a TLS session, dropped on the page: SSLRequest, SSLResponse S, then PGS_CAPTURE_ENCRYPTED', async () => {
    await dropFile(page, 'tls.pcap', tls);
    const rows = await shownRows(page);
    expect(rows.map((r) => `${r.direction} ${r.length} ${r.name} ${r.fields}`)).toEqual(['F 8 SSLRequest 1234 5679', 'B 1 SSLResponse S']);
    const shown = await shownErrors(page);
    expect(shown.map((e) => e.code)).toEqual(['PGS_CAPTURE_ENCRYPTED']);
    expect(shown[0]!.text).toContain('the session is TLS-encrypted; capture before TLS or use sslmode=disable');
  });

  it('a capture without a PostgreSQL session, and text that is not hex', async () => {
    await chooseFile(page, 'http.pcap', httpCapture());
    expect(await shownRows(page)).toEqual([]);
    let shown = await shownErrors(page);
    expect(shown.map((e) => e.code)).toEqual(['PGS_CAPTURE_NO_SESSION']);
    expect(shown[0]!.text).toMatch(/no PostgreSQL session found in \d+ packets \(1 TCP connections\)/);
    expect(await text(page, '#empty')).toBe('No messages.');

    await chooseFile(page, 'notes.txt', new TextEncoder().encode('these are notes, not a dump\n'));
    shown = await shownErrors(page);
    expect(shown.map((e) => e.code)).toEqual(['PGS_CAPTURE_INVALID']);
    expect(await shownRows(page)).toEqual([]);
  });

  it('decodes a pasted hex dump', async () => {
    await pasteDump(page, dump);
    const rows = await shownRows(page);
    expect(rows.map((r) => r.line)).toEqual(canonicalLines());
    expect(rows.every((r) => r.time === '')).toBe(true);
    expect(await page.$eval('#trace-table', (t) => t.classList.contains('timed'))).toBe(false);
    expect(await shownErrors(page)).toEqual([]);
  });

  it('live mode: PGlite in the page, each message of the session as it happens', async () => {
    // Started in beforeAll (the tab, then the button).
    const page = livePage;
    await page.waitForSelector('#live-query', { state: 'visible', timeout: 60_000 });
    expect(await page.isVisible('#live-start')).toBe(false);
    let rows = await shownRows(page);
    expect(rows[0]!.name).toBe('StartupMessage');
    expect(rows[0]!.fields).toMatch(/"user" "postgres"/);
    expect(rows.map((r) => `${r.direction} ${r.name}`)).toContain('B AuthenticationOk');
    expect(rows[rows.length - 1]!.name).toBe('ReadyForQuery');
    expect(rows[0]!.time).toMatch(/^\d\d:\d\d:\d\d\.\d{6}$/);
    expect(await text(page, '#source')).toMatch(/^Live session — PostgreSQL \d+\.\d+.* \(PGlite\) in this page$/);
    const startup = rows.length;

    await page.fill('#sql-input', 'SELECT 40 + 2 AS answer');
    await page.click('#sql-run');
    await page.waitForFunction(() => /SELECT 1 · 1 rows/.test(document.getElementById('sql-status')?.textContent ?? ''));
    rows = await shownRows(page);
    // PGlite's backend reports its GUC_REPORT parameters again after a query: ParameterStatus lines, left aside.
    expect(rows.slice(startup).filter((r) => r.name !== 'ParameterStatus').map((r) => `${r.direction} ${r.name} ${r.fields}`)).toEqual([
      'F Query "SELECT 40 + 2 AS answer"',
      'B RowDescription 1 "answer" 0 0 23 4 -1 0',
      "B DataRow 1 2 '42'",
      'B CommandComplete "SELECT 1"',
      'B ReadyForQuery I',
    ]);

    await page.selectOption('#sql-mode', 'extended');
    await page.fill('#sql-input', 'SELECT 1/0');
    await page.press('#sql-input', 'Control+Enter');
    await page.waitForFunction(() => (document.getElementById('sql-status')?.textContent ?? '').includes('ERROR: division by zero'));
    rows = await shownRows(page);
    // After the first statement's ReadyForQuery: the second statement's messages.
    const since = rows.slice(startup);
    const names = since.slice(since.findIndex((r) => r.name === 'ReadyForQuery') + 1).map((r) => `${r.direction} ${r.name}`);
    expect(names.filter((n) => n !== 'B ParameterStatus')).toEqual([
      'F Parse', 'F Describe', 'F Bind', 'F Execute', 'F Sync',
      'B ParseComplete', 'B ParameterDescription', 'B RowDescription', 'B ErrorResponse', 'B ReadyForQuery',
    ]);
    expect(await page.$eval('#sql-status', (s) => s.classList.contains('bad'))).toBe(true);

    // The capture tab kept its own trace.
    await page.click('#tab-capture');
    expect((await shownRows(page)).map((r) => r.line)).toEqual(canonicalLines());
    expect(liveErrors).toEqual([]);
    expect(errors).toEqual([]);
  }, 90_000);

  it('live mode says where it looked when PGlite cannot be loaded', async () => {
    const { page: other } = await openTracePage(browser, `${server.url}?pglite=/no-such-pglite/index.js`);
    await other.click('#tab-live');
    await other.click('#live-start');
    await other.waitForSelector('#errors .error', { timeout: 30_000 });
    const shown = await shownErrors(other);
    expect(shown.map((e) => e.code)).toEqual(['PGS_INVALID_ARGUMENT']);
    expect(shown[0]!.text).toContain(`could not load PGlite from ${server.url}no-such-pglite/index.js`);
    expect(await text(other, '#live-status')).toBe('PGlite did not start');
    expect(await other.isEnabled('#live-start')).toBe(true);
    await other.close();
  });

  it('opened from a file (no server), the page decodes captures; its live mode cannot load PGlite, even an installed one', async () => {
    // PGlite's real entry, as a file:// address: the browser refuses ES modules from file:// pages.
    const installed = pathToFileURL(join(ROOT, 'node_modules/@electric-sql/pglite/dist/index.js')).href;
    expect(existsSync(new URL(installed))).toBe(true);
    const { page: local, errors: localErrors } = await openTracePage(browser, `${pathToFileURL(PAGE_HTML).href}?pglite=${encodeURIComponent(installed)}`);
    await chooseFile(local, 'session.pcap', sessions);
    expect((await shownRows(local)).map((r) => r.line)).toEqual(expected(sessions).lines);
    expect(localErrors).toEqual([]);
    await local.click('#tab-live');
    await local.click('#live-start');
    await local.waitForSelector('#errors .error', { timeout: 30_000 });
    const shown = await shownErrors(local);
    expect(shown.map((e) => e.code)).toEqual(['PGS_INVALID_ARGUMENT']);
    expect(shown[0]!.text).toContain(`could not load PGlite from ${installed}`);
    await local.close();
  });

  it('pg-stream trace --page served PGlite and stops on SIGTERM with status 0', async () => {
    expect(server.output()).toMatch(/live mode: PGlite from .*@electric-sql\/pglite\/dist/);
    const exited = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
