import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCompare } from '../../src/cli/compare.js';
import { loadResultSets } from '../../src/results/load.js';
import { measurementsOf } from '../../src/results/measurements.js';
import { readRawFolder } from '../../src/results/raw-folder.js';
import { writeResult } from '../../src/results/run-dir.js';
import { parseCsv } from '../../src/results/csv-read.js';
import { renderReport } from '../../src/report/render.js';
import { unixbenchFixture } from '../support/fixtures.js';
import { createRunDir } from '../support/run-dir.js';

// One measurement model, checked on real UnixBench 5.1.3 output: a run directory whose target
// "vm" has two repetitions (runD, the default ./Run, and runB, -i 1; both with a 1-copy and a
// 2-copy pass). The report's table.csv and report.md and `compare` (JSON and Markdown) show the
// same central value for every test and the Index Score: the geometric mean of the repetitions.
let root: string;
let runDir: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vbt-agree-'));
  runDir = await createRunDir(join(root, 'results'), 'agree');
  const reps = [unixbenchFixture('runD_default_full'), unixbenchFixture('runB_i1_c1_c2_index')];
  for (const [i, dir] of reps.entries()) {
    const [doc] = await readRawFolder(dir, { target: 'vm', runId: 'agree' });
    await writeResult(runDir, { ...doc!, id: `vm-r${i + 1}`, repetition: i + 1 });
  }
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** The first number of a Markdown table cell ("1234.5 [1200.0-1250.0]" -> "1234.5"). */
const central = (cell: string) => plain(cell).split(' ')[0]!;
/** A cell without Markdown's escapes and emphasis (the score row is bold). */
const plain = (cell: string) => cell.trim().replace(/\*\*/g, '').replace(/\\/g, '');

/** Rows of the first Markdown table after a heading line that matches. */
function markdownRows(md: string, heading: RegExp): string[][] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => heading.test(l));
  expect(start).toBeGreaterThanOrEqual(0);
  const after = lines.slice(start + 1);
  const first = after.findIndex((l) => l.startsWith('|'));
  const end = after.findIndex((l, i) => i > first && !l.startsWith('|'));
  const table = after.slice(first, end);
  return table.slice(2).map((l) => l.slice(1, -1).split(/(?<!\\)\|/).map((c) => c.trim()));
}

describe('report and compare agree on a real run', () => {
  it('table.csv, report.md and compare show the same central value for every test and the Index Score', async () => {
    const [set] = await loadResultSets(runDir);
    expect(set!.results).toHaveLength(2);
    await renderReport([set!], { outDir: join(root, 'report'), formats: ['csv', 'md'] });

    const [header, ...csvRows] = parseCsv(await readFile(join(root, 'report', 'table.csv'), 'utf8'), 'table.csv');
    expect(header).toEqual(['test', 'vm, 1 copy', 'vm, 2 copies']);
    const mdRows = markdownRows(await readFile(join(root, 'report', 'report.md'), 'utf8'), /^## System Benchmarks Index values/);

    const json = await runCompare({ format: 'json', threshold: '2', confidence: '95', level: 'repetitions', baseline: runDir, baselineCopies: 1, candidateCopies: 2 });
    const rows = json.comparison.pairs[0]!.rows;
    expect(rows.map((r) => r.test)).toEqual(csvRows.map((r) => r[0]));
    expect(rows).toHaveLength(13);
    const compareMd = markdownRows((await runCompare({ format: 'md', threshold: '2', confidence: '95', level: 'repetitions', baseline: runDir, baselineCopies: 1, candidateCopies: 2 })).output, /^## /);

    let notArithmetic = 0;
    for (const [i, r] of rows.entries()) {
      const [test, one, two] = csvRows[i]!;
      expect(r.baseline!.repetitions).toBe(2);
      // compare's value, printed as every output prints an index (one decimal) ...
      expect(r.baseline!.index.toFixed(1), test).toBe(one);
      expect(r.candidate!.index.toFixed(1), test).toBe(two);
      // ... is what report.md and compare's Markdown show for the test.
      const md = mdRows.find((m) => plain(m[0]!) === test)!;
      expect([central(md[1]!), central(md[2]!)], test).toEqual([one, two]);
      const cmd = compareMd.find((m) => plain(m[0]!) === test)!;
      expect([cmd[1], cmd[2]], test).toEqual([one, two]);
      // The geometric mean of the two repetitions, not their arithmetic mean.
      const values = measurementsOf(set!).filter((m) => m.test === test && m.copies === 1 && m.level === 'run').map((m) => m.index!);
      expect(values).toHaveLength(2);
      expect(r.baseline!.index).toBeCloseTo(Math.sqrt(values[0]! * values[1]!), 9);
      if ((values[0]! + values[1]!) / 2 - r.baseline!.index > 1e-9) notArithmetic++;
    }
    expect(notArithmetic).toBeGreaterThan(0);
  });
});
