import { describe, expect, it } from 'vitest';
import { renderChartPng, renderChartSvg } from '../../src/report/chart-render.js';
import { indexPerTestChart, indexScoreChart, normalisedChart, reportCharts } from '../../src/report/chart-specs.js';
import { buildReportTable } from '../../src/report/report-table.js';
import { emulatedRepetitions, fixtureRunB, reference2011 } from './report-data.js';

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(buf: Buffer): { width: number; height: number } {
  expect(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(buf.toString('latin1', 12, 16)).toBe('IHDR');
  expect(buf.toString('latin1', buf.length - 8, buf.length - 4)).toBe('IEND');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

describe('report charts', async () => {
  const cmp = buildReportTable([await reference2011()]);

  it('renders each chart as a real PNG of the stated size', () => {
    for (const spec of reportCharts(cmp, cmp.columns[3]!)) {
      expect(pngSize(renderChartPng(spec.config, { width: 1000, height: 520 }))).toEqual({ width: 1000, height: 520 });
    }
    expect(pngSize(renderChartPng(indexScoreChart(cmp).config, { width: 640, height: 360 }))).toEqual({ width: 640, height: 360 });
  });

  it('renders SVG that is vector all the way (no embedded bitmap)', () => {
    const svg = renderChartSvg(indexPerTestChart(cmp).config, { width: 900, height: 500 });
    expect(svg).toMatch(/^<\?xml[^>]*\?>\s*<svg [^>]*viewBox="0 0 900 500"/);
    expect(svg.trimEnd()).toMatch(/<\/svg>$/);
    expect(svg).not.toContain('<image');
    expect((svg.match(/<path/g) ?? []).length).toBeGreaterThan(48); // 48 bars at least
  });

  it('puts the data and the baseline into the chart configurations', () => {
    const per = indexPerTestChart(cmp).config;
    expect(per.data.labels).toHaveLength(12);
    expect(per.data.datasets.map((d) => d.label)).toEqual(cmp.columns.map((c) => c.displayLabel));
    expect(per.data.datasets[0]!.data[0]).toBe(9237.4);
    const norm = normalisedChart(cmp, cmp.columns[3]!);
    expect(norm.config.data.datasets).toHaveLength(3); // the baseline is the 100 line
    expect((norm.config.data.datasets[0]!.data.at(-1) as number).toFixed(1)).toBe('66.9');
  });

  it('draws error bars: from repetitions by default, or as given', async () => {
    const base = (await fixtureRunB()).results[0]!;
    const reps = buildReportTable([{ source: 'test', name: 'reps', results: emulatedRepetitions(base, [0.9, 1.0, 1.1]) }]);
    const spec = indexScoreChart(reps);
    const bars = spec.config.options!.plugins!.vbErrorBars!.bars!;
    // min-max over the repetitions: 0.9 x 1096.3 and 1.1 x 1096.3, rounded as stored
    expect(bars[0]![0]).toEqual({ lower: 986.7, upper: 1205.9 });
    const withBars = renderChartPng(spec.config, { width: 500, height: 300 });
    const without = renderChartPng(indexScoreChart(reps, { noErrorBars: true }).config, { width: 500, height: 300 });
    expect(withBars.equals(without)).toBe(false);
    const given = indexScoreChart(cmp, { errorBars: { 'index-score': [[{ lower: 3000, upper: 3800 }, null, null, null]] } });
    expect(given.config.options!.plugins!.vbErrorBars!.bars![0]![0]).toEqual({ lower: 3000, upper: 3800 });
  });

  it('marks emulated series in the legend and caption', async () => {
    const base = (await fixtureRunB()).results[0]!;
    const mixed = buildReportTable([await fixtureRunB(), { source: 'test', name: 'tcg', results: emulatedRepetitions(base, [1]) }]);
    const spec = indexPerTestChart(mixed);
    const labels = spec.config.data.datasets.map((d) => d.label);
    expect(labels.filter((l) => l?.includes('[emulated (TCG)]'))).toEqual(['kvm, 1 copy [emulated (TCG)]', 'kvm, 2 copies [emulated (TCG)]']);
    expect(spec.caption).toContain('kvm, 1 copy [emulated (TCG)]');
  });
});
