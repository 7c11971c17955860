/**
 * What other steps use from report/: render a whole report, or build on its parts. Analysis's
 * verdict page is a PdfSection passed as `extraPdfSections`; its intervals plug in through
 * `comparison.interval` (cells) or `charts.errorBars` (bars, per chart, per column, per bar).
 */
export { renderReport, parseFormats, REPORT_FORMATS, type ReportFormat, type ReportOptions, type ReportOutput } from './render.js';
export { buildComparison, EMULATED_MARKER, PUBLISHED_MARKER, type Comparison, type ComparisonColumn, type ComparisonCell, type ComparisonOptions, type Interval } from './comparison.js';
export { chooseBaseline } from './baseline.js';
export { ratio, ratiosFor, type Ratio } from './ratios.js';
export { renderPdf, PDF_STYLES, type PdfDocument, type PdfSection } from './pdf.js';
export { pdfTable } from './pdf-sections.js';
export type { TextTable } from './table-model.js';
export type { ErrorBar } from './chart-plugins.js';
export type { ChartId, ChartOptions } from './chart-specs.js';
