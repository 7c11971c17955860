/**
 * One CSV row per (result, pass, test): the raw value with its unit where UnixBench printed it,
 * the baseline/result/index where an index table has the test, and one row per index table for
 * its Index Score. Published results (2011) have index rows only.
 */
import { stringify } from 'csv-stringify/sync';
import { resultMeasurements } from './measurements.js';
import type { ResultDoc, ResultSet } from './model.js';

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
  return resultMeasurements({ name: setName, source: setName }, doc)
    .filter((m) => m.level === 'run')
    .map((m) => ({
      ...base, ...empty,
      copies: m.copies, cpus_in_system: m.cpusInSystem ?? null, category: m.category ?? null, test: m.test,
      value: m.raw?.value ?? null, unit: m.raw?.unit ?? null, seconds: m.raw?.seconds ?? null, samples: m.raw?.samples ?? null,
      baseline: m.baseline ?? null, result: m.indexed ?? null, index: m.index ?? null, partial: m.partial ?? null,
    }));
}

export function exportCsv(sets: ResultSet[]): string {
  const rows = sets.flatMap((s) => s.results.flatMap((r) => resultRows(s.name, r)));
  return stringify(rows, {
    header: true,
    columns: [...CSV_COLUMNS],
    cast: { boolean: (v) => (v ? 'true' : 'false') },
  });
}
