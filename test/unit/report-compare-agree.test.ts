import { describe, expect, it } from 'vitest';
import { compareResultSets } from '../../src/analysis/compare.js';
import { seededRng } from '../../src/core/random.js';
import { buildReportTable } from '../../src/report/report-table.js';
import { flatMedians, syntheticSet } from '../support/synthetic.js';

// One measurement model: the report's table and `compare` print the same central value for the
// same data (the geometric mean of the repetitions), test by test, score included.
describe('report and compare agree', () => {
  it('every test and the Index Score: report cell centre == compare side value', () => {
    const rng = seededRng(42);
    // A wide spread, so that the arithmetic and geometric means differ visibly.
    const a = syntheticSet(rng, 'a', [{ label: 'lxc', medians: flatMedians(1000), cv: 0.2, repetitions: 5 }]);
    const b = syntheticSet(rng, 'b', [{ label: 'lxc', medians: flatMedians(900), cv: 0.2, repetitions: 4 }]);
    const table = buildReportTable([a, b]);
    const cmp = compareResultSets(a, b);
    expect(cmp.pairs).toHaveLength(1);
    const rows = cmp.pairs[0]!.rows;
    expect(rows).toHaveLength(13);
    expect(table.rows.map((r) => r.test)).toEqual(rows.map((r) => r.test));
    let differsFromArithmetic = 0;
    for (const row of rows) {
      const cells = table.rows.find((r) => r.test === row.test)!.cells;
      expect(cells[0]!.center).toBe(row.baseline!.index);
      expect(cells[1]!.center).toBe(row.candidate!.index);
      const arithmetic = cells[0]!.values.reduce((s, v) => s + v, 0) / cells[0]!.values.length;
      if (Math.abs(arithmetic - cells[0]!.center) > 1e-6) differsFromArithmetic++;
    }
    expect(differsFromArithmetic).toBe(rows.length);
  });

  it('keeps emulated (TCG) runs apart from the KVM runs that share their label', () => {
    const rng = seededRng(7);
    const set = syntheticSet(rng, 's', [
      { label: 'kvm', method: 'kvm', medians: flatMedians(1000), cv: 0.01, repetitions: 2 },
      { label: 'kvm', method: 'kvm', emulated: true, medians: flatMedians(100), cv: 0.01, repetitions: 2 },
    ]);
    const table = buildReportTable([set]);
    expect(table.columns.map((c) => [c.displayLabel, c.results.length])).toEqual([
      ['kvm, 1 copy', 2],
      ['kvm, 1 copy [emulated (TCG)]', 2],
    ]);
  });
});
