import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadResultSets } from '../../src/results/load.js';
import { importPhoronix } from '../../src/results/import-phoronix.js';
import { importPkb } from '../../src/results/import-pkb.js';
import { writeImportedSet } from '../../src/results/import-set.js';
import { exportCsv } from '../../src/results/export-csv.js';
import { renderReport } from '../../src/report/render.js';
import { unixbenchFixture } from '../support/fixtures.js';

/**
 * Other people's numbers: console output (one run, several runs, CR LF, a saved PKB log),
 * PerfKitBenchmarker samples and a Phoronix Test Suite result file. Expected numbers are copied
 * from the fixture files.
 */
const PEERS = 'test/fixtures/peers';
const tmp = mkdtempSync(join(tmpdir(), 'vb-peers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function folderWith(name: string, file: string, content: string): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, file), content);
  return dir;
}

const runB = readFileSync(join(unixbenchFixture('runB_i1_c1_c2_index'), 'console.stdout.txt'), 'utf8');
const runD = readFileSync(join(unixbenchFixture('runD_default_full'), 'console.stdout.txt'), 'utf8');

/** Every index value printed in a report or console text, as printed. */
function printedIndexValues(text: string): string[] {
  return [...text.matchAll(/^\s*(?:[A-Z][\w ().-]+?)\s+\d+\.\d\s+\d+\.\d\s+(\d+\.\d)\s*$/gm)].map((m) => m[1]!)
    .concat([...text.matchAll(/System Benchmarks Index Score\s+(\d+\.\d)/g)].map((m) => m[1]!));
}

describe('console output as input', () => {
  it('a folder with only console.stdout.txt gives one result with both passes, checks passing', async () => {
    const [set] = await loadResultSets(folderWith('runB-console', 'console.stdout.txt', runB));
    expect(set!.results).toHaveLength(1);
    const ub = set!.results[0]!.unixbench!;
    expect(ub.passes.map((p) => [p.copies, p.index?.score])).toEqual([[1, 1096.3], [2, 1810.2]]);
    expect(ub.checks.length).toBeGreaterThan(0);
    expect(ub.checks.filter((c) => !c.ok)).toEqual([]);
  });

  it('two runs concatenated under a report-style name, with CR LF, are two results', async () => {
    const both = (runB + runD).replace(/\n/g, '\r\n');
    const [set] = await loadResultSets(folderWith('two-runs', 'vm-2026-11-26-07', both));
    expect(set!.results.map((r) => r.unixbench!.passes.map((p) => p.index?.score))).toEqual([[1096.3, 1810.2], [1481.2, 3028.5]]);
    expect(set!.results.map((r) => r.id)).toEqual(['two-runs-r1', 'two-runs-r2']);
  });

  it('progress redrawn with \\r and tab-separated score lines parse as printed', async () => {
    const mangled = runB
      .replace(/^(1 x Pipe Throughput)\s+1$/m, '$1  \r1 x Pipe Throughput  1')
      .replace(/^(Execl Throughput)\s+(2163\.2) lps\s+/m, '$1\t$2 lps\t');
    const [set] = await loadResultSets(folderWith('mangled', 'console.txt', mangled));
    const pass = set!.results[0]!.unixbench!.passes[0]!;
    expect(pass.tests.find((t) => t.name === 'Execl Throughput')?.value).toBe(2163.2);
  });

  it('a score that disagrees is reported with its line', async () => {
    const wrong = runB.replace('System Benchmarks Index Score                                        1096.3', 'System Benchmarks Index Score                                        1196.3');
    const [set] = await loadResultSets(folderWith('wrong', 'console.stdout.txt', wrong));
    const bad = set!.results[0]!.unixbench!.checks.filter((c) => !c.ok);
    expect(bad.map((c) => c.what)).toEqual(['1 copy: System Benchmarks Index Score']);
  });

  it('a saved PKB log imports, and every index value in it is in the report CSV', async () => {
    const dir = join(tmp, 'pkb-log');
    mkdirSync(dir);
    copyFileSync(join(PEERS, 'pkb-unixbench-runB.log'), join(dir, 'console.txt'));
    const sets = await loadResultSets(dir);
    expect(sets[0]!.results).toHaveLength(1);
    const out = await renderReport(sets, { outDir: join(tmp, 'pkb-log-report'), formats: ['csv'] });
    const csv = readFileSync(join(tmp, 'pkb-log-report', 'table.csv'), 'utf8');
    const expected = printedIndexValues(runB);
    expect(expected).toHaveLength(26);
    for (const v of expected) expect(csv).toContain(v);
    expect(out.files.length).toBe(2);
  });
});

describe('PerfKitBenchmarker samples', () => {
  it('import with passes by copies, the Index Score checked, the source named', async () => {
    const { set, origin } = await importPkb(join(PEERS, 'pkb-unixbench-samples.json'));
    expect(origin.tool).toBe('PerfKitBenchmarker');
    const r = set.results[0]!;
    expect(r.unixbench!.passes.map((p) => [p.copies, p.index!.score, p.index!.rows.length])).toEqual([[1, 1825.8, 12], [8, 4596.2, 12]]);
    const scoreChecks = r.unixbench!.checks.filter((c) => /Index Score/.test(c.what));
    expect(scoreChecks.map((c) => [c.what, c.ok])).toEqual([['1 copy: System Benchmarks Index Score', true], ['8 copies: System Benchmarks Index Score', true]]);
    expect(r.published!.findings!.join(' ')).toMatch(/v5\.1\.3/);
    // Every index value and score of the file is in the exported CSV.
    const csvIndex = new Set(exportCsv([set]).trim().split('\n').slice(1).map((l) => Number(l.split(',').at(-3))));
    let n = 0;
    for (const line of readFileSync(join(PEERS, 'pkb-unixbench-samples.json'), 'utf8').trim().split('\n')) {
      const m = /\|index:([\d.]+)\|/.exec(line) ?? /"System Benchmarks Index Score", "value": ([\d.]+)/.exec(line);
      if (m) {
        n++;
        expect(csvIndex.has(Number(m[1]))).toBe(true);
      }
    }
    expect(n).toBe(26);
  });

  it('metadata as an object, a missing test and a wrong score are reported', async () => {
    const lines = readFileSync(join(PEERS, 'pkb-unixbench-samples.json'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const asObjects = lines
      .filter((o) => !String(o.metric).startsWith('Process Creation'))
      .map((o) => {
        const { labels, ...rest } = o;
        const metadata = Object.fromEntries(String(labels).slice(1, -1).split('|,|').map((p) => [p.slice(0, p.indexOf(':')), p.slice(p.indexOf(':') + 1)]));
        return { ...rest, metadata };
      });
    const file = join(tmp, 'pkb-object.json');
    writeFileSync(file, asObjects.map((o) => JSON.stringify(o)).join('\n'));
    const r = (await importPkb(file)).set.results[0]!;
    expect(r.unixbench!.passes[0]!.index!.partial).toBe(true);
    expect(r.published!.findings!.some((f) => /11 of the 12 index tests \(missing: Process Creation\)/.test(f))).toBe(true);
    // The printed score covered 12 tests; the 11 left do not give it.
    expect(r.unixbench!.checks.find((c) => c.what === '1 copy: System Benchmarks Index Score (Partial Only)')?.ok).toBe(false);
  });

  it('a line that is not JSON is refused with its line number', async () => {
    const file = join(tmp, 'pkb-bad.json');
    writeFileSync(file, `${readFileSync(join(PEERS, 'pkb-unixbench-samples.json'), 'utf8').split('\n')[0]}\n{"metric": \n`);
    await expect(importPkb(file)).rejects.toMatchObject({ code: 'PKB_PARSE', location: { line: 2 } });
  });
});

describe('Phoronix Test Suite composite.xml', () => {
  it('imports per system, with its environment, the tool and what could not be known', async () => {
    const { set, origin } = await importPhoronix(join(PEERS, 'pts-unixbench-composite.xml'));
    expect(origin.toolVersion).toBe('Phoronix Test Suite v10.8.4');
    const r = set.results[0]!;
    expect(r.published!.conditions).toMatchObject({ OS: 'Debian 12', Compiler: 'GCC 12.2.0', Processor: 'Intel Xeon Processor (2 Cores)' });
    expect(r.unixbench!.passes[0]!.tests.find((t) => t.name === 'Dhrystone 2 using register variables')?.value).toBe(39181568.3);
    expect(r.unixbench!.passes[0]!.index!.partial).toBe(true);
    expect(r.published!.findings!.join(' ')).toMatch(/7 of the 12 index tests/);
  });

  it('written as a set, report and load take it like any other', async () => {
    const imported = await importPhoronix(join(PEERS, 'pts-unixbench-composite.xml'));
    const dir = join(tmp, 'pts-set');
    await writeImportedSet(imported.set, imported.origin, dir, 'test');
    const [loaded] = await loadResultSets(dir);
    expect(loaded!.results[0]!.published!.tool).toBe('Phoronix Test Suite');
    const out = await renderReport([loaded!], { outDir: join(tmp, 'pts-report'), formats: ['md'] });
    expect(readFileSync(out.files[0]!, 'utf8')).toContain('pts-unixbench-composite.xml');
  });
});

describe('what a published set says about itself, where it is read', () => {
  it('the 2011 report shows the Index Score check of every column in terminal, Markdown, HTML and PDF', async () => {
    const sets = await loadResultSets('results/reference/2011');
    const dir = join(tmp, 'r2011');
    const out = await renderReport(sets, { outDir: dir, formats: ['terminal', 'md', 'html', 'pdf'], verdicts: false });
    const md = readFileSync(join(dir, 'report.md'), 'utf8');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    const { execFileSync } = await import('node:child_process');
    const pdf = execFileSync('pdftotext', ['-layout', join(dir, 'report.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    // Printed and recomputed as import-reference reports them (README: "What the 2011 data says about itself").
    const expected: [string, string, string, string][] = [
      ['LXC (guest x86_64)', '5101.80', '5101.81', 'agrees within rounding'],
      ['KVM (guest)', '3411.20', '3411.31', 'DISAGREES beyond rounding'],
      ['Virtuozzo/OpenVZ (guest)', '4028.10', '4024.28', 'DISAGREES beyond rounding'],
      ['LXC (guest x86 32-bit)', '4694.30', '4508.58', 'DISAGREES beyond rounding'],
    ];
    for (const [col, printed, recomputed, verdict] of expected) {
      const line = `${col}: System Benchmarks Index Score: printed ${printed}, geometric mean of its index values ${recomputed}`;
      expect(out.terminal).toContain(line);
      expect(md.replace(/\\(.)/g, '$1')).toContain(line);
      expect(html).toContain(line);
      expect(pdf).toContain(line);
      expect(pdf).toMatch(new RegExp(`${recomputed}[^:]*: ${verdict}`));
    }
  });

  it('an imported set names its source and shows its findings in the report', async () => {
    const imported = await importPkb(join(PEERS, 'pkb-unixbench-samples.json'));
    const out = await renderReport([imported.set], { outDir: join(tmp, 'pkb-report'), formats: ['terminal'] });
    expect(out.terminal).toContain('Published figures (PKB, 1 copy, PKB, 8 copies): PerfKitBenchmarker samples, pkb-unixbench-samples.json');
    expect(out.terminal).toContain('PKB, 8 copies [published]\n    check: 8 copies: System Benchmarks Index Score: printed 4596.20, geometric mean of its index values 4596.21');
    expect(out.terminal).toContain('check: 12 more printed figures recomputed (each index from its result and baseline); all agree within rounding');
    expect(out.terminal).toMatch(/note: UnixBench version not stated in the samples/);
  });
});

describe('compare shows the checks of a published set that takes part', () => {
  it('both 2011 columns carry their Index Score check', async () => {
    const { compareResultSets } = await import('../../src/analysis/compare.js');
    const [set] = await loadResultSets('results/reference/2011');
    const c = compareResultSets(set!, set!, { baselineColumn: { target: 'LXC (guest x86_64)' }, candidateColumn: { target: 'KVM (guest)' } });
    expect(c.warnings).toContain(
      'candidate KVM (guest), 8 copies (published): check: KVM (guest): System Benchmarks Index Score: printed 3411.20, geometric mean of its index values 3411.31, difference -0.110 (-0.003%) (rounding allows ±0.110): DISAGREES beyond rounding',
    );
    expect(c.warnings.some((w) => w.startsWith('baseline LXC (guest x86_64), 8 copies (published): check: LXC (guest x86_64): System Benchmarks Index Score: printed 5101.80'))).toBe(true);
  });
});
