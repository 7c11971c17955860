import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadResultSets } from '../../src/results/load.js';
import type { ResultDoc, ResultSet } from '../../src/results/model.js';
import { buildReportTable } from '../../src/report/report-table.js';
import { buildReportText } from '../../src/report/table-model.js';
import { dryRunText } from '../../src/runner/dry-run.js';
import { unixbenchCommandLines } from '../../src/runner/unixbench-workload.js';
import { parseSuite } from '../../src/suite/load.js';
import { suiteIssues } from '../support/suite-issues.js';
import { defaultCopies } from '../../src/workloads/unixbench/run.js';
import { unixbenchFixture } from '../support/fixtures.js';

/** UnixBench 6.0.0 as a choice beside 5.1.3 (the default, the seed's). */
const suite = (unixbench: string, target = '  - { name: h, method: host }') => `workload:\n  unixbench:\n${unixbench}\ntargets:\n${target}\n`;

const issues = (text: string) => suiteIssues(text, '/tmp/vb-version.yaml');

describe('workload.unixbench.version', () => {
  it('defaults to 5.1.3; 6.0.0 is accepted; anything else is refused with its line', () => {
    expect(parseSuite(suite('    profile: short'), '/tmp/a.yaml').workload.options.version).toBe('5.1.3');
    expect(parseSuite(suite('    version: 6.0.0'), '/tmp/a.yaml').workload.options.version).toBe('6.0.0');
    const bad = issues(suite('    version: 6.1.0'));
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ field: 'workload.unixbench.version', line: 3 });
    expect(bad[0]!.message).toMatch(/allowed: 5\.1\.3, 6\.0\.0/);
  });

  it('copies above 16 only with 6.0.0', () => {
    const refused = issues(suite('    copies: [1, 32]'));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ field: 'workload.unixbench.copies[1]', line: 3 });
    expect(refused[0]!.message).toMatch(/UnixBench 5\.1\.3 runs no test above 16 copies.*version: 6\.0\.0/);
    expect(parseSuite(suite('    version: 6.0.0\n    copies: [1, 32]'), '/tmp/a.yaml').workload.options.copies).toEqual([1, 32]);
  });

  it('the default "all CPUs" pass: 16 copies with 5.1.3 on more CPUs, all of them with 6.0.0', () => {
    expect(defaultCopies(2, '5.1.3')).toEqual([1, 2]);
    expect(defaultCopies(64, '5.1.3')).toEqual([1, 16]);
    expect(defaultCopies(64, '6.0.0')).toEqual([1, 64]);
    expect(defaultCopies(1, '6.0.0')).toEqual([1]);
  });

  it('the plan says that a 5.1.3 "all CPUs" pass runs 16 copies on a target with more CPUs', async () => {
    const plan = parseSuite(suite('    profile: default', '  - { name: big, method: kvm, cpus: 32 }'), '/tmp/a.yaml');
    const text = await dryRunText(plan, { providers: {}, workloadLines: unixbenchCommandLines(plan), seed: 1 });
    expect(text).toContain('UnixBench 5.1.3 (at most 16 copies: on a guest with more CPUs the "all CPUs" pass runs 16)');
    expect(text).toContain('UnixBench 5.1.3 runs at most 16 copies: the "all CPUs" pass on this target (32 CPUs) runs 16 copies, not 32');
    const six = parseSuite(suite('    version: 6.0.0', '  - { name: big, method: kvm, cpus: 32 }'), '/tmp/a.yaml');
    const sixText = await dryRunText(six, { providers: {}, workloadLines: unixbenchCommandLines(six), seed: 1 });
    expect(sixText).toContain('UnixBench 6.0.0 (no copies limit)');
    expect(sixText).not.toContain('runs at most 16 copies');
  });
});

describe('results of two versions', () => {
  async function runB(): Promise<ResultSet> {
    const [set] = await loadResultSets(unixbenchFixture('runB_i1_c1_c2_index'));
    return set!;
  }

  it('are never one column, and the columns say which version', async () => {
    const set = await runB();
    const real = set.results[0]!;
    // The same real 5.1.3 result relabelled as 6.0.0 (a stand-in: only its version differs).
    const as6: ResultDoc = { ...real, id: 'six', unixbench: { ...real.unixbench!, version: '6.0.0' }, workload: { ...real.workload, version: '6.0.0' } };
    const cmp = buildReportTable([{ ...set, results: [real, as6] }]);
    expect(cmp.columns.map((c) => c.displayLabel)).toEqual([
      'runB_i1_c1_c2_index, 1 copy [UnixBench 5.1.3]',
      'runB_i1_c1_c2_index, 2 copies [UnixBench 5.1.3]',
      'runB_i1_c1_c2_index, 1 copy [UnixBench 6.0.0]',
      'runB_i1_c1_c2_index, 2 copies [UnixBench 6.0.0]',
    ]);
    expect(cmp.columns.every((c) => c.results.length === 1)).toBe(true);
    expect(buildReportText(cmp, cmp.columns[0]!).title).toMatch(/^UnixBench 5\.1\.3 and 6\.0\.0 comparison/);
  });

  it('the report says when a 5.1.3 "all CPUs" pass ran 16 copies on more CPUs', async () => {
    const set = await runB();
    const real = set.results[0]!;
    // runB's 2-copy pass as a 32-CPU machine would have printed it with 5.1.3's cap (a modified copy of real output).
    const capped: ResultDoc = {
      ...real,
      unixbench: { ...real.unixbench!, passes: real.unixbench!.passes.map((p) => (p.copies === 2 ? { ...p, copies: 16, cpusInSystem: 32 } : p)) },
    };
    const cmp = buildReportTable([{ ...set, results: [capped] }]);
    expect(cmp.notes).toContain('runB_i1_c1_c2_index/runB_i1_c1_c2_index-r1: the "all CPUs" pass ran 16 copies on 32 CPUs: UnixBench 5.1.3 runs at most 16 (6.0.0 has no limit)');
    expect(readFileSync(join(unixbenchFixture('runB_i1_c1_c2_index'), 'vm-2026-11-26-02'), 'utf8')).toContain('2 CPUs in system; running 2 parallel copies of tests');
  });
});

describe('the 2011 KVM conditions in the plan', () => {
  it('the dry run of seed-2011 runs the reproduction column with cache=writethrough and names the dropped options', async () => {
    const { KvmProvider } = await import('../../src/providers/kvm/provider.js');
    const file = join(import.meta.dirname, '..', '..', 'suites', 'seed-2011.yaml');
    const plan = parseSuite(readFileSync(file, 'utf8'), file);
    const text = await dryRunText(plan, { providers: { kvm: new KvmProvider() }, workloadLines: unixbenchCommandLines(plan), seed: 1 });
    const kvm = text.slice(text.indexOf('target kvm (kvm'), text.indexOf('target kvm-tuned'));
    expect(kvm).toContain('not passed to QEMU: -clock hpet: dropped, the -clock option no longer exists');
    expect(kvm).toContain('not passed to QEMU: boot=on: dropped');
    expect(kvm).toContain('not passed to QEMU: vlan=: dropped');
    expect(kvm).toMatch(/cache=writethrough,aio=threads/);
    const tuned = text.slice(text.indexOf('target kvm-tuned'));
    expect(tuned).toMatch(/cache=none,aio=native/);
    expect(tuned).not.toContain('not passed to QEMU');
  });
});

describe('the 2011 KVM conditions in the report', () => {
  it('a KVM result names its disk cache and the dropped options in the conditions and the notes', async () => {
    const { kvmFacts } = await import('../../src/providers/kvm/facts.js');
    const { allConditions } = await import('../../src/report/conditions.js');
    const [set] = await loadResultSets(unixbenchFixture('runB_i1_c1_c2_index'));
    const real = set!.results[0]!;
    // runB's real output as if measured in the reproduction KVM guest: only its facts are the guest's.
    const guestFacts = kvmFacts({
      qemuVersion: '7.2.22', argv: ['qemu-system-x86_64', '-drive', 'file=/x/overlay.qcow2,if=none,id=vda,format=qcow2,cache=writethrough,aio=threads,discard=unmap'],
      accel: 'kvm', accelRequested: 'auto', cpuModel: 'host', cpus: 2, memoryMiB: 2048, droppedOptions: ['-clock hpet', 'boot=on'],
      kernel: { path: '/vmlinuz', source: 'image' }, bootSeconds: 1, hugepages: false,
    }) as Record<string, unknown>;
    const doc: ResultDoc = { ...real, target: { ...real.target, method: 'kvm', label: 'KVM (virtio, 2011 defaults)' }, guestFacts };
    const cmp = buildReportTable([{ ...set!, results: [doc] }]);
    const items = allConditions(cmp)[0]!.items;
    expect(items).toContainEqual(['Disk cache (QEMU -drive)', 'writethrough']);
    expect(items.filter(([k]) => k === 'Dropped QEMU option').map(([, v]) => v.split(':')[0])).toEqual(['-clock hpet', 'boot=on']);
    expect(cmp.notes.some((n) => n.includes('options of the reproduced QEMU command line not passed') && n.includes('-clock hpet: dropped'))).toBe(true);
  });
});
