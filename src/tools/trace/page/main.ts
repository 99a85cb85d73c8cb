/**
 * The trace page's entry (index.html loads its bundle): a capture dropped, chosen or pasted is
 * decoded in the page with the trace tool's core (decode-input.ts) and shown as a table
 * (table.ts); the live tab runs a session against PGlite in the page (live.ts) and shows its
 * messages as they happen. Nothing leaves the page: there is no server side.
 */
import { initCore } from '../../../codec.js';
import type { Side } from '../index.js';
import { decodeFile, decodeText, describeSession, shownError, traceScannedSession, type DecodedTrace, type ShownError } from './decode-input.js';
import { LiveSession, pgliteUrl, type QueryMode } from './live.js';
import { TraceTable } from './table.js';

/** What the table shows for one tab. */
interface View {
  /** The source line: what was decoded. */
  source: string;
  lines: string[];
  errors: ShownError[];
}

type Tab = 'capture' | 'live';

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`trace page: index.html has no #${id}`);
  return el as T;
}

const el = {
  tabCapture: byId<HTMLButtonElement>('tab-capture'),
  tabLive: byId<HTMLButtonElement>('tab-live'),
  panelCapture: byId<HTMLElement>('panel-capture'),
  panelLive: byId<HTMLElement>('panel-live'),
  dropZone: byId<HTMLElement>('drop-zone'),
  fileInput: byId<HTMLInputElement>('file-input'),
  rawSide: byId<HTMLSelectElement>('raw-side'),
  hexInput: byId<HTMLTextAreaElement>('hex-input'),
  hexDecode: byId<HTMLButtonElement>('hex-decode'),
  liveStart: byId<HTMLButtonElement>('live-start'),
  liveStatus: byId<HTMLElement>('live-status'),
  liveQuery: byId<HTMLElement>('live-query'),
  sqlInput: byId<HTMLTextAreaElement>('sql-input'),
  sqlRun: byId<HTMLButtonElement>('sql-run'),
  sqlMode: byId<HTMLSelectElement>('sql-mode'),
  sqlStatus: byId<HTMLElement>('sql-status'),
  source: byId<HTMLElement>('source'),
  sessionPicker: byId<HTMLSelectElement>('session-picker'),
  errors: byId<HTMLElement>('errors'),
};

const table = new TraceTable({
  wrap: byId('table-wrap'),
  table: byId('trace-table'),
  body: byId('trace-body'),
  types: byId('type-filter'),
  text: byId('text-filter'),
  frontend: byId('show-frontend'),
  backend: byId('show-backend'),
  allTypes: byId('types-all'),
  noTypes: byId('types-none'),
  count: byId('count'),
  more: byId('show-more'),
  empty: byId('empty'),
});

const views: Record<Tab, View> = {
  capture: { source: '', lines: [], errors: [] },
  live: { source: '', lines: [], errors: [] },
};
let tab: Tab = 'capture';
/** The capture last decoded (for the session picker), with its name. */
let decoded: { name: string; trace: DecodedTrace } | null = null;
let live: LiveSession | null = null;

function renderErrors(errors: readonly ShownError[]): void {
  el.errors.replaceChildren(
    ...errors.map((e) => {
      const box = document.createElement('div');
      box.className = 'error';
      box.dataset['code'] = e.code;
      const code = document.createElement('span');
      code.className = 'error-code';
      code.textContent = e.code;
      box.append(code, e.message);
      return box;
    }),
  );
  el.errors.hidden = errors.length === 0;
}

/** Shows the current tab's view: its source line, errors and messages. */
function show(): void {
  const view = views[tab];
  el.source.textContent = view.source;
  renderErrors(view.errors);
  el.sessionPicker.hidden = tab !== 'capture' || decoded === null || (decoded.trace.scan?.sessions.length ?? 0) < 2;
  table.replace(view.lines);
}

function selectTab(next: Tab): void {
  tab = next;
  el.tabCapture.setAttribute('aria-selected', String(next === 'capture'));
  el.tabLive.setAttribute('aria-selected', String(next === 'live'));
  el.panelCapture.hidden = next !== 'capture';
  el.panelLive.hidden = next !== 'live';
  show();
}

/** Shows a decoded capture or dump on the capture tab. */
function showDecoded(name: string, trace: DecodedTrace): void {
  decoded = { name, trace };
  el.dropZone.classList.add('compact');
  const sessions = trace.scan?.sessions ?? [];
  let source = `${name} — ${trace.format}`;
  if (trace.session > 0) source += `, session ${trace.session} of ${sessions.length}`;
  views.capture = { source, lines: [...trace.lines], errors: [...trace.errors] };
  el.sessionPicker.replaceChildren(
    ...sessions.map((s) => {
      const option = document.createElement('option');
      option.value = String(s.number);
      option.textContent = describeSession(s);
      option.selected = s.number === trace.session;
      return option;
    }),
  );
  selectTab('capture');
}

const rawSide = (): Side => (el.rawSide.value === 'backend' ? 'backend' : 'frontend');

/** Decodes after the browser had a chance to paint the "decoding" line (a large capture takes a moment). */
function decodeLater(name: string, decode: () => DecodedTrace): void {
  el.source.textContent = `${name} — decoding…`;
  setTimeout(() => showDecoded(name, decode()), 0);
}

async function loadFile(file: File): Promise<void> {
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    decodeLater(file.name, () => decodeFile(bytes, rawSide()));
  } catch (err) {
    showDecoded(file.name, { format: 'unreadable file', lines: [], errors: [shownError(err)], scan: null, session: 0 });
  }
}

el.fileInput.addEventListener('change', () => {
  const file = el.fileInput.files?.[0];
  if (file !== undefined) void loadFile(file);
  el.fileInput.value = '';
});
el.dropZone.addEventListener('dragover', (event) => {
  event.preventDefault();
  el.dropZone.classList.add('over');
});
el.dropZone.addEventListener('dragleave', () => el.dropZone.classList.remove('over'));
el.dropZone.addEventListener('drop', (event) => {
  event.preventDefault();
  el.dropZone.classList.remove('over');
  const file = event.dataTransfer?.files[0];
  if (file !== undefined) void loadFile(file);
});
// A file dropped next to the zone must not make the browser navigate away from the page.
window.addEventListener('dragover', (event) => event.preventDefault());
window.addEventListener('drop', (event) => event.preventDefault());

el.hexDecode.addEventListener('click', () => {
  const text = el.hexInput.value;
  decodeLater('pasted text', () => decodeText(text, rawSide()));
});

el.sessionPicker.addEventListener('change', () => {
  if (decoded === null || decoded.trace.scan === null) return;
  const { name, trace } = decoded;
  const scan = trace.scan!;
  decodeLater(name, () => traceScannedSession(scan, trace.format, Number(el.sessionPicker.value)));
});

el.tabCapture.addEventListener('click', () => selectTab('capture'));
el.tabLive.addEventListener('click', () => selectTab('live'));

function setStatus(target: HTMLElement, text: string, bad = false): void {
  target.textContent = text;
  target.classList.toggle('bad', bad);
}

/** A line of the live session: kept, and shown at once when the live tab is open. */
function liveLine(line: string): void {
  views.live.lines.push(line);
  if (tab === 'live') table.append(line);
}

el.liveStart.addEventListener('click', async () => {
  el.liveStart.disabled = true;
  const url = pgliteUrl(location, document);
  views.live = { source: 'Live session — PGlite in this page', lines: [], errors: [] };
  selectTab('live');
  setStatus(el.liveStatus, `starting PGlite from ${url} (it runs initdb: a few seconds)…`);
  try {
    live = await LiveSession.start(url, liveLine);
  } catch (err) {
    const shown = shownError(err);
    views.live.errors.push(shown);
    renderErrors(views.live.errors);
    setStatus(el.liveStatus, 'PGlite did not start', true);
    el.liveStart.disabled = false;
    return;
  }
  views.live.source = `Live session — PostgreSQL ${live.serverVersion} (PGlite) in this page`;
  if (tab === 'live') el.source.textContent = views.live.source;
  setStatus(el.liveStatus, 'connected');
  el.liveStart.hidden = true;
  el.liveQuery.hidden = false;
  el.sqlInput.focus();
});

async function runSql(): Promise<void> {
  if (live === null || el.sqlRun.disabled) return;
  const sql = el.sqlInput.value;
  el.sqlRun.disabled = true;
  setStatus(el.sqlStatus, 'running…');
  try {
    const mode: QueryMode = el.sqlMode.value === 'extended' ? 'extended' : 'simple';
    const summary = await live.run(sql, mode);
    const done = summary.commands.length > 0 ? `${summary.commands.join(', ')} · ${summary.rows} rows` : '';
    if (summary.error !== null) setStatus(el.sqlStatus, `${done ? `${done} · ` : ''}ERROR: ${summary.error}`, true);
    else setStatus(el.sqlStatus, done || 'done');
  } catch (err) {
    const shown = shownError(err);
    views.live.errors.push(shown);
    if (tab === 'live') renderErrors(views.live.errors);
    setStatus(el.sqlStatus, `${shown.code}: ${shown.message}`, true);
  } finally {
    el.sqlRun.disabled = false;
  }
}

el.sqlRun.addEventListener('click', () => void runSql());
el.sqlInput.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    void runSql();
  }
});

// The codec's WebAssembly core compiles asynchronously once; the page says it is ready after.
void initCore().then(
  () => {
    document.body.dataset['ready'] = 'true';
  },
  (err: unknown) => {
    views.capture.errors = [shownError(err)];
    show();
  },
);
