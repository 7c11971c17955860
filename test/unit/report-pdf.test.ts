import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import type { PdfSection } from '../../src/report/pdf.js';
import { renderReport } from '../../src/report/render.js';
import { emulatedRepetitions, fixtureRunB, reference2011 } from './report-data.js';

async function pdfText(path: string): Promise<string> {
  return (await execa('pdftotext', ['-layout', path, '-'])).stdout;
}
async function pdfPages(path: string): Promise<number> {
  const info = (await execa('pdfinfo', [path])).stdout;
  return Number(/^Pages:\s+(\d+)/m.exec(info)![1]);
}

const dirs: string[] = [];
async function outDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'h2-report-'));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('the full report', () => {
  it('writes every format for the 2011 reference; the PDF text holds the table and the ratios', async () => {
    const out = await outDir();
    const r = await renderReport([await reference2011()], { outDir: out, baseline: 'LXC (guest x86_64)', generatedAt: '2026-01-01T00:00:00Z' });
    const names = r.files.map((f) => f.slice(out.length + 1)).sort();
    expect(names).toEqual([
      'charts/index-per-test.png', 'charts/index-per-test.svg', 'charts/index-score.png', 'charts/index-score.svg',
      'charts/normalised.png', 'charts/normalised.svg', 'report.html', 'report.md', 'report.pdf', 'table-long.csv', 'table.csv',
    ]);
    expect(r.terminal).toContain('System Benchmarks Index Score');
    const pdf = join(out, 'report.pdf');
    expect((await readFile(pdf)).subarray(0, 5).toString()).toBe('%PDF-');
    expect(await pdfPages(pdf)).toBeGreaterThanOrEqual(5);
    const text = await pdfText(pdf);
    for (const n of ['9237.4', '5006.5', '4379.1', '9348.9', '3411.2', '4028.1', '4694.3', '5101.8', '5632.0', '7870.5']) expect(text).toContain(n);
    expect(text).toMatch(/System Benchmarks Index Score\s+3411\.2\s+4028\.1\s+4694\.3\s+5101\.8/);
    expect(text.replace(/\s+/g, ' ')).toContain('KVM (guest) is 33.1% below LXC (guest x86_64) (LXC (guest x86_64) = 100)');
    expect(text.replace(/\s+/g, ' ')).toContain('LXC (guest x86_64) is 49.6% above KVM (guest)');
    expect(text).toContain('Intel Xeon X3440'); // conditions on the title page
    expect(text).toMatch(/Page 1 of \d+/);
    expect(text).not.toContain('emulated (TCG)');
    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md).toContain('![Index per test](charts/index-per-test.png)');
  });

  it('marks an emulated KVM result in every table header, the charts and the PDF; takes extra sections', async () => {
    const out = await outDir();
    const fixture = await fixtureRunB();
    const kvm = { source: 'test', name: 'tcg', results: emulatedRepetitions(fixture.results[0]!, [0.5, 0.55, 0.6]) };
    const verdict: PdfSection = { id: 'verdict', title: 'Verdict', content: [{ text: 'Verdict placeholder from a test: nothing regressed.' }] };
    const r = await renderReport([fixture, kvm], { outDir: out, extraPdfSections: [verdict], formats: ['terminal', 'md', 'html', 'csv', 'pdf'] });
    const kvmCols = r.comparison.columns.filter((c) => c.emulated);
    expect(kvmCols.map((c) => c.displayLabel)).toEqual(['kvm, 1 copy [emulated (TCG)]', 'kvm, 2 copies [emulated (TCG)]']);
    expect(kvmCols[0]!.results).toHaveLength(3); // three repetitions, one column
    const header = r.terminal!.split('\n').filter((l) => l.includes('emulated'));
    expect(header.length).toBeGreaterThan(0);
    expect(await readFile(join(out, 'table.csv'), 'utf8')).toContain('kvm, 1 copy [emulated (TCG)]');
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain('kvm, 1 copy \\[emulated (TCG)\\]');
    expect(await readFile(join(out, 'report.html'), 'utf8')).toContain('<span class="marker">emulated (TCG)</span>');
    const text = (await pdfText(join(out, 'report.pdf'))).replace(/\s+/g, ' ');
    expect(text).toContain('emulated (TCG)');
    expect(text).toContain('ran under TCG');
    expect(text).toContain('Verdict placeholder from a test: nothing regressed.');
    // The 1-copy Index Score: the geometric mean (as compare shows it) of 0.5, 0.55, 0.6 x 1096.3 as stored (548.2, 603.0, 657.8)
    expect(text).toContain('601.3');
    expect(text).toContain('1096.3');
  });
});
