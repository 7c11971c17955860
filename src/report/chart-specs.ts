/**
 * The three report charts as chart.js configurations: index per test per column (grouped bars),
 * the Index Score per column, and every test normalised to the baseline (baseline = 100).
 * Error bars come from the cells (an interval when analysis gave one, else min-max over
 * repetitions) unless the caller passes its own.
 */
import type { ChartConfiguration } from 'chart.js';
import type { ErrorBar } from './chart-plugins.js';
import { scoreRow, type ReportTable, type ReportCell, type ReportColumn } from './report-table.js';
import { shortTestName } from '../workloads/unixbench/catalogue.js';
import { wrapWords } from './format.js';

export type ChartId = 'index-per-test' | 'index-score' | 'normalised';

export interface ChartSpec {
  id: ChartId;
  title: string;
  /** Plain text under the chart in the PDF and HTML: the legend with every marker, searchable. */
  caption: string;
  config: ChartConfiguration<'bar'>;
}

export interface ChartOptions {
  /** Override the error bars: chart id -> per column (dataset) -> per bar. */
  errorBars?: Partial<Record<ChartId, (ErrorBar | null)[][]>>;
  /** Draw no error bars at all. */
  noErrorBars?: boolean;
}

// Okabe-Ito, readable by colour-blind readers, then Tableau tones for more series.
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000', '#4E79A7', '#F28E2B', '#59A14F', '#B07AA1', '#9C755F', '#BAB0AC'];

export function columnColour(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

function bar(c: ReportCell | null | undefined, scale = 1): ErrorBar | null {
  if (!c) return null;
  if (c.interval) return { lower: c.interval.lower * scale, upper: c.interval.upper * scale };
  if (c.n > 1) return { lower: c.min * scale, upper: c.max * scale };
  return null;
}

function datasetStyle(col: ReportColumn) {
  const colour = columnColour(col.index);
  return {
    backgroundColor: col.emulated ? `${colour}66` : colour,
    borderColor: colour,
    borderWidth: col.emulated ? 2 : 0,
    borderDash: col.emulated ? [4, 3] : undefined,
  };
}

function legendCaption(cmp: ReportTable, extra: string): string {
  const marked = cmp.columns.filter((c) => c.markers.length).map((c) => c.displayLabel);
  const markers = marked.length ? `Marked series: ${marked.join('; ')}.` : '';
  return `${markers} ${extra}`.trim();
}

function baseOptions(title: string, subtitle: string, yTitle: string, plugins: Record<string, unknown>) {
  return {
    animation: false as const,
    responsive: false,
    devicePixelRatio: 1,
    layout: { padding: 12 },
    plugins: {
      title: { display: true, text: title, font: { size: 18, weight: 'bold' as const } },
      subtitle: { display: true, text: subtitle, font: { size: 12 }, padding: { bottom: 8 } },
      legend: { position: 'bottom' as const, labels: { font: { size: 12 }, boxWidth: 14 } },
      ...plugins,
    },
    scales: {
      x: { ticks: { font: { size: 12 }, maxRotation: 40, minRotation: 0 }, grid: { display: false } },
      y: { beginAtZero: true, title: { display: true, text: yTitle, font: { size: 12 } }, ticks: { font: { size: 12 } } },
    },
  };
}

export function indexPerTestChart(cmp: ReportTable, opts: ChartOptions = {}): ChartSpec {
  const tests = cmp.rows.filter((r) => r.kind === 'test');
  const bars = opts.errorBars?.['index-per-test'] ?? cmp.columns.map((c) => tests.map((r) => bar(r.cells[c.index])));
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: {
      labels: tests.map((r) => shortTestName(r.test)),
      datasets: cmp.columns.map((c) => ({ label: c.displayLabel, data: tests.map((r) => r.cells[c.index]?.center ?? null) as number[], ...datasetStyle(c) })),
    },
    options: baseOptions('UnixBench index per test', 'System Benchmarks Index values, higher is better', 'index', {
      vbErrorBars: { bars: opts.noErrorBars ? [] : bars },
    }),
  };
  return { id: 'index-per-test', title: 'Index per test', caption: legendCaption(cmp, errorBarNote(bars)), config };
}

export function indexScoreChart(cmp: ReportTable, opts: ChartOptions = {}): ChartSpec {
  const row = scoreRow(cmp);
  const bars = opts.errorBars?.['index-score'] ?? [cmp.columns.map((c) => bar(row.cells[c.index]))];
  const styles = cmp.columns.map(datasetStyle);
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: {
      labels: cmp.columns.map((c) => wrapLabel(c.displayLabel)),
      datasets: [
        {
          label: row.test,
          data: cmp.columns.map((c) => row.cells[c.index]?.center ?? null) as number[],
          backgroundColor: styles.map((s) => s.backgroundColor),
          borderColor: styles.map((s) => s.borderColor),
          borderWidth: styles.map((s) => s.borderWidth),
        },
      ],
    },
    options: baseOptions(row.test, 'geometric mean of the 12 index values, higher is better', 'Index Score', {
      legend: { display: false },
      vbErrorBars: { bars: opts.noErrorBars ? [] : bars },
    }),
  };
  return { id: 'index-score', title: 'Index Score', caption: legendCaption(cmp, errorBarNote(bars)), config };
}

export function normalisedChart(cmp: ReportTable, baseline: ReportColumn, opts: ChartOptions = {}): ChartSpec {
  const others = cmp.columns.filter((c) => c.index !== baseline.index);
  const shown = others.length ? others : [baseline];
  const norm = (r: (typeof cmp.rows)[number], c: ReportColumn) => {
    const b = r.cells[baseline.index];
    const v = r.cells[c.index];
    return b && v ? { v: (v.center / b.center) * 100, bar: bar(v, 100 / b.center) } : null;
  };
  const bars = opts.errorBars?.normalised ?? shown.map((c) => cmp.rows.map((r) => norm(r, c)?.bar ?? null));
  const subtitle = `each test as a percentage of ${baseline.displayLabel} (= 100, dashed line); below 100 = slower than the baseline`;
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: {
      labels: cmp.rows.map((r) => shortTestName(r.test)),
      datasets: shown.map((c) => ({ label: c.displayLabel, data: cmp.rows.map((r) => norm(r, c)?.v ?? null) as number[], ...datasetStyle(c) })),
    },
    options: {
      ...baseOptions(`Index normalised to ${baseline.label}`, subtitle, `% of ${baseline.label}`, {
        vbErrorBars: { bars: opts.noErrorBars ? [] : bars },
        vbPage: { referenceLine: { value: 100, label: '= 100' } },
      }),
      layout: { padding: { top: 12, bottom: 12, left: 12, right: 52 } },
    },
  };
  return { id: 'normalised', title: `Index normalised to ${baseline.label}`, caption: legendCaption(cmp, `Baseline: ${baseline.displayLabel} = 100. ${errorBarNote(bars)}`), config };
}

export function reportCharts(cmp: ReportTable, baseline: ReportColumn, opts: ChartOptions = {}): ChartSpec[] {
  return [indexPerTestChart(cmp, opts), indexScoreChart(cmp, opts), normalisedChart(cmp, baseline, opts)];
}

function errorBarNote(bars: (ErrorBar | null)[][]): string {
  return bars.some((b) => b.some(Boolean)) ? 'Whiskers: interval, or min-max over repetitions.' : '';
}

/** Splits a long category label into lines chart.js draws one under the other. */
function wrapLabel(s: string, width = 22): string | string[] {
  return s.length <= width ? s : wrapWords(s, width);
}
