/**
 * What a comparison can detect on this host: for each row, the smallest drop the verdict would
 * call regressed at 80% power with this comparison's own repetitions and family (Bonferroni over
 * its comparisons and looks), given the run-to-run noise a calibration measured for the column
 * on this host (analysis/calibration.ts). Rows stay as they are otherwise: it is context for
 * reading an inconclusive verdict, never a verdict.
 */
import { detectableDrop } from './calibration.js';
import { findColumn, type CalibrationFile } from './calibration-store.js';
import type { Comparison } from './compare.js';
export type { CalibrationUse, DetectableHere } from './compare.js';

/**
 * The per-run log sd of a comparison of two columns with equal repetitions: the root mean square
 * of the sides' (se^2 = (sb^2 + sc^2) / n = 2 rms^2 / n); one side alone when only it was calibrated.
 */
export function pooledLogSd(a: number | null | undefined, b: number | null | undefined): number | undefined {
  const xs = [a, b].filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (xs.length === 0) return undefined;
  return Math.sqrt(xs.reduce((s, x) => s + x * x, 0) / xs.length);
}

type ColumnQuery = { label: string; copies: number; workloadOptions?: Record<string, unknown> };

export function applyCalibration(c: Comparison, cal: CalibrationFile, file: string, baselineColumns: Map<string, ColumnQuery>, candidateColumns: Map<string, ColumnQuery>): number {
  let used = 0;
  for (const p of c.pairs) {
    if (p.indicative) continue;
    const qb = baselineColumns.get(p.baseline.id);
    const qc = candidateColumns.get(p.candidate.id);
    const cb = qb && findColumn(cal, qb);
    const cc = qc && findColumn(cal, qc);
    const col = cb ?? cc;
    if (!col) continue;
    p.calibration = { file, fingerprint: cal.fingerprint, calibratedAt: col.calibratedAt, rounds: Math.min(...[cb, cc].filter((x) => !!x).map((x) => x!.rounds)) };
    for (const row of p.rows) {
      if (row.derivedFrom) continue;
      const tb = cb?.tests.find((x) => x.test === row.test);
      const tc = cc?.tests.find((x) => x.test === row.test);
      const logSd = pooledLogSd(tb?.logSd, tc?.logSd);
      if (logSd === undefined) continue;
      const n = Math.min(row.baseline?.repetitions ?? 0, row.candidate?.repetitions ?? 0);
      const drop = n >= 2 ? detectableDrop(logSd, n, c.familySize, { confidence: c.confidence, threshold: c.threshold, looks: c.looks }, { trials: 1000 }) : undefined;
      row.detectableHere = { cv: (tb ?? tc)!.cv, drop: drop ?? null, repetitions: n };
      used++;
    }
  }
  return used;
}
