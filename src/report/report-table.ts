/**
 * The table every report renders: columns are the analysis's groups (result set, target label,
 * copies, emulated, workload version), rows are the tests then the scores. A cell is the group's
 * summary for the test (geometric mean of the repetitions, with their spread) and, when the
 * caller passes an interval function (src/analysis), an interval.
 */
import { reportDamage } from '../workloads/unixbench/integrity.js';
import { virtualizedMarker } from '../results/virtualized.js';
import { InputError } from '../core/errors.js';
import { copiesText, EMULATED_MARKER, groupsOf, PUBLISHED_MARKER, repetitionSamples, summarize, type Group, type Summary } from '../analysis/groups.js';
import { workloadTitle } from '../results/measurements.js';
import type { ResultDoc, ResultSet } from '../results/model.js';
import { maxSystemCopies } from '../workloads/unixbench/catalogue.js';

export { EMULATED_MARKER, PUBLISHED_MARKER };

export interface ReportColumn extends Group {
  /** Position in the table, 0-based. */
  index: number;
  /** Copies of the pass; null for published data that does not say. */
  copies: number | null;
  /** Label without markers: "host, 1 copy", "LXC (guest x86_64)". */
  label: string;
  /** Label with markers, as every table header and chart legend shows it. */
  displayLabel: string;
  /** "emulated (TCG)", "published": never dropped when a column is shown. */
  markers: string[];
}

export interface Interval {
  lower: number;
  upper: number;
  /** e.g. 0.95 */
  level?: number;
  /** How it was computed: "bootstrap", "t", ... */
  method?: string;
}

export interface ReportCell extends Summary {
  interval?: Interval;
  /** Some repetition's report does not add up here (recomputed != printed, a row missing): shown marked. */
  damaged?: boolean;
}

/** Beside a value from a report that does not add up (see the notes). */
export const DAMAGED_MARK = '(!)';

/** A cell of a column is damaged when one of its results' reports does not add up for that test (any score, then). */
function isDamaged(c: Group, test: string, score: boolean): boolean {
  const copies = copiesShown(c);
  return c.results.some((r) => !r.published && !!r.unixbench && reportDamage(r.unixbench).some((d) => (d.copies === undefined || copies === null || d.copies === copies) && (d.test === undefined || score || d.test === test)));
}

export interface ReportRow {
  test: string;
  kind: 'test' | 'score';
  /** One per column; null where the column has no value for this test. */
  cells: (ReportCell | null)[];
}

export interface ReportTable {
  columns: ReportColumn[];
  rows: ReportRow[];
  sets: ResultSet[];
  /** Things the reader should know: skipped results, partial indexes, published checks. */
  notes: string[];
}

export interface ReportTableOptions {
  /** Interval for a cell's repetitions (src/analysis plugs in here); absent: min/max only. */
  interval?: (values: number[], row: string, column: ReportColumn) => Interval | undefined;
}

export function buildReportTable(sets: ResultSet[], opts: ReportTableOptions = {}): ReportTable {
  const notes: string[] = [];
  for (const set of sets) {
    for (const result of set.results) {
      const why = unusable(result);
      if (why) notes.push(`${set.name}/${result.id}: left out (${why})`);
      else {
        notes.push(...copiesCapNotes(set, result));
        if (!result.published) for (const d of reportDamage(result.unixbench!)) notes.push(`${set.name}/${result.id}: DAMAGED REPORT: ${d.message}; marked ${DAMAGED_MARK} where it counts`);
      }
    }
  }
  const groups = groupsOf(sets);
  if (groups.length === 0) {
    throw new InputError('REPORT_NO_RESULTS', `no result with a UnixBench index in ${sets.map((s) => s.source).join(', ') || '(no input)'}`, {
      hint: 'give a run directory, a result set (e.g. results/reference/2011) or a folder of UnixBench output with at least one finished pass',
    });
  }
  const columns = labelColumns(groups, sets.length > 1, new Set(groups.map((g) => g.key.workloadVersion)).size > 1);
  const order = new Map(groups.flatMap((g) => g.measurements.map((m) => [m.test, m.order] as const)));
  const tests = [...new Set(groups.flatMap((g) => g.tests))].sort((a, b) => order.get(a)! - order.get(b)!);
  const scores = [...new Set(groups.flatMap((g) => g.scores))];
  const rows: ReportRow[] = [...tests.map((test) => ({ test, kind: 'test' as const })), ...scores.map((test) => ({ test, kind: 'score' as const }))].map((row) => ({
    ...row,
    cells: columns.map((c) => {
      const values = repetitionSamples(c).get(row.test);
      if (!values?.length) return null;
      const interval = opts.interval?.(values, row.test, c);
      const damaged = isDamaged(c, row.test, row.kind === 'score');
      return { ...summarize(values), ...(interval ? { interval } : {}), ...(damaged ? { damaged } : {}) };
    }),
  }));
  for (const c of columns) {
    if (c.partial) notes.push(`${c.displayLabel}: a subset run; its Index Score is UnixBench's "Partial Only" score over the tests it ran`);
    if (c.emulated) notes.push(`${c.displayLabel}: KVM target run under TCG (software emulation), not a KVM figure`);
    const dropped = c.results[0]?.guestFacts?.droppedOptions;
    if (Array.isArray(dropped) && dropped.length) notes.push(`${c.displayLabel}: options of the reproduced QEMU command line not passed (today's QEMU lacks them): ${dropped.join('; ')}`);
    if (c.virtualized) notes.push(`${c.displayLabel}: a host target that is itself virtualized (detected: ${c.virtualized}); not a bare-metal figure`);
  }
  return { columns, rows, sets, notes };
}

/** UnixBench 5.1.3 runs at most 16 copies: an "all CPUs" pass on a bigger guest says so. */
function copiesCapNotes(set: ResultSet, result: ResultDoc): string[] {
  const version = result.unixbench!.version || result.workload.version;
  const cap = maxSystemCopies(version);
  if (cap === undefined || result.workload.options.copies?.length) return [];
  return result.unixbench!.passes
    .filter((pass) => !pass.empty && pass.index && pass.copies === cap && pass.cpusInSystem > cap)
    .map((pass) => `${set.name}/${result.id}: the "all CPUs" pass ran ${cap} copies on ${pass.cpusInSystem} CPUs: UnixBench ${version} runs at most ${cap} (6.0.0 has no limit)`);
}

function unusable(r: ResultDoc): string | undefined {
  if (r.status !== 'ok') return `status ${r.status}${r.error ? `: ${r.error.message}` : ''}`;
  if (!r.unixbench) return 'no parsed UnixBench output';
  if (!r.unixbench.passes.some((p) => !p.empty && p.index)) return 'no pass with an index table';
  return undefined;
}

/** Published data with one pass per result does not say its copies; the label leaves them out. */
function copiesShown(g: Group): number | null {
  if (!g.published) return g.key.copies;
  const multiPass = g.results.some((r) => new Set(r.unixbench?.passes.filter((p) => !p.empty && p.index).map((p) => p.copies)).size > 1);
  return multiPass ? g.key.copies : null;
}

function labelColumns(groups: Group[], manySets: boolean, manyVersions: boolean): ReportColumn[] {
  const base = groups.map((g) => {
    const copies = copiesShown(g);
    return copies === null ? g.key.label : `${g.key.label}, ${copiesText(copies)}`;
  });
  const counts = new Map<string, number>();
  for (const b of base) counts.set(b, (counts.get(b) ?? 0) + 1);
  return groups.map((g, index) => {
    const clash = (counts.get(base[index]!) ?? 0) > 1;
    const label = manySets && clash ? `${g.key.set}: ${base[index]}` : base[index]!;
    const markers = [...(g.emulated ? [EMULATED_MARKER] : []), ...(g.virtualized ? [virtualizedMarker(g.virtualized)] : []), ...(g.published ? [PUBLISHED_MARKER] : []), ...(manyVersions ? [`${workloadTitle(g.key.workload)} ${g.key.workloadVersion}`] : [])];
    const displayLabel = markers.length ? `${label} [${markers.join(', ')}]` : label;
    return Object.assign(g, { index, copies: copiesShown(g), label, displayLabel, markers });
  });
}

/** A short label for sentences: the label, still carrying the emulated marker. */
export function sentenceLabel(c: ReportColumn): string {
  const marks = [...(c.emulated ? [EMULATED_MARKER] : []), ...(c.virtualized ? [virtualizedMarker(c.virtualized)] : [])];
  return marks.length ? `${c.label} [${marks.join(', ')}]` : c.label;
}

/** The first score row (UnixBench's System Benchmarks Index Score). */
export function scoreRow(cmp: ReportTable): ReportRow {
  return cmp.rows.find((r) => r.kind === 'score')!;
}
