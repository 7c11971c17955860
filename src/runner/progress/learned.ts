/**
 * Estimates that learn: the step durations (provision + build + run + collect + destroy) measured
 * by earlier runs in the same results folder, for the same target (name and method) and the same
 * workload options. Their median replaces the first guess (a prior per method plus the workload's
 * own estimate) when there is at least one. What is read back is checked: a run.json that is not
 * a virtbench run state, or a step without a positive duration, is skipped.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunPlan } from '../../suite/plan.js';

export interface LearnedDurations {
  /** Per target name: median seconds of a step, from earlier runs. */
  seconds: Map<string, number>;
  /** How many earlier runs contributed. */
  runs: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function learnedDurations(resultsDir: string, plan: RunPlan, excludeRunId?: string): Promise<LearnedDurations> {
  const samples = new Map<string, number[]>();
  let runs = 0;
  const options = JSON.stringify(plan.workload.options);
  let entries: string[] = [];
  try {
    entries = (await readdir(resultsDir, { withFileTypes: true })).filter((e) => e.isDirectory() && e.name !== excludeRunId).map((e) => e.name);
  } catch {
    return { seconds: new Map(), runs: 0 };
  }
  for (const name of entries) {
    let st: { kind?: unknown; plan?: RunPlan; schedule?: Record<string, { target: string; repetition: number; kernel?: string }[]>; steps?: Record<string, { status?: unknown; seconds?: unknown }> };
    try {
      st = JSON.parse(await readFile(join(resultsDir, name, 'run.json'), 'utf8'));
    } catch {
      continue;
    }
    if (st.kind !== 'virtbench-run' || !st.plan?.targets || !st.schedule || !st.steps) continue;
    if (JSON.stringify(st.plan.workload?.options) !== options) continue;
    let used = false;
    for (const steps of Object.values(st.schedule)) {
      for (const step of steps) {
        const id = step.kernel === undefined ? `${step.target}-r${step.repetition}` : `${step.target}-${step.kernel}-r${step.repetition}`;
        const s = st.steps[id];
        const seconds = s?.seconds;
        if (s?.status !== 'ok' || typeof seconds !== 'number' || !(seconds > 0)) continue;
        const then = st.plan.targets.find((t) => t.spec.name === step.target);
        const now = plan.targets.find((t) => t.spec.name === step.target);
        if (!then || !now || then.spec.method !== now.spec.method) continue;
        samples.set(step.target, [...(samples.get(step.target) ?? []), seconds]);
        used = true;
      }
    }
    if (used) runs++;
  }
  return { seconds: new Map([...samples].map(([k, v]) => [k, median(v)])), runs };
}
