/**
 * UnixBench's numbers as measurement records: per pass, each index table row (raw value, baseline,
 * result, index), the tests printed without an index, each table's score, and the per-iteration
 * scores of the .log. The order is the order of the CSV export.
 */
import type { WorkloadMeasurement } from '../../core/measurement.js';
import { INDEX_TESTS, SYSTEM_CATEGORY } from './catalogue.js';
import type { UnixBenchIndexTable, UnixBenchPass, UnixBenchReport } from './model.js';

const UNLISTED = INDEX_TESTS.length;

function orderOf(test: string, table: readonly string[]): number {
  const i = INDEX_TESTS.indexOf(test);
  return i >= 0 ? i : UNLISTED + Math.max(0, table.indexOf(test));
}

function passMeasurements(pass: UnixBenchPass): WorkloadMeasurement[] {
  const tables = [pass.index, ...(pass.otherIndexes ?? [])].filter((t): t is UnixBenchIndexTable => t !== undefined);
  const { copies, cpusInSystem } = pass;
  const level = 'run';
  const names = pass.tests.map((t) => t.name);
  const out: WorkloadMeasurement[] = [];
  const seen = new Set<string>();
  for (const table of tables) {
    const category = table.category ?? SYSTEM_CATEGORY;
    for (const row of table.rows) {
      const t = pass.tests.find((x) => x.name === row.name);
      seen.add(row.name);
      out.push({
        copies, cpusInSystem, level, category, test: row.name, kind: 'test', order: orderOf(row.name, names),
        raw: t ? { value: t.value, unit: t.unit, seconds: t.seconds, samples: t.samples } : undefined,
        baseline: row.baseline ?? undefined, indexed: row.result ?? undefined, index: row.index,
      });
    }
  }
  for (const t of pass.tests) {
    if (seen.has(t.name)) continue;
    out.push({ copies, cpusInSystem, level, test: t.name, kind: 'test', order: orderOf(t.name, names), raw: { value: t.value, unit: t.unit, seconds: t.seconds, samples: t.samples } });
  }
  for (const table of tables) {
    const category = table.category ?? SYSTEM_CATEGORY;
    out.push({ copies, cpusInSystem, level, category, test: `${category} Index Score`, kind: 'score', order: Number.MAX_SAFE_INTEGER, index: table.score, partial: table.partial });
  }
  return out;
}

/** Every number of a UnixBench report (empty passes hold none). */
export function unixbenchMeasurements(report: UnixBenchReport): WorkloadMeasurement[] {
  const out = report.passes.filter((p) => !p.empty).flatMap(passMeasurements);
  for (const t of report.log?.tests ?? []) {
    t.iterations.forEach((value, i) => {
      out.push({ test: t.name, kind: 'test', level: 'iteration', copies: t.copies, order: orderOf(t.name, []), raw: { value }, iteration: i + 1 });
    });
  }
  return out;
}
