/**
 * The 2011 published table (index values per test, one column per method) as a result set:
 * one published result per column, with the conditions from the slides. Each column's Index
 * Score is checked against the geometric mean of its 12 index values.
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InputError, ParseError } from '../core/errors.js';
import { atomicWriteJson } from '../core/fs.js';
import type { UnixBenchIndexRow } from '../workloads/unixbench/model.js';
import { parseNumber } from '../workloads/unixbench/parse-lines.js';
import { BASELINES_5_1_3, INDEX_SCORE, INDEX_TESTS } from '../workloads/unixbench/catalogue.js';
import { check, indexGeometricMean, geometricMeanTolerance } from '../workloads/unixbench/score.js';
import { parseCsv } from './csv-read.js';
import { writeImportedResults } from './import-set.js';
import { SET_FILE, type SetFile } from './load.js';
import { RESULT_SCHEMA_VERSION, type ResultDoc, type ResultSet } from './model.js';

export const REFERENCE_SET_NAME = 'reference-2011';
/** UnixBench prints index values with one decimal; the table drops trailing ".0" (3639 = 3639.0). */
const HALF_TENTH = 0.05;

const conditionsSchema = z.object({
  source: z.string(),
  date: z.string(),
  common: z.record(z.string(), z.string()),
  columns: z.record(
    z.string(),
    z.object({
      name: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/),
      method: z.enum(['host', 'lxc', 'kvm', 'openvz']),
      conditions: z.record(z.string(), z.string()),
    }),
  ),
});

export interface ReferenceCheck {
  column: string;
  target: string;
  printed: number;
  recomputed: number;
  /** printed - recomputed. */
  difference: number;
  relativeDifference: number;
  /** The largest difference the table's rounding explains. */
  tolerance: number;
  ok: boolean;
}

export interface ImportedReference {
  set: ResultSet;
  checks: ReferenceCheck[];
}

export async function importReference(csvPath: string, conditionsPath: string): Promise<ImportedReference> {
  const conditions = await readConditions(conditionsPath);
  const rows = parseCsv(await readFile(csvPath, 'utf8'), csvPath).filter((r) => r.some((f) => f.trim() !== ''));
  const fail = (message: string, line: number, field?: string): ParseError =>
    new ParseError('REFERENCE_PARSE', message, {
      hint: 'the reference table has a "test" column, one column per method, the 12 index tests and the Index Score',
      location: { file: csvPath, line, field },
    });
  const header = rows[0];
  if (!header || header[0]?.trim() !== 'test' || header.length < 2) throw fail('expected a header "test,<column>,..."', 1);
  const columns = header.slice(1).map((h) => h.trim());

  const docs: ResultDoc[] = [];
  const checks: ReferenceCheck[] = [];
  for (const [ci, column] of columns.entries()) {
    const spec = conditions.columns[column];
    if (!spec) throw fail(`column "${column}" has no entry in ${conditionsPath}`, 1, column);
    const indexRows: UnixBenchIndexRow[] = [];
    let printedScore: number | undefined;
    for (const [ri, row] of rows.slice(1).entries()) {
      const line = ri + 2;
      const name = row[0]!.trim();
      const value = parseNumber(row[ci + 1] ?? '');
      if (value === undefined || value <= 0) throw fail(`expected a positive number, found "${row[ci + 1] ?? ''}"`, line, column);
      if (name === INDEX_SCORE) {
        printedScore = value;
        continue;
      }
      const base = BASELINES_5_1_3[name];
      if (!base || !INDEX_TESTS.includes(name)) throw fail(`"${name}" is not a UnixBench 5.1.3 index test`, line, 'test');
      indexRows.push({ name, baseline: base.baseline, result: null, index: value });
    }
    if (printedScore === undefined) throw fail(`expected a "${INDEX_SCORE}" row`, rows.length + 1, 'test');
    const missing = INDEX_TESTS.filter((t) => !indexRows.some((r) => r.name === t));
    if (missing.length > 0) throw fail(`missing index tests: ${missing.join(', ')}`, rows.length + 1, 'test');

    const idx = indexRows.map((r) => r.index);
    const recomputed = indexGeometricMean(idx);
    const c = check(`${column}: System Benchmarks Index Score`, printedScore, recomputed, HALF_TENTH + geometricMeanTolerance(idx, idx.map(() => HALF_TENTH)));
    checks.push({
      column,
      target: spec.name,
      printed: printedScore,
      recomputed,
      difference: printedScore - recomputed,
      relativeDifference: c.relativeDifference,
      tolerance: c.tolerance!,
      ok: c.ok,
    });
    docs.push({
      schemaVersion: RESULT_SCHEMA_VERSION,
      id: `${spec.name}-r1`,
      runId: REFERENCE_SET_NAME,
      target: { name: spec.name, method: spec.method, host: 'published-2011', label: column },
      workload: { name: 'unixbench', version: '5.1.3', options: {} },
      repetition: 1,
      status: 'ok',
      startedAt: conditions.date,
      finishedAt: conditions.date,
      emulated: false,
      published: { source: conditions.source, conditions: { date: conditions.date, ...conditions.common, ...spec.conditions } },
      unixbench: {
        version: '5.1.3',
        system: {
          hostname: '',
          system: '',
          os: 'GNU/Linux',
          kernelRelease: spec.conditions.guestKernel ?? spec.conditions.hostKernel ?? '',
          kernelVersion: '',
          machine: spec.conditions.guestArch ?? '',
          language: '',
          cpus: [],
        },
        // The table gives one pass; the slides do not say which (presumably the 8-copy pass).
        passes: [{ copies: 8, cpusInSystem: 8, runLine: '', tests: [], index: { partial: false, rows: indexRows, score: printedScore }, empty: false }],
        checks: [c],
      },
      rawFiles: [],
    });
  }
  return { set: { source: csvPath, name: REFERENCE_SET_NAME, results: docs }, checks };
}

/** One line per column: printed vs recomputed, and whether rounding explains the difference. */
export function describeReferenceChecks(checks: ReferenceCheck[]): string[] {
  const w = Math.max(...checks.map((c) => c.column.length));
  return checks.map((c) => {
    const sign = c.difference >= 0 ? '+' : '';
    const verdict = c.ok
      ? 'agrees within rounding'
      : `DISAGREES beyond rounding (by ${(Math.abs(c.difference) - c.tolerance).toFixed(4)} more than rounding explains)`;
    return `${c.column.padEnd(w)}  printed ${c.printed.toFixed(1)}  geometric mean of 12 index values ${c.recomputed.toFixed(2)}  ` +
      `difference ${sign}${c.difference.toFixed(2)} (${sign}${(c.relativeDifference * 100).toFixed(3)}%)  rounding allows ±${c.tolerance.toFixed(3)}: ${verdict}`;
  });
}

/**
 * Write the set to outDir: set.json, the CSV and conditions file, one folder per column. An
 * existing result that differs is refused (never overwritten silently); an identical one is kept.
 */
export async function writeReferenceSet(imported: ImportedReference, outDir: string, inputs: { csv: string; conditions: string }): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  for (const src of [inputs.csv, inputs.conditions]) {
    const dest = join(outDir, basename(src));
    if (resolve(src) !== resolve(dest)) await copyFile(src, dest);
  }
  const set: SetFile = {
    schemaVersion: 1,
    name: REFERENCE_SET_NAME,
    description: 'UnixBench 5.1.3 index values published in 2011: LXC vs Virtuozzo/OpenVZ vs virtio-tuned KVM on one machine',
    order: imported.set.results.map((r) => r.id),
    table: basename(inputs.csv),
    conditions: basename(inputs.conditions),
    indexScoreChecks: imported.checks,
  };
  await atomicWriteJson(join(outDir, SET_FILE), set);
  return writeImportedResults(outDir, imported.set.results, 'the reference set');
}

async function readConditions(path: string): Promise<z.infer<typeof conditionsSchema>> {
  let value: unknown;
  try {
    value = parseYaml(await readFile(path, 'utf8'));
  } catch (e) {
    throw new InputError('REFERENCE_CONDITIONS', `cannot read ${path}: ${(e as Error).message}`, { location: { file: path }, cause: e });
  }
  const r = conditionsSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new InputError('REFERENCE_CONDITIONS', `invalid conditions file: ${issue.path.join('.')}: ${issue.message}`, {
      location: { file: path, field: issue.path.join('.') },
    });
  }
  return r.data;
}
