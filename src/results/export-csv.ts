import { stringify } from 'csv-stringify/sync';
import type { UnixBenchIndexTable, UnixBenchPass } from '../workloads/unixbench/model.js';
import type { ResultDoc, ResultSet } from './model.js';

/**
 * One CSV row per (result, pass, test): the raw value with its unit where UnixBench printed it,
 * the baseline/result/index where an index table has the test, and one row per index table for
 * its Index Score. Published results (2011) have index rows only.
 */
export const CSV_COLUMNS = [
  'set', 'result_id', 'target', 'label', 'method', 'host', 'repetition', 'status', 'emulated', 'published',
  'copies', 'cpus_in_system', 'category', 'test', 'value', 'unit', 'seconds', 'samples', 'baseline', 'result', 'index', 'partial', 'error',
] as const;

export type CsvColumn = (typeof CSV_COLUMNS)[number];
type Row = Record<CsvColumn, string | number | boolean | null>;

export function resultRows(setName: string, doc: ResultDoc): Row[] {
  const base = {
    set: setName,
    result_id: doc.id,
    target: doc.target.name,
    label: doc.target.label ?? doc.target.name,
    method: doc.target.method,
    host: doc.target.host,
    repetition: doc.repetition,
    status: doc.status,
    emulated: doc.emulated,
    published: doc.published !== undefined,
  };
  const empty = { copies: null, cpus_in_system: null, category: null, test: null, value: null, unit: null, seconds: null, samples: null, baseline: null, result: null, index: null, partial: null, error: null };
  const passes = doc.unixbench?.passes ?? [];
  if (doc.status === 'failed' && passes.every((p) => p.empty)) {
    return [{ ...base, ...empty, error: doc.error?.message ?? 'failed' }];
  }
  const rows: Row[] = [];
  for (const pass of passes) rows.push(...passRows(pass).map((r) => ({ ...base, ...empty, ...r })));
  return rows;
}

function passRows(pass: UnixBenchPass): Partial<Row>[] {
  const tables = [pass.index, ...(pass.otherIndexes ?? [])].filter((t): t is UnixBenchIndexTable => t !== undefined);
  const common = { copies: pass.copies, cpus_in_system: pass.cpusInSystem };
  const rows: Partial<Row>[] = [];
  const seen = new Set<string>();
  for (const table of tables) {
    const category = table.category ?? 'System Benchmarks';
    for (const row of table.rows) {
      const t = pass.tests.find((x) => x.name === row.name);
      seen.add(row.name);
      rows.push({
        ...common, category, test: row.name,
        value: t?.value ?? null, unit: t?.unit ?? null, seconds: t?.seconds ?? null, samples: t?.samples ?? null,
        baseline: row.baseline, result: row.result, index: row.index,
      });
    }
  }
  for (const t of pass.tests) {
    if (seen.has(t.name)) continue;
    rows.push({ ...common, test: t.name, value: t.value, unit: t.unit, seconds: t.seconds, samples: t.samples });
  }
  for (const table of tables) {
    const category = table.category ?? 'System Benchmarks';
    rows.push({ ...common, category, test: `${category} Index Score`, index: table.score, partial: table.partial });
  }
  return rows;
}

export function exportCsv(sets: ResultSet[]): string {
  const rows = sets.flatMap((s) => s.results.flatMap((r) => resultRows(s.name, r)));
  return stringify(rows, {
    header: true,
    columns: [...CSV_COLUMNS],
    cast: { boolean: (v) => (v ? 'true' : 'false') },
  });
}
