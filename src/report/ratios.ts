/**
 * Ratios against a baseline column, stated both ways so that nobody has to guess which way a
 * percentage is taken. For a column C and the baseline B:
 *   change of C relative to B  = (C - B) / B  ("KVM is 33.1% below LXC (LXC = 100)")
 *   change of B relative to C  = (B - C) / C  ("LXC is 49.6% above KVM (KVM = 100)")
 *   normalised                 = C / B * 100  (B = 100)
 */
import type { ReportTable, ReportColumn } from './report-table.js';
import { sentenceLabel } from './report-table.js';
import { percent } from './format.js';

export interface Ratio {
  test: string;
  column: ReportColumn;
  baseline: ReportColumn;
  value: number;
  baselineValue: number;
  /** (C - B) / B * 100: negative when C is below the baseline. */
  changeVsBaselinePct: number;
  /** (B - C) / C * 100: the same gap taken relative to C. */
  baselineVsColumnPct: number;
  /** C / B * 100 */
  normalised: number;
  /** "KVM is 33.1% below LXC (LXC = 100)" */
  columnSentence: string;
  /** "LXC is 49.6% above KVM (KVM = 100)" */
  baselineSentence: string;
}

export function ratio(test: string, column: ReportColumn, value: number, baseline: ReportColumn, baselineValue: number): Ratio {
  const c = sentenceLabel(column);
  const b = sentenceLabel(baseline);
  const changeVsBaselinePct = ((value - baselineValue) / baselineValue) * 100;
  const baselineVsColumnPct = ((baselineValue - value) / value) * 100;
  return {
    test,
    column,
    baseline,
    value,
    baselineValue,
    changeVsBaselinePct,
    baselineVsColumnPct,
    normalised: (value / baselineValue) * 100,
    columnSentence: `${c} is ${gap(changeVsBaselinePct, b)} (${b} = 100)`,
    baselineSentence: `${b} is ${gap(baselineVsColumnPct, c)} (${c} = 100)`,
  };
}

function gap(pct: number, other: string): string {
  if (percent(Math.abs(pct)) === percent(0)) return `level with ${other} (within 0.05%)`;
  return `${percent(Math.abs(pct))} ${pct < 0 ? 'below' : 'above'} ${other}`;
}

/** Ratios of every other column against the baseline, for one row (default: the Index Score). */
export function ratiosFor(cmp: ReportTable, baseline: ReportColumn, test?: string): Ratio[] {
  const row = test ? cmp.rows.find((r) => r.test === test) : cmp.rows[cmp.rows.length - 1];
  if (!row) return [];
  const b = row.cells[baseline.index];
  if (!b) return [];
  const out: Ratio[] = [];
  for (const col of cmp.columns) {
    if (col.index === baseline.index) continue;
    const c = row.cells[col.index];
    if (c) out.push(ratio(row.test, col, c.center, baseline, b.center));
  }
  return out;
}

/** Every row normalised to the baseline (baseline = 100); null where either value is missing. */
export function normalisedTable(cmp: ReportTable, baseline: ReportColumn): { test: string; values: (number | null)[] }[] {
  return cmp.rows.map((row) => {
    const b = row.cells[baseline.index];
    return { test: row.test, values: row.cells.map((c) => (c && b ? (c.center / b.center) * 100 : null)) };
  });
}

/** The sentence that says how every percentage in a report is taken. */
export function ratioConvention(baseline: ReportColumn): string {
  const b = sentenceLabel(baseline);
  return `Percentages are changes relative to the baseline ${b} (${b} = 100): (column - baseline) / baseline. ` +
    `The reverse statement ("${b} is x% above ...") takes the gap relative to the other column instead, so the two figures differ.`;
}
