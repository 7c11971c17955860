import { describe as suite, expect, it } from 'vitest';
import { compareResultSets } from '../../src/analysis/compare.js';
import { seededRng } from '../../src/core/random.js';
import { decide, verdictLabel } from '../../src/analysis/verdict.js';
import { flatMedians, syntheticSet } from '../support/synthetic.js';
import { INDEX_TESTS } from '../../src/workloads/unixbench/catalogue.js';

/**
 * Verdicts against synthetic data where the truth is known (seeded log-normal model).
 * Family = 12 tests + the Index Score in one comparison, corrected by Bonferroni intervals.
 */
function trial(seed: number, opts: { factor: number; reps: number; cv: number; threshold?: number; confidence?: number }) {
  const rng = seededRng(seed);
  const medians = flatMedians(1000);
  const worse = Object.fromEntries(INDEX_TESTS.map((t) => [t, 1000 * opts.factor]));
  const a = syntheticSet(rng, 'a', [{ label: 'lxc', medians, cv: opts.cv, repetitions: opts.reps }]);
  const b = syntheticSet(rng, 'b', [{ label: 'lxc', medians: worse, cv: opts.cv, repetitions: opts.reps }]);
  return compareResultSets(a, b, { threshold: opts.threshold ?? 0.02, confidence: opts.confidence ?? 0.95 });
}

const TRIALS = 500;
// Monte-Carlo allowance for an estimated rate whose truth is at most 5%: two binomial standard
// deviations at p = 0.05 and 500 trials (2 * sqrt(0.05 * 0.95 / 500) = 1.95 points). The
// PRNG is seeded, so the measured figure is the same on every run; the allowance only says
// how far a correct method may land from 5% by chance in 500 trials.
const MC_ALLOWANCE = 2 * Math.sqrt((0.05 * 0.95) / TRIALS);

suite('verdict rates on synthetic data', () => {
  it('equal data: family-wise false-positive rate is at or below 5% (measured over 500 trials)', () => {
    let anyFalse = 0;
    let anyFalseNoThreshold = 0;
    let perTestFalse = 0;
    let noChange = 0;
    for (let i = 0; i < TRIALS; i++) {
      const c = trial(1000 + i, { factor: 1, reps: 5, cv: 0.02 });
      const wrong = c.counts.improved + c.counts.regressed;
      perTestFalse += wrong;
      if (wrong > 0) anyFalse++;
      noChange += c.counts['no change'];
      // The pure statistical guarantee, without the help of the threshold:
      const z = trial(1000 + i, { factor: 1, reps: 5, cv: 0.02, threshold: 0 });
      if (z.counts.improved + z.counts.regressed > 0) anyFalseNoThreshold++;
      expect(z.familySize).toBe(13);
    }
    const fwer = anyFalse / TRIALS;
    const fwerNoThreshold = anyFalseNoThreshold / TRIALS;
    console.log(`equal data, 5 reps, CV 2%: family-wise false positives ${(fwer * 100).toFixed(1)}% (threshold 2%), ${(fwerNoThreshold * 100).toFixed(1)}% (threshold 0); per test ${((perTestFalse / TRIALS / 13) * 100).toFixed(2)}%; "no change" ${((noChange / TRIALS / 13) * 100).toFixed(1)}% of tests`);
    expect(fwer).toBeLessThanOrEqual(0.05);
    expect(fwerNoThreshold).toBeLessThanOrEqual(0.05 + MC_ALLOWANCE);
  });

  it('5% worse: power to say "regressed" (measured over 200 trials)', () => {
    let regressed = 0;
    let improved = 0;
    let total = 0;
    let gate = 0;
    for (let i = 0; i < 200; i++) {
      const c = trial(5000 + i, { factor: 0.95, reps: 5, cv: 0.01 });
      regressed += c.counts.regressed;
      improved += c.counts.improved;
      total += 13;
      if (c.regressed) gate++;
    }
    console.log(`5% worse, 5 reps, CV 1%: ${((regressed / total) * 100).toFixed(1)}% of tests regressed; the run flagged in ${((gate / 200) * 100).toFixed(1)}% of trials`);
    expect(improved).toBe(0);
    expect(regressed / total).toBeGreaterThanOrEqual(0.9);
    expect(gate / 200).toBeGreaterThanOrEqual(0.99);
  });

  it('noisy data (CV 10%, 3 reps): says inconclusive rather than guessing', () => {
    let inconclusive = 0;
    let wrong = 0;
    for (let i = 0; i < 100; i++) {
      const c = trial(9000 + i, { factor: 0.95, reps: 3, cv: 0.1 });
      inconclusive += c.counts.inconclusive;
      wrong += c.counts.improved + c.counts['no change'];
    }
    expect(inconclusive / 1300).toBeGreaterThan(0.95);
    expect(wrong).toBe(0);
  });

  it('equal and quiet data (CV 0.3%, 10 reps): says "no change"', () => {
    const c = trial(42, { factor: 1, reps: 10, cv: 0.003 });
    expect(c.counts['no change']).toBe(13);
  });

  it('a set with one repetition says inconclusive, never "no change"', () => {
    const rng = seededRng(3);
    const a = syntheticSet(rng, 'a', [{ label: 'kvm', medians: flatMedians(1000), cv: 0.001, repetitions: 1 }]);
    const b = syntheticSet(rng, 'b', [{ label: 'kvm', medians: flatMedians(1000), cv: 0.001, repetitions: 1 }]);
    const c = compareResultSets(a, b);
    expect(c.counts.inconclusive).toBe(13);
    expect(c.pairs[0]!.rows.every((r) => /single sample/.test(r.reason))).toBe(true);
    expect(c.familySize).toBe(0);
    expect(c.regressed).toBe(false);
  });

  it('one repetition with quiet .log iterations: an indicative reading only, never a verdict or a failed gate', () => {
    const rng = seededRng(4);
    const one = (medians: Record<string, number>) => [{ label: 'lxc', medians, cv: 0.001, repetitions: 1, iterations: 10, iterationCv: 0.002 }];
    const a = syntheticSet(rng, 'a', one(flatMedians(1000)));
    const same = syntheticSet(rng, 'b', one(flatMedians(1000)));
    const c = compareResultSets(a, same);
    expect(c.pairs[0]!.level).toBe('iterations');
    expect(c.pairs[0]!.indicative).toBe(true);
    expect(c.counts['no change'] + c.counts.improved + c.counts.regressed).toBe(0);
    expect(c.pairs[0]!.rows.every((r) => r.verdict === 'indicative' && /indicative only/.test(r.reason))).toBe(true);
    const slower = syntheticSet(rng, 'c', one({ ...flatMedians(1000), 'Pipe Throughput': 900 }));
    const d = compareResultSets(a, slower);
    const pipe = d.pairs[0]!.rows.find((r) => r.test === 'Pipe Throughput')!;
    expect([pipe.verdict, pipe.reading]).toEqual(['indicative', 'lower']);
    expect(verdictLabel(pipe)).toBe('indicative: lower');
    expect(d.regressed).toBe(false);
    expect(d.counts.indicative).toBe(13);
  });

  it('decides by the stated rules at the edges', () => {
    const est = (ratio: number, lower: number, upper: number) => ({ ratio, logRatio: Math.log(ratio), se: 0.01, df: 8, nBaseline: 5, nCandidate: 5, interval: { lower, upper, confidence: 0.99 } });
    expect(decide(est(0.97, 0.95, 0.99), 0.02).verdict).toBe('regressed');
    expect(decide(est(1.03, 1.01, 1.05), 0.02).verdict).toBe('improved');
    expect(decide(est(0.99, 0.985, 0.995), 0.02).verdict).toBe('no change'); // significant but negligible
    expect(decide(est(0.99, 0.97, 0.999), 0.02).verdict).toBe('inconclusive'); // significant, might matter
    expect(decide(est(0.97, 0.9, 1.05), 0.02).verdict).toBe('inconclusive'); // noise
  });
});
