/**
 * Driving the trace page (dist/trace-page) in Chromium for test/browser/trace-page.test.ts: the
 * page server of the built command line (`pg-stream trace --page`), opening the page, loading
 * files the ways a person does (file picker, drop, paste), and reading what the table shows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';

/** The browser window of the tests (and of the screenshot). */
export const VIEWPORT = { width: 1280, height: 860 };

/** A table row as the page shows it. */
export interface ShownRow {
  readonly line: string;
  readonly time: string;
  readonly direction: string;
  readonly length: string;
  readonly name: string;
  readonly fields: string;
}

/** Starts `pg-stream trace --page` (the built CLI, `cli`, run in `cwd`) and reads the page's address from its output. */
export async function startPageServer(cli: string, cwd: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [cli, 'trace', '--page'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pg-stream trace --page printed no address:\n${output}`)), 15_000);
    const look = (): void => {
      const m = /the trace page is at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => reject(new Error(`pg-stream trace --page exited with ${code}:\n${output}`)));
  });
  return { child, url, output: () => output };
}

/** Opens the page and waits until its script is ready; page errors and console errors are collected. */
export async function openTracePage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: VIEWPORT });
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { state: 'attached', timeout: 30_000 });
  return { page, errors };
}

/** The rows of the table, as shown. */
export async function shownRows(page: Page): Promise<ShownRow[]> {
  return page.$$eval('#trace-body tr', (trs) =>
    trs.map((tr) => {
      const cells = (tr as HTMLTableRowElement).cells;
      return {
        line: (tr as HTMLElement).title,
        time: cells[1]!.textContent ?? '',
        direction: (tr as HTMLElement).dataset['direction'] ?? '',
        length: cells[3]!.textContent ?? '',
        name: cells[4]!.textContent ?? '',
        fields: cells[5]!.textContent ?? '',
      };
    }),
  );
}

/** The text of the element `selector`. */
export const text = (page: Page, selector: string): Promise<string> => page.$eval(selector, (e) => e.textContent ?? '');
/** The errors the page shows, with their codes. */
export const shownErrors = (page: Page): Promise<{ code: string; text: string }[]> =>
  page.$$eval('#errors .error', (boxes) => boxes.map((b) => ({ code: (b as HTMLElement).dataset['code'] ?? '', text: b.textContent ?? '' })));

/** Loads a file through the file picker and waits until the page shows it. */
export async function chooseFile(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  await page.setInputFiles('#file-input', { name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
  await page.waitForFunction((n) => (document.getElementById('source')?.textContent ?? '').startsWith(`${n} — `) && !document.getElementById('source')!.textContent!.includes('decoding'), name);
}

/** Drops a file on the drop zone (a real `drop` event carrying the file) and waits until the page shows it. */
export async function dropFile(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  const transfer = await page.evaluateHandle(({ data, fileName }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], fileName));
    return dt;
  }, { data: [...bytes], fileName: name });
  await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer: transfer });
  await page.waitForFunction((n) => (document.getElementById('source')?.textContent ?? '').startsWith(`${n} — `) && !document.getElementById('source')!.textContent!.includes('decoding'), name);
}

/** Pastes a hex dump and decodes it. */
export async function pasteDump(page: Page, dump: string): Promise<void> {
  await page.click('#paste summary');
  await page.fill('#hex-input', dump);
  await page.click('#hex-decode');
  await page.waitForFunction(() => document.getElementById('source')?.textContent === 'pasted text — hex dump');
}
