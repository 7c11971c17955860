/**
 * The text of a report, independent of its format: the index table, the table normalised to
 * the baseline, the ratio statements and the notes. Terminal, Markdown, HTML and CSV render it.
 */
import { workloadTitle } from '../results/measurements.js';
import { columnChecks, type ColumnChecks } from './checks.js';
import type { ReportTable, ReportColumn } from './report-table.js';
import { scoreRow } from './report-table.js';
import { fmtCell, formatIndex, signedPercent, spreadNote } from './format.js';
import { normalisedTable, ratioConvention, ratiosFor, type Ratio } from './ratios.js';

export interface TextTable {
  title: string;
  header: string[];
  rows: { label: string; cells: string[]; emphasis?: boolean }[];
  notes: string[];
}

export interface ReportText {
  title: string;
  columns: ReportColumn[];
  baseline: ReportColumn;
  index: TextTable;
  normalised: TextTable;
  ratios: Ratio[];
  convention: string;
  notes: string[];
  /** Per column: its checks and findings (src/report/checks.ts). */
  checks: ColumnChecks[];
}

export function reportTitle(cmp: ReportTable): string {
  const names = cmp.sets.map((s) => s.name);
  const workloads = [...new Set(cmp.columns.map((c) => c.key.workload))].map((w) => {
    const versions = [...new Set(cmp.columns.filter((c) => c.key.workload === w).map((c) => c.key.workloadVersion))].sort();
    return `${workloadTitle(w)} ${versions.join(' and ')}`;
  });
  return `${workloads.join(', ')} comparison: ${names.join(' + ')}`;
}

export function buildReportText(cmp: ReportTable, baseline: ReportColumn): ReportText {
  const header = ['Test', ...cmp.columns.map((c) => c.displayLabel)];
  const spread = spreadNote(cmp.rows.flatMap((r) => r.cells));
  const index: TextTable = {
    title: 'System Benchmarks Index values (higher is better)',
    header,
    rows: cmp.rows.map((r) => ({ label: r.test, cells: r.cells.map(fmtCell), emphasis: r.kind === 'score' })),
    notes: [...(spread ? [spread] : []), ...publishedNotes(cmp)],
  };
  const normalised: TextTable = {
    title: `Index normalised to ${baseline.displayLabel} (= 100)`,
    header,
    rows: normalisedTable(cmp, baseline).map((r, i) => ({
      label: r.test,
      cells: r.values.map((v, j) => (v === null ? '-' : j === baseline.index ? '100.0' : `${formatIndex(v)} (${signedPercent(v - 100) || '-'})`)),
      emphasis: cmp.rows[i]!.kind === 'score',
    })),
    notes: [`Each value is column / baseline x 100; in brackets the change relative to the baseline.`],
  };
  return {
    title: reportTitle(cmp),
    columns: cmp.columns,
    baseline,
    index,
    normalised,
    ratios: ratiosFor(cmp, baseline),
    convention: ratioConvention(baseline),
    notes: cmp.notes,
    checks: columnChecks(cmp),
  };
}

function publishedNotes(cmp: ReportTable): string[] {
  const sources = new Map<string, string[]>();
  for (const c of cmp.columns) {
    if (!c.published) continue;
    sources.set(c.published.source, [...(sources.get(c.published.source) ?? []), c.label]);
  }
  return [...sources].map(([src, labels]) => `Published figures (${labels.join(', ')}): ${src}`);
}

/** The Index Score of each column, for summaries. */
export function scoreSummary(cmp: ReportTable): { column: ReportColumn; score: string }[] {
  const row = scoreRow(cmp);
  return cmp.columns.map((c) => ({ column: c, score: fmtCell(row.cells[c.index] ?? null) }));
}
