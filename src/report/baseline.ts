/** The baseline column of a report, from what the user typed after --baseline. */
import { InputError } from '../core/errors.js';
import type { ReportTable, ReportColumn } from './report-table.js';

/**
 * Picks the baseline column from what the user typed after --baseline: a 1-based column number,
 * or a column's label, target label, target name or method (case-insensitive; an exact match
 * wins, else a unique substring). Absent: the first column.
 */
export function chooseBaseline(cmp: ReportTable, wanted?: string): ReportColumn {
  const cols = cmp.columns;
  if (wanted === undefined || wanted === '') return cols[0]!;
  const list = () => cols.map((c, i) => `${i + 1}: ${c.displayLabel}`).join('; ');
  if (/^\d+$/.test(wanted)) {
    const c = cols[Number(wanted) - 1];
    if (c) return c;
    throw new InputError('REPORT_BASELINE', `--baseline ${wanted}: there are ${cols.length} columns`, { hint: `choose one of ${list()}` });
  }
  const w = wanted.toLowerCase();
  const names = (c: ReportColumn) => [c.displayLabel, c.label, c.key.label, c.targetName, c.method].map((s) => s.toLowerCase());
  const exact = cols.filter((c) => names(c).includes(w));
  if (exact.length === 1) return exact[0]!;
  const partial = exact.length > 1 ? exact : cols.filter((c) => names(c).some((n) => n.includes(w)));
  if (partial.length === 1) return partial[0]!;
  if (partial.length > 1) {
    // "host" with a 1-copy and a 2-copy column: the first one, the way the user reads the table.
    const sameTarget = partial.every((c) => c.key.label === partial[0]!.key.label && c.key.set === partial[0]!.key.set);
    if (sameTarget) return partial[0]!;
    throw new InputError('REPORT_BASELINE', `--baseline '${wanted}' matches ${partial.length} columns: ${partial.map((c) => c.displayLabel).join('; ')}`, {
      hint: `name one column exactly, or give its number (${list()})`,
    });
  }
  throw new InputError('REPORT_BASELINE', `--baseline '${wanted}' matches no column`, { hint: `choose one of ${list()}` });
}
