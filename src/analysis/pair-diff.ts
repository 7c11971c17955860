/** The log-scale difference between two columns for one test, or for the Index Score. */
import { combineGeometric, logDifference, type LogDifference } from './ratio.js';
import { repetitionSamples, type Group } from './groups.js';
import { samplesAt, type SampleLevel } from './samples.js';

export interface PairDiff {
  diff?: LogDifference;
  /** Why there is no difference, or what it is built from. */
  note?: string;
}

/**
 * candidate vs baseline for `test`. A score (UnixBench's Index Score) at the repetition level uses the printed
 * score of each run; at the iteration level there is no per-iteration score, so its ratio is
 * the geometric mean of the per-test ratios (combineGeometric), like the score itself.
 */
export function pairDiff(baseline: Group, candidate: Group, test: string, level: SampleLevel): PairDiff {
  if (isScore(baseline, candidate, test)) {
    if (level === 'repetitions') {
      const b = repetitionSamples(baseline).get(test);
      const c = repetitionSamples(candidate).get(test);
      if (!b?.length || !c?.length) return { note: `no ${test} on both sides` };
      return { diff: logDifference(b, c) };
    }
    const tests = baseline.tests;
    const parts = tests.map((t) => pairDiff(baseline, candidate, t, level).diff).filter((d): d is LogDifference => d !== undefined);
    if (parts.length === 0) return { note: 'no test measured on both sides' };
    return { diff: combineGeometric(parts), note: parts.length < tests.length ? 'from the tests measured on both sides only' : undefined };
  }
  const b = samplesAt(baseline, level).get(test);
  const c = samplesAt(candidate, level).get(test);
  if (!b?.length || !c?.length) return { note: `not measured in the ${!b?.length ? 'baseline' : 'candidate'}${level === 'iterations' ? ' .log' : ''}` };
  return { diff: logDifference(b, c) };
}

/** A value that combines the tests of its run (UnixBench's Index Score). */
export function isScore(baseline: Group, candidate: Group, test: string): boolean {
  return baseline.scores.includes(test) || candidate.scores.includes(test);
}
