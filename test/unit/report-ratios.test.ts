import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { chooseBaseline } from '../../src/report/baseline.js';
import { buildReportTable } from '../../src/report/report-table.js';
import { signedPercent } from '../../src/report/format.js';
import { normalisedTable, ratiosFor } from '../../src/report/ratios.js';
import { buildReportText } from '../../src/report/table-model.js';
import { renderTerminal } from '../../src/report/table-terminal.js';
import { fixtureRunB, reference2011 } from './report-data.js';

// The slides: (5101.8 - 4028.1) / 5101.8 = 21.0 %, (5101.8 - 3411.2) / 5101.8 = 33.1 %;
// relative to the slower system the same gaps are +26.7 % and +49.6 % (shared/seed/README.md).
describe('ratios against a baseline, stated both ways', async () => {
  const cmp = buildReportTable([await reference2011()]);
  const lxc = chooseBaseline(cmp, 'LXC (guest x86_64)');
  const byLabel = Object.fromEntries(ratiosFor(cmp, lxc).map((r) => [r.column.label, r]));

  it('KVM against LXC: 33.1% below; LXC 49.6% above KVM', () => {
    const r = byLabel['KVM (guest)']!;
    expect(r.columnSentence).toBe('KVM (guest) is 33.1% below LXC (guest x86_64) (LXC (guest x86_64) = 100)');
    expect(r.baselineSentence).toBe('LXC (guest x86_64) is 49.6% above KVM (guest) (KVM (guest) = 100)');
    expect(signedPercent(r.changeVsBaselinePct)).toBe('-33.1%');
    expect(signedPercent(r.baselineVsColumnPct)).toBe('+49.6%');
    expect(r.normalised.toFixed(1)).toBe('66.9');
  });

  it('OpenVZ against LXC: 21.0% below; LXC 26.7% above OpenVZ', () => {
    const r = byLabel['Virtuozzo/OpenVZ (guest)']!;
    expect(r.columnSentence).toBe('Virtuozzo/OpenVZ (guest) is 21.0% below LXC (guest x86_64) (LXC (guest x86_64) = 100)');
    expect(r.baselineSentence).toBe('LXC (guest x86_64) is 26.7% above Virtuozzo/OpenVZ (guest) (Virtuozzo/OpenVZ (guest) = 100)');
    expect(signedPercent(r.changeVsBaselinePct)).toBe('-21.0%');
    expect(signedPercent(r.baselineVsColumnPct)).toBe('+26.7%');
  });

  it('the other way round, with KVM as baseline, LXC is +49.6%', () => {
    const kvm = chooseBaseline(cmp, 'kvm');
    const r = ratiosFor(cmp, kvm).find((x) => x.column.label === 'LXC (guest x86_64)')!;
    expect(r.columnSentence).toBe('LXC (guest x86_64) is 49.6% above KVM (guest) (KVM (guest) = 100)');
    expect(signedPercent(r.changeVsBaselinePct)).toBe('+49.6%');
  });

  it('says which way percentages are taken, in the terminal output', () => {
    const out = renderTerminal(buildReportText(cmp, lxc), { colour: false });
    expect(out).toContain('KVM (guest) is 33.1% below LXC (guest x86_64) (LXC (guest x86_64) = 100)');
    expect(out).toContain('(column - baseline) / baseline');
    expect(out).toMatch(/System Benchmarks Index Score\s+66\.9 \(-33\.1%\)\s+79\.0 \(-21\.0%\)\s+92\.0 \(-8\.0%\)\s+100\.0/);
  });

  it('normalises every test to the baseline (= 100)', () => {
    const t = normalisedTable(cmp, lxc);
    expect(t[0]!.values.map((v) => v!.toFixed(1))).toEqual(['98.8', '53.6', '46.8', '100.0']); // 9237.4 / 9348.9 ...
  });

  it('defaults to the first column and accepts a column number; refuses unknown or ambiguous names', () => {
    expect(chooseBaseline(cmp).label).toBe('KVM (guest)');
    expect(chooseBaseline(cmp, '4').label).toBe('LXC (guest x86_64)');
    expect(() => chooseBaseline(cmp, 'xen')).toThrow(InputError);
    expect(() => chooseBaseline(cmp, '9')).toThrow(/there are 4 columns/);
    expect(() => chooseBaseline(cmp, 'lxc')).toThrow(/matches 2 columns/);
  });

  it('takes a copies pass as baseline: the fixture 2-copy pass against its 1-copy pass', async () => {
    const fx = buildReportTable([await fixtureRunB()]);
    const [r] = ratiosFor(fx, chooseBaseline(fx, '1'));
    // 1810.2 vs 1096.3 (the fixture's printed Index Scores)
    expect(r!.columnSentence).toBe('runB_i1_c1_c2_index, 2 copies is 65.1% above runB_i1_c1_c2_index, 1 copy (runB_i1_c1_c2_index, 1 copy = 100)');
    expect(r!.baselineSentence).toContain('is 39.4% below runB_i1_c1_c2_index, 2 copies');
  });
});
