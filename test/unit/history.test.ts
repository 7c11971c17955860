import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe as suite, expect, it } from 'vitest';
import { findChangePoints } from '../../src/analysis/change-points.js';
import { runHistory } from '../../src/cli/history.js';
import { seededRng } from '../../src/core/random.js';
import { writeResult } from '../../src/results/run-dir.js';
import { createRunDir } from '../support/run-dir.js';
import { historyChartFiles, renderHistoryPdf } from '../../src/report/history.js';
import { flatMedians, syntheticResults } from '../support/synthetic.js';

/** Synthetic (fake, seeded) runs: two repetitions each, one hour apart. */
let root: string;
async function series(name: string, medians: number[], seed: number): Promise<string> {
  const dir = join(root, name);
  const rng = seededRng(seed);
  for (const [i, m] of medians.entries()) {
    const runId = `run-${String(i + 1).padStart(2, '0')}`;
    const run = await createRunDir(dir, runId);
    for (const doc of syntheticResults(rng, { label: 'lxc', method: 'lxc', medians: flatMedians(m), cv: 0.01, repetitions: 2, hostManifest: { kernelRelease: `6.1.0-${10 + i}-amd64` } }, runId)) {
      await writeResult(run, { ...doc, startedAt: new Date(Date.UTC(2026, 0, 1, i, doc.repetition)).toISOString() });
    }
  }
  return dir;
}

const args = { orderBy: 'time', format: 'json' as const, seed: 1, permutations: 199, alpha: 0.05 };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vb-history-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

suite('E-divisive change points (Matteson & James 2014)', () => {
  it('finds a drop and its size; none in noise; seeded, so the same every time', () => {
    const rng = seededRng(5);
    const xs = [...Array.from({ length: 6 }, () => rng.logNormal(1000, 0.01)), ...Array.from({ length: 6 }, () => rng.logNormal(500, 0.01))];
    const cps = findChangePoints(xs);
    expect(cps.map((c) => c.index)).toEqual([6]);
    expect(cps[0]!.ratio).toBeCloseTo(0.5, 1);
    expect(cps[0]!.interval!.upper).toBeLessThan(0.52);
    expect(findChangePoints(xs)).toEqual(cps);
    let falseAlarms = 0;
    for (let s = 0; s < 40; s++) {
      const r = seededRng(1000 + s);
      if (findChangePoints(Array.from({ length: 10 }, () => r.logNormal(1000, 0.02)), { seed: s, permutations: 99 }).length > 0) falseAlarms++;
    }
    expect(falseAlarms).toBeLessThanOrEqual(6); // 5% expected: 2 of 40; a binomial tail allows a few
  });
});

suite('virtbench history', () => {
  it('finds the change planted at the fourth of eight runs, says it made things worse, exit 1', async () => {
    const dir = await series('planted', [1000, 1000, 1000, 500, 500, 500, 500, 500], 21);
    const { history: h, exitCode, output } = await runHistory({ ...args, inputs: [dir] });
    expect(h.runs).toHaveLength(8);
    const score = h.series.find((s) => s.test === 'System Benchmarks Index Score')!;
    expect(score.points).toHaveLength(16);
    expect(score.changes.map((c) => [c.run, c.direction])).toEqual([['run-04', 'worse']]);
    expect(score.changes[0]!.ratio).toBeGreaterThan(0.45);
    expect(score.changes[0]!.ratio).toBeLessThan(0.55);
    expect(score.worseNow).toBe(true);
    expect(exitCode).toBe(1);
    expect(JSON.parse(output).note).toMatch(/E-divisive/);
    const md = (await runHistory({ ...args, inputs: [dir], format: 'md', orderBy: 'kernelRelease' })).output;
    expect(md).toMatch(/\| lxc, 1 copy \| System Benchmarks Index Score \| 16 \| at run-04 \(6\.1\.0-13-amd64\): -5\d\.\d% \[-\d+\.\d%, -\d+\.\d%\] worse, p=0\.0\d\d \| WORSE NOW \|/);
  });

  it('never pools UnixBench versions in one series: a 5.1.3 and a 6.0.0 series, each column saying which', async () => {
    const dir = join(root, 'versions');
    const rng = seededRng(31);
    for (let i = 0; i < 6; i++) {
      const runId = `run-${String(i + 1).padStart(2, '0')}`;
      const version = i < 3 ? '5.1.3' : '6.0.0';
      const run = await createRunDir(dir, runId);
      for (const doc of syntheticResults(rng, { label: 'lxc', method: 'lxc', medians: flatMedians(1000), cv: 0.01, repetitions: 2 }, runId)) {
        await writeResult(run, { ...doc, workload: { ...doc.workload, version }, unixbench: { ...doc.unixbench!, version }, startedAt: new Date(Date.UTC(2026, 0, 1, i, doc.repetition)).toISOString() });
      }
    }
    const { history: h } = await runHistory({ ...args, inputs: [dir] });
    const score = h.series.filter((s) => s.test === 'System Benchmarks Index Score');
    expect(score.map((s) => s.column).sort()).toEqual(['lxc, 1 copy [UnixBench 5.1.3]', 'lxc, 1 copy [UnixBench 6.0.0]']);
    expect(score.map((s) => s.points.length)).toEqual([6, 6]);
  });

  it('an A/A series has no change point: exit 0', async () => {
    const dir = await series('aa', [1000, 1000, 1000, 1000, 1000, 1000], 22);
    const { history: h, exitCode } = await runHistory({ ...args, inputs: [dir] });
    expect(h.series.every((s) => s.changes.length === 0)).toBe(true);
    expect(exitCode).toBe(0);
  });

  it('a change that was undone before the newest run does not fail the gate', async () => {
    const dir = await series('undone', [1000, 1000, 1000, 500, 500, 500, 1000, 1000, 1000], 23);
    const { history: h, exitCode } = await runHistory({ ...args, inputs: [dir] });
    const score = h.series.find((s) => s.test === 'System Benchmarks Index Score')!;
    expect(score.changes.map((c) => [c.run, c.direction])).toEqual([['run-04', 'worse'], ['run-07', 'better']]);
    expect(exitCode).toBe(0);
  });

  it('draws a chart per series and a PDF page each', async () => {
    const dir = await series('draw', [1000, 1000, 1000, 500, 500, 500], 24);
    const { history: h } = await runHistory({ ...args, inputs: [dir] });
    const one = { ...h, series: h.series.filter((s) => s.test === 'System Benchmarks Index Score') };
    const files = historyChartFiles(one);
    expect(files.map((f) => f.name)).toEqual(['history-01-lxc-1-copy-system-benchmarks-index-score.png', 'history-01-lxc-1-copy-system-benchmarks-index-score.svg']);
    expect((files[0]!.data as Buffer).subarray(1, 4).toString()).toBe('PNG');
    expect(String(files[1]!.data)).toMatch(/<svg/);
    const pdf = join(root, 'h.pdf');
    await (await import('node:fs/promises')).writeFile(pdf, await renderHistoryPdf(one));
    expect(execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })).toMatch(/Change points: at run-04/);
    expect(await readdir(root)).toContain('h.pdf');
  });

  it('refuses an ordering it does not know', async () => {
    await expect(runHistory({ ...args, inputs: [root], orderBy: 'colour' })).rejects.toThrow(/--order-by colour is not known/);
  });
});
