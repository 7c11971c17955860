import type { UnixBenchCheck } from '../workloads/unixbench/model.js';
import { describeCheck } from '../workloads/unixbench/published-checks.js';
import type { Comparison, ComparisonColumn } from './comparison.js';

/**
 * What each column's figures say about themselves: every check the importer or parser made
 * (published Index Scores against their own index values, recomputed scores) and every finding
 * (a pass with missing tests, what the file does not state). Published and imported columns show
 * every check; measured columns a count, and each check that failed.
 */
export interface ColumnChecks {
  column: ComparisonColumn;
  lines: string[];
}

export const CHECKS_TITLE = 'What the figures say about themselves';

export function columnChecks(cmp: Comparison): ColumnChecks[] {
  return cmp.columns.map((column) => ({ column, lines: linesFor(column) }));
}

function linesFor(col: ComparisonColumn): string[] {
  const checks: UnixBenchCheck[] = [];
  const findings: string[] = [];
  for (const r of unique(col.results)) {
    checks.push(...(r.unixbench?.checks ?? []).filter((c) => forColumn(c, col)));
    for (const f of r.published?.findings ?? []) if (!findings.includes(f)) findings.push(f);
  }
  const lines: string[] = [];
  // Published columns: every Index Score check in full; the rest (and a measured column's many .log checks) summarised.
  const full = col.published ? checks.filter((c) => / Index Score/.test(c.what)) : [];
  const rest = checks.filter((c) => !full.includes(c));
  for (const c of full) lines.push(`check: ${describeCheck(c)}`);
  const bad = rest.filter((c) => !c.ok);
  if (rest.length > 0) {
    lines.push(
      bad.length === 0
        ? `check: ${rest.length} more printed figures recomputed (${col.published ? 'each index from its result and baseline' : 'from the .log and the index table'}); all agree within rounding`
        : `check: ${bad.length} of ${rest.length} more printed figures DISAGREE with their recomputation`,
    );
  }
  for (const c of bad) lines.push(`check: ${describeCheck(c)}`);
  if (checks.length === 0) lines.push(col.published ? 'check: nothing printed here can be recomputed from the file' : 'check: no recomputation (no .log, no index table)');
  for (const f of findings) lines.push(`note: ${f}`);
  return lines;
}

/** A check names its pass ("1 copy: ...", "8 copies: ..."); a column of one copies count shows that pass's checks. */
function forColumn(c: UnixBenchCheck, col: ComparisonColumn): boolean {
  const m = /^(\d+) cop(?:y|ies): /.exec(c.what);
  return !m || col.copies === null || Number(m[1]) === col.copies;
}

function unique<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}
