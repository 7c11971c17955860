/**
 * Estimates that learn: what each step cost the wall time of earlier runs in the same results
 * folder, for the same target (name and the same spec: method, limits, image) and the same workload options, and what a run
 * spends after its last step. Their medians replace the first guess (a prior per method plus the
 * workload's own estimate) when there is at least one earlier run.
 *
 * A step's cost is its wall time including the guest's destroy (wallSeconds, recorded since the
 * runner measures it). Runs written before that kept only `seconds` (up to the result written,
 * before the destroy): there the cost is the time to the next step's start on the same host, and
 * for a host's last step its seconds plus the run's median destroy gap. Using `seconds` alone
 * missed the destroy and the end of the run: on this machine an LXC step of 52-65 s cost 77-90 s,
 * and a second run's estimate fell 30% short.
 * What is read back is checked: a run.json that is not a virtbench run state, or a step without
 * a positive duration, is skipped.
 */
import { readdir } from 'node:fs/promises';
import { readRunJson } from '../../results/run-dir.js';
import { join } from 'node:path';
import type { RunPlan } from '../../suite/plan.js';

export interface LearnedDurations {
  /** Per target name: median seconds a step costs the run's wall time, from earlier runs. */
  seconds: Map<string, number>;
  /** Median seconds from the end of the last step to the end of the run (bridge removal, run.json); 0 when unknown. */
  tailSeconds: number;
  /** How many earlier runs contributed. */
  runs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

interface StoredStep {
  status?: unknown;
  seconds?: unknown;
  wallSeconds?: unknown;
  startedAt?: unknown;
}

interface StoredRun {
  kind?: unknown;
  plan?: RunPlan;
  schedule?: Record<string, { target: string; repetition: number; kernel?: string }[]>;
  steps?: Record<string, StoredStep>;
  attempts?: { startedAt?: unknown; endedAt?: unknown }[];
}

const positive = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0;
const timeOf = (x: unknown) => (typeof x === 'string' ? Date.parse(x) : NaN);

/** One earlier run: per step (target) what it cost, and the run's tail after its last step. */
function runCosts(st: StoredRun): { steps: { target: string; cost: number }[]; tail?: number } {
  const single = st.attempts?.length === 1 ? st.attempts[0] : undefined;
  const runEnd = timeOf(single?.endedAt);
  const out: { target: string; cost: number }[] = [];
  let lastEnd = -Infinity;
  for (const steps of Object.values(st.schedule!)) {
    const ok = steps
      .map((step) => ({ step, s: st.steps![step.kernel === undefined ? `${step.target}-r${step.repetition}` : `${step.target}-${step.kernel}-r${step.repetition}`] }))
      .filter((x) => x.s?.status === 'ok' && positive(x.s.seconds));
    // Destroy gaps of this host's steps (the time from a step's result to the next step's start).
    const gaps: number[] = [];
    const costs = ok.map((x, i) => {
      const s = x.s!;
      if (positive(s.wallSeconds)) return s.wallSeconds;
      const next = ok[i + 1];
      if (single && next && Number.isFinite(timeOf(next.s!.startedAt)) && Number.isFinite(timeOf(s.startedAt))) {
        const slot = (timeOf(next.s!.startedAt) - timeOf(s.startedAt)) / 1000;
        if (slot >= (s.seconds as number)) {
          gaps.push(slot - (s.seconds as number));
          return slot;
        }
      }
      return undefined;
    });
    ok.forEach((x, i) => {
      const cost = costs[i] ?? (x.s!.seconds as number) + (gaps.length ? median(gaps) : 0);
      out.push({ target: x.step.target, cost });
      const start = timeOf(x.s!.startedAt);
      if (Number.isFinite(start)) lastEnd = Math.max(lastEnd, start + cost * 1000);
    });
  }
  const tail = Number.isFinite(runEnd) && Number.isFinite(lastEnd) && runEnd >= lastEnd ? (runEnd - lastEnd) / 1000 : undefined;
  return { steps: out, ...(tail !== undefined ? { tail } : {}) };
}

export async function learnedDurations(resultsDir: string, plan: RunPlan, excludeRunId?: string): Promise<LearnedDurations> {
  const samples = new Map<string, number[]>();
  const tails: number[] = [];
  let runs = 0;
  const options = JSON.stringify(plan.workload.options);
  let entries: string[] = [];
  try {
    entries = (await readdir(resultsDir, { withFileTypes: true })).filter((e) => e.isDirectory() && e.name !== excludeRunId).map((e) => e.name);
  } catch {
    return { seconds: new Map(), tailSeconds: 0, runs: 0 };
  }
  for (const name of entries) {
    let st: StoredRun;
    try {
      st = (await readRunJson(join(resultsDir, name))) as typeof st;
    } catch {
      continue;
    }
    if (st.kind !== 'virtbench-run' || !st.plan?.targets || !st.schedule || !st.steps) continue;
    if (JSON.stringify(st.plan.workload?.options) !== options) continue;
    const { steps, tail } = runCosts(st);
    let used = false;
    for (const { target, cost } of steps) {
      const then = st.plan.targets.find((t) => t.spec.name === target);
      const now = plan.targets.find((t) => t.spec.name === target);
      // The same target: method, limits, image, network (a halved CPU quota is another target).
      if (!then || !now || JSON.stringify(then.spec) !== JSON.stringify(now.spec)) continue;
      samples.set(target, [...(samples.get(target) ?? []), cost]);
      used = true;
    }
    if (used) {
      runs++;
      if (tail !== undefined) tails.push(tail);
    }
  }
  return { seconds: new Map([...samples].map(([k, v]) => [k, median(v)])), tailSeconds: tails.length ? median(tails) : 0, runs };
}
