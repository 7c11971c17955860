/**
 * The report as one self-contained HTML file: inline CSS, charts embedded as SVG data URIs (inlining several cairo SVGs would clash on their glyph ids), no external
 * resources. Emulated and published columns carry their marker in the header and a class.
 */
import { CHECKS_TITLE } from './checks.js';
import type { ColumnConditions } from './conditions.js';
import type { ReportText, TextTable } from './table-model.js';

export interface HtmlChart {
  title: string;
  svg: string;
  caption?: string;
}

const CSS = `
body{font-family:"DejaVu Sans",Verdana,sans-serif;margin:2em auto;max-width:1100px;color:#222;line-height:1.4}
h1{font-size:1.5em;border-bottom:2px solid #2b5c8a;padding-bottom:.3em}
h2{font-size:1.15em;margin-top:1.8em;color:#2b5c8a}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #ccd;padding:.3em .6em}
th{background:#eef3f8;vertical-align:bottom}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.score td{font-weight:bold;background:#f6f6f0}
th.emulated{background:#fde8cf}
.marker{display:block;font-weight:normal;font-size:.8em;color:#a4500a}
th.published .marker{color:#555}
.note{color:#555;font-size:.85em;margin:.2em 0}
.chart{margin:1em 0}
.chart img{max-width:100%;height:auto}
dl{display:grid;grid-template-columns:max-content auto;gap:.1em 1em;font-size:.9em}
dt{color:#555}
dd{margin:0}
`;

export function renderHtml(text: ReportText, opts: { conditions?: ColumnConditions[]; charts?: HtmlChart[]; generatedAt?: string } = {}): string {
  const columnMeta: ColumnMeta[] = text.columns.map((c) => ({ label: c.label, markers: c.markers, emulated: c.emulated, published: !!c.published }));
  const parts: string[] = [];
  parts.push(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(text.title)}</title><style>${CSS}</style></head><body>`);
  parts.push(`<h1>${esc(text.title)}</h1>`);
  if (opts.generatedAt) parts.push(`<p class="note">Generated ${esc(opts.generatedAt)} by virtbench.</p>`);
  parts.push(table(text.index, columnMeta));
  parts.push(`<h2>Ratios of the Index Score against ${esc(text.baseline.displayLabel)}</h2><ul>`);
  for (const r of text.ratios) parts.push(`<li>${esc(r.columnSentence)}; <span class="note">${esc(r.baselineSentence)}</span></li>`);
  if (!text.ratios.length) parts.push('<li>Only one column: nothing to compare.</li>');
  parts.push(`</ul><p class="note">${esc(text.convention)}</p>`);
  parts.push(table(text.normalised, columnMeta));
  for (const c of opts.charts ?? []) {
    parts.push(`<h2>${esc(c.title)}</h2><div class="chart"><img alt="${esc(c.title)}" src="data:image/svg+xml;base64,${Buffer.from(c.svg).toString('base64')}"></div>`);
    if (c.caption) parts.push(`<p class="note">${esc(c.caption)}</p>`);
  }
  if (opts.conditions?.length) {
    parts.push('<h2>Conditions</h2>');
    for (const c of opts.conditions) {
      parts.push(`<h3>${esc(c.column.displayLabel)}</h3><dl>`);
      for (const [k, v] of c.items) parts.push(`<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`);
      parts.push('</dl>');
    }
  }
  if (text.checks.length) {
    parts.push(`<h2>${esc(CHECKS_TITLE)}</h2>`);
    for (const c of text.checks) {
      parts.push(`<h3>${esc(c.column.displayLabel)}</h3><ul>${c.lines.map((l) => `<li${/DISAGREE/.test(l) ? ' class="warn"' : ''}>${esc(l)}</li>`).join('')}</ul>`);
    }
  }
  if (text.notes.length) parts.push(`<h2>Notes</h2><ul>${text.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  parts.push('</body></html>\n');
  return parts.join('\n');
}

interface ColumnMeta {
  label: string;
  markers: string[];
  emulated: boolean;
  published: boolean;
}

function table(t: TextTable, cols: ColumnMeta[]): string {
  const head = cols
    .map((c) => {
      const cls = [c.emulated ? 'emulated' : '', c.published ? 'published' : ''].filter(Boolean).join(' ');
      const marker = c.markers.length ? `<span class="marker">${esc(c.markers.join(', '))}</span>` : '';
      return `<th${cls ? ` class="${cls}"` : ''}>${esc(c.label)}${marker}</th>`;
    })
    .join('');
  const body = t.rows
    .map((r) => `<tr${r.emphasis ? ' class="score"' : ''}><td>${esc(r.label)}</td>${r.cells.map((c) => `<td class="num">${esc(c)}</td>`).join('')}</tr>`)
    .join('\n');
  const notes = t.notes.map((n) => `<p class="note">${esc(n)}</p>`).join('');
  return `<h2>${esc(t.title)}</h2><table><thead><tr><th>${esc(t.header[0]!)}</th>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${notes}`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}
