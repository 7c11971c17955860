/**
 * Adaptive repetitions, wired into `virtbench run`: after each round on a host, the results so
 * far are compared (every target of the host against its first target, pass by pass, test by
 * test, at the repetition level) with the sequential design of analysis/sequential.ts, and one
 * more round is asked for while some ratio is undecided and max rounds and the budget allow.
 * The last state is written to rounds.json in the run directory: what was decided, and how many
 * more rounds would probably decide each undecided test.
 */
import { join } from 'node:path';
import { atomicWriteJson } from '../core/fs.js';
import { logDifference } from '../analysis/ratio.js';
import { groupsOf, repetitionSamples } from '../analysis/groups.js';
import { sequentialState, SEQUENTIAL_METHOD, type SequentialDesign, type SequentialRatio, type SequentialState } from '../analysis/sequential.js';
import { loadResultSets } from '../results/load.js';
import type { ResultSet } from '../results/model.js';
import type { AdaptiveRepetitions, RunPlan } from '../suite/plan.js';

export const ROUNDS_FILE = 'rounds.json';

/** The ratios a round decides on: each target of the host against the host's first target. */
export function hostRatios(set: ResultSet, plan: RunPlan, host: string): SequentialRatio[] {
  const names = plan.targets.filter((t) => t.spec.host === host).map((t) => t.spec);
  const labelOf = (name: string) => plan.targets.find((t) => t.spec.name === name)?.label ?? name;
  const cols = groupsOf({ ...set, results: set.results.filter((r) => names.some((n) => n.name === r.target.name)) });
  const base = names[0];
  if (!base) return [];
  const out: SequentialRatio[] = [];
  for (const b of cols.filter((c) => c.key.label === labelOf(base.name))) {
    for (const c of cols.filter((x) => x.key.label !== b.key.label && x.key.copies === b.key.copies)) {
      const bs = repetitionSamples(b);
      const cs = repetitionSamples(c);
      for (const test of [...b.tests, ...b.scores]) {
        const x = bs.get(test);
        const y = cs.get(test);
        if (x?.length && y?.length) out.push({ name: `${c.id} vs ${b.id}: ${test}`, diff: logDifference(x, y) });
      }
    }
  }
  return out;
}

export interface RoundsRecord {
  method: string;
  design: SequentialDesign & { budgetMinutes?: number };
  hosts: Record<string, SequentialState & { stoppedBy: 'decided' | 'max rounds' | 'budget' | 'nothing to compare' }>;
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
  return async (host, round) => {
    if (round < design.min) return false; // failed steps left the minimum short: --resume, not more rounds
    const sets = await loadResultSets(o.runDir);
    const set: ResultSet = { source: o.runDir, name: 'run', results: sets.flatMap((s) => s.results) };
    const ratios = hostRatios(set, o.plan, host);
    if (ratios.length === 0) {
      o.emit(host, round, 'nothing to compare on this host (one target): no more rounds', false);
      return false;
    }
    const state = sequentialState(ratios, round, design);
    const elapsedMin = (Date.now() - o.startedAt) / 60_000;
    const perRound = elapsedMin / Math.max(1, round);
    const overBudget = o.adaptive.budgetMinutes !== undefined && elapsedMin + perRound > o.adaptive.budgetMinutes;
    const more = !state.stop && !overBudget;
    const stoppedBy = state.undecided === 0 ? 'decided' : state.stop ? 'max rounds' : 'budget';
    record.hosts[host] = { ...state, stoppedBy };
    await atomicWriteJson(join(o.runDir, ROUNDS_FILE), record);
    let message = state.message;
    if (!more && state.undecided > 0) {
      const left = state.ratios.filter((r) => !r.decided).map((r) => `${r.name}: ${r.roundsToDecide !== undefined ? `about ${r.roundsToDecide} rounds in all` : 'more than 100 rounds'}`);
      message += `; stopped by the ${stoppedBy === 'budget' ? `time budget (${o.adaptive.budgetMinutes} min)` : `maximum of ${design.max} rounds`}. Would probably decide: ${left.join('; ')}`;
    }
    o.emit(host, round, message, more);
    return more;
  };
}
