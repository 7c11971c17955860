import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/results/csv-read.js';
import { chooseBaseline } from '../../src/report/baseline.js';
import { buildReportTable } from '../../src/report/report-table.js';
import { INDEX_SCORE, INDEX_TESTS } from '../../src/workloads/unixbench/catalogue.js';
import { renderCsv } from '../../src/report/table-csv.js';
import { renderHtml } from '../../src/report/table-html.js';
import { renderMarkdown } from '../../src/report/table-markdown.js';
import { buildReportText } from '../../src/report/table-model.js';
import { renderTerminal } from '../../src/report/table-terminal.js';
import { fixtureRunB, reference2011 } from './report-data.js';

// Every number below is copied from shared/seed/joes-2011-unixbench.csv or the fixture's report,
// not computed by the test.
describe('report tables from the 2011 reference', async () => {
  const set = await reference2011();
  const cmp = buildReportTable([set]);

  it('has the seed columns in the seed order, published and with their source', () => {
    expect(cmp.columns.map((c) => c.label)).toEqual(['KVM (guest)', 'Virtuozzo/OpenVZ (guest)', 'LXC (guest x86 32-bit)', 'LXC (guest x86_64)']);
    for (const c of cmp.columns) {
      expect(c.displayLabel).toBe(`${c.label} [published]`);
      expect(c.published?.source).toMatch(/2011/);
      expect(c.copies).toBeNull();
    }
  });

  it('has the 12 index tests in the seed order, then the Index Score', () => {
    expect(cmp.rows.map((r) => r.test)).toEqual([...INDEX_TESTS, INDEX_SCORE]);
  });

  it('holds the published values', () => {
    const v = (test: string, col: number) => cmp.rows.find((r) => r.test === test)!.cells[col]!.center;
    expect(v('Dhrystone 2 using register variables', 0)).toBe(9237.4);
    expect(v('Execl Throughput', 1)).toBe(5156.4);
    expect(v('File Copy 4096 bufsize 8000 maxblocks', 2)).toBe(7870.5);
    expect(v('System Call Overhead', 3)).toBe(5632);
    expect(cmp.rows.at(-1)!.cells.map((c) => c!.center)).toEqual([3411.2, 4028.1, 4694.3, 5101.8]);
  });

  it('writes table.csv in the seed shape, values as published', () => {
    const rows = parseCsv(renderCsv(cmp), 'table.csv').filter((r) => r.length > 1);
    expect(rows[0]).toEqual(['test', 'KVM (guest) [published]', 'Virtuozzo/OpenVZ (guest) [published]', 'LXC (guest x86 32-bit) [published]', 'LXC (guest x86_64) [published]']);
    expect(rows[1]).toEqual(['Dhrystone 2 using register variables', '9237.4', '5006.5', '4379.1', '9348.9']);
    expect(rows[2]).toEqual(['Double-Precision Whetstone', '3639.0', '3544.8', '2854.0', '3786.9']);
    expect(rows[13]).toEqual(['System Benchmarks Index Score', '3411.2', '4028.1', '4694.3', '5101.8']);
    expect(rows).toHaveLength(14);
  });

  it('renders an aligned terminal table, with colour only when asked', () => {
    const text = buildReportText(cmp, chooseBaseline(cmp, 'LXC (guest x86_64)'));
    const plain = renderTerminal(text, { colour: false });
    expect(plain).not.toMatch(/\x1b\[/);
    const score = plain.split('\n').find((l) => l.startsWith('System Benchmarks Index Score'))!;
    expect(score.trim().split(/\s{2,}/)).toEqual(['System Benchmarks Index Score', '3411.2', '4028.1', '4694.3', '5101.8']);
    const dhry = plain.split('\n').find((l) => l.startsWith('Dhrystone'))!;
    expect(dhry.length).toBe(score.length); // right-aligned columns end at the same place
    expect(renderTerminal(text, { colour: true })).toMatch(/\x1b\[1m/);
  });

  it('renders Markdown and self-contained HTML with the same numbers', () => {
    const text = buildReportText(cmp, cmp.columns[3]!);
    const md = renderMarkdown(text);
    expect(md).toContain('| Dhrystone 2 using register variables | 9237.4 | 5006.5 | 4379.1 | 9348.9 |');
    expect(md).toContain('| **System Benchmarks Index Score** | **3411.2** | **4028.1** | **4694.3** | **5101.8** |');
    const html = renderHtml(text);
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).not.toMatch(/<link|<script|src="http/);
    expect(html).toContain('<td class="num">5101.8</td>');
    expect(html).toContain('<span class="marker">published</span>');
  });
});

describe('report tables from the fixture (1-copy and 2-copy passes)', async () => {
  const cmp = buildReportTable([await fixtureRunB()]);
  it('gives one column per copies pass, values as UnixBench printed them', () => {
    expect(cmp.columns.map((c) => c.label)).toEqual(['runB_i1_c1_c2_index, 1 copy', 'runB_i1_c1_c2_index, 2 copies']);
    expect(cmp.rows[0]!.cells.map((c) => c!.center)).toEqual([3096.8, 2498.1]);
    expect(cmp.rows.at(-1)!.cells.map((c) => c!.center)).toEqual([1096.3, 1810.2]);
  });
});
