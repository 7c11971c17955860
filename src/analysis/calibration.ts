/**
 * Calibration of the gate on this host, from an A/A run: the same configuration measured
 * against itself in N interleaved rounds (N repetitions of each target). Per column and test:
 * - run-to-run noise: the CV of the N run-level index values (and the sd of their logs, which
 *   is what the verdict's interval works with);
 * - the smallest drop the gate detects with r repetitions a side at 80% power: simulated with the
 *   verdict's own code (Welch interval on logs at the Bonferroni level of the family, then
 *   decide() with the threshold), log-normal runs with the measured log sd, common random numbers
 *   over a bisection on the size of the drop (a fixed set of draws makes "regressed" monotone in
 *   the drop, so the bisection is exact for those draws). It takes the measured CV as the truth:
 *   from 5 rounds that CV is itself uncertain (its 95% interval spans roughly 0.6x to 2.9x);
 * - the false-alarm rate the gate shows here: the N rounds split into disjoint pseudo A/B pairs
 *   of r rounds a side (every such split when there are at most `maxSplits`, else a seeded
 *   sample), each pair compared by compareGroups (the code `virtbench compare` runs, with its
 *   family size and drift rule); a split counts as a false alarm for a test when its verdict is
 *   improved or regressed, or would have been but for an environment difference. The splits
 *   share rounds, so they are not independent trials: the rate is an estimate of what the gate
 *   does on these rounds, not a binomial count.
 * Pure: no I/O.
 */
import type { Group } from './groups.js';
import { repetitionSamples } from './groups.js';
import { compareGroups, DEFAULT_COMPARE_OPTIONS } from './compare.js';
import { describe } from './descriptive.js';
import { logDifference, ratioInterval, type RatioEstimate } from './ratio.js';
import { bonferroniLevel, decide } from './verdict.js';
import { seededRng } from '../core/random.js';

export const DETECTABLE_METHOD =
  'smallest drop called "regressed" in 80% of simulated comparisons: log-normal runs with the measured run-to-run log sd, the verdict\'s Welch interval on logs at the family\'s Bonferroni level, and its threshold';
export const FALSE_ALARM_METHOD =
  'the A/A rounds split into disjoint pseudo A/B pairs of r rounds a side, each compared with the compare command\'s own code; a false alarm = improved or regressed (or withheld only for an environment difference)';

export interface GateDesign {
  /** Repetitions a side the gate will compare (the suite's repetitions). */
  repetitions: number;
  confidence: number;
  threshold: number;
  /** Looks of an adaptive design (alpha spread over them); 1 for a fixed count. */
  looks?: number;
}

export interface DetectableOptions {
  /** Power asked for (0.8). */
  power?: number;
  trials?: number;
  seed?: number;
}

/**
 * Smallest true drop (a fraction: 0.1 = 10%) that the verdict calls "regressed" with the given
 * power, for runs with this log sd, n repetitions a side, and a family of m comparisons.
 * Undefined when even a 99% drop is not detected that often (too few repetitions for the noise).
 */
export function detectableDrop(logSd: number, n: number, m: number, design: Pick<GateDesign, 'confidence' | 'threshold' | 'looks'>, opts: DetectableOptions = {}): number | undefined {
  if (!(n >= 2) || !Number.isFinite(logSd) || logSd < 0) return undefined;
  const power = opts.power ?? 0.8;
  const trials = opts.trials ?? 2000;
  const rng = seededRng(opts.seed ?? 1);
  const level = bonferroniLevel(design.confidence, Math.max(1, m) * Math.max(1, design.looks ?? 1));
  // One fixed set of draws for every candidate drop (common random numbers): each trial's
  // interval at no drop, from the verdict's own interval code. A true drop multiplies the
  // candidate's values by (1 - drop), which moves the ratio and both ends of its interval by
  // that factor and leaves its width alone, so each trial is computed once.
  const trialsAtZero = Array.from({ length: trials }, () => {
    const b = Array.from({ length: n }, () => Math.exp(logSd * rng.normal()));
    const c = Array.from({ length: n }, () => Math.exp(logSd * rng.normal()));
    return ratioInterval(logDifference(b, c), level);
  });
  const powerAt = (drop: number) => {
    const f = 1 - drop;
    let hits = 0;
    for (const est of trialsAtZero) {
      const shifted: RatioEstimate = { ...est, logRatio: est.logRatio + Math.log(f), ratio: est.ratio * f, ...(est.interval ? { interval: { ...est.interval, lower: est.interval.lower * f, upper: est.interval.upper * f } } : {}) };
      if (decide(shifted, design.threshold).verdict === 'regressed') hits++;
    }
    return hits / trials;
  };
  let lo = 0;
  let hi = 0.99;
  if (powerAt(hi) < power) return undefined;
  // Power only grows with the drop for fixed draws: bisect to 0.05 percentage points.
  while (hi - lo > 5e-4) {
    const mid = (lo + hi) / 2;
    if (powerAt(mid) >= power) hi = mid;
    else lo = mid;
  }
  return hi;
}

export interface FalseAlarmCount {
  /** Pseudo A/B pairs compared. */
  pairs: number;
  /** Pairs where this test (or, for the family, any test) was called improved or regressed. */
  flagged: number;
  rate: number;
}

export interface TestCalibration {
  test: string;
  rounds: number;
  /** Run-to-run coefficient of variation of the index (a fraction). */
  cv: number;
  /** Sample sd of ln(index): what the detectable change is computed from. */
  logSd: number;
  /** Smallest drop detected at 80% power (a fraction), null when not within 99%. */
  detectableDrop: number | null;
  falseAlarms: FalseAlarmCount;
}

export interface ColumnCalibration {
  /** "LXC, 1 copy". */
  column: string;
  label: string;
  copies: number;
  method: string;
  emulated: boolean;
  rounds: number;
  /** Repetitions a side the pseudo A/B pairs used (the suite's, or fewer when the rounds are too few). */
  pairRepetitions: number;
  /** Comparisons in one verdict table of this column (tests + scores): the Bonferroni family. */
  familySize: number;
  tests: TestCalibration[];
  /** Pairs with any test flagged: the family-wise false-alarm rate. */
  familyFalseAlarms: FalseAlarmCount;
}

/** Every way to pick k of n indices, in order (n <= ~12 here). */
function combinations(n: number, k: number): number[][] {
  const out: number[][] = [];
  const walk = (start: number, acc: number[]) => {
    if (acc.length === k) {
      out.push([...acc]);
      return;
    }
    for (let i = start; i <= n - (k - acc.length); i++) walk(i + 1, [...acc, i]);
  };
  walk(0, []);
  return out;
}

/**
 * Disjoint pairs (A, B) of r rounds each, unordered ({A, B} once: swapping the sides mirrors
 * improved and regressed, so it flags the same pairs). All of them when there are at most
 * maxSplits, else a seeded sample of maxSplits.
 */
export function pseudoPairs(rounds: number, r: number, maxSplits = 500, seed = 1): [number[], number[]][] {
  if (rounds < 2 * r || r < 1) return [];
  const all: [number[], number[]][] = [];
  const count = combinations(rounds, r).length * combinations(rounds - r, r).length / 2;
  if (count <= maxSplits) {
    for (const a of combinations(rounds, r)) {
      const rest = [...Array(rounds).keys()].filter((i) => !a.includes(i));
      for (const bi of combinations(rest.length, r)) {
        const b = bi.map((i) => rest[i]!);
        if (a[0]! < b[0]!) all.push([a, b]);
      }
    }
    return all;
  }
  const rng = seededRng(seed);
  for (let s = 0; s < maxSplits; s++) {
    const idx = [...Array(rounds).keys()];
    for (let i = idx.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    }
    all.push([idx.slice(0, r).sort((x, y) => x - y), idx.slice(r, 2 * r).sort((x, y) => x - y)]);
  }
  return all;
}

/** The group restricted to some of its results (rounds): what one side of a pseudo A/B pair holds. */
export function subGroup(g: Group, resultIndices: readonly number[], side: string): Group {
  const results = resultIndices.map((i) => g.results[i]!);
  const ids = new Set(results.map((r) => r.id));
  return { ...g, key: { ...g.key, set: `${g.key.set}/${side}` }, results, measurements: g.measurements.filter((m) => ids.has(m.result)) };
}

export interface CalibrateOptions extends GateDesign {
  maxSplits?: number;
  seed?: number;
  trials?: number;
}

/** Calibrate one column of an A/A run (each of its results is one round). */
export function calibrateColumn(g: Group, o: CalibrateOptions): ColumnCalibration {
  const rounds = g.results.length;
  const samples = repetitionSamples(g);
  const tests = [...g.tests, ...g.scores].filter((t) => (samples.get(t)?.length ?? 0) > 0);
  const familySize = tests.length;
  const r = Math.max(1, Math.min(o.repetitions, Math.floor(rounds / 2)));
  const pairs = r >= 2 ? pseudoPairs(rounds, r, o.maxSplits ?? 500, o.seed ?? 1) : [];
  const flagged = new Map<string, number>(tests.map((t) => [t, 0]));
  let familyFlagged = 0;
  const opts = { ...DEFAULT_COMPARE_OPTIONS, level: 'repetitions' as const, confidence: o.confidence, threshold: o.threshold, ...(o.looks && o.looks > 1 ? { looks: o.looks } : {}) };
  for (const [a, b] of pairs) {
    const c = compareGroups([[subGroup(g, a, 'A'), subGroup(g, b, 'B')]], { name: 'A', source: g.source }, { name: 'B', source: g.source }, opts);
    let any = false;
    for (const row of c.pairs[0]!.rows) {
      if (row.verdict === 'improved' || row.verdict === 'regressed' || row.drift?.length) {
        flagged.set(row.test, (flagged.get(row.test) ?? 0) + 1);
        any = true;
      }
    }
    if (any) familyFlagged++;
  }
  const count = (k: number): FalseAlarmCount => ({ pairs: pairs.length, flagged: k, rate: pairs.length ? k / pairs.length : NaN });
  return {
    column: g.id,
    label: g.key.label,
    copies: g.key.copies,
    method: g.method,
    emulated: g.emulated,
    rounds,
    pairRepetitions: r,
    familySize,
    tests: tests.map((test) => {
      const d = describe(samples.get(test)!);
      const drop = detectableDrop(d.logSd, o.repetitions, familySize, o, { seed: o.seed, trials: o.trials });
      return { test, rounds: d.n, cv: d.cv, logSd: d.logSd, detectableDrop: drop ?? null, falseAlarms: count(flagged.get(test) ?? 0) };
    }),
    familyFalseAlarms: count(familyFlagged),
  };
}
