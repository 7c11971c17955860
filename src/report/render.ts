/**
 * Renders a report of one or more result sets into a folder: the terminal table (returned),
 * report.md, report.html, table.csv (+ table-long.csv), charts/*.png|svg and report.pdf.
 */
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { atomicWriteFile } from '../core/fs.js';
import { stageOutput, type Staging } from '../core/publish-dir.js';
import type { ResultSet } from '../results/model.js';
import { chooseBaseline } from './baseline.js';
import { verdictPages } from './verdict-pages.js';
import { renderChartPng, renderChartSvg, DEFAULT_CHART_SIZE, DEFAULT_SVG_SIZE, type ChartSize } from './chart-render.js';
import { reportCharts, type ChartOptions, type ChartSpec } from './chart-specs.js';
import { buildReportTable, type ReportTable, type ReportTableOptions } from './report-table.js';
import { allConditions } from './conditions.js';
import { analysisInterval } from './intervals.js';
import { renderPdf, type PdfSection } from './pdf.js';
import { standardPdf } from './pdf-sections.js';
import { renderCsv, renderLongCsv } from './table-csv.js';
import { renderHtml } from './table-html.js';
import { renderMarkdown } from './table-markdown.js';
import { buildReportText } from './table-model.js';
import { renderTerminal } from './table-terminal.js';

export const REPORT_FORMATS = ['terminal', 'md', 'html', 'csv', 'png', 'svg', 'pdf'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];
/** What a report folder holds (an older one without the output marker is recognised by these). */
export const REPORT_FILE_NAMES = ['report.md', 'report.html', 'report.pdf', 'table.csv', 'table-long.csv', 'charts'] as const;

export interface ReportOptions {
  outDir: string;
  /** Column to take ratios against (see chooseBaseline); default the first. */
  baseline?: string;
  formats?: readonly ReportFormat[];
  /** Colour in the terminal table (the CLI passes stdout.isTTY). */
  colour?: boolean;
  /** PNG chart size in pixels (default 1200 x 600). */
  chartSize?: ChartSize;
  /** SVG chart size in points (default 900 x 500; the PDF scales it to the page width). */
  svgChartSize?: ChartSize;
  /** Default: analysis's 95% interval for cells with several repetitions. */
  comparison?: ReportTableOptions;
  /** false: show min-max instead of an interval. */
  intervals?: boolean;
  charts?: ChartOptions;
  /** Extra PDF sections (e.g. analysis's verdict), placed after the charts. */
  extraPdfSections?: PdfSection[] | ((cmp: ReportTable) => PdfSection[]);
  /** false: no verdict pages (each measured column against the baseline) in the PDF. */
  verdicts?: boolean;
  /** Fixed date for reproducible output; default now. */
  generatedAt?: string;
  /** Notes from outside the results (e.g. where adaptive repetitions stopped), added to the table's. */
  notes?: string[];
}

export interface ReportOutput {
  comparison: ReportTable;
  terminal?: string;
  files: string[];
  /** Milliseconds per stage, for the benchmark and --debug. */
  timings: Record<string, number>;
}

export function parseFormats(s: string): ReportFormat[] {
  const wanted = s.split(',').map((f) => f.trim().toLowerCase()).filter(Boolean);
  const bad = wanted.filter((f) => !(REPORT_FORMATS as readonly string[]).includes(f));
  if (bad.length || !wanted.length) {
    throw new InputError('REPORT_FORMAT', `unknown report format${bad.length > 1 ? 's' : ''}: ${bad.join(', ') || '(none given)'}`, {
      location: { field: 'formats' },
      hint: `choose from ${REPORT_FORMATS.join(',')}`,
    });
  }
  return wanted as ReportFormat[];
}

export async function renderReport(sets: ResultSet[], opts: ReportOptions): Promise<ReportOutput> {
  const files: string[] = [];
  // Everything goes into a staging folder beside --out, renamed into place at the end.
  let staging: Staging | undefined;
  const write = async (name: string, data: string | Uint8Array) => {
    staging ??= await stageOutput(opts.outDir, 'report', REPORT_FILE_NAMES);
    try {
      await atomicWriteFile(join(staging.dir, name), data);
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError('OUTPUT_UNWRITABLE', `cannot write ${name} of the report: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { hint: 'check the space and permissions where --out is', location: { file: join(opts.outDir, name) }, cause: e });
    }
    files.push(join(opts.outDir, name));
  };
  try {
    const out = await renderInto(sets, opts, write, files);
    await staging?.publish();
    return out;
  } catch (e) {
    await staging?.discard();
    throw e;
  }
}

async function renderInto(sets: ResultSet[], opts: ReportOptions, write: (name: string, data: string | Uint8Array) => Promise<void>, files: string[]): Promise<ReportOutput> {
  const formats = new Set(opts.formats ?? REPORT_FORMATS);
  const timings: Record<string, number> = {};
  const time = async <T>(stage: string, f: () => T | Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const v = await f();
    timings[stage] = (timings[stage] ?? 0) + (performance.now() - t0);
    return v;
  };

  const interval = opts.comparison?.interval ?? (opts.intervals === false ? undefined : (v: number[]) => analysisInterval(v));
  const cmp = await time('comparison', () => buildReportTable(sets, { ...opts.comparison, ...(interval ? { interval } : {}) }));
  cmp.notes.push(...(opts.notes ?? []));
  const baseline = chooseBaseline(cmp, opts.baseline);
  const text = buildReportText(cmp, baseline);
  const conditions = allConditions(cmp);
  const generatedAt = opts.generatedAt ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const out: ReportOutput = { comparison: cmp, files, timings };

  if (formats.has('terminal')) out.terminal = await time('terminal', () => renderTerminal(text, { colour: !!opts.colour }));
  if (formats.has('csv')) {
    await time('csv', async () => {
      await write('table.csv', renderCsv(cmp));
      await write('table-long.csv', renderLongCsv(cmp));
    });
  }

  const specs: ChartSpec[] = reportCharts(cmp, baseline, opts.charts);
  const size = opts.chartSize ?? DEFAULT_CHART_SIZE;
  const needSvg = formats.has('svg') || formats.has('pdf') || formats.has('html');
  const svgs = new Map<string, string>();
  if (needSvg) {
    await time('charts-svg', async () => {
      for (const s of specs) {
        const svg = renderChartSvg(s.config, opts.svgChartSize ?? DEFAULT_SVG_SIZE);
        svgs.set(s.id, svg);
        if (formats.has('svg')) await write(`charts/${s.id}.svg`, svg);
      }
    });
  }
  if (formats.has('png')) {
    await time('charts-png', async () => {
      for (const s of specs) await write(`charts/${s.id}.png`, renderChartPng(s.config, size));
    });
  }
  const chartExt = formats.has('png') ? 'png' : formats.has('svg') ? 'svg' : undefined;

  if (formats.has('md')) {
    const charts = chartExt ? specs.map((s) => ({ title: s.title, file: `charts/${s.id}.${chartExt}` })) : [];
    await time('markdown', () => write('report.md', renderMarkdown(text, { conditions, charts })));
  }
  if (formats.has('html')) {
    const charts = specs.map((s) => ({ title: s.title, svg: svgs.get(s.id)!, caption: s.caption }));
    await time('html', () => write('report.html', renderHtml(text, { conditions, charts, generatedAt })));
  }
  if (formats.has('pdf')) {
    const extra = [
      ...(opts.verdicts === false ? [] : await time('verdicts', () => verdictPages(cmp, baseline))),
      ...(typeof opts.extraPdfSections === 'function' ? opts.extraPdfSections(cmp) : (opts.extraPdfSections ?? [])),
    ];
    const charts = specs.map((s) => ({ title: s.title, svg: svgs.get(s.id)!, caption: s.caption }));
    await time('pdf', async () => write('report.pdf', await renderPdf(standardPdf(cmp, text, conditions, charts, extra, generatedAt))));
  }
  return out;
}
