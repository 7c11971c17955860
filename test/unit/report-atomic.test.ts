import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/core/errors.js';
import { OUTPUT_MARKER } from '../../src/core/publish-dir.js';
import { loadResultSets } from '../../src/results/load.js';
import type { ResultSet } from '../../src/results/model.js';
import { renderReport } from '../../src/report/render.js';
import { unixbenchFixture } from '../support/fixtures.js';

/** The report folder appears whole or not at all: staging beside --out, renamed into place. */
let tmp: string;
let sets: ResultSet[];
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'vb-report-atomic-'));
  sets = await loadResultSets(unixbenchFixture('runB_i1_c1_c2_index'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('report output', () => {
  it('a second report replaces the first whole: no stale file of the first stays beside it', async () => {
    const out = join(tmp, 'again');
    await renderReport(sets, { outDir: out, formats: ['csv', 'md'] });
    expect((await readdir(out)).sort()).toEqual([OUTPUT_MARKER, 'report.md', 'table-long.csv', 'table.csv'].sort());
    await renderReport(sets, { outDir: out, formats: ['csv'] });
    expect((await readdir(out)).sort()).toEqual([OUTPUT_MARKER, 'table-long.csv', 'table.csv'].sort());
    expect((await readdir(tmp)).filter((n) => n.startsWith('.again'))).toEqual([]);
  });

  it('two writers to one --out: one complete report, and a clear error for the loser', async () => {
    const out = join(tmp, 'race');
    const outcomes = await Promise.allSettled([renderReport(sets, { outDir: out, formats: ['csv', 'md'] }), renderReport(sets, { outDir: out, formats: ['csv'] })]);
    for (const o of outcomes) if (o.status === 'rejected') expect((o.reason as InputError).code).toBe('OUTPUT_BUSY');
    expect(outcomes.some((o) => o.status === 'fulfilled')).toBe(true);
    const names = (await readdir(out)).sort();
    expect([[OUTPUT_MARKER, 'report.md', 'table-long.csv', 'table.csv'].sort(), [OUTPUT_MARKER, 'table-long.csv', 'table.csv'].sort()]).toContainEqual(names);
    expect((await readdir(tmp)).filter((n) => n.startsWith('.race'))).toEqual([]);
  });

  it('never replaces a folder that is not a report, and --out /proc/x fails at once instead of hanging', async () => {
    const mine = join(tmp, 'mine');
    await mkdir(mine);
    await writeFile(join(mine, 'thesis.tex'), 'precious\n');
    const e = await renderReport(sets, { outDir: mine, formats: ['csv'] }).then(() => undefined, (x: unknown) => x);
    expect((e as InputError).code).toBe('OUTPUT_NOT_OURS');
    expect(await readFile(join(mine, 'thesis.tex'), 'utf8')).toBe('precious\n');
    const t0 = Date.now();
    const p = await renderReport(sets, { outDir: '/proc/x', formats: ['csv'] }).then(() => undefined, (x: unknown) => x);
    expect(p).toBeInstanceOf(InputError);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('kill -9 in the middle leaves no half folder at --out', async () => {
    const out = join(tmp, 'killed');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'report', unixbenchFixture('runD_default_full'), '--out', out, '--formats', 'csv,png,svg,pdf'], { stdio: 'ignore' });
    try {
      // Wait for the staging folder to appear (the report is being written), then kill.
      const deadline = Date.now() + 120_000;
      while (Date.now() < deadline && !(await readdir(tmp)).some((n) => n.startsWith('.killed.tmp-'))) await sleep(20);
      expect((await readdir(tmp)).some((n) => n.startsWith('.killed.tmp-'))).toBe(true);
      await sleep(150);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((r) => child.once('exit', r));
    expect(await stat(out).then(() => true, () => false)).toBe(false);
  }, 180_000);
});
