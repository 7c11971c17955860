import { UNIXBENCH_FIXTURES } from '../support/fixtures.js';
import { readFileSync } from 'node:fs';
import { describe as suite, expect, it } from 'vitest';
import { runCompare } from '../../src/cli/compare.js';

/** The shipped real UnixBench output: runD (default ./Run: 10 or 3 iterations per test) and runB (-i 1). */
const FIX = UNIXBENCH_FIXTURES;
const base = { format: 'json' as const, threshold: '2', confidence: '95', level: 'auto' as const };

/** The printed index of a test in the Nth pass of a report, read from the file itself. */
function printedIndex(file: string, pass: number, test: string): number {
  const tables = readFileSync(file, 'utf8').split('System Benchmarks Index Values').slice(1);
  const line = tables[pass]!.split('\n').find((l) => l.startsWith(test))!;
  return Number(line.trim().split(/\s+/).pop());
}

suite('compare on the shipped fixtures', () => {
  it("runD: 1-copy vs 2-copy pass gives a verdict table with intervals from the .log iterations", async () => {
    const dir = `${FIX}/runD_default_full`;
    const { comparison: c, exitCode, output } = await runCompare({ ...base, baseline: dir, candidate: dir, baselineCopies: 1, candidateCopies: 2 });
    expect(c.pairs).toHaveLength(1);
    const p = c.pairs[0]!;
    expect(p.level).toBe('iterations');
    expect(p.baseline.id).toMatch(/1 copy$/);
    expect(p.candidate.id).toMatch(/2 copies$/);
    expect(c.familySize).toBe(13);
    expect(c.perComparisonConfidence).toBeCloseTo(1 - 0.05 / 13, 12);
    const report = `${dir}/vm-2026-11-26-01`;
    const dhry = p.rows.find((r) => r.test === 'Dhrystone 2 using register variables')!;
    expect(dhry.baseline!.index).toBe(printedIndex(report, 0, 'Dhrystone 2 using register variables'));
    expect(dhry.candidate!.index).toBe(printedIndex(report, 1, 'Dhrystone 2 using register variables'));
    expect(dhry.baseline!.samples).toBe(10); // default ./Run: 10 passes of dhry2reg
    for (const r of p.rows) {
      expect(r.intervalPercent, r.test).toBeDefined();
      expect(r.intervalPercent!.lower).toBeLessThanOrEqual(r.changePercent!);
      expect(r.intervalPercent!.upper).toBeGreaterThanOrEqual(r.changePercent!);
    }
    // Two copies on two CPUs: context switching between two processes gains hugely, and says so,
    // but only as a reading: the samples are iterations of one run each.
    expect(p.indicative).toBe(true);
    for (const t of ['Pipe-based Context Switching', 'System Benchmarks Index Score']) {
      const r = p.rows.find((x) => x.test === t)!;
      expect([r.verdict, r.reading]).toEqual(['indicative', 'higher']);
    }
    expect(c.counts.indicative).toBe(13);
    expect(c.regressed).toBe(false);
    expect(exitCode).toBe(0);
    expect(JSON.parse(output).note).toMatch(/Bonferroni/);
    const md = (await runCompare({ ...base, format: 'md', baseline: dir, candidate: dir, baselineCopies: 1, candidateCopies: 2 })).output;
    expect(md).toMatch(/\| Pipe-based Context Switching \|.*\| indicative: higher \|/);
    expect(md).toMatch(/> Indicative only: these samples are UnixBench's iterations inside one run/);
    expect(md).toMatch(/13 indicative only/);
    const term = (await runCompare({ ...base, format: 'terminal', baseline: dir, candidate: dir, baselineCopies: 1, candidateCopies: 2 })).output;
    expect(term).toMatch(/Pipe-based Context Switching .* indicative: higher/);
    expect(term).toMatch(/nothing here is a verdict or fails the gate/);
  });

  it('runB (-i 1): one iteration and one repetition per test: every verdict is inconclusive', async () => {
    const dir = `${FIX}/runB_i1_c1_c2_index`;
    const { comparison: c, exitCode } = await runCompare({ ...base, format: 'md', baseline: dir, candidate: dir, baselineCopies: 1, candidateCopies: 2 });
    const rows = c.pairs[0]!.rows;
    expect(rows).toHaveLength(13);
    expect(rows.every((r) => r.verdict === 'inconclusive' && /single sample/.test(r.reason))).toBe(true);
    expect(rows.every((r) => r.intervalPercent === undefined)).toBe(true);
    // The change itself is still shown: the printed Index Scores 1096.3 -> 1810.2.
    const score = rows.find((r) => r.test === 'System Benchmarks Index Score')!;
    expect(score.baseline!.index).toBe(1096.3);
    expect(score.candidate!.index).toBe(1810.2);
    expect(score.changePercent).toBeCloseTo((1810.2 / 1096.3 - 1) * 100, 9);
    expect(exitCode).toBe(0);
  });

  it('a set with several columns and no selection: error lists what exists', async () => {
    const dir = `${FIX}/runD_default_full`;
    await expect(runCompare({ ...base, baseline: dir, candidate: `${FIX}/runB_i1_c1_c2_index` })).rejects.toThrow(/no column in common.*runD_default_full' \(copies 1\).*runB_i1_c1_c2_index' \(copies 2\)/s);
    await expect(runCompare({ ...base, baseline: dir, candidate: dir, copies: 4 })).rejects.toThrow(/has no column copies 4; it has: 'runD_default_full' \(copies 1\), 'runD_default_full' \(copies 2\)/);
  });
});

suite('one repetition never says "no change"', () => {
  it('runD 1-copy pass against itself, at the iteration level: inconclusive, not "no change"', async () => {
    const dir = `${FIX}/runD_default_full`;
    const { comparison: c } = await runCompare({ ...base, baseline: dir, candidate: dir, copies: 1 });
    expect(c.pairs[0]!.level).toBe('iterations');
    expect(c.counts['no change']).toBe(0);
    expect(c.counts.improved + c.counts.regressed).toBe(0);
  });
});
