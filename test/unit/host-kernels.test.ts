import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { splitByHostKernel } from '../../src/analysis/kernel-split.js';
import type { ResultDoc, ResultSet } from '../../src/results/model.js';
import { defaultEntry, entryFor, grubRebootArgument, parseGrubenv, parseGrubMenu } from '../../src/runner/kernels/grub-menu.js';
import { parseSuite, SuiteError } from '../../src/suite/load.js';
import { kernelRounds, resultIdOf, scheduleFor } from '../../src/suite/order.js';

const LAB = `name: lab-kernels
hosts:
  lab:
    address: 192.0.2.10
    key: ~/.ssh/lab
    hostKey: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOaWuCa9CzeyHmMUVxaKq3Nm3C8GhCB1pP0Z8ebI0mFu
kernels:
  host: lab
  releases: [6.1.0-47-cloud-amd64, 6.1.0-50-cloud-amd64]
repetitions: 3
seed: 7
targets:
  - name: bare
    method: host
    host: lab
`;

function mistakes(text: string) {
  try {
    parseSuite(text, '/tmp/lab.yaml');
  } catch (e) {
    if (e instanceof SuiteError) return e.issues.map((i) => `${i.line}: ${i.field}: ${i.message}`);
    throw e;
  }
  throw new Error('the suite was accepted');
}

describe('suite kernels:', () => {
  it('plans one round per kernel and repetition, old/new then new/old, each target in each round', () => {
    const plan = parseSuite(LAB, '/tmp/lab.yaml');
    expect(plan.kernels).toEqual({ host: 'lab', releases: ['6.1.0-47-cloud-amd64', '6.1.0-50-cloud-amd64'], boot: 'grub-reboot', rebootTimeoutSeconds: 600 });
    const steps = scheduleFor(plan, 7).get('lab')!;
    expect(steps).toHaveLength(6);
    const kernels = steps.map((s) => s.kernel);
    // ABBA: each odd repetition in the seeded order, each even one reversed.
    expect(kernels[1]).toBe(kernels[2]);
    expect(kernels[3]).toBe(kernels[4]);
    expect(kernels[0]).not.toBe(kernels[1]);
    expect(new Set(steps.map(resultIdOf)).size).toBe(6);
    expect(resultIdOf(steps[0]!)).toMatch(/^bare-6\.1\.0-(47|50)-cloud-amd64-r1$/);
    // The same seed gives the same order; another seed may start with the other kernel.
    expect(scheduleFor(plan, 7).get('lab')).toEqual(steps);
    const firsts = new Set([1, 2, 3, 4, 5, 6, 8, 9].map((seed) => scheduleFor(plan, seed).get('lab')![0]!.kernel));
    expect(firsts.size).toBe(2);
  });

  it('sequential rounds take every repetition of one kernel, then the next', () => {
    expect(kernelRounds(['a', 'b'], 2, 'sequential', Math.random).map((r) => `${r.kernel}${r.repetition}`)).toEqual(['a1', 'a2', 'b1', 'b2']);
  });

  it('refuses a local host, an unpinned host key, a single kernel and a kernel name that is not a release', () => {
    expect(mistakes(LAB.replace('host: lab\n  releases', 'host: local\n  releases')).join('\n')).toMatch(/cannot reboot the machine it runs on/);
    expect(mistakes(LAB.replace(/    hostKey: .*\n/, '')).join('\n')).toMatch(/pin its host key/);
    expect(mistakes(LAB.replace('[6.1.0-47-cloud-amd64, 6.1.0-50-cloud-amd64]', '[6.1.0-47-cloud-amd64]')).join('\n')).toMatch(/at least two kernels/);
    expect(mistakes(LAB.replace('6.1.0-50-cloud-amd64]', '"6.1.0 50"]')).join('\n')).toMatch(/kernel release/);
    expect(mistakes(LAB.replace('    host: lab\n', '    host: local\n')).join('\n')).toMatch(/no target runs on host 'lab'/);
    expect(mistakes(LAB.replace('boot', 'x').replace('kernels:\n  host: lab', 'kernels:\n  boot: reboot\n  host: lab')).join('\n')).toMatch(/kernels\.boot/);
  });
});

describe('GRUB menu', () => {
  const cfg = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'grub', 'debian12-two-kernels.cfg'), 'utf8');
  const menu = parseGrubMenu(cfg);

  it('finds every kernel entry of a Debian grub.cfg and its grub-reboot id path', () => {
    const releases = menu.filter((e) => !e.recovery).map((e) => e.release);
    expect(releases).toEqual(['6.1.0-50-cloud-amd64', '6.1.0-50-cloud-amd64', '6.1.0-47-cloud-amd64']);
    const old = entryFor(menu, '6.1.0-47-cloud-amd64')!;
    expect(old.titles[0]).toBe('Advanced options for Debian GNU/Linux');
    expect(grubRebootArgument(old)).toMatch(/^gnulinux-advanced-[0-9a-f-]{36}>gnulinux-6\.1\.0-47-cloud-amd64-advanced-[0-9a-f-]{36}$/);
    expect(old.cmdline).toMatch(/^root=UUID=[0-9a-f-]{36} ro console=ttyS0,115200n8/);
    expect(entryFor(menu, '6.1.0-99-amd64')).toBeUndefined();
  });

  it('tells the default kernel: set default="0", a saved entry, an id path', () => {
    expect(defaultEntry(menu, cfg)?.release).toBe('6.1.0-50-cloud-amd64');
    const old = entryFor(menu, '6.1.0-47-cloud-amd64')!;
    const saved = cfg.replace(/set default="0"/, 'set default="${saved_entry}"');
    expect(defaultEntry(menu, saved, { saved_entry: grubRebootArgument(old) })?.release).toBe('6.1.0-47-cloud-amd64');
    expect(defaultEntry(menu, saved, {})?.release).toBe('6.1.0-50-cloud-amd64');
    // GRUB_DEFAULT="1>1": the second entry of the second top-level item (the Advanced options submenu).
    const numeric = (path: string) => defaultEntry(menu, cfg.replace(/set default="0"/, `set default="${path}"`));
    expect(menu.map((e) => e.positions.join('>'))).toEqual(['0', '1>0', '1>1']);
    expect(numeric('1>1')?.release).toBe('6.1.0-47-cloud-amd64');
    expect(numeric('1>0')?.release).toBe('6.1.0-50-cloud-amd64');
    expect(numeric('1')?.release).toBe('6.1.0-50-cloud-amd64'); // a submenu alone: its first entry
    expect(numeric(`${old.ids[0]}>1`)?.release).toBe('6.1.0-47-cloud-amd64'); // ids and numbers mixed
    expect(numeric('Advanced options for Debian GNU/Linux>1')?.release).toBe('6.1.0-47-cloud-amd64');
    expect(parseGrubenv('# GRUB Environment Block\nnext_entry=a>b\nsaved_entry=0\n###')).toEqual({ next_entry: 'a>b', saved_entry: '0' });
  });
});

describe('compare --variable kernel on one run', () => {
  const doc = (id: string, release: string, position: number): ResultDoc => ({
    schemaVersion: 1, id, runId: 'r', target: { name: 'bare', method: 'host', host: 'lab' },
    workload: { name: 'unixbench', version: '5.1.3', options: {} }, repetition: 1, status: 'ok', startedAt: '', finishedAt: '', emulated: false, rawFiles: [],
    hostKernel: { release, boot: 'grub-reboot', bootId: 'x', position },
  });
  const set: ResultSet = { source: '/r', name: 'r', results: [doc('a', 'k-new', 1), doc('b', 'k-old', 0), doc('c', 'k-old', 0), doc('d', 'k-new', 1)] };

  it('splits the run by host kernel, the suite\'s first kernel as the baseline', () => {
    const s = splitByHostKernel(set)!;
    expect(s.baseline.results.map((r) => r.id)).toEqual(['b', 'c']);
    expect(s.candidate.results.map((r) => r.id)).toEqual(['a', 'd']);
    expect(s.baseline.name).toBe('r @ k-old');
    expect(splitByHostKernel(set, { baseline: 'k-new', candidate: 'k-old' })!.baseline.name).toBe('r @ k-new');
    expect(() => splitByHostKernel(set, { baseline: 'k-x' })).toThrow(/no results under host kernel k-x/);
    expect(splitByHostKernel({ ...set, results: set.results.map((r) => ({ ...r, hostKernel: undefined })) })).toBeUndefined();
  });
});
