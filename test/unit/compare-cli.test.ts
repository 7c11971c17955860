import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe as suite, expect, it, vi } from 'vitest';
import { main } from '../../src/cli.js';
import { seededRng } from '../../src/core/random.js';
import { flatMedians, syntheticResults, type SyntheticColumn } from '../support/synthetic.js';
import { INDEX_TESTS } from '../../src/workloads/unixbench/catalogue.js';
import { writeResult } from '../../src/results/run-dir.js';
import { createRunDir } from '../support/run-dir.js';

/** Synthetic (fake, seeded) results written as real run directories through the result store. */
let root: string;
const runs: Record<string, string> = {};

async function writeRun(name: string, seed: number, cols: SyntheticColumn[]): Promise<void> {
  const dir = await createRunDir(root, name);
  const rng = seededRng(seed);
  for (const c of cols) for (const doc of syntheticResults(rng, c, name)) await writeResult(dir, doc);
  runs[name] = dir;
}

const kernel = (release: string) => ({ kernelRelease: release, kernelVersion: `#1 SMP ${release}` });
const worseOnPipe = { ...flatMedians(1000), 'Pipe Throughput': 900 };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vb-h8-compare-'));
  // The kernel-regression shape: an LXC target (host kernel = guest kernel) under two kernels.
  await writeRun('old', 11, [{ label: 'lxc', method: 'lxc', medians: flatMedians(1000), cv: 0.005, repetitions: 5, manifest: kernel('6.1.0-old'), hostManifest: kernel('6.1.0-old') }]);
  await writeRun('same', 12, [{ label: 'lxc', method: 'lxc', medians: flatMedians(1000), cv: 0.005, repetitions: 5, manifest: kernel('6.1.0-new'), hostManifest: kernel('6.1.0-new') }]);
  await writeRun('slower', 13, [{ label: 'lxc', method: 'lxc', medians: worseOnPipe, cv: 0.005, repetitions: 5, manifest: kernel('6.1.0-new'), hostManifest: kernel('6.1.0-new') }]);
  await writeRun('othercpu', 14, [
    { label: 'lxc', method: 'lxc', medians: flatMedians(1000), cv: 0.005, repetitions: 5, manifest: { ...kernel('6.1.0-new'), cpuModel: 'Other CPU', governor: 'powersave' }, hostManifest: { ...kernel('6.1.0-new'), cpuModel: 'Other CPU', governor: 'powersave' } },
  ]);
  const otherCpu = { ...kernel('6.1.0-new'), cpuModel: 'Other CPU', governor: 'powersave' };
  await writeRun('slower-othercpu', 17, [{ label: 'lxc', method: 'lxc', medians: worseOnPipe, cv: 0.005, repetitions: 5, manifest: otherCpu, hostManifest: otherCpu }]);
  const otherHost = { ...kernel('6.1.0-old'), hostname: 'elsewhere', collectedAt: '2030-01-01T00:00:00Z' };
  await writeRun('slower-otherhost', 18, [{ label: 'lxc', method: 'lxc', medians: worseOnPipe, cv: 0.005, repetitions: 5, manifest: otherHost, hostManifest: otherHost }]);
  await writeRun('two-passes', 16, [
    { label: 'kernel-old', method: 'kvm', copies: 1, medians: flatMedians(1000), cv: 0.003, repetitions: 3 },
    { label: 'kernel-old', method: 'kvm', copies: 2, medians: flatMedians(1900), cv: 0.003, repetitions: 3 },
    { label: 'kernel-new', method: 'kvm', copies: 1, medians: flatMedians(1000), cv: 0.003, repetitions: 3, manifest: kernel('6.12.0-new') },
    { label: 'kernel-new', method: 'kvm', copies: 2, medians: flatMedians(1900), cv: 0.003, repetitions: 3, manifest: kernel('6.12.0-new') },
  ]);
  await writeRun('once-old', 19, [{ label: 'lxc', method: 'lxc', medians: flatMedians(1000), cv: 0.005, repetitions: 1, manifest: kernel('6.1.0-old'), hostManifest: kernel('6.1.0-old') }]);
  await writeRun('once-new', 20, [{ label: 'lxc', method: 'lxc', medians: worseOnPipe, cv: 0.005, repetitions: 1, manifest: kernel('6.1.0-new'), hostManifest: kernel('6.1.0-new') }]);
  await writeRun('two-columns', 15, [
    { label: 'lxc', method: 'lxc', medians: flatMedians(1000), cv: 0.005, repetitions: 2 },
    { label: 'kvm', method: 'kvm', medians: flatMedians(800), cv: 0.005, repetitions: 2 },
  ]);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  try {
    process.exitCode = undefined;
    const code = await main(args);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.exitCode = undefined; // never let a test's verdict become vitest's exit status
  }
}

suite('virtbench compare (CLI)', () => {
  it('exit 0 when nothing regressed (same kernel performance, kernel named as the variable)', async () => {
    const r = await cli(['compare', runs.old!, runs.same!, '--variable', 'kernel', '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.counts.regressed).toBe(0);
    expect(j.variable).toBe('kernel');
    expect(j.pairs[0].level).toBe('repetitions');
    expect(j.warnings).toEqual([]); // the kernels differ, but that is the variable
  });

  it('exit 1 when a test regressed, and the table says which', async () => {
    const r = await cli(['compare', runs.old!, runs.slower!, '--variable', 'kernel', '--format', 'md']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\| Pipe Throughput \| \d+\.\d \| \d+\.\d \| -(9|10|11)\.\d% \| \[-\d+\.\d%, -\d+\.\d%\] \| \*\*regressed\*\*/);
    expect(r.stdout).toMatch(/1 regressed/);
    const other = INDEX_TESTS.filter((t) => t !== 'Pipe Throughput');
    for (const t of other) expect(r.stdout).not.toMatch(new RegExp(`\\| ${t.replace(/[()]/g, '\\$&')} \\|[^\\n]*regressed`));
  });

  it('one run a side: indicative readings, and the method note says there are no intervals (not "over 0 comparisons")', async () => {
    const r = await cli(['compare', runs['once-old']!, runs['once-new']!, '--variable', 'kernel', '--format', 'md']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Intervals: none (no row has the repetitions for one)');
    expect(r.stdout).not.toMatch(/over 0 comparisons/);
    expect(r.stdout).toMatch(/indicative/);
    const j = JSON.parse((await cli(['compare', runs['once-old']!, runs['once-new']!, '--variable', 'kernel', '--format', 'json'])).stdout);
    expect(j.familySize).toBe(0);
  });

  it('exit 2 on bad input: a missing folder, a bad threshold, an unknown variable', async () => {
    expect((await cli(['compare', join(root, 'nope'), runs.old!])).code).toBe(2);
    const t = await cli(['compare', runs.old!, runs.same!, '--threshold', 'lots']);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/--threshold "lots" is not a percent/);
    const v = await cli(['compare', runs.old!, runs.same!, '--variable', 'moon']);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/--variable moon is not known[\s\S]*kernel/);
  });

  it('warns about manifest differences other than the named variable', async () => {
    const r = await cli(['compare', runs.old!, runs.othercpu!, '--variable', 'kernel', '--format', 'json']);
    const w: string[] = JSON.parse(r.stdout).warnings;
    expect(w.some((x) => /guest cpuModel differs: baseline Synthetic CPU; candidate Other CPU/.test(x))).toBe(true);
    expect(w.some((x) => /host governor differs: baseline performance; candidate powersave/.test(x))).toBe(true);
    expect(w.some((x) => /kernel/.test(x))).toBe(false);
    // Without naming the variable, the kernel difference is a warning too.
    const r2 = await cli(['compare', runs.old!, runs.same!, '--format', 'json']);
    expect(JSON.parse(r2.stdout).warnings.some((x: string) => /kernelRelease differs: baseline 6\.1\.0-old; candidate 6\.1\.0-new/.test(x))).toBe(true);
  });

  it('a regression measured on another CPU and governor is inconclusive (environment differs), unless the drift is accepted', async () => {
    const r = await cli(['compare', runs.old!, runs['slower-othercpu']!, '--variable', 'kernel', '--format', 'md']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\| Pipe Throughput \|.*\| inconclusive \(environment differs: cpuModel, governor\) \|/);
    expect(r.stdout).toMatch(/0 regressed/);
    expect(r.stdout).toMatch(/governor differs: baseline performance; candidate powersave \(the cpufreq governor sets the clock/);
    const j = JSON.parse((await cli(['compare', runs.old!, runs['slower-othercpu']!, '--variable', 'kernel', '--format', 'json'])).stdout);
    expect(j.pairs[0].drift).toEqual(['cpuModel', 'governor']);
    expect(j.pairs[0].rows.find((x: { test: string }) => x.test === 'Pipe Throughput').drift).toEqual(['cpuModel', 'governor']);
    const one = await cli(['compare', runs.old!, runs['slower-othercpu']!, '--variable', 'kernel', '--accept-drift', 'cpuModel', '--format', 'md']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/environment differs: governor\)/);
    const both = await cli(['compare', runs.old!, runs['slower-othercpu']!, '--variable', 'kernel', '--accept-drift', 'cpuModel', '--accept-drift', 'governor', '--format', 'md']);
    expect(both.code).toBe(1);
    expect(both.stdout).toMatch(/\| Pipe Throughput \|.*\| \*\*regressed\*\* \|/);
    expect(both.stdout).not.toMatch(/warning|Warnings/);
  });

  it('the variable itself is never drift; hostnames and dates never warn', async () => {
    const r = await cli(['compare', runs.old!, runs['slower-otherhost']!, '--format', 'json']);
    const j = JSON.parse(r.stdout);
    expect(r.code).toBe(1);
    expect(j.warnings).toEqual([]);
    expect(j.pairs[0].drift).toEqual([]);
    // Without --variable, a kernel difference is drift: the regression is not called.
    const k = await cli(['compare', runs.old!, runs.slower!, '--format', 'json']);
    expect(k.code).toBe(0);
    expect(JSON.parse(k.stdout).pairs[0].drift).toEqual(['kernelRelease', 'kernelVersion']);
    expect((await cli(['compare', runs.old!, runs.slower!, '--variable', 'kernel', '--format', 'json'])).code).toBe(1);
  });

  it('refuses an --accept-drift field it does not know', async () => {
    const r = await cli(['compare', runs.old!, runs.slower!, '--accept-drift', 'hostnme']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--accept-drift hostnme is not a known manifest field/);
  });

  it('warns when the named variable did not change', async () => {
    const r = await cli(['compare', runs.same!, runs.slower!, '--variable', 'kernel', '--format', 'json']);
    expect(JSON.parse(r.stdout).warnings.some((x: string) => /variable 'kernel' is the same in both sets/.test(x))).toBe(true);
  });

  it('picks a column with --target, and lists the columns when it does not exist', async () => {
    const ok = await cli(['compare', runs['two-columns']!, '--baseline-target', 'lxc', '--candidate-target', 'kvm', '--format', 'json']);
    const j = JSON.parse(ok.stdout);
    expect(j.pairs[0].baseline.id).toBe('lxc, 1 copy');
    expect(j.pairs[0].candidate.id).toBe('kvm, 1 copy');
    expect(ok.code).toBe(1); // kvm at 80% of lxc: regressed (with 2 repetitions and CV 0.5%)
    const bad = await cli(['compare', runs['two-columns']!, runs.old!, '--target', 'openvz']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/has no column target 'openvz'; it has: .*'lxc' \(copies 1\)/);
    expect(bad.stderr).toMatch(/it has: .*'kvm' \(copies 1\)/);
  });

  it('compares two targets of one run (one input), pass against pass by copies', async () => {
    const r = await cli(['compare', runs['two-passes']!, '--baseline-target', 'kernel-old', '--candidate-target', 'kernel-new', '--variable', 'kernel', '--format', 'json']);
    const j = JSON.parse(r.stdout);
    expect(j.pairs.map((p: { baseline: { id: string }; candidate: { id: string } }) => `${p.baseline.id} | ${p.candidate.id}`)).toEqual([
      'kernel-old, 1 copy | kernel-new, 1 copy',
      'kernel-old, 2 copies | kernel-new, 2 copies',
    ]);
    expect(j.familySize).toBe(26);
    expect(r.code).toBe(0);
  });

  it('colours the terminal table only when asked', async () => {
    const { runCompare } = await import('../../src/cli/compare.js');
    const args = { baseline: runs.old!, candidate: runs.slower!, format: 'terminal' as const, threshold: '2', confidence: '95', level: 'auto' as const, variable: 'kernel' };
    expect((await runCompare({ ...args, colour: true })).output).toContain('\u001b[31mregressed\u001b[0m');
    expect((await runCompare({ ...args, colour: false })).output).not.toContain('\u001b[');
  });
});
