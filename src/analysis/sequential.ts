/**
 * Adaptive repetitions: add interleaved rounds until every compared ratio is decided, with an
 * error rate that holds however early the run stops.
 *
 * Method: an alpha-spending design with equal spending over the looks, which is a union-bound
 * (Bonferroni) confidence sequence. The run looks at the data after round min, min+1, ..., max:
 * K = max - min + 1 looks. At every look each of the m compared ratios gets the Welch t interval
 * on log values (the interval compare prints, ratio.ts) at level 1 - alpha / (m K). By the union
 * bound, the probability that ANY interval at ANY look misses its true ratio is at most alpha,
 * whatever rule decides when to stop (Jennison & Turnbull, "Group Sequential Methods with
 * Applications to Clinical Trials", 2000, ch. 7 on alpha spending; Howard, Ramdas, McAuliffe &
 * Sekhon, "Time-uniform, nonparametric, nonasymptotic confidence sequences", Ann. Statist.
 * 2021, sec. 1, on why repeated fixed-sample tests are not valid under optional stopping). It is
 * conservative against an optimised spending function, but it needs no assumption about how the
 * looks are correlated, stays exact for log-normal data at every n, and with K <= 10 costs a
 * factor of K in alpha only. A verdict (decide(), verdict.ts) read off such an interval is
 * therefore valid at the stopping time: that is what makes stopping early safe.
 */
import { ratioInterval, type LogDifference, type RatioEstimate } from './ratio.js';
import { decide, type Verdict } from './verdict.js';

export interface SequentialDesign {
  /** Rounds before the first look (>= 2: the noise needs two runs per side). */
  min: number;
  /** Rounds at most. */
  max: number;
  /** Family-wise confidence over every ratio and every look (0.95). */
  confidence: number;
  /** Smallest change that matters (0.02). */
  threshold: number;
}

export const SEQUENTIAL_METHOD = 'union-bound confidence sequence (equal alpha spending over the looks, Bonferroni over the ratios)';

export function looks(d: Pick<SequentialDesign, 'min' | 'max'>): number {
  return Math.max(1, d.max - d.min + 1);
}

/** The level each interval is computed at, for m ratios (the same at every look: equal spending). */
export function lookLevel(d: SequentialDesign, m: number, _round?: number): number {
  return 1 - (1 - d.confidence) / (Math.max(1, m) * looks(d));
}

export interface SequentialRatio {
  /** e.g. "lxc, 1 copy: Pipe Throughput". */
  name: string;
  diff: LogDifference;
  /** The baseline column and test, where known (the host's calibration is looked up by them). */
  baseline?: { label: string; copies: number; workloadOptions?: Record<string, unknown> };
  candidate?: { label: string; copies: number; workloadOptions?: Record<string, unknown> };
  test?: string;
}

export interface RatioState {
  name: string;
  estimate: RatioEstimate;
  verdict: Verdict;
  decided: boolean;
  /** Rounds (per side) that would probably decide it, if the estimate and noise stay as they are. */
  roundsToDecide?: number;
}

export interface SequentialState {
  round: number;
  level: number;
  ratios: RatioState[];
  undecided: number;
  /** Stop: everything decided, or max rounds reached. */
  stop: boolean;
  /** Rounds more that would probably decide every undecided ratio (undefined: not within 100). */
  moreRounds?: number;
  message: string;
}

/**
 * The smallest n (rounds per side) at which an interval with the same estimate and per-run noise
 * would decide, at this design's look level. A projection, not a promise: the estimate moves.
 */
export function projectRounds(diff: LogDifference, d: SequentialDesign, m: number, limit = 100): number | undefined {
  if (!Number.isFinite(diff.se) || diff.nBaseline < 2 || diff.nCandidate < 2) return undefined;
  // Per-run variance of the log ratio, as if both sides had n runs: se^2 = s2 (1/nb + 1/nc).
  const s2 = (diff.se * diff.se) / (1 / diff.nBaseline + 1 / diff.nCandidate);
  const decides = (n: number) => {
    const level = lookLevel(d, m, n);
    const se = Math.sqrt((2 * s2) / n);
    return decide(ratioInterval({ ...diff, se, df: 2 * n - 2, nBaseline: n, nCandidate: n }, level), d.threshold).verdict !== 'inconclusive';
  };
  // The interval only narrows as n grows (same estimate and noise): bisect for the first n that decides.
  let lo = Math.min(diff.nBaseline, diff.nCandidate);
  let hi = limit;
  if (!decides(hi)) return undefined;
  if (decides(lo)) return lo;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (decides(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Where a run stands after `round` rounds: each ratio's interval at the look level, and whether to go on. */
export function sequentialState(ratios: readonly SequentialRatio[], round: number, d: SequentialDesign, opts: { project?: boolean } = {}): SequentialState {
  const m = ratios.length;
  const level = lookLevel(d, m, round);
  const states: RatioState[] = ratios.map((r) => {
    const estimate = ratioInterval(r.diff, level);
    const v = decide(estimate, d.threshold).verdict;
    const decided = v !== 'inconclusive';
    const state: RatioState = { name: r.name, estimate, verdict: v, decided };
    if (!decided && opts.project !== false) {
      const n = projectRounds(r.diff, d, m);
      if (n !== undefined) state.roundsToDecide = n;
    }
    return state;
  });
  const undecided = states.filter((s) => !s.decided);
  const projections = undecided.map((s) => s.roundsToDecide);
  const moreRounds = projections.some((x) => x === undefined) ? undefined : Math.max(0, ...projections.map((x) => x! - round));
  const stop = undecided.length === 0 || round >= d.max;
  const more = undecided.length === 0 ? '' : moreRounds === undefined ? '; more than 100 rounds would be needed for some' : `; about ${Math.max(1, moreRounds)} more round${Math.max(1, moreRounds) === 1 ? '' : 's'}`;
  const message = `round ${round}: ${undecided.length} of ${m} test${m === 1 ? '' : 's'} undecided${more}`;
  return { round, level, ratios: states, undecided: undecided.length, stop, ...(moreRounds !== undefined ? { moreRounds } : {}), message };
}
