/**
 * The report's tables as CSV: table.csv in the seed's shape, and table-long.csv with one line per
 * column and test.
 */
import { stringify } from 'csv-stringify/sync';
import type { ReportTable } from './report-table.js';
import { formatIndex } from './format.js';

/**
 * table.csv: the seed's shape (tests as rows, one column per series, the Index Score last),
 * headers carrying the markers. Values are the geometric means with UnixBench's one decimal.
 */
export function renderCsv(cmp: ReportTable): string {
  const header = ['test', ...cmp.columns.map((c) => c.displayLabel)];
  const rows = cmp.rows.map((r) => [r.test, ...r.cells.map((c) => (c ? formatIndex(c.center) : ''))]);
  return stringify([header, ...rows].map(safeRow));
}

/**
 * table-long.csv: one line per (column, test) with the spread and what each column is, for
 * spreadsheets and scripts that should not parse headers.
 */
export function renderLongCsv(cmp: ReportTable): string {
  const header = ['set', 'target', 'method', 'copies', 'emulated', 'published_source', 'test', 'geometric_mean', 'min', 'max', 'n', 'interval_lower', 'interval_upper'];
  const rows: (string | number)[][] = [];
  for (const col of cmp.columns) {
    for (const r of cmp.rows) {
      const c = r.cells[col.index];
      if (!c) continue;
      rows.push([
        col.key.set,
        col.key.label,
        col.method,
        col.copies ?? '',
        col.emulated ? 'yes (TCG)' : 'no',
        col.published?.source ?? '',
        r.test,
        round(c.center),
        c.min,
        c.max,
        c.n,
        c.interval ? round(c.interval.lower) : '',
        c.interval ? round(c.interval.upper) : '',
      ]);
    }
  }
  return stringify([header, ...rows].map(safeRow));
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or CR) as a formula: text from a
 * result (a label, a set name) is prefixed with a quote so it stays text. Numbers stay numbers.
 */
export function csvText(v: string | number): string | number {
  return typeof v === 'string' && /^[=+\-@\t\r]/.test(v) && !/^-?\d+(\.\d+)?$/.test(v) ? `'${v}` : v;
}

const safeRow = (row: (string | number)[]) => row.map(csvText);
