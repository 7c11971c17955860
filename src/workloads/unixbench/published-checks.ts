/**
 * Checks of published UnixBench figures: each printed Index Score against the geometric mean of
 * its index values, and missing index tests.
 */
import type { UnixBenchCheck, UnixBenchIndexTable } from './model.js';
import { INDEX_TESTS } from './catalogue.js';
import { check, indexGeometricMean, geometricMeanTolerance, indexValue } from './score.js';

/** Printed with %.1f. */
const TENTH = 0.05;

/**
 * What a published pass says about itself, from its printed figures alone (no .log): each index
 * against its result and baseline, and the Index Score against the geometric mean of its index
 * values. Used by the importers of other tools' results.
 */
export function printedIndexChecks(label: string, table: UnixBenchIndexTable, halfUnit = TENTH): UnixBenchCheck[] {
  const checks: UnixBenchCheck[] = [];
  for (const row of table.rows) {
    if (row.baseline === null || row.result === null) continue;
    checks.push(check(`${label}: ${row.name}: index`, row.index, indexValue(row.result, row.baseline), halfUnit + (TENTH * 10) / row.baseline));
  }
  const idx = table.rows.map((r) => r.index);
  if (idx.length > 0) {
    checks.push(
      check(
        `${label}: ${table.category ?? 'System Benchmarks'} Index Score${table.partial ? ' (Partial Only)' : ''}`,
        table.score,
        indexGeometricMean(idx),
        halfUnit + geometricMeanTolerance(idx, idx.map(() => halfUnit)),
      ),
    );
  }
  return checks;
}

/** The index tests a pass lacks, for a finding such as "11 of the 12 index tests; missing: ...". */
export function missingIndexTests(table: UnixBenchIndexTable): string[] {
  return INDEX_TESTS.filter((t) => !table.rows.some((r) => r.name === t));
}

/** One line for a check, as every report and compare output prints it. */
export function describeCheck(c: UnixBenchCheck): string {
  const diff = c.printed - c.recomputed;
  const sign = diff >= 0 ? '+' : '';
  const verdict = c.ok ? 'agrees within rounding' : 'DISAGREES beyond rounding';
  const tol = c.tolerance !== undefined ? ` (rounding allows ±${fmt(c.tolerance)})` : '';
  const against = / Index Score/.test(c.what) && !/from the \.log/.test(c.what) ? 'geometric mean of its index values' : 'recomputed';
  return `${c.what}: printed ${fmt(c.printed)}, ${against} ${fmt(c.recomputed)}, difference ${sign}${fmt(diff)} (${sign}${(c.relativeDifference * 100).toFixed(3)}%)${tol}: ${verdict}`;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  return a >= 100 ? n.toFixed(2) : a >= 1 ? n.toFixed(3) : n.toPrecision(3);
}
