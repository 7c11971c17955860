import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { atomicWriteJson } from '../core/fs.js';
import type { Guest } from '../core/guest.js';
import type { RunPlan } from '../suite/plan.js';
import type { ScheduledStep } from '../suite/order.js';

/**
 * run.json: the plan, the order it runs in, and the state of every step, rewritten atomically
 * at every change. It is what `--resume` reads: ok steps are never repeated; failed, pending
 * and interrupted ones run again; a guest recorded as provisioned is destroyed first.
 */
export const RUN_STATE_VERSION = 1 as const;

export type StepStatus = 'pending' | 'running' | 'ok' | 'failed';

export interface StepState {
  resultId: string;
  status: StepStatus;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  seconds?: number;
  workloadSeconds?: number;
  error?: { code: string; message: string; hint?: string };
  /** Set while a guest exists, so a crashed run's guest can be destroyed on resume. */
  guest?: Pick<Guest, 'name' | 'method' | 'handle' | 'ssh' | 'emulated' | 'facts'>;
}

export interface RunAttempt {
  startedAt: string;
  pid: number;
  endedAt?: string;
  outcome?: 'ok' | 'failed' | 'interrupted' | 'crashed';
}

/** A lab host's kernel switches (suites with `kernels:`): what was asked, what came back. */
export interface KernelRunState {
  host: string;
  /** What GRUB boots when nothing is asked for; the host is left on it at the end. */
  defaultKernel?: string;
  /** The host key every return from a reboot is checked against (the suite's, or the first one seen). */
  hostKey?: string;
  boots: {
    release: string;
    method: 'grub-reboot' | 'kexec';
    startedAt: string;
    /** boot_id before the reboot: a resumed run tells "not gone down yet" from "back". */
    fromBootId: string;
    status: 'booting' | 'ok' | 'wrong-kernel' | 'failed' | 'interrupted';
    seconds?: number;
    /** uname -r after the boot. */
    seen?: string;
    error?: string;
  }[];
  restored?: { release: string; at: string };
}

export interface RunState {
  schemaVersion: typeof RUN_STATE_VERSION;
  kind: 'virtbench-run';
  runId: string;
  createdAt: string;
  status: 'running' | 'ok' | 'failed' | 'interrupted';
  suite: { file: string; text: string };
  plan: RunPlan;
  workload: { name: string; version: string; options: Record<string, unknown>; source?: string };
  seed: number;
  schedule: Record<string, ScheduledStep[]>;
  steps: Record<string, StepState>;
  /** The run's own SSH key, relative to the run directory. */
  keyPath: string;
  attempts: RunAttempt[];
  kernels?: KernelRunState;
}

export const runStatePath = (runDir: string) => join(runDir, 'run.json');

export async function readRunState(runDir: string): Promise<RunState> {
  const file = runStatePath(runDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new InputError('RUN_DIR_INVALID', `${runDir} has no readable run.json (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
      hint: 'give the run directory that `virtbench run` printed, e.g. results/<run-id>',
      location: { file },
    });
  }
  let state: RunState;
  try {
    state = JSON.parse(text) as RunState;
  } catch (e) {
    throw new InputError('RUN_DIR_INVALID', `run.json is not valid JSON: ${(e as Error).message}`, { location: { file }, hint: 'the file was edited or truncated' });
  }
  if (state.kind !== 'virtbench-run' || state.schemaVersion !== RUN_STATE_VERSION) {
    throw new InputError('RUN_DIR_INVALID', `run.json is not a virtbench run state of version ${RUN_STATE_VERSION}`, {
      location: { file, field: 'schemaVersion' },
      hint: 'resume works on run directories written by this version of virtbench',
    });
  }
  return state;
}

/** Serialises writes: concurrent hosts update the same run.json. */
export class RunStateFile {
  private chain: Promise<void> = Promise.resolve();
  constructor(readonly runDir: string, readonly state: RunState) {}

  /** Apply a change and write run.json; resolves when the write is on disk. */
  update(change: (s: RunState) => void): Promise<void> {
    change(this.state);
    const snapshot = JSON.parse(JSON.stringify(this.state)) as RunState;
    const next = this.chain.catch(() => undefined).then(() => atomicWriteJson(runStatePath(this.runDir), snapshot));
    this.chain = next;
    return next;
  }

  step(resultId: string): StepState {
    const s = this.state.steps[resultId];
    if (!s) throw new Error(`run.json has no step ${resultId}`);
    return s;
  }
}
