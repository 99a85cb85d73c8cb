// @ts-check
/**
 * bench/results.svg: a hand-written SVG chart (no dependencies) of a run — every figure of the bar
 * relative to the bar, and our speed-ups over the anchors, on log axes.
 */
import { metricOf } from './summaries.mjs';

/** @import { RunData, Summaries } from './types.js' */

/**
 * Escapes text for SVG.
 * @param {unknown} s
 */
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * One bar of a chart.
 * @typedef {object} ChartRow
 * @property {string} label
 * @property {number | null} value a ratio (null when missing)
 * @property {boolean} good green or red
 * @property {string} text what is printed next to the bar
 */

/**
 * Speed-ups of ours over the anchors (anchor cost ÷ our cost; > 1 means we are faster), for the
 * pairs of which at least one side ran.
 * @param {Summaries} sums
 * @returns {{ label: string, value: number | null }[]}
 */
function speedups(sums) {
  /** @type {{ label: string, value: number | null }[]} */
  const list = [];
  /**
   * @param {string} label
   * @param {string} anchorName
   * @param {string} oursName
   * @param {string} key
   * @param {boolean} [higherIsBetter] for rates (queries/s) rather than costs (ms, CPU)
   */
  const add = (label, anchorName, oursName, key, higherIsBetter = false) => {
    const a = metricOf(sums, anchorName, key);
    const o = metricOf(sums, oursName, key);
    if (!sums[oursName] && !sums[anchorName]) return;
    const value = a && o ? (higherIsBetter ? o / a : a / o) : null;
    list.push({ label, value });
  };
  for (const s of ['rows5', 'rows5_utf8', 'text1k', 'cols40']) {
    add(`${s} strings vs pg-protocol`, `${s}:pgprotocol:strings`, `${s}:ours:strings`, 'ms');
    add(`${s} strings vs pure JS`, `${s}:js:strings`, `${s}:ours:strings`, 'ms');
  }
  add('rows5 WASM frame + index (chunks copied in) vs pure JS', 'rows5:js:index', 'rows5:ours:scancopy', 'ms');
  add('binary7 typed vs pure JS', 'binary7:js:typed', 'binary7:ours:typed', 'ms');
  for (const w of ['bind', 'chain', 'copy']) add(`${w} encode vs pg-protocol`, `${w}:pgprotocol`, `${w}:ours`, 'ms');
  add('bind: bare JS floor vs pg-protocol', 'bind:pgprotocol', 'bind:bare', 'ms');
  add('SELECT client CPU vs pg', 'select:pg', 'select:ours', 'cpu');
  add('SELECT client CPU vs postgres.js', 'select:postgresjs', 'select:ours', 'cpu');
  add('depth 1 q/s vs pg', 'depth1:pg', 'depth1:ours', 'qps', true);
  add('depth 100 q/s vs postgres.js', 'depth100:postgresjs', 'depth100:ours', 'qps', true);
  add('COPY out CPU vs pg-copy-streams', 'copyout:pg', 'copyout:ours', 'cpu');
  add('COPY in CPU vs pg-copy-streams', 'copyin:pg', 'copyin:ours', 'cpu');
  return list;
}

/**
 * A horizontal bar chart on a log2 axis from `min` to `max`, bars growing from the 1× line.
 * @param {string} title
 * @param {string} subtitle
 * @param {readonly ChartRow[]} rows
 * @param {number} y0 where the chart starts
 * @param {{ min: number, max: number, lineLabel: string }} axis
 * @returns {{ svg: string, height: number }}
 */
function chart(title, subtitle, rows, y0, { min, max, lineLabel }) {
  const W = 900;
  const left = 370;
  const right = W - 170;
  const rowH = 22;
  /** @param {number} v */
  const lx = (v) => left + ((Math.log2(Math.min(Math.max(v, min), max)) - Math.log2(min)) / (Math.log2(max) - Math.log2(min))) * (right - left);
  const parts = [];
  parts.push(`<text x="10" y="${y0 + 18}" font-size="15" font-weight="bold">${esc(title)}</text>`);
  parts.push(`<text x="10" y="${y0 + 36}" font-size="11" fill="#555">${esc(subtitle)}</text>`);
  const top = y0 + 48;
  const bottom = top + rows.length * rowH;
  for (let t = min; t <= max; t *= 2) {
    const x = lx(t).toFixed(1);
    parts.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${x}" y="${bottom + 14}" font-size="10" text-anchor="middle" fill="#777">${t >= 1 ? t : `1/${1 / t}`}×</text>`);
  }
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    parts.push(`<text x="${left - 8}" y="${y + 15}" font-size="11" text-anchor="end">${esc(r.label)}</text>`);
    if (r.value === null || !Number.isFinite(r.value)) {
      parts.push(`<text x="${left + 4}" y="${y + 15}" font-size="11" fill="#999" font-style="italic">not available yet</text>`);
      return;
    }
    // Bars grow from the reference line: right = better than the reference, left = worse.
    const x1 = lx(1);
    const x2 = lx(r.value);
    parts.push(`<rect x="${Math.min(x1, x2).toFixed(1)}" y="${y + 4}" width="${Math.max(1, Math.abs(x2 - x1)).toFixed(1)}" height="${rowH - 8}" fill="${r.good ? '#3a9d5d' : '#d0543f'}"/>`);
    parts.push(`<text x="${(Math.max(x2, x1) + 5).toFixed(1)}" y="${y + 15}" font-size="11">${esc(r.text)}</text>`);
  });
  const x1 = lx(1).toFixed(1);
  parts.push(`<line x1="${x1}" y1="${top - 4}" x2="${x1}" y2="${bottom}" stroke="#222" stroke-width="1.5" stroke-dasharray="4 3"/>`);
  parts.push(`<text x="${x1}" y="${top - 7}" font-size="10" text-anchor="middle">${esc(lineLabel)}</text>`);
  return { svg: parts.join('\n'), height: bottom + 24 - y0 };
}

/**
 * results.svg: the bar (measured ÷ bar, log scale) and the speed-ups over the anchors.
 * @param {RunData} data
 */
export function renderSvg(data) {
  const { meta, figures, summaries } = data;
  const W = 900;
  /** @type {ChartRow[]} */
  const barRows = figures.map((x) => ({
    label: x.label.length > 60 ? `${x.label.slice(0, 58)}…` : x.label,
    value: x.norm,
    good: x.status === 'met',
    text: `${x.display} (bar ${x.barText})`,
  }));
  let y = 34;
  const a = chart('The bar: measured relative to the bar (right of the dashed line = met)', '≥ figures: measured ÷ bar; ≤ figures: bar ÷ measured', barRows, y, { min: 1 / 16, max: 16, lineLabel: 'the bar' });
  y += a.height + 10;
  /** @type {ChartRow[]} */
  const sp = speedups(summaries).map((r) => ({ label: r.label, value: r.value, good: r.value !== null && r.value >= 1, text: r.value === null ? '' : `${r.value.toFixed(2)}×` }));
  const b = chart('Speed-up over the anchors (cost of the anchor ÷ our cost; right of the line = faster)', 'same bytes or same server, same run', sp, y, { min: 1 / 8, max: 32, lineLabel: '1× (parity)' });
  y += b.height + 10;
  const head = `<text x="10" y="20" font-size="12" fill="#333">pg-stream bench — ${esc(meta.date.slice(0, 16).replace('T', ' '))} UTC, Node ${esc(meta.node)}, ${esc(meta.cpu)} ×${meta.cores}, PostgreSQL ${esc(meta.postgres ?? '–')}, ${esc(meta.mode)} run</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${y}" viewBox="0 0 ${W} ${y}" font-family="Helvetica, Arial, sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
${head}
${a.svg}
${b.svg}
</svg>
`;
}
