/**
 * Verdicts per test, and the correction for making many comparisons at once.
 *
 * Multiple comparisons: Bonferroni-adjusted (simultaneous) intervals. With m comparisons in
 * one verdict table (12 tests + the Index Score, times every column pair compared, or every
 * claim checked by `reproduce`), each interval is computed at level 1 - alpha/m, so all m
 * intervals hold together with probability >= 1 - alpha, and the chance of any false
 * "improved"/"regressed" in the whole table is <= alpha. Holm's step-down procedure would
 * reject a little more often, but it adjusts p-values and has no matching intervals; here a
 * verdict is read off its printed interval (and "no change" is an equivalence claim that needs
 * an interval), so the table stays checkable by eye. The adjusted p-value min(1, m p) is given
 * beside it and agrees with the interval: it is below alpha exactly when the interval excludes 1.
 *
 * Rules, with ratio r = candidate / baseline (higher index = better for every UnixBench test),
 * threshold d (default 2%) and the adjusted interval [lo, hi]:
 * - inconclusive: no interval (a set with one value: noise unknown), or none of the below;
 * - regressed: hi < 1 (significant) and r <= 1 - d (the drop is at least the threshold);
 * - improved:  lo > 1 and r >= 1 + d;
 * - no change: the whole interval inside [1 - d, 1 + d] (any change is smaller than the
 *   threshold, with the same confidence).
 * A significant change whose point estimate is below the threshold but whose interval reaches
 * past it stays inconclusive: the data cannot say whether it matters.
 * Run-level inference: a verdict needs independent runs (repetitions). Samples from UnixBench's
 * .log iterations all come from one run (one boot, one placement, one thermal state); treating
 * them as independent is pseudoreplication and makes intervals too narrow. At that level compare
 * gives an "indicative" reading (lower, higher, within the threshold, unclear) and never a
 * verdict: it never counts as improved or regressed and never fails the gate.
 */
import type { RatioEstimate } from './ratio.js';

export type Verdict = 'improved' | 'regressed' | 'no change' | 'inconclusive' | 'indicative';

export const VERDICTS: readonly Verdict[] = ['regressed', 'improved', 'no change', 'inconclusive', 'indicative'];

/** What an iteration-level interval suggests, without claiming it. */
export type Reading = 'lower' | 'higher' | 'within threshold' | 'unclear';

export function emptyCounts(): Record<Verdict, number> {
  return { improved: 0, regressed: 0, 'no change': 0, inconclusive: 0, indicative: 0 };
}

/** The reading an iteration-level interval gives: the verdict it would be, without the claim. */
export function indicativeReading(v: VerdictResult): { reading: Reading; reason: string } {
  const reading: Reading = v.verdict === 'regressed' ? 'lower' : v.verdict === 'improved' ? 'higher' : v.verdict === 'no change' ? 'within threshold' : 'unclear';
  return {
    reading,
    reason: `indicative only: the samples are UnixBench's iterations inside one run (between-run noise unknown), never a verdict; repeat the run (repetitions >= 2) for one. Within-run interval: ${v.reason}`,
  };
}

/** "regressed", or "indicative: lower" / "inconclusive (environment differs: governor)". */
export function verdictLabel(r: { verdict: Verdict; reading?: Reading; drift?: string[] }): string {
  if (r.verdict === 'indicative') return `indicative: ${r.reading ?? 'unclear'}`;
  if (r.verdict === 'inconclusive' && r.drift?.length) return `inconclusive (environment differs: ${r.drift.join(', ')})`;
  return r.verdict;
}

export interface VerdictOptions {
  /** Smallest change that matters, as a fraction (0.02 = 2%). */
  threshold: number;
  /** Family-wise confidence (0.95). */
  confidence: number;
}

export const DEFAULT_VERDICT_OPTIONS: VerdictOptions = { threshold: 0.02, confidence: 0.95 };

export const CORRECTION_METHOD = 'Bonferroni-adjusted simultaneous intervals';

/** The per-comparison confidence level for a family of m comparisons. */
export function bonferroniLevel(confidence: number, m: number): number {
  return 1 - (1 - confidence) / Math.max(1, m);
}

export function bonferroniP(p: number, m: number): number {
  return Math.min(1, p * Math.max(1, m));
}

export function validateVerdictOptions(o: VerdictOptions): void {
  if (!(o.threshold >= 0 && o.threshold < 1)) throw new RangeError(`threshold must be a fraction in [0, 1), got ${o.threshold}`);
  if (!(o.confidence > 0 && o.confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${o.confidence}`);
}

export interface VerdictResult {
  verdict: Verdict;
  reason: string;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Decide from an estimate whose interval is already at the (adjusted) level. */
export function decide(est: RatioEstimate, threshold: number): VerdictResult {
  if (!est.interval) {
    const which = est.nBaseline < 2 && est.nCandidate < 2 ? 'both sets have' : est.nBaseline < 2 ? 'the baseline has' : 'the candidate has';
    return { verdict: 'inconclusive', reason: `${which} a single sample: the noise cannot be estimated (repeat the run)` };
  }
  const { lower, upper } = est.interval;
  const r = est.ratio;
  if (!Number.isFinite(lower) || !Number.isFinite(upper)) return { verdict: 'inconclusive', reason: 'the interval is unbounded (too few samples)' };
  const lo = 1 - threshold;
  const hi = 1 + threshold;
  if (upper < 1 && r <= lo) return { verdict: 'regressed', reason: `significant drop of at least the ${pct(threshold)} threshold` };
  if (lower > 1 && r >= hi) return { verdict: 'improved', reason: `significant gain of at least the ${pct(threshold)} threshold` };
  if (lower >= lo && upper <= hi) return { verdict: 'no change', reason: `the interval lies within +-${pct(threshold)}` };
  if (upper < 1 || lower > 1) return { verdict: 'inconclusive', reason: `significant, but smaller than the ${pct(threshold)} threshold and the interval reaches past it` };
  return { verdict: 'inconclusive', reason: `too much noise: the interval reaches past +-${pct(threshold)}` };
}
