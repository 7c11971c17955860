/**
 * Descriptive statistics of one sample set. UnixBench values (results, index values,
 * per-iteration scores) are positive rates where higher is better, so the geometric mean and
 * the log-scale moments are the natural summary: UnixBench itself averages geometrically, and
 * a ratio between two sets is a difference of log means.
 */
export interface Descriptive {
  n: number;
  mean: number;
  geometricMean: number;
  /** Sample standard deviation (n - 1); NaN when n < 2. */
  sd: number;
  /** sd / mean (a fraction, not a percent); NaN when n < 2. */
  cv: number;
  min: number;
  max: number;
  /** Mean and sample sd of ln(x): what the ratio interval works with. */
  logMean: number;
  logSd: number;
}

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (Bessel-corrected); NaN for fewer than 2 values. */
export function sd(xs: readonly number[]): number {
  if (xs.length < 2) return NaN;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return Math.sqrt(s / (xs.length - 1));
}

/** Geometric mean of positive values; NaN if any value is not positive. */
export function geometricMean(xs: readonly number[]): number {
  if (xs.length === 0 || xs.some((x) => !(x > 0))) return NaN;
  // exp(ln x) is not always x in floating point: keep a single printed value exact.
  if (xs.every((x) => x === xs[0])) return xs[0]!;
  let s = 0;
  for (const x of xs) s += Math.log(x);
  return Math.exp(s / xs.length);
}

export function coefficientOfVariation(xs: readonly number[]): number {
  return sd(xs) / mean(xs);
}

export function describe(xs: readonly number[]): Descriptive {
  const logs = xs.every((x) => x > 0) ? xs.map(Math.log) : [];
  return {
    n: xs.length,
    mean: mean(xs),
    geometricMean: geometricMean(xs),
    sd: sd(xs),
    cv: coefficientOfVariation(xs),
    min: xs.length ? Math.min(...xs) : NaN,
    max: xs.length ? Math.max(...xs) : NaN,
    logMean: logs.length ? mean(logs) : NaN,
    logSd: logs.length ? sd(logs) : NaN,
  };
}
