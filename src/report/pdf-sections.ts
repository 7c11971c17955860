/**
 * The standard report as PDF parts: the title page (what was compared, under which conditions,
 * when), then sections for the table, the ratios, the charts, the conditions and the notes.
 */
import type { Content, TableCell } from 'pdfmake/interfaces.js';
import { CHECKS_TITLE } from './checks.js';
import type { ColumnConditions } from './conditions.js';
import { EMULATED_MARKER, type ReportTable } from './report-table.js';
import type { PdfDocument, PdfSection } from './pdf.js';
import type { ReportText, TextTable } from './table-model.js';
import { scoreSummary } from './table-model.js';
import { signedPercent } from './format.js';

export interface PdfChart {
  title: string;
  svg: string;
  caption: string;
}

/** A4 portrait with 40pt margins: 515pt of width. Wider tables are split into column groups. */
const CHART_WIDTH = 495;
const CONTENT_WIDTH = 515;
const MAX_COLUMNS_PER_TABLE = 5;
const TEST_COLUMN_WIDTH = 165;
/** Average advance of a DejaVu Sans character at 8pt (bold a little wider), for column planning. */
const CHAR_WIDTH_8PT = 4.8;
const CELL_PADDING = 8;
const TITLE_PAGE_CONDITIONS = 5;
const TITLE_PAGE_VALUE_CHARS = 110;
const TITLE_PAGE_KEYS = /kernel|cpu|hardware|unixbench|method|measured|arch|machine|virtuali[sz]ation|product/i;

export function titlePage(cmp: ReportTable, text: ReportText, conditions: ColumnConditions[], generatedAt: string): Content[] {
  const out: Content[] = [
    { text: text.title, style: 'title' },
    { text: `${cmp.columns.length} columns from ${cmp.sets.map((s) => s.source).join(', ')}; baseline ${text.baseline.displayLabel}. Generated ${generatedAt} by virtbench.`, style: 'subtitle' },
  ];
  const emulated = cmp.columns.filter((c) => c.emulated);
  if (emulated.length) {
    out.push({
      table: { widths: ['*'], body: [[{ text: `Emulated results: ${emulated.map((c) => c.label).join(', ')} ran under TCG (software emulation, ${EMULATED_MARKER}). Their numbers are not KVM numbers and are marked "${EMULATED_MARKER}" wherever they appear.`, style: 'warning', margin: [6, 6, 6, 6] }]] },
      layout: { fillColor: () => '#fff1e0', hLineColor: () => '#d08030', vLineColor: () => '#d08030' },
      margin: [0, 0, 0, 16],
    });
  }
  out.push({ toc: { title: { text: 'Contents', style: 'h2' }, textStyle: { fontSize: 9 }, numberStyle: { fontSize: 9 } } });
  const summary = scoreSummary(cmp);
  const ratioFor = new Map(text.ratios.map((r) => [r.column.index, r]));
  out.push({ text: 'At a glance', style: 'h2' });
  out.push({
    table: {
      headerRows: 1,
      widths: ['*', 'auto', 'auto'],
      body: [
        [th('Column'), th('Index Score'), th(`Change vs ${text.baseline.label} (baseline = 100)`)],
        ...summary.map(({ column, score }) => {
          const r = ratioFor.get(column.index);
          return [td(column.displayLabel), num(score), num(column.index === text.baseline.index ? 'baseline' : r ? signedPercent(r.changeVsBaselinePct) || '-' : '-')];
        }),
      ],
    },
    layout: 'lightHorizontalLines',
  });
  out.push({ text: `Change = (column - baseline) / baseline; the Ratios section states each gap both ways.`, style: 'note' });
  out.push({ text: 'Conditions', style: 'h2' });
  const { common, specific } = splitCommon(conditions);
  if (common.length && conditions.length > 1) {
    out.push({ text: 'All columns', bold: true, fontSize: 9, margin: [0, 4, 0, 2] });
    out.push(itemList(common));
  }
  let cut = false;
  for (const [i, c] of conditions.entries()) {
    const all = (conditions.length > 1 ? specific[i]! : c.items).filter(([k]) => k !== 'Result set');
    // The title page keeps what a reader checks first; the Conditions section has everything.
    const key = all.filter(([k]) => TITLE_PAGE_KEYS.test(k));
    const items = key.length ? key : all;
    cut ||= items.length < all.length;
    cut ||= items.length > TITLE_PAGE_CONDITIONS;
    out.push({ text: c.column.displayLabel, bold: true, fontSize: 9, margin: [0, 4, 0, 2] });
    out.push(itemList(items.slice(0, TITLE_PAGE_CONDITIONS)));
  }
  if (cut) out.push({ text: 'Full conditions: see the Conditions section.', style: 'note' });
  return out;
}

/** Conditions every column shares (same name, same value), and what is left per column. */
function splitCommon(conditions: ColumnConditions[]): { common: [string, string][]; specific: [string, string][][] } {
  const key = ([k, v]: [string, string]) => `${k}\u0000${v}`;
  const first = conditions[0]?.items ?? [];
  const common = first.filter((it) => it[0] !== 'Result set' && conditions.every((c) => c.items.some((x) => key(x) === key(it))));
  const commonKeys = new Set(common.map(key));
  return { common, specific: conditions.map((c) => c.items.filter((x) => !commonKeys.has(key(x)))) };
}

function itemList(items: [string, string][]): Content {
  const short = (v: string) => (v.length > TITLE_PAGE_VALUE_CHARS ? `${v.slice(0, TITLE_PAGE_VALUE_CHARS - 3)}...` : v);
  return { ul: items.map(([k, v]) => ({ text: [{ text: `${k}: `, color: '#555' }, short(v)], fontSize: 8 })), margin: [6, 0, 0, 2] };
}

export function tableSection(text: ReportText): PdfSection {
  return { id: 'results', title: 'Results: System Benchmarks Index', content: pdfTable(text.index) };
}

export function ratiosSection(text: ReportText): PdfSection {
  const lines: Content[] = [{ text: `Index Score against ${text.baseline.displayLabel}`, style: 'h2' }];
  if (!text.ratios.length) lines.push({ text: 'Only one column: nothing to compare.' });
  for (const r of text.ratios) {
    lines.push({ ul: [{ text: r.columnSentence, bold: true }, { text: r.baselineSentence }], margin: [0, 2, 0, 4] });
  }
  lines.push({ text: text.convention, style: 'note', margin: [0, 2, 0, 10] });
  return { id: 'ratios', title: 'Ratios against the baseline', content: [...lines, ...pdfTable(text.normalised)], pageBreakBefore: false };
}

export function chartsSection(charts: PdfChart[]): PdfSection {
  const content: Content[] = [];
  // Two charts a page; heading, chart and caption stay together.
  charts.forEach((c, i) => {
    content.push({
      stack: [
        { text: c.title, style: 'h2' },
        { svg: c.svg, width: CHART_WIDTH, alignment: 'center' },
        ...(c.caption ? [{ text: c.caption, style: 'note' }] : []),
      ],
      unbreakable: true,
      margin: [0, 0, 0, 12],
      ...(i > 0 && i % 2 === 0 ? { pageBreak: 'before' as const } : {}),
    });
  });
  return { id: 'charts', title: 'Charts', content };
}

export function conditionsSection(conditions: ColumnConditions[]): PdfSection {
  const content: Content[] = [];
  for (const c of conditions) {
    content.push({
      stack: [
        { text: c.column.displayLabel, style: 'h2' },
        { table: { widths: [130, '*'], body: c.items.map(([k, v]) => [{ text: k, style: 'label' }, { text: v, fontSize: 9 }]) }, layout: 'lightHorizontalLines' },
      ],
      unbreakable: true,
    });
  }
  return { id: 'conditions', title: 'Conditions', content };
}

/** Each column's checks and findings, as notes under the column's name. */
export function checksSection(text: ReportText): PdfSection | undefined {
  if (!text.checks.length) return undefined;
  const content: Content[] = [];
  for (const c of text.checks) {
    content.push({ text: c.column.displayLabel, bold: true, fontSize: 9, margin: [0, 6, 0, 2] });
    content.push({ ul: c.lines.map((l) => ({ text: l, style: 'note', ...(/DISAGREE/.test(l) ? { color: '#b03000' } : {}) })) });
  }
  return { id: 'checks', title: CHECKS_TITLE, content, pageBreakBefore: false };
}

export function notesSection(notes: string[]): PdfSection | undefined {
  if (!notes.length) return undefined;
  return { id: 'notes', title: 'Notes', content: [{ ul: notes.map((n) => ({ text: n, fontSize: 9 })) }], pageBreakBefore: false };
}

export function standardPdf(cmp: ReportTable, text: ReportText, conditions: ColumnConditions[], charts: PdfChart[], extra: PdfSection[], generatedAt: string): PdfDocument {
  const emulated = cmp.columns.some((c) => c.emulated);
  const virtualized = cmp.columns.filter((c) => c.virtualized).map((c) => `${c.label} (${c.virtualized})`);
  const sections = [tableSection(text), ratiosSection(text), ...(charts.length ? [chartsSection(charts)] : []), ...extra, conditionsSection(conditions)];
  const checks = checksSection(text);
  if (checks) sections.push(checks);
  const notes = notesSection(text.notes);
  if (notes) sections.push(notes);
  return {
    title: text.title,
    footer: `virtbench · ${cmp.sets.map((s) => s.name).join(' + ')}`,
    titlePage: titlePage(cmp, text, conditions, generatedAt),
    sections,
    ...(emulated || virtualized.length ? { pageBanner: [...(emulated ? [`Contains results ${EMULATED_MARKER}: not KVM figures`] : []), ...(virtualized.length ? [`Host column(s) ${virtualized.join(', ')}: not bare metal`] : [])].join('; ') } : {}),
  };
}

/**
 * A text table as one or more pdfmake tables: as many value columns per table as fit the page
 * (pdfmake never breaks a word, so a column is at least as wide as its longest word).
 */
export function pdfTable(t: TextTable): Content[] {
  const n = t.header.length - 1;
  const words = t.header.slice(1).flatMap((h) => h.split(' '));
  const cellLines = t.rows.flatMap((r) => r.cells.flatMap(cellParts));
  const longest = Math.max(...words.map((w) => w.length), ...cellLines.map((l) => l.length));
  const fit = Math.max(1, Math.min(MAX_COLUMNS_PER_TABLE, Math.floor((CONTENT_WIDTH - TEST_COLUMN_WIDTH) / (longest * CHAR_WIDTH_8PT + CELL_PADDING))));
  const perTable = Math.ceil(n / Math.ceil(n / fit)); // 4 columns that fit 3 a table: 2 + 2, not 3 + 1
  const out: Content[] = [];
  for (let start = 0; start < n; start += perTable) {
    const end = Math.min(n, start + perTable);
    const header = [th(t.header[0]!), ...t.header.slice(1 + start, 1 + end).map((h) => ({ ...th(h), alignment: 'right' as const }))];
    const body = t.rows.map((r) => [
      { text: r.label, fontSize: 8, bold: !!r.emphasis },
      ...r.cells.slice(start, end).map((c) => {
        const [value, spread] = cellParts(c);
        return { text: spread ? [value!, { text: `\n${spread}`, fontSize: 7, color: '#555', bold: false }] : value!, fontSize: 8, alignment: 'right' as const, bold: !!r.emphasis };
      }),
    ]);
    const table: Content = {
      table: { headerRows: 1, dontBreakRows: true, widths: [TEST_COLUMN_WIDTH, ...Array(end - start).fill('*')], body: [header, ...body] },
      layout: {
        fillColor: (row: number) => (row === 0 ? '#e8eef5' : row === t.rows.length ? '#f4f4ec' : row % 2 === 0 ? '#fafafa' : null),
        hLineWidth: (i: number, node: { table: { body: unknown[] } }) => (i === 0 || i === 1 || i === node.table.body.length ? 0.8 : 0.3),
        vLineWidth: () => 0,
        hLineColor: () => '#99a',
      },
      margin: [0, 0, 0, 8],
    };
    const part = n > perTable ? [{ text: `Columns ${start + 1}-${end} of ${n}.`, style: 'note', margin: [0, -4, 0, 8] } as Content] : [];
    // The title stays with the first table; a 13-row table always fits on one page.
    out.push(start === 0 ? { stack: [{ text: t.title, style: 'h2' }, table, ...part], unbreakable: true } : { stack: [table, ...part], unbreakable: true });
  }
  for (const note of t.notes) out.push({ text: note, style: 'note' });
  return out;
}

/** "1703.2 [1354.2-2130.4]" -> ["1703.2", "[1354.2-2130.4]"]: the spread goes on its own line. */
function cellParts(c: string): string[] {
  const i = c.indexOf(' [');
  return i < 0 ? [c] : [c.slice(0, i), c.slice(i + 1)];
}

function th(text: string) {
  return { text, style: 'tableHeader' };
}
function td(text: string) {
  return { text, fontSize: 9 };
}
function num(text: string) {
  return { text, fontSize: 8, alignment: 'right' as const };
}
