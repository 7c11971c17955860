import { describe as suite, expect, it } from 'vitest';
import { logDifference } from '../../src/analysis/ratio.js';
import { lookLevel, projectRounds, sequentialState } from '../../src/analysis/sequential.js';
import { seededRng } from '../../src/core/random.js';
import { adaptiveTrial, fixedTrial, simulate } from '../support/sequential-sim.js';

const design = { min: 3, max: 10, confidence: 0.95, threshold: 0.02 };

suite('adaptive repetitions (sequential design) on synthetic data', () => {
  it('spreads alpha over every ratio and every look', () => {
    expect(lookLevel(design, 13)).toBeCloseTo(1 - 0.05 / (13 * 8), 12);
  });

  it('with no change, stopping whenever it likes never calls a change more often than the stated 5%', () => {
    const s = { ratio: 1, cv: 0.01 };
    const f = simulate((rng) => adaptiveTrial(rng, s, design), s, 150, 101);
    expect(f.wrong).toBeLessThanOrEqual(0.05);
  });

  it('decides a 5% drop in fewer rounds on average than a fixed 5 (run-to-run CV 0.5%)', () => {
    const s = { ratio: 0.95, cv: 0.005 };
    const a = simulate((rng) => adaptiveTrial(rng, s, design), s, 150, 102);
    const f = simulate((rng) => fixedTrial(rng, s, 5), s, 150, 103);
    expect(a.meanRounds).toBeLessThan(5);
    expect(a.allDecided).toBeGreaterThanOrEqual(f.allDecided);
    expect(a.regressed).toBeGreaterThan(0.99);
    expect(a.wrong).toBe(0);
  });

  it('says how many tests are undecided and about how many more rounds would decide them', () => {
    const rng = seededRng(7);
    const runs = (median: number, cv: number, n: number) => Array.from({ length: n }, () => rng.logNormal(median, cv));
    const clear = { name: 'clear drop', diff: logDifference(runs(1000, 0.002, 3), runs(900, 0.002, 3)) };
    const noisy = { name: 'noisy', diff: logDifference(runs(1000, 0.01, 3), runs(960, 0.01, 3)) };
    const st = sequentialState([clear, noisy], 3, design);
    expect(st.ratios.map((r) => [r.name, r.verdict])).toEqual([['clear drop', 'regressed'], ['noisy', 'inconclusive']]);
    expect(st.undecided).toBe(1);
    expect(st.stop).toBe(false);
    const n = st.ratios[1]!.roundsToDecide!;
    expect(n).toBeGreaterThan(3);
    expect(st.message).toBe(`round 3: 1 of 2 tests undecided; about ${n - 3} more round${n - 3 === 1 ? '' : 's'}`);
    expect(projectRounds(noisy.diff, design, 2)).toBe(n);
    expect(sequentialState([clear, noisy], 10, design).stop).toBe(true); // max rounds
  });
});
