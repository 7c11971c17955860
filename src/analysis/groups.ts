/**
 * The one way results are grouped and summarised. A group is every measurement with the same
 * key: result set, target label, copies, emulated or not, workload and its version. UnixBench's
 * 1-copy and N-copy passes measure different things, a TCG run is not a KVM run, and 5.1.3 and
 * 6.0.0 are different benchmarks, so none of them is ever pooled. A group's summary per test is
 * the geometric mean of its run-level index values (as UnixBench itself combines them), with
 * their spread.
 */
import { hostVirtualization } from '../results/virtualized.js';
import type { Measurement } from '../core/measurement.js';
import { resultMeasurements } from '../results/measurements.js';
import type { PublishedOrigin, ResultDoc, ResultSet } from '../results/model.js';
import { describe } from './descriptive.js';

export const EMULATED_MARKER = 'emulated (TCG)';
export const PUBLISHED_MARKER = 'published';

export interface GroupKey {
  set: string;
  /** target.label, else target.name. */
  label: string;
  copies: number;
  emulated: boolean;
  workload: string;
  workloadVersion: string;
}

export interface Group {
  key: GroupKey;
  /** "label, N copies" (with what tells apart groups that share it), for messages and headings. */
  id: string;
  source: string;
  targetName: string;
  method: string;
  /** The results grouped here (one per repetition), for their manifests. */
  results: ResultDoc[];
  /** The successful results' measurements. */
  measurements: Measurement[];
  emulated: boolean;
  /** A `host` target that is itself a VM or container (its manifest says what): never "bare metal". */
  virtualized?: string;
  /** Published data (the 2011 table): where it came from. */
  published?: PublishedOrigin;
  /** Tests with an index value, in the workload's order. */
  tests: string[];
  /** The values that combine the tests (UnixBench's Index Score). */
  scores: string[];
  /** Some pass printed only a partial index (a subset run). */
  partial: boolean;
}

export interface Summary {
  /** Geometric mean of the values. */
  center: number;
  n: number;
  min: number;
  max: number;
  /** Coefficient of variation (a fraction); NaN below two values. */
  cv: number;
  values: number[];
}

/** Published figures (the 2011 table, an imported file): single values, nothing to test. */
export function isPublished(g: Group): boolean {
  return g.published !== undefined || g.method === 'published';
}

export function copiesText(copies: number): string {
  return `${copies} ${copies === 1 ? 'copy' : 'copies'}`;
}

export function groupKeyOf(m: Measurement): GroupKey {
  return { set: m.set, label: m.label, copies: m.copies, emulated: m.emulated, workload: m.workload, workloadVersion: m.workloadVersion };
}

const keyString = (k: GroupKey) => JSON.stringify([k.set, k.label, k.copies, k.emulated, k.workload, k.workloadVersion]);

/** A run-level value with an index: what makes a group (a pass with an index table). */
const indexed = (m: Measurement) => m.ok && m.level === 'run' && m.index !== undefined;

/** Every group of the sets, in the order their first indexed measurement appears. */
export function groupsOf(sets: ResultSet | readonly ResultSet[]): Group[] {
  const list = (Array.isArray(sets) ? sets : [sets]) as readonly ResultSet[];
  const groups = new Map<string, Group>();
  const order = new Map<string, number>();
  for (const set of list) {
    for (const doc of set.results) {
      const ms = resultMeasurements(set, doc).filter((m) => m.ok);
      const mine = new Set<Group>();
      for (const m of ms) {
        order.set(m.test, m.order);
        if (!indexed(m)) continue;
        const key = groupKeyOf(m);
        const k = keyString(key);
        let g = groups.get(k);
        if (!g) {
          g = { key, id: '', source: m.source, targetName: m.target, method: m.method, results: [], measurements: [], emulated: m.emulated, ...(doc.published ? { published: doc.published } : {}), tests: [], scores: [], partial: false };
          groups.set(k, g);
        }
        if (!mine.has(g)) {
          mine.add(g);
          g.results.push(doc);
          g.virtualized ??= hostVirtualization(doc);
        }
        if (m.kind === 'score') {
          if (!g.scores.includes(m.test)) g.scores.push(m.test);
          g.partial ||= m.partial === true;
        } else if (!g.tests.includes(m.test)) g.tests.push(m.test);
      }
      // Every measurement of this result whose key has a group (its iterations included).
      for (const m of ms) {
        const g = groups.get(keyString(groupKeyOf(m)));
        if (g && mine.has(g)) g.measurements.push(m);
      }
    }
  }
  const out = [...groups.values()];
  for (const g of out) g.tests.sort((a, b) => order.get(a)! - order.get(b)!);
  nameGroups(out);
  return out;
}

/** "label, N copies"; where two groups of one set share that, the emulated marker and then the version tell them apart. */
function nameGroups(groups: Group[]): void {
  const base = (g: Group) => `${g.key.label}, ${copiesText(g.key.copies)}`;
  const clashes = (f: (g: Group) => string) => {
    const n = new Map<string, number>();
    for (const g of groups) n.set(`${g.key.set}\u0000${f(g)}`, (n.get(`${g.key.set}\u0000${f(g)}`) ?? 0) + 1);
    return (g: Group) => (n.get(`${g.key.set}\u0000${f(g)}`) ?? 0) > 1;
  };
  const clash = clashes(base);
  const withMarker = (g: Group) => (clash(g) && g.emulated ? `${base(g)} [${EMULATED_MARKER}]` : base(g));
  const clash2 = clashes(withMarker);
  for (const g of groups) g.id = clash2(g) ? `${withMarker(g)} (${g.key.workload} ${g.key.workloadVersion})` : withMarker(g);
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const cached = (f: (g: Group) => Map<string, number[]>) => {
  const cache = new WeakMap<Group, Map<string, number[]>>();
  return (g: Group) => {
    let v = cache.get(g);
    if (!v) cache.set(g, (v = f(g)));
    return v;
  };
};

/** Per test (and score): the run-level index values, one per run. */
export const repetitionSamples = cached((g) => {
  const out = new Map<string, number[]>();
  for (const m of g.measurements) {
    if (m.level !== 'run' || !(m.index! > 0)) continue;
    push(out, m.test, m.index!);
  }
  return out;
});

/** Per test: the workload's per-iteration scores within each run, pooled over the group's runs. */
export const iterationSamples = cached((g) => {
  const out = new Map<string, number[]>();
  for (const m of g.measurements) {
    if (m.level !== 'iteration' || !g.tests.includes(m.test) || !(m.raw!.value > 0)) continue;
    push(out, m.test, m.raw!.value);
  }
  return out;
});

/** The one summary of a group's values for a test: geometric mean with the spread beside it. */
export function summarize(values: readonly number[]): Summary {
  const d = describe(values);
  return { center: d.geometricMean, n: d.n, min: d.min, max: d.max, cv: d.cv, values: [...values] };
}

/** The summary of every test and score of a group, at the run level. */
export function groupSummaries(g: Group): Map<string, Summary> {
  return new Map([...repetitionSamples(g)].map(([test, values]) => [test, summarize(values)]));
}
