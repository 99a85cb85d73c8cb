/**
 * The trace page's message table and its filters: a checkbox per message type present (with its
 * count), the two directions, and a text filter over the whole line. Rows are added all at once
 * (a decoded capture) or one by one (the live session); at most `limit` matching rows are in the
 * document at a time (a "show more" button adds the next batch), so a large capture stays usable.
 */
import { parseTraceLine, splitFields, type TraceRow } from './trace-line.js';

/** Rows put in the document per batch. */
const ROWS_PER_BATCH = 1000;
/** How close to the bottom (px) the table must be scrolled for a new live row to scroll it along. */
const FOLLOW_SLACK = 40;

/** The elements the table works with (index.html). */
export interface TableElements {
  readonly wrap: HTMLElement;
  readonly table: HTMLTableElement;
  readonly body: HTMLTableSectionElement;
  readonly types: HTMLElement;
  readonly text: HTMLInputElement;
  readonly frontend: HTMLInputElement;
  readonly backend: HTMLInputElement;
  readonly allTypes: HTMLButtonElement;
  readonly noTypes: HTMLButtonElement;
  readonly count: HTMLElement;
  readonly more: HTMLButtonElement;
  /** Shown instead of rows when there are none (or none match). */
  readonly empty: HTMLElement;
}

/** `HH:MM:SS.uuuuuu` of a `YYYY-MM-DD HH:MM:SS.uuuuuu` time (the date goes to the cell's title). */
const timeOfDay = (time: string): string => time.slice(time.indexOf(' ') + 1);

function cell(tr: HTMLTableRowElement, className: string, text: string): HTMLTableCellElement {
  const td = tr.insertCell();
  td.className = className;
  td.textContent = text;
  return td;
}

/** The table row of one message. */
function rowElement(row: TraceRow): HTMLTableRowElement {
  const tr = document.createElement('tr');
  tr.className = `dir-${row.direction}`;
  tr.dataset['name'] = row.name;
  tr.dataset['direction'] = row.direction;
  tr.title = row.line;
  cell(tr, 'num', String(row.number));
  cell(tr, 'time', timeOfDay(row.time)).title = row.time;
  const dir = cell(tr, 'dir', '');
  const badge = document.createElement('span');
  badge.className = `badge badge-${row.direction}`;
  badge.textContent = row.direction;
  badge.title = row.direction === 'F' ? 'frontend: sent by the client' : 'backend: sent by the server';
  dir.append(badge);
  cell(tr, 'len', row.length);
  cell(tr, 'name', row.name);
  const fields = cell(tr, 'fields', '');
  splitFields(row.fields).forEach((token, i) => {
    if (i > 0) fields.append(' ');
    const span = document.createElement('span');
    span.className = `tok tok-${token.kind}`;
    span.textContent = token.text;
    fields.append(span);
  });
  return tr;
}

/** The message table with its filters. */
export class TraceTable {
  private rows: TraceRow[] = [];
  /** Messages per type, in the order the types first appear. */
  private readonly counts = new Map<string, number>();
  private readonly hidden = new Set<string>();
  private limit = ROWS_PER_BATCH;
  /** Rows of `rows` that match the filters and are in the document. */
  private shown = 0;
  private matching = 0;
  /** What the empty table says before anything was loaded. */
  private readonly idle: string;
  /** True once anything was shown (an empty table then says so instead of how to start). */
  private loaded = false;

  constructor(private readonly el: TableElements) {
    this.idle = el.empty.textContent ?? '';
    el.text.addEventListener('input', () => this.render());
    el.frontend.addEventListener('change', () => this.render());
    el.backend.addEventListener('change', () => this.render());
    el.allTypes.addEventListener('click', () => {
      this.hidden.clear();
      this.renderTypes();
      this.render();
    });
    el.noTypes.addEventListener('click', () => {
      for (const name of this.counts.keys()) this.hidden.add(name);
      this.renderTypes();
      this.render();
    });
    el.more.addEventListener('click', () => {
      this.limit += ROWS_PER_BATCH;
      this.render();
    });
  }

  /** Shows `lines` instead of what the table held (the type filter starts with every type shown). */
  replace(lines: readonly string[]): void {
    this.loaded = true;
    this.rows = [];
    this.counts.clear();
    this.hidden.clear();
    this.limit = ROWS_PER_BATCH;
    for (const line of lines) this.add(line);
    this.renderTypes();
    this.render();
  }

  /** Adds one line at the end (the live session), following it when the table is scrolled to the bottom. */
  append(line: string): void {
    const wrap = this.el.wrap;
    const atBottom = wrap.scrollHeight - wrap.scrollTop - wrap.clientHeight <= FOLLOW_SLACK;
    const known = this.counts.size;
    const row = this.add(line);
    if (row === null) return;
    if (this.counts.size !== known) this.renderTypes();
    else this.updateTypeCount(row.name);
    this.el.table.classList.toggle('timed', this.rows.some((r) => r.time !== ''));
    if (this.visible(row)) {
      this.matching++;
      if (this.shown < this.limit) {
        this.el.body.append(rowElement(row));
        this.shown++;
      }
    }
    this.renderCount();
    if (atBottom) wrap.scrollTop = wrap.scrollHeight;
  }

  private add(line: string): TraceRow | null {
    const row = parseTraceLine(line, this.rows.length + 1);
    if (row === null) return null;
    this.rows.push(row);
    this.counts.set(row.name, (this.counts.get(row.name) ?? 0) + 1);
    return row;
  }

  private visible(row: TraceRow): boolean {
    if (this.hidden.has(row.name)) return false;
    if (!(row.direction === 'F' ? this.el.frontend.checked : this.el.backend.checked)) return false;
    const text = this.el.text.value.trim().toLowerCase();
    return text === '' || row.line.toLowerCase().includes(text);
  }

  /** Puts the matching rows (up to the limit) in the document. */
  private render(): void {
    const fragment = document.createDocumentFragment();
    this.shown = 0;
    this.matching = 0;
    for (const row of this.rows) {
      if (!this.visible(row)) continue;
      this.matching++;
      if (this.shown < this.limit) {
        fragment.append(rowElement(row));
        this.shown++;
      }
    }
    this.el.body.replaceChildren(fragment);
    this.el.table.classList.toggle('timed', this.rows.some((r) => r.time !== ''));
    this.renderCount();
  }

  private renderCount(): void {
    const total = this.rows.length;
    const of = this.matching === total ? `${total} messages` : `${this.matching} of ${total} messages`;
    this.el.count.textContent = this.shown < this.matching ? `${of} (first ${this.shown} shown)` : of;
    this.el.more.hidden = this.shown >= this.matching;
    this.el.empty.hidden = this.matching > 0;
    this.el.table.classList.toggle('no-rows', this.matching === 0);
    this.el.empty.textContent = total > 0 ? 'No message matches the filters.' : this.loaded ? 'No messages.' : this.idle;
  }

  /** One checkbox per message type present, with its count. */
  private renderTypes(): void {
    const chips = [...this.counts].map(([name, n]) => {
      const label = document.createElement('label');
      label.className = 'chip';
      label.dataset['name'] = name;
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = !this.hidden.has(name);
      box.addEventListener('change', () => {
        if (box.checked) this.hidden.delete(name);
        else this.hidden.add(name);
        this.render();
      });
      const count = document.createElement('span');
      count.className = 'chip-count';
      count.textContent = String(n);
      label.append(box, ` ${name} `, count);
      return label;
    });
    this.el.types.replaceChildren(...chips);
  }

  private updateTypeCount(name: string): void {
    const chip = Array.from(this.el.types.children).find((c) => (c as HTMLElement).dataset['name'] === name);
    const count = chip?.querySelector('.chip-count');
    if (count) count.textContent = String(this.counts.get(name) ?? 0);
  }
}
