/**
 * Confidence interval for the ratio candidate / baseline of two sets of positive measurements.
 *
 * Method (stated in every output): Welch's t interval on the log scale ("log-t"). Take logs,
 * compare the two log means with Welch's unequal-variance t statistic and Welch-Satterthwaite
 * degrees of freedom, and exponentiate: the result is an interval for the ratio of geometric
 * means. Why this and not a bootstrap:
 * - benchmark repetitions are few (3 to 10 is typical; UnixBench's slow tests run 3 passes).
 *   A percentile or BCa bootstrap of 3 values has only 10 distinct resamples and under-covers
 *   badly at that size; the t interval is exact for log-normal data at any n >= 2 and degrades
 *   gracefully otherwise (the coverage test measures it);
 * - throughput noise is multiplicative (a slower run is slower by a factor), so logs make it
 *   close to normal and symmetric, and a ratio becomes a difference;
 * - it is deterministic and cheap, so the verdict-rate checks can run thousands of trials.
 * It is the test mmtests runs (Welch's t, MMTests::Stat calc_welch_test), moved to the log
 * scale and turned into an interval, instead of LKP's min/max range heuristics (lib/stats.rb,
 * lib/changed_stat.rb), which have no stated error rate.
 */
import { describe } from './descriptive.js';
import { studentTQuantile, studentTTwoSidedP } from './distributions.js';

export const RATIO_METHOD = 'Welch t interval on log values (ratio of geometric means)';

export interface LogDifference {
  /** ln(geomean candidate) - ln(geomean baseline). */
  logRatio: number;
  /** Standard error of logRatio; NaN when either set has fewer than 2 values. */
  se: number;
  /** Welch-Satterthwaite degrees of freedom. */
  df: number;
  nBaseline: number;
  nCandidate: number;
}

export interface RatioEstimate extends LogDifference {
  /** candidate / baseline (ratio of geometric means). */
  ratio: number;
  /** Absent when the noise cannot be estimated (a set with one value). */
  interval?: { lower: number; upper: number; confidence: number };
  /** Two-sided p-value for "ratio = 1", unadjusted; absent with the interval. */
  pValue?: number;
}

/** The log-scale difference of two sample sets (all values must be positive). */
export function logDifference(baseline: readonly number[], candidate: readonly number[]): LogDifference {
  for (const [name, xs] of [['baseline', baseline], ['candidate', candidate]] as const) {
    if (xs.length === 0) throw new RangeError(`${name} has no values`);
    if (xs.some((x) => !(x > 0) || !Number.isFinite(x))) throw new RangeError(`${name} has a value that is not a positive number`);
  }
  const b = describe(baseline);
  const c = describe(candidate);
  const logRatio = c.logMean - b.logMean;
  if (b.n < 2 || c.n < 2) return { logRatio, se: NaN, df: NaN, nBaseline: b.n, nCandidate: c.n };
  const vb = (b.logSd * b.logSd) / b.n;
  const vc = (c.logSd * c.logSd) / c.n;
  const se = Math.sqrt(vb + vc);
  const df = se === 0 ? b.n + c.n - 2 : (vb + vc) ** 2 / ((vb * vb) / (b.n - 1) + (vc * vc) / (c.n - 1));
  return { logRatio, se, df, nBaseline: b.n, nCandidate: c.n };
}

/**
 * The geometric mean of several ratios (the Index Score is the geometric mean of the test
 * indexes, so its ratio is the geometric mean of the per-test ratios). Treats the tests as
 * independent: variance of the mean log ratio = sum of variances / k^2, degrees of freedom by
 * Welch-Satterthwaite over the parts.
 */
export function combineGeometric(parts: readonly LogDifference[]): LogDifference {
  if (parts.length === 0) throw new RangeError('no parts to combine');
  const k = parts.length;
  const logRatio = parts.reduce((s, p) => s + p.logRatio, 0) / k;
  const nBaseline = Math.min(...parts.map((p) => p.nBaseline));
  const nCandidate = Math.min(...parts.map((p) => p.nCandidate));
  if (parts.some((p) => !Number.isFinite(p.se))) return { logRatio, se: NaN, df: NaN, nBaseline, nCandidate };
  const w = parts.map((p) => (p.se * p.se) / (k * k));
  const v = w.reduce((s, x) => s + x, 0);
  const denom = parts.reduce((s, p, i) => s + (w[i]! * w[i]!) / p.df, 0);
  const df = denom > 0 ? (v * v) / denom : parts.reduce((s, p) => s + p.df, 0);
  return { logRatio, se: Math.sqrt(v), df, nBaseline, nCandidate };
}

/** Interval at the given two-sided confidence (e.g. 0.95, or a Bonferroni-adjusted level). */
export function ratioInterval(diff: LogDifference, confidence: number): RatioEstimate {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const ratio = Math.exp(diff.logRatio);
  if (!Number.isFinite(diff.se)) return { ...diff, ratio };
  if (diff.se === 0) {
    return { ...diff, ratio, interval: { lower: ratio, upper: ratio, confidence }, pValue: diff.logRatio === 0 ? 1 : 0 };
  }
  const q = studentTQuantile(1 - (1 - confidence) / 2, diff.df);
  return {
    ...diff,
    ratio,
    interval: { lower: Math.exp(diff.logRatio - q * diff.se), upper: Math.exp(diff.logRatio + q * diff.se), confidence },
    pValue: studentTTwoSidedP(diff.logRatio / diff.se, diff.df),
  };
}

/** Shorthand: interval for candidate / baseline straight from two sample sets. */
export function compareSamples(baseline: readonly number[], candidate: readonly number[], confidence: number): RatioEstimate {
  return ratioInterval(logDifference(baseline, candidate), confidence);
}

/** Interval for the geometric mean of one set (error bars): exp(mean log +- t * sd/sqrt(n)). */
export function geometricMeanInterval(xs: readonly number[], confidence: number): { value: number; lower: number; upper: number } | undefined {
  const d = describe(xs);
  if (d.n < 2 || !Number.isFinite(d.logSd)) return undefined;
  const q = studentTQuantile(1 - (1 - confidence) / 2, d.n - 1);
  const half = (q * d.logSd) / Math.sqrt(d.n);
  return { value: d.geometricMean, lower: Math.exp(d.logMean - half), upper: Math.exp(d.logMean + half) };
}
