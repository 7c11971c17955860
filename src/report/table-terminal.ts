/**
 * The report as aligned plain text for a terminal. Colour (bold score row, dim notes, red/green
 * ratios) only when `colour` is true, which the CLI sets from stdout.isTTY.
 */
import { CHECKS_TITLE } from './checks.js';
import type { ReportText, TextTable } from './table-model.js';
import { wrapWords } from './format.js';

const MIN_COL = 10;
const MAX_HEADER = 24;

interface Style {
  bold(s: string): string;
  dim(s: string): string;
  warn(s: string): string;
}
const plain: Style = { bold: (s) => s, dim: (s) => s, warn: (s) => s };
const ansi: Style = {
  bold: (s) => `\x1b[1m${s}\x1b[22m`,
  dim: (s) => `\x1b[2m${s}\x1b[22m`,
  warn: (s) => `\x1b[33m${s}\x1b[39m`,
};

export function renderTerminal(text: ReportText, opts: { colour: boolean }): string {
  const st = opts.colour ? ansi : plain;
  const out: string[] = [st.bold(text.title), ''];
  out.push(...table(text.index, st), '');
  out.push(...table(text.normalised, st), '');
  out.push(st.bold(`Ratios of the Index Score against ${text.baseline.displayLabel}`));
  for (const r of text.ratios) {
    out.push(`  ${r.columnSentence}`);
    out.push(`  ${st.dim(r.baselineSentence)}`);
  }
  if (text.ratios.length === 0) out.push('  (only one column: nothing to compare)');
  out.push(st.dim(`  ${text.convention}`));
  if (text.checks.length) {
    out.push('', st.bold(CHECKS_TITLE));
    for (const c of text.checks) {
      out.push(`  ${c.column.displayLabel}`);
      for (const l of c.lines) out.push(`    ${/DISAGREE/.test(l) ? st.warn(l) : l}`);
    }
  }
  if (text.notes.length) {
    out.push('', st.bold('Notes'));
    for (const n of text.notes) out.push(`  ${n.includes('emulated') ? st.warn(n) : n}`);
  }
  return out.join('\n') + '\n';
}

function table(t: TextTable, st: Style): string[] {
  const labelW = Math.max(4, ...t.rows.map((r) => r.label.length), t.header[0]!.length);
  const colW = t.header.slice(1).map((_, j) => Math.max(MIN_COL, ...t.rows.map((r) => r.cells[j]!.length)));
  const headerCols = t.header.slice(1).map((h, j) => wrapWords(h, Math.max(colW[j]!, Math.min(MAX_HEADER, h.length))));
  headerCols.forEach((lines, j) => (colW[j] = Math.max(colW[j]!, ...lines.map((l) => l.length))));
  const height = Math.max(1, ...headerCols.map((l) => l.length));
  const out = [st.bold(t.title)];
  for (let i = 0; i < height; i++) {
    // Header lines are bottom-aligned so the last line of every header sits on the rule.
    const first = i === height - 1 ? t.header[0]! : '';
    const cells = headerCols.map((lines, j) => (lines[i - (height - lines.length)] ?? '').padStart(colW[j]!));
    out.push(st.bold([first.padEnd(labelW), ...cells].join('  ')));
  }
  out.push('-'.repeat(labelW + colW.reduce((a, w) => a + w + 2, 0)));
  for (const r of t.rows) {
    const line = [r.label.padEnd(labelW), ...r.cells.map((c, j) => c.padStart(colW[j]!))].join('  ');
    out.push(r.emphasis ? st.bold(line) : line);
  }
  for (const n of t.notes) out.push(st.dim(n));
  return out;
}
