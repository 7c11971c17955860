/**
 * Compare two result sets column by column, test by test: both values, the ratio with its
 * (multiplicity-adjusted) interval, and a verdict. Pure: no I/O, no formatting.
 */
import { InputError } from '../core/errors.js';
import type { ResultSet } from '../results/model.js';
import { selfCheckLines } from '../results/self-checks.js';
import { describe } from './descriptive.js';
import { describeDifference, diffManifests, driftReason, variableDiffers } from './manifest-diff.js';
import { isScore, pairDiff } from './pair-diff.js';
import { ratioInterval, RATIO_METHOD, type LogDifference, type RatioEstimate } from './ratio.js';
import { groupsOf, isPublished, repetitionSamples, summarize, type Group } from './groups.js';
import { chooseLevel, levelDescription, samplesAt, type SampleLevel } from './samples.js';
import { bonferroniLevel, bonferroniP, CORRECTION_METHOD, decide, DEFAULT_VERDICT_OPTIONS, emptyCounts, indicativeReading, validateVerdictOptions, type Reading, type Verdict, type VerdictOptions } from './verdict.js';

export interface ColumnSelector {
  /** Matches a column's label (target label or name). */
  target?: string;
  copies?: number;
}

export interface CompareOptions extends VerdictOptions {
  level: SampleLevel | 'auto';
  /** What the two sets are meant to differ in (e.g. "kernel"); other differences warn. */
  variable?: string;
  /** Manifest fields (or variable names) whose difference the user accepts as not moving the result. */
  acceptDrift?: string[];
  baselineColumn?: ColumnSelector;
  candidateColumn?: ColumnSelector;
  /**
   * Looks of an adaptive (sequential) design the samples came from: each interval is then at
   * 1 - alpha / (family size x looks), the level its stopping rule used (analysis/sequential.ts).
   */
  looks?: number;
}

/** What this comparison could detect on the host, from its calibration (filled by detectable-here.ts). */
export interface DetectableHere {
  /** Run-to-run CV the calibration measured (a fraction). */
  cv: number | null;
  /** Smallest drop detected at 80% power with this comparison's repetitions; null: not within 99%. */
  drop: number | null;
  repetitions: number;
}

export interface CalibrationUse {
  file: string;
  fingerprint: string;
  calibratedAt: string;
  rounds: number;
}

export const DEFAULT_COMPARE_OPTIONS: CompareOptions = { ...DEFAULT_VERDICT_OPTIONS, level: 'auto' };

export interface SideSummary {
  /** The group's summary: geometric mean of the index values over repetitions (what the report's table shows). */
  index: number;
  repetitions: number;
  /** Number of samples at the comparison's level, and their coefficient of variation. */
  samples: number;
  cv: number;
}

export interface ComparisonRow {
  test: string;
  baseline?: SideSummary;
  candidate?: SideSummary;
  estimate?: RatioEstimate;
  /** (ratio - 1) * 100, and the interval likewise, in percent. */
  changePercent?: number;
  intervalPercent?: { lower: number; upper: number };
  pValue?: number;
  adjustedPValue?: number;
  verdict: Verdict;
  /** With verdict 'indicative' (iteration-level samples): what the within-run interval suggests. */
  reading?: Reading;
  /** Set when an improved/regressed verdict was withheld because the environments differ in these fields. */
  drift?: string[];
  reason: string;
  /** Set when the row is computed from other rows (the Index Score at the iteration level). */
  derivedFrom?: string;
  /** The smallest drop this comparison could detect here, from the host's calibration (detectable-here.ts). */
  detectableHere?: DetectableHere;
}

export interface ColumnComparison {
  baseline: { id: string; method: string; emulated: boolean; published: boolean; virtualized?: string };
  candidate: { id: string; method: string; emulated: boolean; published: boolean; virtualized?: string };
  level: SampleLevel;
  levelDescription: string;
  /** Iteration-level samples (within one run): readings only, no verdicts. */
  indicative: boolean;
  /** Fields that can move UnixBench and differ between the sides (outside --variable and --accept-drift). */
  drift: string[];
  rows: ComparisonRow[];
  /** The host calibration the "detectable here" figures come from. */
  calibration?: CalibrationUse;
}

export interface Comparison {
  baseline: { name: string; source: string };
  candidate: { name: string; source: string };
  variable?: string;
  acceptedDrift: string[];
  threshold: number;
  confidence: number;
  /** Number of comparisons with an interval; each interval is at 1 - (1 - confidence) / familySize. */
  familySize: number;
  /** Set when the samples came from adaptive repetitions: the looks the alpha was spread over. */
  looks?: number;
  perComparisonConfidence: number;
  method: string;
  correction: string;
  pairs: ColumnComparison[];
  warnings: string[];
  counts: Record<Verdict, number>;
  regressed: boolean;
}

function matches(col: Group, sel: ColumnSelector): boolean {
  if (sel.target !== undefined && col.key.label !== sel.target && col.results[0]?.target.name !== sel.target) return false;
  if (sel.copies !== undefined && col.key.copies !== sel.copies) return false;
  return true;
}

function listColumns(cols: Group[]): string {
  return cols.length ? cols.map((c) => `'${c.key.label}' (copies ${c.key.copies})`).join(', ') : '(none)';
}

function pick(set: ResultSet, cols: Group[], sel: ColumnSelector, side: string): Group[] {
  const found = cols.filter((c) => matches(c, sel));
  if (found.length > 0) return found;
  const asked = [sel.target !== undefined ? `target '${sel.target}'` : '', sel.copies !== undefined ? `copies ${sel.copies}` : ''].filter(Boolean).join(', ');
  throw new InputError('COMPARE_COLUMN', `the ${side} set ${set.name} has no column ${asked || 'at all'}; it has: ${listColumns(cols)}`, {
    hint: 'pick one with --target <label> and --copies <n> (or --baseline-target/--candidate-target, --baseline-copies/--candidate-copies)',
    location: { file: set.source },
  });
}

function ambiguous(set: ResultSet, found: Group[], side: string): InputError {
  return new InputError('COMPARE_COLUMN', `the ${side} set ${set.name} has ${found.length} matching columns: ${listColumns(found)}`, {
    hint: 'pick one with --target <label> and --copies <n> (or --baseline-target/--candidate-target, --baseline-copies/--candidate-copies)',
    location: { file: set.source },
  });
}

/**
 * Selected columns on both sides: one against one, or (a target against a target with several
 * passes each) pass against pass by copies.
 */
function pairSelected(baseline: ResultSet, candidate: ResultSet, b: Group[], c: Group[]): [Group, Group][] {
  if (b.length === 1 && c.length === 1) return [[b[0]!, c[0]!]];
  const labels = (cols: Group[]) => new Set(cols.map((x) => x.key.label)).size;
  if (labels(b) === 1 && labels(c) === 1) {
    const pairs = b.flatMap((x) => c.filter((y) => y.key.copies === x.key.copies).map((y) => [x, y] as [Group, Group]));
    if (pairs.length > 0) return pairs;
  }
  throw b.length > 1 ? ambiguous(baseline, b, 'baseline') : ambiguous(candidate, c, 'candidate');
}

/** Which columns to compare: explicit selectors, else same label and copies on both sides. */
export function pairColumns(baseline: ResultSet, candidate: ResultSet, opts: Pick<CompareOptions, 'baselineColumn' | 'candidateColumn'>): { pairs: [Group, Group][]; warnings: string[] } {
  const bc = groupsOf(baseline);
  const cc = groupsOf(candidate);
  for (const [set, cols, side] of [[baseline, bc, 'baseline'], [candidate, cc, 'candidate']] as const) {
    if (cols.length === 0) {
      throw new InputError('COMPARE_EMPTY', `the ${side} set ${set.name} holds no successful UnixBench result with an index table`, {
        hint: 'give a run directory, a result set, or a folder of UnixBench report files',
        location: { file: set.source },
      });
    }
  }
  if (opts.baselineColumn || opts.candidateColumn) {
    const b = pick(baseline, bc, opts.baselineColumn ?? opts.candidateColumn ?? {}, 'baseline');
    const c = pick(candidate, cc, opts.candidateColumn ?? opts.baselineColumn ?? {}, 'candidate');
    return { pairs: pairSelected(baseline, candidate, b, c), warnings: [] };
  }
  const pairs: [Group, Group][] = [];
  const warnings: string[] = [];
  for (const b of bc) {
    const c = cc.find((x) => x.id === b.id);
    if (c) pairs.push([b, c]);
    else warnings.push(`column ${b.id} is only in the baseline: not compared`);
  }
  for (const c of cc) if (!bc.some((b) => b.id === c.id)) warnings.push(`column ${c.id} is only in the candidate: not compared`);
  if (pairs.length === 0) {
    if (bc.length === 1 && cc.length === 1) return { pairs: [[bc[0]!, cc[0]!]], warnings: [] };
    throw new InputError('COMPARE_NO_COMMON_COLUMN', `the sets have no column in common: baseline has ${listColumns(bc)}; candidate has ${listColumns(cc)}`, {
      hint: 'pick the columns with --baseline-target/--baseline-copies and --candidate-target/--candidate-copies',
    });
  }
  return { pairs, warnings };
}

function side(samples: number[] | undefined, reps: number[] | undefined): SideSummary | undefined {
  if (!reps?.length) return undefined;
  const d = describe(samples ?? []);
  return { index: summarize(reps).center, repetitions: reps.length, samples: d.n, cv: d.cv };
}

interface Pending {
  row: ComparisonRow;
  diff?: LogDifference;
}

function pendingRows(b: Group, c: Group, level: SampleLevel): Pending[] {
  const bs = samplesAt(b, level);
  const cs = samplesAt(c, level);
  const br = repetitionSamples(b);
  const cr = repetitionSamples(c);
  const tests = [...b.tests, ...c.tests.filter((t) => !b.tests.includes(t)), ...b.scores, ...c.scores.filter((t) => !b.scores.includes(t))];
  return tests.map((test) => {
    const row: ComparisonRow = {
      test,
      baseline: side(bs.get(test) ?? br.get(test), br.get(test)),
      candidate: side(cs.get(test) ?? cr.get(test), cr.get(test)),
      verdict: 'inconclusive',
      reason: '',
    };
    const { diff, note } = pairDiff(b, c, test, level);
    if (note) row.reason = note;
    if (isScore(b, c, test) && level === 'iterations' && diff) row.derivedFrom = 'geometric mean of the per-test ratios';
    return { row, diff };
  });
}

export function compareResultSets(baseline: ResultSet, candidate: ResultSet, options: Partial<CompareOptions> = {}): Comparison {
  const opts: CompareOptions = { ...DEFAULT_COMPARE_OPTIONS, ...options };
  try {
    validateVerdictOptions(opts);
  } catch (e) {
    throw new InputError('COMPARE_OPTIONS', (e as Error).message, { hint: 'threshold as a fraction or percent (2 = 2%), confidence like 0.95 or 95' });
  }
  const { pairs, warnings } = pairColumns(baseline, candidate, opts);
  return compareGroups(pairs, { name: baseline.name, source: baseline.source }, { name: candidate.name, source: candidate.source }, opts, warnings);
}

/** Compare chosen pairs of groups (the report's verdict pages pass their own columns). */
export function compareGroups(pairs: [Group, Group][], baseline: { name: string; source: string }, candidate: { name: string; source: string }, opts: CompareOptions, warnings: string[] = []): Comparison {
  const staged = pairs.map(([b, c]) => {
    const level = chooseLevel(b, c, opts.level);
    return { b, c, level, rows: pendingRows(b, c, level) };
  });
  const familySize = staged.reduce((s, p) => s + p.rows.filter((r) => r.diff && Number.isFinite(r.diff.se)).length, 0);
  const level = bonferroniLevel(opts.confidence, familySize * Math.max(1, opts.looks ?? 1));
  const counts = emptyCounts();
  const out: ColumnComparison[] = [];
  for (const { b, c, level: sampleLevel, rows } of staged) {
    const drift = [...new Set(diffManifests(b.results, c.results, opts.variable, opts.acceptDrift).map((d) => d.field))];
    for (const p of rows) {
      if (p.diff) {
        const est = ratioInterval(p.diff, level);
        const v = decide(est, opts.threshold);
        p.row.estimate = est;
        p.row.changePercent = (est.ratio - 1) * 100;
        if (est.interval) p.row.intervalPercent = { lower: (est.interval.lower - 1) * 100, upper: (est.interval.upper - 1) * 100 };
        if (est.pValue !== undefined) {
          p.row.pValue = est.pValue;
          p.row.adjustedPValue = bonferroniP(est.pValue, familySize);
        }
        // Iterations share one run: pseudoreplication. A reading, never a verdict.
        let { verdict, reason, reading } = sampleLevel === 'iterations' ? { verdict: 'indicative' as Verdict, ...indicativeReading(v) } : { ...v, reading: undefined };
        // The environments differ in something that moves UnixBench: the change cannot be
        // attributed to the variable.
        if ((verdict === 'improved' || verdict === 'regressed') && drift.length > 0) {
          p.row.drift = drift;
          reason = `${verdict} at the threshold, but the environments differ in ${drift.join(', ')}, which can move the result by itself (--accept-drift <field> if it cannot here)`;
          verdict = 'inconclusive';
        }
        p.row.verdict = verdict;
        if (reading) p.row.reading = reading;
        p.row.reason = p.row.reason ? `${reason}; ${p.row.reason}` : reason;
      }
      counts[p.row.verdict]++;
    }
    out.push({
      baseline: { id: b.id, method: b.method, emulated: b.emulated, published: isPublished(b), ...(b.virtualized ? { virtualized: b.virtualized } : {}) },
      candidate: { id: c.id, method: c.method, emulated: c.emulated, published: isPublished(c), ...(c.virtualized ? { virtualized: c.virtualized } : {}) },
      level: sampleLevel,
      levelDescription: levelDescription(sampleLevel),
      indicative: sampleLevel === 'iterations',
      drift,
      rows: rows.map((r) => r.row),
    });
    warnings.push(...columnWarnings(b, c, opts.variable, opts.acceptDrift));
  }
  return {
    baseline,
    candidate,
    variable: opts.variable,
    acceptedDrift: opts.acceptDrift ?? [],
    threshold: opts.threshold,
    confidence: opts.confidence,
    familySize,
    ...(opts.looks && opts.looks > 1 ? { looks: opts.looks } : {}),
    perComparisonConfidence: level,
    method: RATIO_METHOD,
    correction: CORRECTION_METHOD,
    pairs: out,
    warnings,
    counts,
    regressed: counts.regressed > 0,
  };
}

function columnWarnings(b: Group, c: Group, variable?: string, accepted?: string[]): string[] {
  const w: string[] = [];
  const pair = b.id === c.id ? b.id : `${b.id} vs ${c.id}`;
  for (const d of diffManifests(b.results, c.results, variable, accepted)) w.push(`${pair}: ${describeDifference(d)} (${driftReason(d.field) ?? 'can move the result'})`);
  if (variable && variableDiffers(b.results, c.results, variable) === false) w.push(`${pair}: the named variable '${variable}' is the same in both sets`);
  if (b.emulated !== c.emulated) w.push(`${pair}: one side ran emulated (TCG) and the other did not`);
  if (b.partial || c.partial) w.push(`${pair}: a partial index (subset run): the Index Score covers only the tests that ran`);
  // What published or imported figures say about themselves, and any measured figure that disagrees with its recomputation.
  for (const [side, col] of [['baseline', b], ['candidate', c]] as const) {
    if (side === 'candidate' && col === b) continue;
    const lines = selfCheckLines(col.results, col.key.copies, isPublished(col));
    if (isPublished(col) || lines.some((l) => /DISAGREE/.test(l))) for (const l of lines) w.push(`${side} ${col.id}${isPublished(col) ? ' (published)' : ''}: ${l}`);
  }
  return w;
}
