import { InputError } from '../core/errors.js';
import type { PublishedOrigin, ResultDoc, ResultMethod, ResultSet } from '../results/model.js';
import type { UnixBenchPass } from '../workloads/unixbench/model.js';
import { INDEX_SCORE, INDEX_TESTS, maxSystemCopies } from '../workloads/unixbench/catalogue.js';

/**
 * The comparison every report renders: columns are (result set, target label, copies) series,
 * rows are the 12 index tests then the Index Score. Repetitions of one target are grouped into
 * one column: a cell holds their mean, min, max and, when the caller passes an interval
 * function (src/analysis), an interval.
 */
export const EMULATED_MARKER = 'emulated (TCG)';
export const PUBLISHED_MARKER = 'published';

export interface ComparisonColumn {
  /** Position in the comparison, 0-based. */
  index: number;
  setName: string;
  setSource: string;
  /** Target label as the result names it (label, else target name). */
  targetLabel: string;
  targetName: string;
  method: ResultMethod;
  /** Copies of the UnixBench pass; null for published data that does not say. */
  copies: number | null;
  /** Label without markers: "host, 1 copy", "LXC (guest x86_64)". */
  label: string;
  /** Label with markers, as every table header and chart legend shows it. */
  displayLabel: string;
  /** "emulated (TCG)", "published": never dropped when a column is shown. */
  markers: string[];
  emulated: boolean;
  published?: PublishedOrigin;
  /** The results grouped into this column (one per repetition). */
  results: ResultDoc[];
  /** True when any grouped pass printed a partial index (a subset run). */
  partialIndex: boolean;
  /** The UnixBench version: results of two versions are never one column. */
  unixbenchVersion: string;
}

export interface Interval {
  lower: number;
  upper: number;
  /** e.g. 0.95 */
  level?: number;
  /** How it was computed: "bootstrap", "t", ... */
  method?: string;
}

export interface ComparisonCell {
  mean: number;
  min: number;
  max: number;
  /** Number of repetitions with a value. */
  n: number;
  values: number[];
  interval?: Interval;
}

export interface ComparisonRow {
  test: string;
  kind: 'test' | 'score';
  /** One per column; null where the column has no value for this test. */
  cells: (ComparisonCell | null)[];
}

export interface Comparison {
  columns: ComparisonColumn[];
  rows: ComparisonRow[];
  sets: ResultSet[];
  /** Things the reader should know: skipped results, partial indexes, published checks. */
  notes: string[];
}

export interface ComparisonOptions {
  /** Interval for a cell's repetitions (src/analysis plugs in here); absent: min/max only. */
  interval?: (values: number[], row: string, column: ComparisonColumn) => Interval | undefined;
}

interface Series {
  column: Omit<ComparisonColumn, 'index' | 'label' | 'displayLabel' | 'markers'>;
  passes: UnixBenchPass[];
}

export function buildComparison(sets: ResultSet[], opts: ComparisonOptions = {}): Comparison {
  const notes: string[] = [];
  const series = new Map<string, Series>();
  for (const set of sets) {
    for (const result of set.results) {
      const why = unusable(result);
      if (why) {
        notes.push(`${set.name}/${result.id}: left out (${why})`);
        continue;
      }
      const passes = result.unixbench!.passes.filter((p) => !p.empty && p.index);
      const multiPass = new Set(passes.map((p) => p.copies)).size > 1;
      for (const pass of passes) {
        const targetLabel = result.target.label ?? result.target.name;
        const copies = result.published && !multiPass ? null : pass.copies;
        const version = result.unixbench!.version || result.workload.version;
        const key = JSON.stringify([set.name, targetLabel, copies, result.emulated, version]);
        let s = series.get(key);
        if (!s) {
          s = {
            column: {
              setName: set.name,
              setSource: set.source,
              targetLabel,
              targetName: result.target.name,
              method: result.target.method,
              copies,
              emulated: result.emulated,
              published: result.published,
              results: [],
              partialIndex: false,
              unixbenchVersion: version,
            },
            passes: [],
          };
          series.set(key, s);
        }
        s.column.results.push(result);
        s.passes.push(pass);
        if (pass.index!.partial) s.column.partialIndex = true;
        const cap = maxSystemCopies(version);
        if (cap !== undefined && pass.copies === cap && pass.cpusInSystem > cap && !result.workload.options.copies?.length) {
          notes.push(`${set.name}/${result.id}: the "all CPUs" pass ran ${cap} copies on ${pass.cpusInSystem} CPUs: UnixBench ${version} runs at most ${cap} (6.0.0 has no limit)`);
        }
      }
    }
  }
  if (series.size === 0) {
    throw new InputError('REPORT_NO_RESULTS', `no result with a UnixBench index in ${sets.map((s) => s.source).join(', ') || '(no input)'}`, {
      hint: 'give a run directory, a result set (e.g. results/reference/2011) or a folder of UnixBench output with at least one finished pass',
    });
  }

  const all = [...series.values()];
  const columns = labelColumns(all.map((s) => s.column), sets.length > 1, new Set(all.map((s) => s.column.unixbenchVersion)).size > 1);
  const rows: ComparisonRow[] = [...INDEX_TESTS, INDEX_SCORE].map((test) => ({
    test,
    kind: test === INDEX_SCORE ? 'score' : 'test',
    cells: all.map((s, i) => {
      const values = s.passes
        .map((p) => (test === INDEX_SCORE ? p.index!.score : p.index!.rows.find((r) => r.name === test)?.index))
        .filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
      return values.length ? cell(values, opts.interval?.(values, test, columns[i]!)) : null;
    }),
  }));
  for (const c of columns) {
    if (c.partialIndex) notes.push(`${c.displayLabel}: a subset run; its Index Score is UnixBench's "Partial Only" score over the tests it ran`);
    if (c.emulated) notes.push(`${c.displayLabel}: KVM target run under TCG (software emulation), not a KVM figure`);
  }
  return { columns, rows, sets, notes };
}

function unusable(r: ResultDoc): string | undefined {
  if (r.status !== 'ok') return `status ${r.status}${r.error ? `: ${r.error.message}` : ''}`;
  if (!r.unixbench) return 'no parsed UnixBench output';
  if (!r.unixbench.passes.some((p) => !p.empty && p.index)) return 'no pass with an index table';
  return undefined;
}

function cell(values: number[], interval: Interval | undefined): ComparisonCell {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, min: Math.min(...values), max: Math.max(...values), n: values.length, values, ...(interval ? { interval } : {}) };
}

function copiesText(copies: number): string {
  return `${copies} ${copies === 1 ? 'copy' : 'copies'}`;
}

function labelColumns(cols: Series['column'][], manySets: boolean, manyVersions: boolean): ComparisonColumn[] {
  const base = cols.map((c) => (c.copies === null ? c.targetLabel : `${c.targetLabel}, ${copiesText(c.copies)}`));
  const counts = new Map<string, number>();
  for (const b of base) counts.set(b, (counts.get(b) ?? 0) + 1);
  return cols.map((c, index) => {
    const clash = (counts.get(base[index]!) ?? 0) > 1;
    const label = manySets && clash ? `${c.setName}: ${base[index]}` : base[index]!;
    const markers = [...(c.emulated ? [EMULATED_MARKER] : []), ...(c.published ? [PUBLISHED_MARKER] : []), ...(manyVersions ? [`UnixBench ${c.unixbenchVersion}`] : [])];
    const displayLabel = markers.length ? `${label} [${markers.join(', ')}]` : label;
    return { ...c, index, label, displayLabel, markers };
  });
}

/** A short label for sentences: the label, still carrying the emulated marker. */
export function sentenceLabel(c: ComparisonColumn): string {
  return c.emulated ? `${c.label} [${EMULATED_MARKER}]` : c.label;
}

export function scoreRow(cmp: Comparison): ComparisonRow {
  return cmp.rows[cmp.rows.length - 1]!;
}
