/**
 * Starting a run (run directory, run.json, seeded order, the run's key), resuming one, and
 * finishing it.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathInside } from '../core/contained.js';
import { InputError } from '../core/errors.js';
import type { RunKey } from '../core/provider.js';
import { runKeyDir } from '../core/paths.js';
import { ownIdentity, processAlive } from '../core/process-identity.js';
import { listOwned } from '../providers/ownership.js';
import { createRunKey, loadRunKey, removeRunKey } from '../remote/keys.js';
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
  const key = await createRunKey(runKeyDir(runId), `virtbench-${runId}`);
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
    attempts: [newAttempt()],
  };
  const file = new RunStateFile(runDir, state);
  await file.update(() => undefined);
  return { runDir, state: file, key, resumed: false };
}

function newAttempt(): RunState['attempts'][number] {
  const me = ownIdentity();
  return { startedAt: new Date().toISOString(), pid: me.pid, ...(me.startTime ? { pidStart: me.startTime } : {}) };
}

/** run.json of a run directory, validated, for --resume or a dry run of it. Writes nothing. */
export async function readRunForResume(runDirArg: string): Promise<{ runDir: string; state: RunState }> {
  const runDir = resolve(runDirArg);
  return { runDir, state: await readRunState(runDir) };
}

/** Refuses while the process of the last attempt (PID and start time) is still running. */
export async function refuseWhileRunning(runDir: string, state: RunState): Promise<void> {
  const last = state.attempts[state.attempts.length - 1];
  if (!last || last.endedAt || last.pid === process.pid) return;
  if (await processAlive({ pid: last.pid, startTime: last.pidStart })) {
    throw new InputError('RUN_STILL_RUNNING', `run ${state.runId} is still running (process ${last.pid}): resuming it would destroy its guests`, {
      hint: `wait for it, or stop it first (kill -INT ${last.pid}), then: virtbench run --resume ${runDir}`,
      location: { file: join(runDir, 'run.json'), field: `attempts[${state.attempts.length - 1}].pid` },
    });
  }
}

/**
 * An existing run directory, to carry on: the plan and order come from run.json (not from the
 * suite file, which may have changed since), steps that were running when the run died are
 * pending again, and the run's own key is reused while guests of the crashed attempt may trust it.
 */
export async function resumeRun(runDirArg: string): Promise<StartedRun> {
  const { runDir, state } = await readRunForResume(runDirArg);
  await refuseWhileRunning(runDir, state);
  const key = await keyForResume(runDir, state);
  const file = new RunStateFile(runDir, state);
  await file.update((s) => {
    const last = s.attempts[s.attempts.length - 1];
    if (last && !last.endedAt) {
      last.endedAt = new Date().toISOString();
      last.outcome = 'crashed';
    }
    for (const st of Object.values(s.steps)) if (st.status === 'running') st.status = 'pending';
    s.status = 'running';
    s.attempts.push(newAttempt());
  });
  return { runDir, state: file, key, resumed: true };
}

/** The key of an older run (keyPath inside the run directory), the run's key in the state directory, or a new one. */
async function keyForResume(runDir: string, state: RunState): Promise<RunKey> {
  if (state.keyPath !== undefined) {
    const legacy = pathInside(runDir, state.keyPath, { file: join(runDir, 'run.json'), field: 'keyPath' });
    if (await stat(legacy).then(() => true, () => false)) return loadRunKey(legacy);
  }
  const dir = runKeyDir(state.runId);
  if (await stat(join(dir, 'id_ed25519')).then(() => true, () => false)) return loadRunKey(join(dir, 'id_ed25519'));
  return createRunKey(dir, `virtbench-${state.runId}`);
}

/** Removes the run's key once none of its guests is left (recorded in run.json or in an ownership record). */
export async function releaseRunKey(runDir: string, state: RunState): Promise<boolean> {
  if (Object.values(state.steps).some((st) => st.guest)) return false;
  if ((await listOwned().catch(() => [])).some((r) => r.runId === state.runId)) return false;
  await removeRunKey(runKeyDir(state.runId));
  if (state.keyPath !== undefined) {
    const legacy = pathInside(runDir, state.keyPath, { file: join(runDir, 'run.json'), field: 'keyPath' });
    await rm(legacy, { force: true });
    await rm(`${legacy}.pub`, { force: true });
    if (dirname(legacy) !== runDir) await rmdir(dirname(legacy)).catch(() => undefined);
  }
  return true;
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
  await releaseRunKey(file.runDir, file.state);
}
