/** A verdict page for the PDF: one table per compared column pair, then how it was computed. */
import type { Content, TableCell } from 'pdfmake/interfaces.js';
import type { Comparison, ComparisonRow } from '../analysis/compare.js';
import { INDICATIVE_NOTE, methodNote } from './format-comparison.js';
import { formatIndex, signedPercent } from './format.js';
import { verdictLabel, type Verdict } from '../analysis/verdict.js';
import type { PdfSection } from './pdf.js';

/** A verdict page for the PDF: one table per compared column pair, then how it was computed. */
const VERDICT_FILL: Record<Verdict, string> = {
  improved: '#e3f4e1',
  regressed: '#fbe0dd',
  'no change': '#f0f0f0',
  inconclusive: '#fff4d6',
  indicative: '#ffffff',
};

const th = (text: string): TableCell => ({ text, style: 'tableHeader' });
const num = (text: string): TableCell => ({ text, alignment: 'right', fontSize: 8 });

function row(r: ComparisonRow): TableCell[] {
  const interval = r.intervalPercent ? `${signedPercent(r.intervalPercent.lower)} to ${signedPercent(r.intervalPercent.upper)}` : '-';
  return [
    { text: r.test, fontSize: 8, bold: r.test.includes('Index Score') },
    num(formatIndex(r.baseline?.index)),
    num(formatIndex(r.candidate?.index)),
    num(signedPercent(r.changePercent) || '-'),
    { text: interval, alignment: 'right', fontSize: 8, noWrap: true },
    { text: verdictLabel(r), fontSize: 8, noWrap: true, bold: r.verdict === 'regressed', italics: r.verdict === 'indicative', fillColor: VERDICT_FILL[r.verdict] },
  ];
}

export function verdictSection(c: Comparison): PdfSection {
  const content: Content[] = [
    {
      text: `${c.baseline.name} (baseline) against ${c.candidate.name} (candidate)${c.variable ? `, variable: ${c.variable}` : ''}. ` +
        `${c.counts.regressed} regressed, ${c.counts.improved} improved, ${c.counts['no change']} no change, ${c.counts.inconclusive} inconclusive${c.counts.indicative ? `, ${c.counts.indicative} indicative only (one run per side)` : ''}.`,
      margin: [0, 0, 0, 8],
    },
  ];
  if (c.regressed) content.push({ text: 'A regression was found: the CI gate fails (exit status 1).', style: 'warning', margin: [0, 0, 0, 8] });
  for (const p of c.pairs) {
    const title = p.baseline.id === p.candidate.id ? p.baseline.id : `${p.baseline.id} against ${p.candidate.id}`;
    const emulated = p.baseline.emulated || p.candidate.emulated ? ' (emulated: TCG)' : '';
    content.push({ text: `${title}${emulated}`, style: 'h2' });
    content.push({ text: `Samples: ${p.levelDescription}.`, style: 'note', margin: [0, 0, 0, 4] });
    content.push({
      table: {
        headerRows: 1,
        widths: ['*', 'auto', 'auto', 'auto', 'auto', 'auto'],
        body: [[th('Test'), th('Baseline'), th('Candidate'), th('Change'), th('Interval'), th('Verdict')], ...p.rows.map(row)],
      },
      layout: 'lightHorizontalLines',
    });
    if (p.indicative) content.push({ text: INDICATIVE_NOTE, style: 'warning', fontSize: 8, margin: [0, 4, 0, 0] });
  }
  content.push({ text: methodNote(c), style: 'note', margin: [0, 10, 0, 0] });
  if (c.warnings.length) {
    content.push({ text: 'Warnings', style: 'h2' });
    content.push({ ul: c.warnings.map((w) => ({ text: w, fontSize: 8 })) });
  }
  return { id: 'verdict', title: 'Verdict', content };
}
