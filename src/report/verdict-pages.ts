import { compareResultSets } from '../analysis/compare.js';
import type { ResultSet } from '../results/model.js';
import type { Comparison, ComparisonColumn } from './comparison.js';
import type { PdfSection } from './pdf.js';
import { verdictSection } from './verdict-section.js';

/** A column as a result set of its own, named by its label, for the analysis to compare. */
function columnSet(col: ComparisonColumn): ResultSet {
  return { source: col.setSource, name: col.label, results: col.results };
}

/**
 * Verdict pages for the report's PDF: every measured column against the baseline column, test by
 * test, with intervals. Published columns (single figures, no samples) have nothing to test and
 * are left out. Each pair is corrected for its own tests (Bonferroni within the pair).
 */
export function verdictPages(cmp: Comparison, baseline: ComparisonColumn): PdfSection[] {
  if (baseline.published) return [];
  const sections: PdfSection[] = [];
  for (const col of cmp.columns) {
    if (col.index === baseline.index || col.published) continue;
    const c = compareResultSets(columnSet(baseline), columnSet(col), {
      // Columns of different methods differ in the guest by design; anything else that differs warns.
      ...(col.method !== baseline.method ? { variable: 'method' } : {}),
      baselineColumn: { target: baseline.targetLabel, ...(baseline.copies !== null ? { copies: baseline.copies } : {}) },
      candidateColumn: { target: col.targetLabel, ...(col.copies !== null ? { copies: col.copies } : {}) },
    });
    const section = verdictSection(c);
    sections.push({ ...section, id: `verdict-${col.index}`, title: `Verdict: ${col.displayLabel} against ${baseline.displayLabel}` });
  }
  return sections;
}
