/**
 * Verdict pages for the report's PDF: every measured column against the baseline column, test by
 * test, with intervals. Published columns (single figures, no samples) have nothing to test and
 * are left out. Each pair is corrected for its own tests (Bonferroni within the pair).
 */
import { compareGroups, DEFAULT_COMPARE_OPTIONS } from '../analysis/compare.js';
import type { ReportTable, ReportColumn } from './report-table.js';
import type { PdfSection } from './pdf.js';
import { verdictSection } from './verdict-section.js';

export function verdictPages(cmp: ReportTable, baseline: ReportColumn): PdfSection[] {
  if (baseline.published) return [];
  const sections: PdfSection[] = [];
  for (const col of cmp.columns) {
    if (col.index === baseline.index || col.published) continue;
    const c = compareGroups([[baseline, col]], { name: baseline.label, source: baseline.source }, { name: col.label, source: col.source }, {
      ...DEFAULT_COMPARE_OPTIONS,
      // Columns of different methods differ in the guest by design; anything else that differs warns.
      ...(col.method !== baseline.method ? { variable: 'method' } : {}),
    });
    const section = verdictSection(c);
    sections.push({ ...section, id: `verdict-${col.index}`, title: `Verdict: ${col.displayLabel} against ${baseline.displayLabel}` });
  }
  return sections;
}
