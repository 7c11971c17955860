/**
 * The two levels of sample a group (groups.ts) offers.
 * Two levels of sample, and every output says which one it used:
 * - repetitions: one value per result (the test's index in that pass). Independent runs, so
 *   their spread includes everything that varies between runs (boot, placement, caches).
 *   This is the right unit for a verdict.
 * - iterations: UnixBench's own per-pass scores from the .log (10 passes of the fast tests,
 *   3 of the slow ones by default). They all come from one run, so their spread is only the
 *   within-run noise; an interval from them is narrower than between runs and says so.
 */
import { iterationSamples, repetitionSamples, type Group } from './groups.js';

export type SampleLevel = 'repetitions' | 'iterations';

export function samplesAt(col: Group, level: SampleLevel): Map<string, number[]> {
  return level === 'repetitions' ? repetitionSamples(col) : iterationSamples(col);
}

/** Smallest number of values any test has at this level (0 when there are none). */
export function minSamples(col: Group, level: SampleLevel): number {
  const m = samplesAt(col, level);
  const tests = col.tests.filter((t) => m.has(t));
  if (tests.length === 0) return 0;
  return Math.min(...tests.map((t) => m.get(t)!.length));
}

/**
 * 'auto': repetitions when both columns have at least two, else UnixBench's iterations when
 * both have at least two per test in the .log, else repetitions (which then says
 * inconclusive: one run cannot tell noise from change).
 */
export function chooseLevel(a: Group, b: Group, requested: SampleLevel | 'auto'): SampleLevel {
  if (requested !== 'auto') return requested;
  if (minSamples(a, 'repetitions') >= 2 && minSamples(b, 'repetitions') >= 2) return 'repetitions';
  if (minSamples(a, 'iterations') >= 2 && minSamples(b, 'iterations') >= 2) return 'iterations';
  return 'repetitions';
}

export function levelDescription(level: SampleLevel): string {
  return level === 'repetitions'
    ? 'repetitions (one index value per run)'
    : "UnixBench's per-iteration scores from the .log (within one run: between-run noise not included), so INDICATIVE only: readings, no verdicts";
}
