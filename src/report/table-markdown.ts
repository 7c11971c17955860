/** The report as Markdown (GitHub tables), with the charts linked when given. */
import { escapeMarkdown } from './format.js';
import type { ColumnConditions } from './conditions.js';
import { CHECKS_TITLE } from './checks.js';
import type { ReportText, TextTable } from './table-model.js';

/** The report as Markdown (GitHub tables), with the charts linked when given. */
export function renderMarkdown(text: ReportText, opts: { conditions?: ColumnConditions[]; charts?: { title: string; file: string }[] } = {}): string {
  const out: string[] = [`# ${escapeMarkdown(text.title)}`, ''];
  out.push(...table(text.index), '');
  out.push(`## Ratios of the Index Score against ${escapeMarkdown(text.baseline.displayLabel)}`, '');
  for (const r of text.ratios) out.push(`- ${escapeMarkdown(r.columnSentence)}; ${escapeMarkdown(r.baselineSentence)}.`);
  if (text.ratios.length === 0) out.push('- Only one column: nothing to compare.');
  out.push('', `_${escapeMarkdown(text.convention)}_`, '');
  out.push(...table(text.normalised), '');
  if (opts.charts?.length) {
    out.push('## Charts', '');
    for (const c of opts.charts) out.push(`![${escapeMarkdown(c.title)}](${c.file})`, '');
  }
  if (opts.conditions?.length) {
    out.push('## Conditions', '');
    for (const c of opts.conditions) {
      out.push(`### ${escapeMarkdown(c.column.displayLabel)}`, '');
      for (const [k, v] of c.items) out.push(`- ${escapeMarkdown(k)}: ${escapeMarkdown(v)}`);
      out.push('');
    }
  }
  if (text.checks.length) {
    out.push(`## ${CHECKS_TITLE}`, '');
    for (const c of text.checks) {
      out.push(`### ${escapeMarkdown(c.column.displayLabel)}`, '');
      for (const l of c.lines) out.push(`- ${escapeMarkdown(l)}`);
      out.push('');
    }
  }
  if (text.notes.length) {
    out.push('## Notes', '');
    for (const n of text.notes) out.push(`- ${escapeMarkdown(n)}`);
    out.push('');
  }
  return out.join('\n');
}

function table(t: TextTable): string[] {
  const out = [`## ${escapeMarkdown(t.title)}`, ''];
  out.push(`| ${t.header.map(escapeMarkdown).join(' | ')} |`);
  out.push(`|${t.header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
  for (const r of t.rows) {
    const cells = [r.label, ...r.cells].map((c) => (r.emphasis ? `**${escapeMarkdown(c)}**` : escapeMarkdown(c)));
    out.push(`| ${cells.join(' | ')} |`);
  }
  if (t.notes.length) out.push('', ...t.notes.map((n) => `_${escapeMarkdown(n)}_`));
  return out;
}
