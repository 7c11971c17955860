import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeReferenceChecks, importReference, writeReferenceSet } from '../../src/results/import-reference.js';
import { loadResultSets } from '../../src/results/load.js';

const REF = 'results/reference/2011';
const CSV = join(REF, 'joes-2011-unixbench.csv');
const CONDITIONS = join(REF, 'conditions.yaml');
let tmp: string;

beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'h1-reference-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('2011 reference import', () => {
  it('recomputes each Index Score as the geometric mean of its 12 index values', async () => {
    const { checks } = await importReference(CSV, CONDITIONS);
    // exp(mean(ln(index))) over the 12 published index values of each column.
    expect(checks.map((c) => [c.column, c.printed, Number(c.recomputed.toFixed(2))])).toEqual([
      ['KVM (guest)', 3411.2, 3411.31],
      ['Virtuozzo/OpenVZ (guest)', 4028.1, 4024.28],
      ['LXC (guest x86 32-bit)', 4694.3, 4508.58],
      ['LXC (guest x86_64)', 5101.8, 5101.81],
    ]);
    // Rounding to one decimal explains about +-0.11 on each score.
    expect(checks.map((c) => Number(c.tolerance.toFixed(3)))).toEqual([0.11, 0.119, 0.106, 0.106]);
    expect(checks.map((c) => c.ok)).toEqual([false, false, false, true]);
    expect(Number(checks[2]!.difference.toFixed(2))).toBe(185.72);
    expect(Number((checks[2]!.relativeDifference * 100).toFixed(2))).toBe(4.12);
    const lines = describeReferenceChecks(checks);
    expect(lines[3]).toMatch(/LXC \(guest x86_64\) +printed 5101\.8 .* 5101\.81 .*agrees within rounding/);
    expect(lines[2]).toMatch(/difference \+185\.72 \(\+4\.119%\).*DISAGREES/);
  });

  it('makes one published result per column with method, conditions and 5.1.3 baselines', async () => {
    const { set } = await importReference(CSV, CONDITIONS);
    expect(set.results.map((r) => [r.id, r.target.method, r.target.label])).toEqual([
      ['kvm-r1', 'kvm', 'KVM (guest)'],
      ['openvz-r1', 'openvz', 'Virtuozzo/OpenVZ (guest)'],
      ['lxc-x86-r1', 'lxc', 'LXC (guest x86 32-bit)'],
      ['lxc-x86_64-r1', 'lxc', 'LXC (guest x86_64)'],
    ]);
    const kvm = set.results[0]!;
    expect(kvm.emulated).toBe(false);
    expect(kvm.published!.conditions).toMatchObject({
      hostKernel: '2.6.32.41',
      unixbench: 'UnixBench 5.1.3, ./Run without arguments',
      limits: expect.stringContaining('nolimit'),
      qemuCommand: expect.stringContaining('-enable-kvm -daemonize -cpu host -smp 8'),
    });
    expect(set.results[1]!.published!.conditions.hostKernel).toMatch(/^2\.6\.18-028stab091\.2/);
    const rows = kvm.unixbench!.passes[0]!.index!.rows;
    expect(rows).toHaveLength(12);
    expect(rows[0]).toEqual({ name: 'Dhrystone 2 using register variables', baseline: 116700, result: null, index: 9237.4 });
    expect(rows.find((r) => r.name === 'Shell Scripts (8 concurrent)')).toEqual({ name: 'Shell Scripts (8 concurrent)', baseline: 6, result: null, index: 4321.7 });
    expect(kvm.unixbench!.passes[0]!.index!.score).toBe(3411.2);
  });

  it('the committed results/reference/2011 is what the importer writes, and loads as a result set in column order', async () => {
    const imported = await importReference(CSV, CONDITIONS);
    const [set] = await loadResultSets(REF);
    expect(set!.name).toBe('reference-2011');
    expect(set!.results).toEqual(imported.set.results);
  });

  it('writes into a fresh folder, keeps identical results, refuses to overwrite changed ones', async () => {
    const out = join(tmp, 'ref');
    const imported = await importReference(CSV, CONDITIONS);
    expect(await writeReferenceSet(imported, out, { csv: CSV, conditions: CONDITIONS })).toHaveLength(4);
    expect(await writeReferenceSet(imported, out, { csv: CSV, conditions: CONDITIONS })).toHaveLength(0);
    const changedCsv = join(tmp, 'changed.csv');
    await writeFile(changedCsv, (await readFile(CSV, 'utf8')).replace('9237.4', '9237.5'));
    const changed = await importReference(changedCsv, CONDITIONS);
    await expect(writeReferenceSet(changed, out, { csv: changedCsv, conditions: CONDITIONS })).rejects.toMatchObject({ code: 'RESULT_EXISTS' });
  });

  it('bad tables say file, line and column', async () => {
    const bad = join(tmp, 'bad.csv');
    await writeFile(bad, (await readFile(CSV, 'utf8')).replace('3363.4', 'n/a'));
    await expect(importReference(bad, CONDITIONS)).rejects.toMatchObject({ location: { file: bad, line: 7, field: 'KVM (guest)' } });
    await writeFile(bad, (await readFile(CSV, 'utf8')).replace('Pipe Throughput', 'Pipe Thruput'));
    await expect(importReference(bad, CONDITIONS)).rejects.toThrow(/"Pipe Thruput" is not a UnixBench 5.1.3 index test/);
    await writeFile(bad, (await readFile(CSV, 'utf8')).replace('KVM (guest)', 'Xen (guest)'));
    await expect(importReference(bad, CONDITIONS)).rejects.toThrow(/column "Xen \(guest\)" has no entry/);
  });
});
