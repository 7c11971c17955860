/** `virtbench history` output: a table (terminal, Markdown), JSON, a chart per series, a PDF. */
import type { ChartConfiguration } from 'chart.js';
import type { Content } from 'pdfmake/interfaces.js';
import type { History, HistorySeries } from '../analysis/history.js';
import { markdownTable, textTable, type Align } from './text-table.js';
import { escapeMarkdown, signedPercent } from './format.js';
import { renderChartPng, renderChartSvg } from './chart-render.js';
import { renderPdf, type PdfSection } from './pdf.js';

const pct = (r: number) => signedPercent((r - 1) * 100);

function changesText(s: HistorySeries): string {
  if (s.changes.length === 0) return 'none';
  return s.changes
    .map((c) => `at ${c.run} (${c.orderValue}): ${pct(c.ratio)}${c.interval ? ` [${pct(c.interval.lower)}, ${pct(c.interval.upper)}]` : ''} ${c.direction}, p=${c.pValue.toFixed(3)}`)
    .join('; ');
}

const HEADER = ['column', 'test', 'points', 'change points', 'gate'];
const ALIGN: Align[] = ['left', 'left', 'right', 'left', 'left'];

function rows(h: History): string[][] {
  return h.series.map((s) => [s.column, s.test, String(s.points.length), changesText(s), s.worseNow ? 'WORSE NOW' : 'ok']);
}

export function historyNote(h: History): string {
  return (
    `${h.runs.length} run(s), ordered by ${h.orderBy}; one point per result (repetition). Change points: ${h.method} ` +
    `(significance ${h.options.alpha}, ${h.options.permutations} permutations, seed ${h.options.seed}, at least ${h.options.minSize} points a side). ` +
    `Size = geometric mean after / before (adjacent segments) with a 95% Welch interval on log values. ` +
    `Exit status 1 when the newest run sits after a change that made a test worse.`
  );
}

export function renderHistoryText(h: History, format: 'terminal' | 'md'): string {
  if (format === 'md') return [`# History: ${h.runs.length} runs`, '', markdownTable(HEADER, rows(h).map(([column, test, ...rest]) => [escapeMarkdown(column!), escapeMarkdown(test!), ...rest]), ALIGN), '', historyNote(h), ''].join('\n');
  return [`virtbench history: ${h.runs.length} runs, ordered by ${h.orderBy}`, '', textTable(HEADER, rows(h), ALIGN), '', historyNote(h), h.worseNow ? 'a change made things worse, and the newest run is after it' : 'no change that made things worse before the newest run', ''].join('\n');
}

export function renderHistoryJson(h: History): string {
  return JSON.stringify({ ...h, note: historyNote(h) }, null, 2) + '\n';
}

const SEGMENT_COLOURS = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#b07aa1'];

/** A bar per point, coloured by segment; the title names the change points. */
export function historyChart(s: HistorySeries): ChartConfiguration<'bar'> {
  const starts = s.changes.map((c) => c.index);
  const segmentOf = (i: number) => starts.filter((x) => x <= i).length;
  return {
    type: 'bar',
    data: {
      labels: s.points.map((p) => `${p.run} ${p.resultId}`),
      datasets: [{ label: 'index', data: s.points.map((p) => p.value), backgroundColor: s.points.map((_p, i) => SEGMENT_COLOURS[segmentOf(i) % SEGMENT_COLOURS.length]!) }],
    },
    options: {
      animation: false,
      plugins: {
        legend: { display: false },
        title: { display: true, text: [`${s.column}: ${s.test}`, s.changes.length ? `change points: ${s.changes.map((c) => `${c.run} ${pct(c.ratio)}`).join(', ')}` : 'no change point'] },
      },
      scales: { y: { title: { display: true, text: 'index (higher is better)' } }, x: { ticks: { autoSkip: false, maxRotation: 60, minRotation: 60 } } },
    },
  };
}

export function historyChartFiles(h: History): { name: string; data: Buffer | string }[] {
  const out: { name: string; data: Buffer | string }[] = [];
  h.series.forEach((s, i) => {
    const base = `history-${String(i + 1).padStart(2, '0')}-${`${s.column}-${s.test}`.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
    const config = historyChart(s);
    out.push({ name: `${base}.png`, data: renderChartPng(config) }, { name: `${base}.svg`, data: renderChartSvg(config) });
  });
  return out;
}

export async function renderHistoryPdf(h: History): Promise<Buffer> {
  const sections: PdfSection[] = h.series.map((s, i) => ({
    id: `history-${i + 1}`,
    title: `${s.column}: ${s.test}`,
    content: [
      { svg: renderChartSvg(historyChart(s)), width: 500, alignment: 'center' } as Content,
      { text: `Change points: ${changesText(s)}.`, fontSize: 9, margin: [0, 6, 0, 0] },
      ...(s.worseNow ? [{ text: 'The newest run sits after a change that made this test worse.', style: 'warning' } as Content] : []),
    ],
  }));
  return renderPdf({
    title: `History of ${h.runs.length} runs`,
    footer: 'virtbench history',
    titlePage: [{ text: `History of ${h.runs.length} runs`, style: 'title' }, { text: historyNote(h), style: 'subtitle' }],
    sections,
  });
}
