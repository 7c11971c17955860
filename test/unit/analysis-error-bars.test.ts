import { unixbenchFixture } from '../support/fixtures.js';
import { describe as suite, expect, it } from 'vitest';
import { columnIntervals } from '../../src/analysis/error-bars.js';
import { seededRng } from '../../src/core/random.js';
import { flatMedians, syntheticSet } from '../support/synthetic.js';
import { loadResultSets } from '../../src/results/load.js';

suite('error bars per column and test', () => {
  it('repetitions: geometric mean with a t interval on logs', () => {
    const set = syntheticSet(seededRng(9), 's', [{ label: 'lxc', medians: flatMedians(1000), cv: 0.02, repetitions: 4 }]);
    const bars = columnIntervals(set);
    expect(bars).toHaveLength(13);
    for (const b of bars) {
      expect(b.level).toBe('repetitions');
      expect(b.repetitions).toBe(4);
      expect(b.lower!).toBeLessThan(b.value);
      expect(b.upper!).toBeGreaterThan(b.value);
    }
  });

  it("one repetition: the printed index with the width of UnixBench's iterations (runD fixture)", async () => {
    const [set] = await loadResultSets(unixbenchFixture('runD_default_full'));
    const bars = columnIntervals(set!);
    const dhry = bars.find((b) => b.copies === 1 && b.test === 'Dhrystone 2 using register variables')!;
    expect(dhry.value).toBe(3357.5); // as printed in the report
    expect(dhry.level).toBe('iterations');
    expect(dhry.lower!).toBeLessThan(3357.5);
    expect(dhry.upper!).toBeGreaterThan(3357.5);
    // The Index Score has no per-iteration samples: no bar, never a made-up one.
    const score = bars.find((b) => b.copies === 1 && b.test === 'System Benchmarks Index Score')!;
    expect(score.value).toBe(1481.2);
    expect(score.lower).toBeUndefined();
  });
});
