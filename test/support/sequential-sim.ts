/**
 * Synthetic (fake, seeded) A/B runs for the adaptive-repetition figures: 12 UnixBench tests per
 * round, each side log-normal around its median, the Index Score as the geometric mean of the
 * 12 per round (as UnixBench computes it). Used by bench/adaptive.ts and its unit test.
 */
import { seededRng, type Rng } from '../../src/core/random.js';
import { compareSamples, logDifference } from '../../src/analysis/ratio.js';
import { sequentialState, type SequentialDesign } from '../../src/analysis/sequential.js';
import { bonferroniLevel, decide, type Verdict } from '../../src/analysis/verdict.js';

export interface Scenario {
  /** True ratio candidate / baseline for every test (0.95 = 5% slower). */
  ratio: number;
  /** Run-to-run CV of each test. */
  cv: number;
  tests?: number;
}

export interface TrialOutcome {
  rounds: number;
  verdicts: Verdict[];
}

function round(rng: Rng, s: Scenario): { b: number[]; c: number[] } {
  const k = s.tests ?? 12;
  const b = Array.from({ length: k }, () => rng.logNormal(1000, s.cv));
  const c = Array.from({ length: k }, () => rng.logNormal(1000 * s.ratio, s.cv));
  const gm = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
  return { b: [...b, gm(b)], c: [...c, gm(c)] };
}

/** Per ratio (tests + Index Score), the samples of each side after `rounds` rounds. */
function columns(rows: { b: number[]; c: number[] }[]): { b: number[][]; c: number[][] } {
  const m = rows[0]!.b.length;
  return { b: Array.from({ length: m }, (_, i) => rows.map((r) => r.b[i]!)), c: Array.from({ length: m }, (_, i) => rows.map((r) => r.c[i]!)) };
}

/** A fixed number of rounds, judged as compare judges it (Bonferroni over the ratios). */
export function fixedTrial(rng: Rng, s: Scenario, rounds: number, confidence = 0.95, threshold = 0.02): TrialOutcome {
  const rows = Array.from({ length: rounds }, () => round(rng, s));
  const { b, c } = columns(rows);
  const level = bonferroniLevel(confidence, b.length);
  return { rounds, verdicts: b.map((bs, i) => decide(compareSamples(bs, c[i]!, level), threshold).verdict) };
}

/** Rounds added until the sequential design stops. */
export function adaptiveTrial(rng: Rng, s: Scenario, d: SequentialDesign): TrialOutcome {
  const rows = Array.from({ length: d.min }, () => round(rng, s));
  for (;;) {
    const { b, c } = columns(rows);
    const state = sequentialState(b.map((bs, i) => ({ name: String(i), diff: logDifference(bs, c[i]!) })), rows.length, d, { project: false });
    if (state.stop) return { rounds: rows.length, verdicts: state.ratios.map((r) => r.verdict) };
    rows.push(round(rng, s));
  }
}

export interface Figures {
  /** Share of trials with any improved/regressed verdict that is wrong (with no change: any at all). */
  wrong: number;
  /** Share of ratios called regressed (the power, when the true ratio is below 1). */
  regressed: number;
  /** Share of trials where every ratio was decided. */
  allDecided: number;
  meanRounds: number;
}

export function simulate(trial: (rng: Rng) => TrialOutcome, s: Scenario, trials: number, seed: number): Figures {
  const rng = seededRng(seed);
  let wrong = 0, regressed = 0, ratios = 0, allDecided = 0, rounds = 0;
  for (let t = 0; t < trials; t++) {
    const o = trial(rng);
    rounds += o.rounds;
    ratios += o.verdicts.length;
    regressed += o.verdicts.filter((v) => v === 'regressed').length;
    if (o.verdicts.every((v) => v !== 'inconclusive')) allDecided++;
    const bad = s.ratio === 1 ? o.verdicts.some((v) => v === 'improved' || v === 'regressed') : o.verdicts.some((v) => v === 'improved' || (v === 'no change' && s.ratio <= 0.97));
    if (bad) wrong++;
  }
  return { wrong: wrong / trials, regressed: regressed / ratios, allDecided: allDecided / trials, meanRounds: rounds / trials };
}
