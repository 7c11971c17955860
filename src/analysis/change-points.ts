/**
 * Change points in a series of runs: E-divisive means (Matteson & James, "A Nonparametric
 * Approach for Multiple Change Point Analysis of Multivariate Data", JASA 109(505), 2014), the
 * method Hunter (MongoDB) and Orion use on performance histories. Implemented from the paper:
 *
 * - Divergence of two samples X (m values) and Y (n values), with alpha = 1:
 *   E = 2/(mn) sum|x - y| - 1/C(m,2) sum_{i<k}|x_i - x_k| - 1/C(n,2) sum_{j<k}|y_j - y_k|,
 *   scaled Q = mn/(m+n) E. Q is large when the two samples come from different distributions.
 * - In a segment [s, e), the best split is the (tau, kappa) with s < tau < kappa <= e that
 *   maximises Q(x[s..tau), x[tau..kappa)) (kappa lets the right side stop before a later change).
 * - Hierarchically: the best split over all current segments is a candidate; it is kept when a
 *   permutation test says it is significant: the observations are permuted within each current
 *   segment R times (seeded), the same maximum is taken each time, and p = (#{perm >= observed}
 *   + 1) / (R + 1). Stop at the first candidate with p > alpha.
 * Values are taken on the log scale (throughput changes by factors). Each change point is reported
 * with its size (ratio of the geometric means of the segments on either side) and a 95% Welch
 * interval for that ratio (ratio.ts), which treats the runs of each segment as independent.
 */
import { seededRng } from '../core/random.js';
import { compareSamples } from './ratio.js';

export interface ChangePointOptions {
  /** Significance level of the permutation test (0.05). */
  alpha: number;
  /** Permutations per candidate (199). */
  permutations: number;
  seed: number;
  /** Smallest number of runs on each side of a split (2: a side needs a spread). */
  minSize: number;
}

export const DEFAULT_CHANGE_POINT_OPTIONS: ChangePointOptions = { alpha: 0.05, permutations: 199, seed: 1, minSize: 2 };

export const CHANGE_POINT_METHOD = 'E-divisive means (Matteson & James 2014), alpha = 1, permutation test within segments';

export interface ChangePoint {
  /** Index of the first run after the change. */
  index: number;
  pValue: number;
  /** Geometric mean after / before (the adjacent segments). */
  ratio: number;
  interval?: { lower: number; upper: number; confidence: number };
  /** Q statistic of the split. */
  statistic: number;
}

function sumAbsPairs(x: readonly number[], a: number, b: number): number {
  let s = 0;
  for (let i = a; i < b; i++) for (let k = i + 1; k < b; k++) s += Math.abs(x[i]! - x[k]!);
  return s;
}

/** Q(X, Y) for X = x[a..t), Y = x[t..k). */
export function divergence(x: readonly number[], a: number, t: number, k: number): number {
  const m = t - a;
  const n = k - t;
  let between = 0;
  for (let i = a; i < t; i++) for (let j = t; j < k; j++) between += Math.abs(x[i]! - x[j]!);
  const e = (2 / (m * n)) * between - sumAbsPairs(x, a, t) / ((m * (m - 1)) / 2) - sumAbsPairs(x, t, k) / ((n * (n - 1)) / 2);
  return ((m * n) / (m + n)) * e;
}

/** Best split of x[a..b): the tau with the largest Q over every kappa. */
export function bestSplit(x: readonly number[], a: number, b: number, minSize: number): { tau: number; q: number } | undefined {
  let best: { tau: number; q: number } | undefined;
  for (let tau = a + minSize; tau <= b - minSize; tau++) {
    for (let kappa = tau + minSize; kappa <= b; kappa++) {
      const q = divergence(x, a, tau, kappa);
      if (!best || q > best.q) best = { tau, q };
    }
  }
  return best;
}

function bestOverSegments(x: readonly number[], bounds: readonly number[], minSize: number): { tau: number; q: number } | undefined {
  let best: { tau: number; q: number } | undefined;
  for (let i = 0; i + 1 < bounds.length; i++) {
    const s = bestSplit(x, bounds[i]!, bounds[i + 1]!, minSize);
    if (s && (!best || s.q > best.q)) best = s;
  }
  return best;
}

/** Change points of a series of positive values (one per run, in order). */
export function findChangePoints(values: readonly number[], options: Partial<ChangePointOptions> = {}): ChangePoint[] {
  const o = { ...DEFAULT_CHANGE_POINT_OPTIONS, ...options };
  if (values.some((v) => !(v > 0))) throw new RangeError('change points need positive values');
  const x = values.map(Math.log);
  const rng = seededRng(o.seed);
  const bounds = [0, x.length];
  const found: { index: number; pValue: number; statistic: number }[] = [];
  for (;;) {
    const cand = bestOverSegments(x, bounds, o.minSize);
    if (!cand) break;
    let atLeast = 0;
    for (let r = 0; r < o.permutations; r++) {
      const perm = [...x];
      for (let i = 0; i + 1 < bounds.length; i++) {
        for (let j = bounds[i + 1]! - 1; j > bounds[i]!; j--) {
          const k = bounds[i]! + Math.floor(rng.next() * (j - bounds[i]! + 1));
          [perm[j], perm[k]] = [perm[k]!, perm[j]!];
        }
      }
      const p = bestOverSegments(perm, bounds, o.minSize);
      if (p && p.q >= cand.q) atLeast++;
    }
    const pValue = (atLeast + 1) / (o.permutations + 1);
    if (pValue > o.alpha) break;
    found.push({ index: cand.tau, pValue, statistic: cand.q });
    bounds.push(cand.tau);
    bounds.sort((a, b) => a - b);
  }
  return found
    .sort((a, b) => a.index - b.index)
    .map((c) => {
      const i = bounds.indexOf(c.index);
      const before = values.slice(bounds[i - 1]!, c.index);
      const after = values.slice(c.index, bounds[i + 1]!);
      const est = compareSamples(before, after, 0.95);
      return { ...c, ratio: est.ratio, ...(est.interval ? { interval: est.interval } : {}) };
    });
}
