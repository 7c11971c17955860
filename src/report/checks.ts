/** Each column's checks and findings (src/results/self-checks.ts), for every report format. */
import { selfCheckLines } from '../results/self-checks.js';
import type { ReportTable, ReportColumn } from './report-table.js';

/** Each column's checks and findings (src/results/self-checks.ts), for every report format. */
export interface ColumnChecks {
  column: ReportColumn;
  lines: string[];
}

export const CHECKS_TITLE = 'What the figures say about themselves';

export function columnChecks(cmp: ReportTable): ColumnChecks[] {
  return cmp.columns.map((column) => ({ column, lines: selfCheckLines(column.results, column.copies, !!column.published) }));
}
