/**
 * The calibration of a host, stored beside the runs: <results>/calibration/<fingerprint>.json,
 * where the fingerprint hashes every field of the host's manifest that can move UnixBench
 * (analysis/manifest-diff.ts). Another kernel, microcode, governor or CPU is another host for
 * this purpose, and finds no calibration until it has its own. A later calibration replaces the
 * columns it measured (same label, copies and workload options) and keeps the others.
 * Read back through a zod schema: a file that does not match is an error naming it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { atomicWriteJson } from '../core/fs.js';
import type { EnvironmentManifest } from '../core/manifest.js';
import { MANIFEST_FIELDS } from './manifest-diff.js';
import type { ColumnCalibration } from './calibration.js';
import type { ResultDoc } from '../results/model.js';

export const CALIBRATION_DIR = 'calibration';
export const CALIBRATION_SCHEMA_VERSION = 1 as const;

/** 16 hex digits over the manifest fields that can move UnixBench (hostname, dates and ids left out). */
export function hostFingerprint(m: EnvironmentManifest): string {
  const fields = MANIFEST_FIELDS.map((f) => [f.name, f.get(m) ?? null]);
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 16);
}

/** The host manifest a set of results shares, or undefined when they ran on different hosts (or none says). */
export function sharedHostManifest(results: readonly ResultDoc[]): EnvironmentManifest | undefined {
  const prints = new Set<string>();
  let first: EnvironmentManifest | undefined;
  for (const r of results) {
    if (!r.hostManifest) continue;
    first ??= r.hostManifest;
    prints.add(hostFingerprint(r.hostManifest));
  }
  return prints.size === 1 ? first : undefined;
}

const falseAlarms = z.strictObject({ pairs: z.number().int().nonnegative(), flagged: z.number().int().nonnegative(), rate: z.number().min(0).max(1).nullable() });

const testCalibration = z.strictObject({
  test: z.string().min(1),
  rounds: z.number().int().positive(),
  cv: z.number().nonnegative().nullable(),
  logSd: z.number().nonnegative().nullable(),
  detectableDrop: z.number().positive().max(1).nullable(),
  falseAlarms,
});

const columnEntry = z.strictObject({
  column: z.string().min(1),
  label: z.string().min(1),
  copies: z.number().int().positive(),
  method: z.string().min(1),
  emulated: z.boolean(),
  rounds: z.number().int().positive(),
  pairRepetitions: z.number().int().positive(),
  familySize: z.number().int().nonnegative(),
  tests: z.array(testCalibration),
  familyFalseAlarms: falseAlarms,
  /** The UnixBench options the rounds ran with: a calibration speaks only for the same profile. */
  workloadOptions: z.record(z.string(), z.unknown()),
  workloadVersion: z.string(),
  runDir: z.string(),
  calibratedAt: z.string(),
});

export const calibrationFileSchema = z.strictObject({
  kind: z.literal('virtbench-calibration'),
  schemaVersion: z.literal(CALIBRATION_SCHEMA_VERSION),
  fingerprint: z.string().regex(/^[0-9a-f]{16}$/),
  hostManifest: z.looseObject({ hostname: z.string(), kernelRelease: z.string(), cpuModel: z.string() }),
  design: z.strictObject({ repetitions: z.number().int().positive(), confidence: z.number().gt(0).lt(1), threshold: z.number().min(0).lt(1), power: z.number().gt(0).lt(1), looks: z.number().int().positive() }),
  methods: z.strictObject({ detectable: z.string(), falseAlarms: z.string() }),
  columns: z.array(columnEntry),
});

export type CalibrationFile = z.infer<typeof calibrationFileSchema>;
export type CalibrationColumn = z.infer<typeof columnEntry>;

export function calibrationPath(resultsDir: string, fingerprint: string): string {
  return join(resultsDir, CALIBRATION_DIR, `${fingerprint}.json`);
}

/** Non-finite numbers (a CV of one round) are stored as null. */
export function toColumnEntry(c: ColumnCalibration, extra: { workloadOptions: Record<string, unknown>; workloadVersion: string; runDir: string; calibratedAt: string }): CalibrationColumn {
  const fin = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    ...c,
    tests: c.tests.map((t) => ({ ...t, cv: fin(t.cv), logSd: fin(t.logSd), falseAlarms: { ...t.falseAlarms, rate: fin(t.falseAlarms.rate) } })),
    familyFalseAlarms: { ...c.familyFalseAlarms, rate: fin(c.familyFalseAlarms.rate) },
    ...extra,
  };
}

/** The stored calibration for this fingerprint; undefined when there is none. A damaged file is an error. */
export async function readCalibration(resultsDir: string, fingerprint: string): Promise<CalibrationFile | undefined> {
  const file = calibrationPath(resultsDir, fingerprint);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError('CALIBRATION_INVALID', `the calibration file is not JSON: ${(e as Error).message}`, { location: { file }, hint: 'run virtbench calibrate again, or remove the file' });
  }
  const parsed = calibrationFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InputError('CALIBRATION_INVALID', `the calibration file does not match its schema: ${issue.message}`, { location: { file, field: issue.path.join('.') }, hint: 'run virtbench calibrate again, or remove the file' });
  }
  if (parsed.data.fingerprint !== fingerprint) {
    throw new InputError('CALIBRATION_INVALID', `the calibration file holds fingerprint ${parsed.data.fingerprint}, not the ${fingerprint} of its name`, { location: { file, field: 'fingerprint' }, hint: 'it was renamed or edited by hand: run virtbench calibrate again' });
  }
  return parsed.data;
}

const sameColumn = (a: CalibrationColumn, b: CalibrationColumn) => a.label === b.label && a.copies === b.copies && JSON.stringify(a.workloadOptions) === JSON.stringify(b.workloadOptions);

/** Write (or merge into) the host's calibration file; returns its path. */
export async function writeCalibration(resultsDir: string, next: CalibrationFile): Promise<string> {
  const file = calibrationPath(resultsDir, next.fingerprint);
  const old = await readCalibration(resultsDir, next.fingerprint);
  const kept = old && JSON.stringify(old.design) === JSON.stringify(next.design) ? old.columns.filter((c) => !next.columns.some((n) => sameColumn(c, n))) : [];
  await atomicWriteJson(file, { ...next, columns: [...kept, ...next.columns] });
  return file;
}

/** The calibrated column matching a column of a comparison (label, copies, the same UnixBench options). */
export function findColumn(cal: CalibrationFile, q: { label: string; copies: number; workloadOptions?: Record<string, unknown> }): CalibrationColumn | undefined {
  return cal.columns.find((c) => c.label === q.label && c.copies === q.copies && (q.workloadOptions === undefined || JSON.stringify(c.workloadOptions) === JSON.stringify(q.workloadOptions)));
}
