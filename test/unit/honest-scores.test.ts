import { cp, mkdir, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { InputError } from '../../src/core/errors.js';
import { seededRng } from '../../src/core/random.js';
import { loadResultSets } from '../../src/results/load.js';
import { readRawFolder } from '../../src/results/raw-folder.js';
import { writeResult } from '../../src/results/run-dir.js';
import { createRunDir } from '../support/run-dir.js';
import { unixbenchFixture } from '../support/fixtures.js';
import { flatMedians, syntheticResults } from '../support/synthetic.js';

/**
 * Damaged and mismatched inputs, made from the real runD report (default ./Run, 1 and 2 copies,
 * with its .log): every one must show in the report and stop `compare` (exit 2) unless a flag
 * accepts it.
 */
let tmp: string;
const REPORT = 'vm-2026-11-26-01';

async function copyRun(name: string): Promise<string> {
  const dir = join(tmp, name);
  await cp(unixbenchFixture('runD_default_full'), dir, { recursive: true });
  // The console output holds a second, complete copy of the report: these cases damage the report file.
  await rm(join(dir, 'console.stdout.txt'));
  return dir;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((s: string) => (out.push(String(s)), true)) as typeof process.stdout.write;
  process.stderr.write = ((s: string) => (err.push(String(s)), true)) as typeof process.stderr.write;
  process.exitCode = undefined;
  try {
    const code = await main(args);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = o;
    process.stderr.write = e;
    process.exitCode = undefined;
  }
}

let intact: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vb-honest-'));
  intact = await copyRun('intact');
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('a damaged UnixBench report', () => {
  it('cut five bytes short: never 302.0 for 3028.5 with exit 0 -- marked in the report, refused by compare', async () => {
    const dir = await copyRun('cut');
    const file = join(dir, REPORT);
    await truncate(file, (await stat(file)).size - 5);
    expect((await readFile(file, 'utf8')).trimEnd().endsWith('302')).toBe(true);

    const report = await cli(['report', dir, '--out', join(tmp, 'out-cut'), '--formats', 'terminal,csv']);
    expect(report.code).toBe(0);
    expect(report.out).toMatch(/302\.0 \(!\)/);
    expect(report.out).toMatch(/DAMAGED REPORT: 2 copies: System Benchmarks Index Score: printed 302, recomputed 3028\.5/);

    const pick = ['--baseline-target', 'intact', '--candidate-target', 'cut'];
    const cmp = await cli(['compare', intact, dir, ...pick]);
    expect(cmp.code).toBe(2);
    expect(cmp.err).toContain('do not add up');
    const accepted = await cli(['compare', intact, dir, ...pick, '--accept-damaged']);
    expect(accepted.code).not.toBe(2);
    expect(accepted.out).toContain('DAMAGED INPUT (accepted)');
  });

  it('an index row deleted: the published score does not stand unmarked', async () => {
    const dir = await copyRun('row');
    const file = join(dir, REPORT);
    const lines = (await readFile(file, 'utf8')).split('\n');
    const row = lines.findIndex((l) => /^Pipe Throughput\s+12440\.0/.test(l));
    lines.splice(row, 1);
    await writeFile(file, lines.join('\n'));
    const report = await cli(['report', dir, '--out', join(tmp, 'out-row'), '--formats', 'terminal,csv']);
    expect(report.out).toMatch(/"Pipe Throughput" ran but has no row in the index table/);
    expect(report.out).toMatch(/System Benchmarks Index Score\s+1481\.2 \(!\)/);
    expect((await cli(['compare', intact, dir])).code).toBe(2);
  });

  it('zero, negative or non-finite values are input errors naming the field', async () => {
    const [doc] = await readRawFolder(intact);
    const run = await createRunDir(join(tmp, 'zero'), 'zero-run');
    for (const [i, v] of [0, -5].entries()) {
      const bad = structuredClone(doc!);
      bad.id = `zero-r${i + 1}`;
      bad.unixbench!.passes[0]!.index!.rows[3]!.index = v;
      await writeResult(run, bad);
    }
    const e = await loadResultSets(run).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(InputError);
    expect((e as InputError).location?.field).toBe('unixbench.passes.0.index.rows.3.index');
    const r = await cli(['compare', run, intact]);
    expect(r.code).toBe(2);
    expect(r.err).not.toContain('internal error');
  });
});

describe('compare refuses what is not one measure', () => {
  it('different UnixBench versions: exit 2 unless --variable unixbench-version', async () => {
    const dir = await copyRun('v512');
    const file = join(dir, REPORT);
    await writeFile(file, (await readFile(file, 'utf8')).replace('(Version 5.1.3)', '(Version 5.1.2)'));
    const pick = ['--baseline-target', 'intact', '--candidate-target', 'v512'];
    const r = await cli(['compare', intact, dir, ...pick]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('UnixBench 5.1.3 and the candidate with 5.1.2');
    expect((await cli(['compare', intact, dir, ...pick, '--variable', 'unixbench-version'])).code).not.toBe(2);
  });

  it('a partial index against a full one: exit 2 unless --variable index-set (no "improved +45.9%")', async () => {
    const partial = unixbenchFixture('runA_i1_c1_subset');
    const r = await cli(['compare', intact, partial, '--copies', '1']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('partial Index Score is not comparable');
    expect((await cli(['compare', intact, partial, '--copies', '1', '--variable', 'index-set'])).code).not.toBe(2);
  });

  it('the same result twice is not two samples', async () => {
    const dir = await createRunDir(join(tmp, 'twice'), 'dup');
    const [doc] = await readRawFolder(intact);
    await writeResult(dir, { ...doc!, runId: 'dup' });
    // A copied result folder: the same result (run and id) a second time.
    await cp(join(dir, doc!.id), join(dir, `${doc!.id}-copy`), { recursive: true });
    const r = await cli(['compare', dir, intact, '--baseline-target', 'intact', '--candidate-target', 'intact']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('one result is one sample, not two');
  });
});

describe('a host target that is itself virtualized', () => {
  it('is labelled with what was detected in tables and compare, never as bare metal', async () => {
    const run = await createRunDir(join(tmp, 'virt'), 'virt-run');
    const rng = seededRng(7);
    for (const doc of syntheticResults(rng, { label: 'host', method: 'host', medians: flatMedians(1000), cv: 0.01, repetitions: 2, manifest: { virtualization: 'qemu' } }, 'virt-run')) await writeResult(run, doc);
    for (const doc of syntheticResults(rng, { label: 'lxc', method: 'lxc', medians: flatMedians(990), cv: 0.01, repetitions: 2 }, 'virt-run')) await writeResult(run, doc);
    const report = await cli(['report', run, '--out', join(tmp, 'out-virt'), '--formats', 'terminal,csv']);
    expect(report.code).toBe(0);
    expect(report.out).toContain('host, 1 copy [virtualized: qemu]');
    expect(report.out).toContain('not a bare-metal figure');
    const csv = await readFile(join(tmp, 'out-virt', 'table.csv'), 'utf8').catch(() => '');
    if (csv) expect(csv).toContain('virtualized: qemu');
    const cmp = await cli(['compare', run, '--baseline-target', 'host', '--candidate-target', 'lxc', '--variable', 'method']);
    expect(cmp.out).toContain('VIRTUALIZED HOST: qemu');
  });
});
