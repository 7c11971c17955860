/**
 * Adaptive repetitions, wired into `virtbench run`: after each round on a host, the results so
 * far are compared (every target of the host against its first target, or on a host with
 * `kernels:` each target under each kernel against the first kernel; pass by pass, test by test,
 * at the repetition level) with the sequential design of analysis/sequential.ts, and one
 * more round is asked for while some ratio is undecided and max rounds and the budget allow.
 * The last state is written to rounds.json in the run directory: what was decided, and how many
 * more rounds would probably decide each undecided test.
 */
import { dirname, join } from 'node:path';
import { detectableDrop } from '../analysis/calibration.js';
import { pooledLogSd } from '../analysis/detectable-here.js';
import { calibrationPath, findColumn, hostFingerprint, readCalibration, sharedHostManifest, type CalibrationFile } from '../analysis/calibration-store.js';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { atomicWriteJson } from '../core/fs.js';
import { logDifference } from '../analysis/ratio.js';
import { groupsOf, repetitionSamples, type Group } from '../analysis/groups.js';
import { sequentialState, SEQUENTIAL_METHOD, type SequentialDesign, type SequentialRatio, type SequentialState } from '../analysis/sequential.js';
import { loadResultSets } from '../results/load.js';
import type { ResultSet } from '../results/model.js';
import type { AdaptiveRepetitions, RunPlan } from '../suite/plan.js';

export const ROUNDS_FILE = 'rounds.json';

/**
 * The ratios a round decides on. On a host with `kernels:` (a kernel upgrade), each target under
 * each other kernel against the same target under the first kernel; elsewhere, each target of the
 * host against the host's first target.
 */
export function hostRatios(set: ResultSet, plan: RunPlan, host: string): SequentialRatio[] {
  const targets = plan.targets.filter((t) => t.spec.host === host);
  const labelOf = (name: string) => targets.find((t) => t.spec.name === name)?.label ?? name;
  const results = set.results.filter((r) => targets.some((t) => t.spec.name === r.target.name));
  const kernels = plan.kernels?.host === host ? plan.kernels.releases : [];
  if (kernels.length >= 2) {
    const underKernel = (label: string, release: string) => `${label} @ ${release}`;
    const relabelled = results.filter((r) => r.hostKernel).map((r) => ({ ...r, target: { ...r.target, label: underKernel(labelOf(r.target.name), r.hostKernel!.release) } }));
    const cols = groupsOf({ ...set, results: relabelled });
    return targets.flatMap((t) => {
      const label = labelOf(t.spec.name);
      // The calibration knows the target by its own label (its noise was measured under one kernel).
      return ratiosAgainst(cols, underKernel(label, kernels[0]!), (candidate) => candidate.startsWith(`${label} @ `), () => label);
    });
  }
  const base = targets[0];
  return base ? ratiosAgainst(groupsOf({ ...set, results }), labelOf(base.spec.name), () => true, (l) => l) : [];
}

/**
 * Every test of each candidate column against the baseline column with the same copies, emulation
 * and workload version (a TCG fallback under one kernel is never judged against KVM under another).
 */
function ratiosAgainst(cols: Group[], baselineLabel: string, isCandidate: (label: string) => boolean, calibrationLabel: (label: string) => string): SequentialRatio[] {
  const out: SequentialRatio[] = [];
  for (const b of cols.filter((c) => c.key.label === baselineLabel)) {
    const alike = (x: Group) => x.key.copies === b.key.copies && x.key.emulated === b.key.emulated && x.key.workload === b.key.workload && x.key.workloadVersion === b.key.workloadVersion;
    for (const c of cols.filter((x) => x.key.label !== b.key.label && alike(x) && isCandidate(x.key.label))) {
      const bs = repetitionSamples(b);
      const cs = repetitionSamples(c);
      for (const test of [...b.tests, ...b.scores]) {
        const x = bs.get(test);
        const y = cs.get(test);
        if (x?.length && y?.length) out.push({ name: `${c.id} vs ${b.id}: ${test}`, diff: logDifference(x, y), baseline: { label: calibrationLabel(b.key.label), copies: b.key.copies, workloadOptions: { ...b.results[0]!.workload.options } }, candidate: { label: calibrationLabel(c.key.label), copies: c.key.copies, workloadOptions: { ...c.results[0]!.workload.options } }, test });
      }
    }
  }
  return out;
}

/**
 * What the host's calibration (virtbench calibrate, stored beside the run directory) says each
 * ratio could detect with `max` rounds a side at this design's level: "test: 4.1%".
 */
export function detectableWithMax(cal: CalibrationFile, ratios: readonly SequentialRatio[], design: SequentialDesign): Map<string, number | null> {
  const out = new Map<string, number | null>();
  for (const r of ratios) {
    const sd = (q: SequentialRatio['baseline']) => (q ? findColumn(cal, q)?.tests.find((x) => x.test === r.test)?.logSd : undefined);
    const logSd = pooledLogSd(sd(r.baseline), sd(r.candidate));
    if (logSd === undefined) continue;
    // The look level spreads alpha over ratios x looks; detectableDrop takes them as m and looks.
    out.set(r.name, detectableDrop(logSd, design.max, ratios.length, { confidence: design.confidence, threshold: design.threshold, looks: design.max - design.min + 1 }, { trials: 1000 }) ?? null);
  }
  return out;
}

const pctText = (x: number | null) => (x === null ? 'over 99%' : `${(x * 100).toFixed(1)}%`);

export interface RoundsRecord {
  method: string;
  /** The host calibration used, and per ratio the smallest drop detectable with max rounds (null: over 99%). */
  calibration?: { file: string; detectableWithMax: Record<string, number | null> };
  design: SequentialDesign & { budgetMinutes?: number };
  /** stoppedBy 'going on': another round was asked for (what a run interrupted there leaves). */
  hosts: Record<string, SequentialState & { stoppedBy: 'decided' | 'max rounds' | 'budget' | 'nothing to compare' | 'going on' }>;
}

/**
 * The runner's nextRound hook. `startedAt` is this attempt's start (ms); the budget counts from it.
 * `emit` reports the state ("3 of 13 tests undecided; about 2 more rounds").
 */
export function adaptiveRounds(o: {
  runDir: string;
  plan: RunPlan;
  adaptive: AdaptiveRepetitions;
  startedAt: number;
  threshold?: number;
  confidence?: number;
  emit: (host: string, round: number, message: string, more: boolean) => void;
}): (host: string, round: number) => Promise<boolean> {
  const design: SequentialDesign = { min: o.adaptive.min, max: o.adaptive.max, confidence: o.confidence ?? 0.95, threshold: o.threshold ?? 0.02 };
  const record: RoundsRecord = { method: SEQUENTIAL_METHOD, design: { ...design, ...(o.adaptive.budgetMinutes !== undefined ? { budgetMinutes: o.adaptive.budgetMinutes } : {}) }, hosts: {} };
  const calibrations = new Map<string, { file: string; detectable: Map<string, number | null> } | null>();
  /**
   * Once per host: its calibration from <results>/calibration/, if virtbench calibrate stored one.
   * A calibration belongs to one kernel (the kernel is part of the host's fingerprint): on a host
   * with `kernels:`, the first kernel in the suite's list that has one.
   */
  const calibrationFor = async (host: string, set: ResultSet, ratios: SequentialRatio[]) => {
    if (calibrations.has(host)) return calibrations.get(host) ?? undefined;
    const names = new Set(o.plan.targets.filter((t) => t.spec.host === host).map((t) => t.spec.name));
    const onHost = set.results.filter((r) => names.has(r.target.name));
    const kernels = o.plan.kernels?.host === host ? o.plan.kernels.releases : [undefined];
    const resultsDir = dirname(o.runDir);
    let cal: CalibrationFile | undefined;
    for (const release of kernels) {
      const manifest = sharedHostManifest(release === undefined ? onHost : onHost.filter((r) => r.hostKernel?.release === release));
      cal = manifest ? await readCalibration(resultsDir, hostFingerprint(manifest)) : undefined;
      if (cal) break;
    }
    const found = cal ? { file: calibrationPath(resultsDir, cal.fingerprint), detectable: detectableWithMax(cal, ratios, design) } : undefined;
    calibrations.set(host, found && found.detectable.size > 0 ? found : null);
    return calibrations.get(host) ?? undefined;
  };
  return async (host, round) => {
    if (round < design.min) return false; // failed steps left the minimum short: --resume, not more rounds
    const sets = await loadResultSets(o.runDir);
    const set: ResultSet = { source: o.runDir, name: 'run', results: sets.flatMap((s) => s.results) };
    const ratios = hostRatios(set, o.plan, host);
    if (ratios.length === 0) {
      o.emit(host, round, 'nothing to compare on this host (one target, or no two columns alike in copies, emulation and workload): no more rounds', false);
      return false;
    }
    const state = sequentialState(ratios, round, design);
    const cal = await calibrationFor(host, set, ratios);
    if (cal) record.calibration = { file: cal.file, detectableWithMax: Object.fromEntries(cal.detectable) };
    const elapsedMin = (Date.now() - o.startedAt) / 60_000;
    const perRound = elapsedMin / Math.max(1, round);
    const overBudget = o.adaptive.budgetMinutes !== undefined && elapsedMin + perRound > o.adaptive.budgetMinutes;
    const more = !state.stop && !overBudget;
    const stoppedBy = state.undecided === 0 ? 'decided' : state.stop ? 'max rounds' : more ? 'going on' : 'budget';
    record.hosts[host] = { ...state, stoppedBy };
    await atomicWriteJson(join(o.runDir, ROUNDS_FILE), record);
    let message = state.message;
    if (cal && round === design.min) {
      const drops = [...cal.detectable.values()];
      const finite = drops.filter((d): d is number => d !== null);
      const range = finite.length ? `${pctText(Math.min(...finite))} to ${pctText(Math.max(...finite))}` : 'none under 99%';
      message += `; calibrated here: with ${design.max} rounds the gate detects drops of ${range} (per test${finite.length < drops.length ? `; ${drops.length - finite.length} test(s) over 99%` : ''})`;
    }
    if (!more && state.undecided > 0) {
      const here = (name: string) => (cal?.detectable.has(name) ? `, detectable here with ${design.max} rounds: ${pctText(cal.detectable.get(name)!)}` : '');
      const left = state.ratios.filter((r) => !r.decided).map((r) => `${r.name}: ${r.roundsToDecide !== undefined ? `about ${r.roundsToDecide} rounds in all` : 'more than 100 rounds'}${here(r.name)}`);
      message += `; stopped by the ${stoppedBy === 'budget' ? `time budget (${o.adaptive.budgetMinutes} min)` : `maximum of ${design.max} rounds`}. Would probably decide: ${left.join('; ')}`;
    }
    o.emit(host, round, message, more);
    return more;
  };
}

const roundsFileSchema = z.looseObject({
  design: z.looseObject({ max: z.number().int().positive() }),
  hosts: z.record(
    z.string(),
    z.looseObject({
      round: z.number().int().nonnegative(),
      undecided: z.number().int().nonnegative(),
      stoppedBy: z.string(),
      ratios: z.array(z.looseObject({ name: z.string(), decided: z.boolean(), roundsToDecide: z.number().optional() })),
    }),
  ),
});

/**
 * For the report: where adaptive repetitions stopped with tests undecided (max rounds or the
 * budget), and about how many rounds in all would probably decide each. None without rounds.json.
 */
export async function roundsNotes(runDir: string): Promise<string[]> {
  const file = join(runDir, ROUNDS_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  let parsed: z.infer<typeof roundsFileSchema>;
  try {
    parsed = roundsFileSchema.parse(JSON.parse(text));
  } catch (e) {
    throw new InputError('ROUNDS_INVALID', `${ROUNDS_FILE} is damaged: ${(e as Error).message.split('\n')[0]}`, { location: { file }, hint: 'it is rewritten after every round; a resumed run writes it again' });
  }
  const notes: string[] = [];
  for (const [host, h] of Object.entries(parsed.hosts)) {
    if (h.undecided === 0 || (h.stoppedBy !== 'max rounds' && h.stoppedBy !== 'budget')) continue;
    const left = h.ratios.filter((r) => !r.decided).map((r) => `${r.name}: ${r.roundsToDecide !== undefined ? `about ${r.roundsToDecide} rounds in all` : 'more than 100 rounds'}`);
    notes.push(`adaptive repetitions on ${host} stopped by the ${h.stoppedBy === 'budget' ? 'time budget' : 'maximum of rounds'} after ${h.round} rounds with ${h.undecided} test(s) undecided; would probably decide them: ${left.join('; ')}`);
  }
  return notes;
}
