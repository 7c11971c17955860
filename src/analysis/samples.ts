/**
 * Sample sets from result sets. A column is one target at one copies count (UnixBench runs a
 * 1-copy pass and an N-copy pass; they measure different things and are never pooled).
 * Two levels of sample, and every output says which one it used:
 * - repetitions: one value per result (the test's index in that pass). Independent runs, so
 *   their spread includes everything that varies between runs (boot, placement, caches).
 *   This is the right unit for a verdict.
 * - iterations: UnixBench's own per-pass scores from the .log (10 passes of the fast tests,
 *   3 of the slow ones by default). They all come from one run, so their spread is only the
 *   within-run noise; an interval from them is narrower than between runs and says so.
 */
import type { ResultDoc, ResultSet } from '../results/model.js';
import { INDEX_SCORE } from '../workloads/unixbench/catalogue.js';

export type SampleLevel = 'repetitions' | 'iterations';

export { INDEX_SCORE };

export interface ColumnKey {
  /** target.label, else target.name. */
  label: string;
  copies: number;
}

export interface Column {
  key: ColumnKey;
  /** "label, N copies" for messages and table headings. */
  id: string;
  method: string;
  results: ResultDoc[];
  /** A KVM result run under TCG: never presented as a KVM number. */
  emulated: boolean;
  published: boolean;
  /** Test names in the order of the first result's index table. */
  tests: string[];
  /** Some pass printed only a partial index (a subset run). */
  partial: boolean;
}

export function columnId(key: ColumnKey): string {
  return `${key.label}, ${key.copies} ${key.copies === 1 ? 'copy' : 'copies'}`;
}

export function labelOf(r: ResultDoc): string {
  return r.target.label ?? r.target.name;
}

/** Every (target, copies) column of a set, from its successful UnixBench results. */
export function columnsOf(set: ResultSet): Column[] {
  const byId = new Map<string, Column>();
  for (const r of set.results) {
    if (r.status !== 'ok' || !r.unixbench) continue;
    for (const pass of r.unixbench.passes) {
      if (pass.empty || !pass.index) continue;
      const key = { label: labelOf(r), copies: pass.copies };
      const id = columnId(key);
      let col = byId.get(id);
      if (!col) {
        col = { key, id, method: r.target.method, results: [], emulated: false, published: false, tests: pass.index.rows.map((x) => x.name), partial: false };
        byId.set(id, col);
      }
      col.results.push(r);
      col.emulated ||= r.emulated;
      col.published ||= r.target.method === 'published' || r.published !== undefined;
      col.partial ||= pass.index.partial;
    }
  }
  return [...byId.values()];
}

function passOf(r: ResultDoc, copies: number) {
  return r.unixbench?.passes.find((p) => p.copies === copies && !p.empty && p.index);
}

/** Per test (and the Index Score): one index value per repetition. */
export function repetitionSamples(col: Column): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const push = (name: string, v: number) => {
    if (!(v > 0)) return;
    const xs = out.get(name) ?? [];
    xs.push(v);
    out.set(name, xs);
  };
  for (const r of col.results) {
    const pass = passOf(r, col.key.copies);
    if (!pass?.index) continue;
    for (const row of pass.index.rows) push(row.name, row.index);
    push(INDEX_SCORE, pass.index.score);
  }
  return out;
}

/** Per test: UnixBench's per-iteration scores from the .log, pooled over the column's results. */
export function iterationSamples(col: Column): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const r of col.results) {
    for (const t of r.unixbench?.log?.tests ?? []) {
      if (t.copies !== col.key.copies || !col.tests.includes(t.name)) continue;
      const xs = out.get(t.name) ?? [];
      xs.push(...t.iterations.filter((v) => v > 0));
      out.set(t.name, xs);
    }
  }
  return out;
}

export function samplesAt(col: Column, level: SampleLevel): Map<string, number[]> {
  return level === 'repetitions' ? repetitionSamples(col) : iterationSamples(col);
}

/** Smallest number of values any test has at this level (0 when there are none). */
export function minSamples(col: Column, level: SampleLevel): number {
  const m = samplesAt(col, level);
  const tests = col.tests.filter((t) => m.has(t));
  if (tests.length === 0) return 0;
  return Math.min(...tests.map((t) => m.get(t)!.length));
}

/**
 * 'auto': repetitions when both columns have at least two, else UnixBench's iterations when
 * both have at least two per test in the .log, else repetitions (which then says
 * inconclusive: one run cannot tell noise from change).
 */
export function chooseLevel(a: Column, b: Column, requested: SampleLevel | 'auto'): SampleLevel {
  if (requested !== 'auto') return requested;
  if (minSamples(a, 'repetitions') >= 2 && minSamples(b, 'repetitions') >= 2) return 'repetitions';
  if (minSamples(a, 'iterations') >= 2 && minSamples(b, 'iterations') >= 2) return 'iterations';
  return 'repetitions';
}

export function levelDescription(level: SampleLevel): string {
  return level === 'repetitions'
    ? 'repetitions (one index value per run)'
    : "UnixBench's per-iteration scores from the .log (within one run: between-run noise not included), so INDICATIVE only: readings, no verdicts";
}
