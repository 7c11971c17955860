/**
 * UnixBench 5.1.3's arithmetic, as its `Run` script does it (combinePassResults, indexResults),
 * so printed figures can be recomputed and checked.
 */
import type { UnixBenchCheck } from './model.js';

/** One pass of one test as the .log records it, the copies already summed as runOnePass does. */
export interface CombinedPass {
  /** COUNT0 summed over the copies. */
  count: number;
  /** COUNT1 of the first copy: 0 = count is a rate; else count per `timebase` seconds. */
  timebase: number;
  /** Mean over the copies of (TIME || elapsed), seconds. */
  time: number;
}

/** A pass's score as combinePassResults counts it: a rate per timebase, or the count itself. */
export function passScore(p: CombinedPass): number {
  return p.timebase > 0 ? p.count / (p.time / p.timebase) : p.count;
}

export interface CombinedScore {
  score: number;
  /** Mean time of the kept passes. */
  time: number;
  /** Passes kept. */
  iterations: number;
  /** Passes dropped as the worst third. */
  dropped: number;
}

/**
 * 5.1.3's rule: sort the passes by their raw COUNT0 (not by their rate), drop the first
 * int(n/3), and take the geometric mean of the rest's scores.
 */
export function combinePasses(passes: readonly CombinedPass[]): CombinedScore {
  const sorted = [...passes].sort((x, y) => x.count - y.count);
  const dropped = Math.floor(passes.length / 3);
  const kept = sorted.slice(dropped);
  let product = 0;
  let totalTime = 0;
  for (const p of kept) {
    product += p.timebase > 0 ? Math.log(p.count) - Math.log(p.time / p.timebase) : Math.log(p.count);
    totalTime += p.time;
  }
  const n = kept.length;
  return { score: n > 0 ? Math.exp(product / n) : NaN, time: n > 0 ? totalTime / n : NaN, iterations: n, dropped };
}

/** The geometric mean as Run combines index values into a score (a zero count gives 0, as in Run). */
export function indexGeometricMean(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  let sum = 0;
  for (const v of values) sum += Math.log(v);
  return Math.exp(sum / values.length);
}

/** index = score / baseline * 10. */
export function indexValue(score: number, baseline: number): number {
  return (score / baseline) * 10;
}

/** Half a unit in the last place shown: "1015.2" -> 0.05, "3639" -> 0.5, "28449308.5788002" -> 5e-8. */
export function halfUnitInLastPlace(printed: string): number {
  const m = /^[-+]?\d*(?:\.(\d*))?(?:[eE]([-+]?\d+))?$/.exec(printed.trim());
  if (!m) return 0;
  const decimals = m[1]?.length ?? 0;
  const exponent = m[2] ? Number(m[2]) : 0;
  return 0.5 * 10 ** (exponent - decimals);
}

/** Float noise allowance for a recomputation that should reproduce a figure exactly. */
const EPS = 1e-12;

/**
 * Tolerance for a geometric mean recomputed from printed (rounded) values: each input may be
 * off by its half unit, which moves the mean by mean * (half unit / value) / n, summed.
 */
export function geometricMeanTolerance(values: readonly number[], halfUnits: readonly number[]): number {
  const g = indexGeometricMean(values);
  let rel = 0;
  values.forEach((v, i) => { rel += (halfUnits[i] ?? 0) / Math.abs(v); });
  return (g * rel) / Math.max(values.length, 1);
}

export function check(what: string, printed: number, recomputed: number, tolerance: number): UnixBenchCheck {
  const diff = printed - recomputed;
  const relativeDifference = recomputed !== 0 ? diff / recomputed : diff === 0 ? 0 : Infinity;
  const allowed = tolerance + EPS * Math.max(1, Math.abs(recomputed));
  return { what, printed, recomputed, relativeDifference, ok: Number.isFinite(recomputed) && Math.abs(diff) <= allowed, tolerance: allowed };
}
