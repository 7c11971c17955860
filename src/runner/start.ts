import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RunKey } from '../core/provider.js';
import { createRunKey, loadRunKey } from '../remote/keys.js';
import { drawSeed, resultIdOf, scheduleFor } from '../suite/order.js';
import type { RunPlan } from '../suite/plan.js';
import { RUN_STATE_VERSION, RunStateFile, readRunState, type RunState } from './run-state.js';
import type { RunnerWorkload } from './workload-port.js';

export interface StartedRun {
  runDir: string;
  state: RunStateFile;
  key: RunKey;
  resumed: boolean;
}

export function newRunId(suiteName: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${suiteName}-${stamp}-${randomBytes(2).toString('hex')}`;
}

/** A fresh run directory: run.json with the plan, the seeded order, every step pending, and the run's key. */
export async function startRun(o: { plan: RunPlan; suiteText: string; resultsDir: string; workload: RunnerWorkload; workloadSource?: string; runId?: string }): Promise<StartedRun> {
  const runId = o.runId ?? newRunId(o.plan.name);
  const runDir = resolve(o.resultsDir, runId);
  await mkdir(runDir, { recursive: true });
  const key = await createRunKey(join(runDir, 'key'), `virtbench-${runId}`);
  const seed = o.plan.order.seed ?? drawSeed();
  const schedule = Object.fromEntries(scheduleFor(o.plan, seed));
  const steps: RunState['steps'] = {};
  for (const step of Object.values(schedule).flat()) steps[resultIdOf(step)] = { resultId: resultIdOf(step), status: 'pending', attempts: 0 };
  const state: RunState = {
    schemaVersion: RUN_STATE_VERSION,
    kind: 'virtbench-run',
    runId,
    createdAt: new Date().toISOString(),
    status: 'running',
    suite: { file: o.plan.suiteFile, text: o.suiteText },
    plan: o.plan,
    workload: { name: o.workload.name, version: o.workload.version, options: o.workload.options, ...(o.workloadSource ? { source: o.workloadSource } : {}) },
    seed,
    schedule,
    steps,
    keyPath: 'key/id_ed25519',
    attempts: [{ startedAt: new Date().toISOString(), pid: process.pid }],
  };
  const file = new RunStateFile(runDir, state);
  await file.update(() => undefined);
  return { runDir, state: file, key, resumed: false };
}

/**
 * An existing run directory, to carry on: the plan and order come from run.json (not from the
 * suite file, which may have changed since), steps that were running when the run died are
 * pending again, and the run's own key is reused (guests of the crashed attempt trust it).
 */
export async function resumeRun(runDirArg: string): Promise<StartedRun> {
  const runDir = resolve(runDirArg);
  const state = await readRunState(runDir);
  const key = await loadRunKey(join(runDir, state.keyPath));
  const file = new RunStateFile(runDir, state);
  await file.update((s) => {
    const last = s.attempts[s.attempts.length - 1];
    if (last && !last.endedAt) {
      last.endedAt = new Date().toISOString();
      last.outcome = 'crashed';
    }
    for (const st of Object.values(s.steps)) if (st.status === 'running') st.status = 'pending';
    s.status = 'running';
    s.attempts.push({ startedAt: new Date().toISOString(), pid: process.pid });
  });
  return { runDir, state: file, key, resumed: true };
}

export async function finishRun(file: RunStateFile, outcome: 'ok' | 'failed' | 'interrupted'): Promise<void> {
  await file.update((s) => {
    s.status = outcome;
    const last = s.attempts[s.attempts.length - 1];
    if (last) {
      last.endedAt = new Date().toISOString();
      last.outcome = outcome;
    }
  });
}
