/**
 * The default interval for a cell with several repetitions: analysis's t interval on log values
 * around the geometric mean (the index is a ratio, and its noise is multiplicative).
 */
import { geometricMeanInterval } from '../analysis/ratio.js';
import type { Interval } from './report-table.js';

export const DEFAULT_CONFIDENCE = 0.95;

export function analysisInterval(values: number[], confidence = DEFAULT_CONFIDENCE): Interval | undefined {
  const iv = geometricMeanInterval(values, confidence);
  if (!iv) return undefined;
  return { lower: iv.lower, upper: iv.upper, level: confidence, method: 't on log values' };
}
