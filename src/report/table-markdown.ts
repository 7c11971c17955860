/** The report as Markdown (GitHub tables), with the charts linked when given. */
import type { ColumnConditions } from './conditions.js';
import { CHECKS_TITLE } from './checks.js';
import type { ReportText, TextTable } from './table-model.js';

/** The report as Markdown (GitHub tables), with the charts linked when given. */
export function renderMarkdown(text: ReportText, opts: { conditions?: ColumnConditions[]; charts?: { title: string; file: string }[] } = {}): string {
  const out: string[] = [`# ${esc(text.title)}`, ''];
  out.push(...table(text.index), '');
  out.push(`## Ratios of the Index Score against ${esc(text.baseline.displayLabel)}`, '');
  for (const r of text.ratios) out.push(`- ${esc(r.columnSentence)}; ${esc(r.baselineSentence)}.`);
  if (text.ratios.length === 0) out.push('- Only one column: nothing to compare.');
  out.push('', `_${esc(text.convention)}_`, '');
  out.push(...table(text.normalised), '');
  if (opts.charts?.length) {
    out.push('## Charts', '');
    for (const c of opts.charts) out.push(`![${esc(c.title)}](${c.file})`, '');
  }
  if (opts.conditions?.length) {
    out.push('## Conditions', '');
    for (const c of opts.conditions) {
      out.push(`### ${esc(c.column.displayLabel)}`, '');
      for (const [k, v] of c.items) out.push(`- ${esc(k)}: ${esc(v)}`);
      out.push('');
    }
  }
  if (text.checks.length) {
    out.push(`## ${CHECKS_TITLE}`, '');
    for (const c of text.checks) {
      out.push(`### ${esc(c.column.displayLabel)}`, '');
      for (const l of c.lines) out.push(`- ${esc(l)}`);
      out.push('');
    }
  }
  if (text.notes.length) {
    out.push('## Notes', '');
    for (const n of text.notes) out.push(`- ${esc(n)}`);
    out.push('');
  }
  return out.join('\n');
}

function table(t: TextTable): string[] {
  const out = [`## ${esc(t.title)}`, ''];
  out.push(`| ${t.header.map(esc).join(' | ')} |`);
  out.push(`|${t.header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const r of t.rows) {
    const cells = [r.label, ...r.cells].map((c) => (r.emphasis ? `**${esc(c)}**` : esc(c)));
    out.push(`| ${cells.join(' | ')} |`);
  }
  if (t.notes.length) out.push('', ...t.notes.map((n) => `_${esc(n)}_`));
  return out;
}

/** Escapes what Markdown would read as table or emphasis syntax. */
function esc(s: string): string {
  return s.replace(/([\\|*_`[\]<>])/g, '\\$1');
}
