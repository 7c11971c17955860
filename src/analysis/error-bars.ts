/**
 * Per column, per test: the value a chart draws and its interval (error bars), for reports.
 * - Two or more repetitions: geometric mean of the index values with the t interval on logs
 *   (level "repetitions").
 * - One repetition with a .log: the printed index, with the relative width of the interval
 *   of UnixBench's own iterations around their geometric mean (level "iterations": within-run
 *   noise only, narrower than between runs, and labelled so).
 * - Otherwise: the value without an interval.
 * Intervals here are per bar (not multiplicity-adjusted): an error bar describes one value.
 */
import type { ResultSet } from '../results/model.js';
import { describe } from './descriptive.js';
import { geometricMeanInterval } from './ratio.js';
import { groupsOf, iterationSamples, repetitionSamples } from './groups.js';
import type { SampleLevel } from './samples.js';

export interface ColumnTestInterval {
  /** "label, N copies", as compare names columns. */
  column: string;
  label: string;
  copies: number;
  emulated: boolean;
  test: string;
  /** Geometric mean of the index values over repetitions. */
  value: number;
  repetitions: number;
  lower?: number;
  upper?: number;
  level?: SampleLevel;
  confidence: number;
}

export function columnIntervals(sets: ResultSet | ResultSet[], confidence = 0.95): ColumnTestInterval[] {
  const out: ColumnTestInterval[] = [];
  for (const set of Array.isArray(sets) ? sets : [sets]) {
    for (const col of groupsOf(set)) {
      const reps = repetitionSamples(col);
      const iters = iterationSamples(col);
      for (const test of [...col.tests, ...col.scores]) {
        const values = reps.get(test);
        if (!values?.length) continue;
        const base = { column: col.id, label: col.key.label, copies: col.key.copies, emulated: col.emulated, test, value: describe(values).geometricMean, repetitions: values.length, confidence };
        const rep = geometricMeanInterval(values, confidence);
        if (rep) {
          out.push({ ...base, lower: rep.lower, upper: rep.upper, level: 'repetitions' });
          continue;
        }
        const it = iters.get(test);
        const within = it ? geometricMeanInterval(it, confidence) : undefined;
        if (within) {
          out.push({ ...base, lower: base.value * (within.lower / within.value), upper: base.value * (within.upper / within.value), level: 'iterations' });
          continue;
        }
        out.push(base);
      }
    }
  }
  return out;
}
