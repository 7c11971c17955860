/** `virtbench compare` output: terminal (coloured), Markdown, JSON. */
import type { ColumnComparison, Comparison, ComparisonRow } from '../analysis/compare.js';
import { markdownTable, paint, textTable, type Align } from './text-table.js';
import { escapeMarkdown, formatIndex, intervalsClause, percent, signedPercent } from './format.js';
import { verdictLabel, type Verdict } from '../analysis/verdict.js';
import { SEQUENTIAL_METHOD } from '../analysis/sequential.js';

export type OutputFormat = 'terminal' | 'md' | 'json';

const VERDICT_COLOUR: Record<Verdict, 'green' | 'red' | 'grey' | 'yellow'> = {
  improved: 'green',
  regressed: 'red',
  'no change': 'grey',
  inconclusive: 'yellow',
  indicative: 'grey',
};

/** Said under every table whose samples are iterations of one run. */
export const INDICATIVE_NOTE =
  "Indicative only: these samples are UnixBench's iterations inside one run per side (one boot, one placement), not independent runs, so the interval is too narrow and nothing here is a verdict or fails the gate. Repeat the run (repetitions: 2 or more; 5 or more to call \"no change\").";

function interval(r: ComparisonRow): string {
  return r.intervalPercent ? `[${signedPercent(r.intervalPercent.lower)}, ${signedPercent(r.intervalPercent.upper)}]` : '-';
}

function samples(r: ComparisonRow): string {
  if (r.derivedFrom) return 'per-test';
  return `${r.baseline?.samples ?? 0}/${r.candidate?.samples ?? 0}`;
}

function cv(r: ComparisonRow): string {
  if (r.derivedFrom) return '';
  const f = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '-' : percent(x * 100));
  return `${f(r.baseline?.cv)}/${f(r.candidate?.cv)}`;
}

/** How the numbers were made, in one paragraph: every output carries it. */
export function methodNote(c: Comparison): string {
  return (
    `Change = candidate / baseline - 1 (higher index is better for every test). ` +
    `${intervalsClause(c, c.looks ? `, and over the ${c.looks} looks of the adaptive repetitions (${SEQUENTIAL_METHOD})` : '')}. ` +
    `Verdict threshold ${percent(c.threshold * 100)}: regressed/improved = interval excludes 0 and the change is at least the threshold; ` +
    `no change = the whole interval within +-${percent(c.threshold * 100)}; otherwise inconclusive. ` +
    `Verdicts come from repetitions only; one run per side gives an indicative reading. ` +
    `An improved/regressed verdict becomes inconclusive when the environments differ in a field that can move UnixBench` +
    (c.variable ? ` (other than the variable '${c.variable}'` + (c.acceptedDrift.length ? ` and the accepted ${c.acceptedDrift.join(', ')})` : ')') : c.acceptedDrift.length ? ` (other than the accepted ${c.acceptedDrift.join(', ')})` : '') +
    '.'
  );
}

function title(c: Comparison): string {
  return `${c.baseline.name} -> ${c.candidate.name}${c.variable ? ` (variable: ${c.variable})` : ''}`;
}

function summary(c: Comparison): string {
  const n = c.counts;
  return `${n.regressed} regressed, ${n.improved} improved, ${n['no change']} no change, ${n.inconclusive} inconclusive${n.indicative ? `, ${n.indicative} indicative only` : ''}`;
}

const HEADER = ['test', 'baseline', 'candidate', 'change', 'interval', 'verdict', 'samples', 'CV'];
const ALIGN: Align[] = ['left', 'right', 'right', 'right', 'right', 'left', 'right', 'right'];

export function renderComparisonTerminal(c: Comparison, colour: boolean): string {
  const out: string[] = [paint(`virtbench compare: ${title(c)}`, 'bold', colour), ''];
  for (const p of c.pairs) {
    out.push(paint(`${pairTitle(p)}${p.baseline.emulated || p.candidate.emulated ? ' [EMULATED (TCG)]' : ''}${virtualizedNote(p)}`, 'bold', colour));
    out.push(`samples: ${p.levelDescription}`);
    const rows = p.rows.map((r) => rowCells(r, paint(verdictLabel(r), VERDICT_COLOUR[r.verdict], colour), !!p.calibration));
    out.push(textTable(header(p), rows, align(p)));
    if (p.indicative) out.push(paint(INDICATIVE_NOTE, 'yellow', colour));
    if (p.calibration) out.push(detectableHereNote(p));
    out.push('');
  }
  out.push(methodNote(c));
  for (const w of c.warnings) out.push(paint(`warning: ${w}`, 'yellow', colour));
  out.push(paint(summary(c), c.regressed ? 'red' : 'green', colour));
  return out.join('\n') + '\n';
}

/** "a -> b", or one id when both sides are the same column. */
function pairTitle(p: ColumnComparison): string {
  return p.baseline.id === p.candidate.id ? p.baseline.id : `${p.baseline.id} -> ${p.candidate.id}`;
}

/** One table row; only the verdict cell differs between the terminal and Markdown. */
function rowCells(r: ComparisonRow, verdictCell: string, calibrated: boolean): string[] {
  const cells = [r.test, formatIndex(r.baseline?.index), formatIndex(r.candidate?.index), signedPercent(r.changePercent), interval(r), verdictCell, samples(r), cv(r)];
  return calibrated ? [...cells, detectable(r)] : cells;
}

const header = (p: ColumnComparison) => (p.calibration ? [...HEADER, 'detectable here'] : HEADER);
const align = (p: ColumnComparison): Align[] => (p.calibration ? [...ALIGN, 'right'] : ALIGN);

function detectable(r: ComparisonRow): string {
  const d = r.detectableHere;
  if (!d) return '';
  if (d.repetitions < 2) return 'none (1 run)';
  return d.drop === null ? 'over 99%' : percent(d.drop * 100);
}

/** Where the "detectable here" column comes from. */
export function detectableHereNote(p: ColumnComparison): string {
  const c = p.calibration!;
  return `detectable here: the smallest drop this comparison (its repetitions a side, its family of intervals, its threshold) calls regressed in 80% of cases, with the run-to-run noise measured on this host by virtbench calibrate (${c.rounds} A/A rounds, ${c.calibratedAt}, ${c.file}).`;
}

export function renderComparisonMarkdown(c: Comparison): string {
  const out: string[] = [`# Comparison: ${title(c)}`, ''];
  out.push(`Baseline: \`${c.baseline.source}\`  `, `Candidate: \`${c.candidate.source}\``, '');
  for (const p of c.pairs) {
    out.push(`## ${pairTitle(p)}${p.baseline.emulated || p.candidate.emulated ? ' (emulated: TCG)' : ''}${virtualizedNote(p)}`, '', `Samples: ${p.levelDescription}.`, '');
    const rows = p.rows.map((r) => rowCells({ ...r, test: escapeMarkdown(r.test) }, r.verdict === 'regressed' ? '**regressed**' : escapeMarkdown(verdictLabel(r)), !!p.calibration));
    out.push(markdownTable(header(p), rows, align(p)), '');
    if (p.indicative) out.push(`> ${INDICATIVE_NOTE}`, '');
    if (p.calibration) out.push(detectableHereNote(p), '');
  }
  out.push(methodNote(c), '');
  if (c.warnings.length) out.push('Warnings:', '', ...c.warnings.map((w) => `- ${w}`), '');
  out.push(`**${summary(c)}**`, '');
  return out.join('\n');
}

export function renderComparisonJson(c: Comparison): string {
  return JSON.stringify({ ...c, note: methodNote(c) }, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

export function renderComparison(c: Comparison, format: OutputFormat, colour = false): string {
  if (format === 'json') return renderComparisonJson(c);
  if (format === 'md') return renderComparisonMarkdown(c);
  return renderComparisonTerminal(c, colour);
}

/** A host column that is itself virtualized says so in every title: " [VIRTUALIZED HOST: qemu]". */
function virtualizedNote(p: { baseline: { virtualized?: string }; candidate: { virtualized?: string } }): string {
  const v = [...new Set([p.baseline.virtualized, p.candidate.virtualized].filter((x): x is string => !!x))];
  return v.length ? ` [VIRTUALIZED HOST: ${v.join(', ')}; not bare metal]` : '';
}
